from django.db import migrations

INDEX = "photo_owner_taken"
COLUMNS = {
    # PostgreSQL sorts NULLs first in DESC unless told; the gallery wants undated photos last.
    "postgresql": "owner_id, taken_at DESC NULLS LAST, created_at DESC, id DESC",
    # SQLite sorts NULLs lowest, so plain DESC already puts them last (and it refuses NULLS
    # LAST in an index definition).
    "sqlite": "owner_id, taken_at DESC, created_at DESC, id DESC",
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    columns = COLUMNS.get(vendor, COLUMNS["sqlite"])
    schema_editor.execute(f"CREATE INDEX {INDEX} ON photos_photo ({columns})")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("photos", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
