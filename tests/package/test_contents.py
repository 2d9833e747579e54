"""What is inside each Lambda zip: within Lambda's limits, no test tools, native libraries
the python3.12 runtime can load, and the parts each function needs."""

import io
import re
import zipfile

import pytest
from conftest import STAGES, zip_path  # tests/package/conftest.py

MiB = 1024 * 1024
# Lambda's limits for a zip deployment: 50 MB uploaded directly, 250 MB unzipped.
MAX_ZIPPED, MAX_UNZIPPED = 50 * MiB, 250 * MiB
# Our own aims: the web function's zip is uploaded on every deploy and read at every cold
# start (issue 9: 20 MiB); the job zips carry Pillow and libheif (25 MB plus headroom).
AIM_ZIPPED = {"web": 20 * MiB, "thumbnails": 30 * MiB, "metadata": 30 * MiB}
# The python3.12 runtime is Amazon Linux 2023: glibc 2.34.
RUNTIME_GLIBC = (2, 34)
TEST_TOOLS = ("pytest", "_pytest", "pytest_django", "pytest_timeout", "moto", "playwright",
              "ruff", "pyvips", "elftools", "responses", "tests")  # fmt: skip


def top_level_names(archive: zipfile.ZipFile) -> set[str]:
    return {info.filename.split("/", 1)[0] for info in archive.infolist()}


@pytest.mark.parametrize("stage", STAGES)
def test_zip_is_within_lambda_limits(stage):
    path = zip_path(stage)
    with zipfile.ZipFile(path) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())

    zipped = path.stat().st_size
    assert zipped < MAX_ZIPPED, f"{stage}: {zipped / MiB:.1f} MiB zipped"
    assert unzipped < MAX_UNZIPPED, f"{stage}: {unzipped / MiB:.1f} MiB unzipped"
    aim = AIM_ZIPPED[stage]
    assert zipped <= aim, f"{stage}: {zipped / MiB:.1f} MiB zipped, aim {aim // MiB}"


@pytest.mark.parametrize("stage", STAGES)
def test_zip_holds_no_test_tools(stage):
    with zipfile.ZipFile(zip_path(stage)) as archive:
        names = top_level_names(archive)

    distributions = {re.sub(r"-[^-]+\.dist-info$", "", n).lower() for n in names}
    found = sorted(
        n for n in names | distributions if n.lower() in TEST_TOOLS or n.lower() == "moto"
    )
    assert found == []


def glibc_needs(data: bytes) -> set[tuple[int, int]]:
    """The GLIBC_x.y symbol versions an ELF shared object requires (its .gnu.version_r)."""
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection

    needs = set()
    elf = ELFFile(io.BytesIO(data))
    for section in elf.iter_sections():
        if isinstance(section, GNUVerNeedSection):
            for _library, versions in section.iter_versions():
                for version in versions:
                    match = re.fullmatch(r"GLIBC_(\d+)\.(\d+)(?:\.\d+)?", version.name)
                    if match:
                        needs.add((int(match[1]), int(match[2])))
    return needs


@pytest.mark.parametrize("stage", STAGES)
def test_native_libraries_need_no_newer_glibc_than_the_runtime(stage):
    newest: dict[str, tuple[int, int]] = {}
    with zipfile.ZipFile(zip_path(stage)) as archive:
        for info in archive.infolist():
            if re.search(r"\.so(\.\d+)*$", info.filename):
                data = archive.read(info)
                if data[:4] == b"\x7fELF":
                    needs = glibc_needs(data)
                    newest[info.filename] = max(needs, default=(0, 0))

    # then: there are native libraries (Pillow in the jobs, psycopg's libpq in the web), and
    # none needs more than 2.34
    expected = "psycopg_binary" if stage == "web" else "PIL/"
    assert any(expected in name for name in newest), "no native code found: wrong zip?"
    too_new = {name: f"{v[0]}.{v[1]}" for name, v in newest.items() if v > RUNTIME_GLIBC}
    assert too_new == {}


def test_web_zip_has_django_the_apps_and_the_collected_static_files():
    with zipfile.ZipFile(zip_path("web")) as archive:
        names = set(archive.namelist())
    assert "handler.py" in names and "zappa_settings.py" in names
    assert "webapp/settings.py" in names and "webapp/photos/aws/stream.py" in names
    assert "django/contrib/admin/__init__.py" in names
    assert "django/test/__init__.py" in names  # Django's own, never excluded as a test tool
    # whitenoise's manifest: CompressedManifestStaticFilesStorage refuses to start without it
    assert "var/staticfiles/staticfiles.json" in names
    assert not any(n.startswith("var/media/") or n.endswith(".sqlite3") for n in names)


@pytest.mark.parametrize("stage", ["thumbnails", "metadata"])
def test_job_zips_carry_the_jobs_and_not_the_web_app(stage):
    with zipfile.ZipFile(zip_path(stage)) as archive:
        tops = top_level_names(archive)
    assert {"jobs", "PIL", "pillow_heif", "boto3", "botocore", "blurhash"} <= tops
    assert not tops & {"django", "webapp", "celery", "psycopg", "psycopg_binary", "var"}


def test_web_zip_carries_no_image_decoders():
    # The web function never decodes an image (the jobs do): Pillow's libraries (libjpeg,
    # libwebp, libtiff, libavif...) would only add megabytes and attack surface.
    with zipfile.ZipFile(zip_path("web")) as archive:
        tops = top_level_names(archive)
    assert not tops & {"PIL", "pillow.libs", "pillow_heif", "pillow_heif.libs", "blurhash"}
    assert not any(re.match(r"(pillow|pillow_heif|blurhash)-.*\.dist-info$", n) for n in tops)


def test_web_zip_translations_are_english_only():
    with zipfile.ZipFile(zip_path("web")) as archive:
        catalogs = [n for n in archive.namelist() if n.endswith(".mo")]
    # the site speaks LANGUAGE_CODE (en-us) only and has no LocaleMiddleware
    assert [n for n in catalogs if "/locale/en/LC_MESSAGES/" not in n] == []
    # Django refuses to start without a catalog for its default language
    assert "django/conf/locale/en/LC_MESSAGES/django.mo" in catalogs


def test_web_zip_collects_the_admin_autocomplete_in_english_only():
    # whitenoise reads every collected file at start-up; the other 58 languages were 43% of them
    folder = "var/staticfiles/admin/js/vendor/select2/i18n/"
    with zipfile.ZipFile(zip_path("web")) as archive:
        names = {n.removeprefix(folder) for n in archive.namelist() if n.startswith(folder)}
    assert {n.split(".")[0] for n in names} == {"en"}
    assert "en.js" in names


def pyc_flags(data: bytes) -> int:
    """PEP 552: 0 = checked by the source's mtime, 1 = hash (unchecked), 3 = hash (checked)."""
    return int.from_bytes(data[4:8], "little")


# Written by Zappa into the zip's root at packaging time, after our bytecode was compiled
# (handler.py costs about 7 ms to compile), and a script that is never imported.
NO_BYTECODE = {"__init__.py", "handler.py", "zappa_settings.py", "django_zappa_app.py", "manage.py"}


def cached_name(source: str) -> str:
    """Where CPython 3.12 looks for the bytecode of `source` (a path inside the zip)."""
    folder, _, name = source.rpartition("/")
    return f"{folder}/__pycache__/{name[:-3]}.cpython-312.pyc".lstrip("/")


@pytest.mark.parametrize("stage", STAGES)
def test_bytecode_is_usable_on_lambda(stage):
    # Zappa dates every file 1980-01-01, so a .pyc checked against its source's mtime never
    # matches on Lambda, and /var/task is read-only: each cold start would compile again every
    # module it imports. Hash-based .pyc files hold whatever the dates.
    with zipfile.ZipFile(zip_path(stage)) as archive:
        names = set(archive.namelist())
        flags = {n: pyc_flags(archive.read(n)[:8]) for n in names if n.endswith(".pyc")}

    by_date = sorted(n for n, f in flags.items() if not f & 1)
    assert by_date == [], f"{len(by_date)} .pyc checked by date, e.g. {by_date[:5]}"
    without = sorted(
        n
        for n in names
        if n.endswith(".py")
        and "__pycache__/" not in n  # Zappa drops empty __init__.py files into those
        and "/migrations/" not in n  # Zappa leaves out migrations' bytecode on purpose
        and n not in NO_BYTECODE
        and cached_name(n) not in names
    )
    assert without == [], f"{len(without)} modules without bytecode, e.g. {without[:5]}"
