"""Do, while a process starts, the work Django otherwise leaves to its first requests.

Django builds some things the first time a request needs them: the URLconf (which imports
every view module) and its name-to-URL maps, each template (parsed once, then kept by the
cached loader), the static files manifest, the translation catalogs; so do the S3 client
that signs the photo links and the digest of the code that draws a kept gallery page. On a
Lambda function that SnapStart snapshots after its init (webapp/aws_lambda.py), doing them
during init puts them in the snapshot, so no visitor's first request pays for them. Nothing
here queries the database or the bucket.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

from webapp.photos import gallery_cache
from webapp.photos.aws.clients import client

# The apps whose pages visitors see; the admin's templates (staff only) load on first use.
PROJECT_APPS = ("webapp.",)


def warm_up() -> None:
    with translation.override(settings.LANGUAGE_CODE):  # Django keeps its URL maps by language
        translation.gettext("")  # loads the catalogs
        # imports the URLconf with every view module, and maps names to URLs for reverse()
        get_resolver().reverse_dict  # noqa: B018
    staticfiles_storage.url("photos/app.css")  # reads the manifest of hashed names
    for name in project_templates():
        get_template(name)
    gallery_cache.code_digest()  # reads the photos app's sources (about 10 ms)
    if settings.PHOTOS_STORAGE == "s3":
        # botocore reads S3's service model and endpoint rules (tens of ms). Under SnapStart
        # the client's credentials come from Lambda's container endpoint, and it refreshes
        # them when they expire: a snapshot's client stays good however old the snapshot.
        client("s3")


def project_templates() -> list[str]:
    """The template names of this project's own apps, as `get_template` takes them."""
    names = []
    for config in apps.get_app_configs():
        if not config.name.startswith(PROJECT_APPS):
            continue
        folder = Path(config.path) / "templates"
        names += [p.relative_to(folder).as_posix() for p in sorted(folder.rglob("*.html"))]
    return names
