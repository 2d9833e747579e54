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
# Our own aim (25 MB) plus headroom: growth past this is worth a look before it is a limit.
AIM_ZIPPED = 30 * MiB
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
    assert zipped < AIM_ZIPPED, f"{stage}: {zipped / MiB:.1f} MiB zipped, aim {AIM_ZIPPED // MiB}"


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

    # then: there are native libraries (Pillow at least), and none needs more than 2.34
    assert any("PIL/" in name for name in newest), "no native code found: wrong zip?"
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
