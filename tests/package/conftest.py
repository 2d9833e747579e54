"""The Lambda zips `make package` builds under build/, unpacked once per test session.

These tests read the packages; they never build them (that is `make package`, which
`make test-package` runs first). A missing or stale zip fails with the command to run.
"""

import json
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
STAGES = ("web", "thumbnails", "metadata")
# What goes into the zips; a zip older than any of them was built from other code.
SOURCES = ("webapp", "jobs", "zappa_settings.json", "requirements.txt", "manage.py")


def zip_path(stage: str) -> Path:
    path = BUILD / f"{stage}.zip"
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `make package` first")
    newest = max(
        (p.stat().st_mtime, p)
        for source in SOURCES
        for p in ([ROOT / source] if (ROOT / source).is_file() else (ROOT / source).rglob("*.py"))
    )
    if newest[0] > path.stat().st_mtime:
        pytest.fail(f"{path.name} is older than {newest[1].relative_to(ROOT)}: run `make package`")
    return path


@pytest.fixture(scope="session")
def stage_settings():
    """zappa_settings.json, each stage with what it `extends` folded in (as Zappa does)."""
    raw = json.loads((ROOT / "zappa_settings.json").read_text())

    def resolve(name: str) -> dict:
        stage = dict(raw[name])
        parent = stage.pop("extends", None)
        return {**resolve(parent), **stage} if parent else stage

    return {name: resolve(name) for name in STAGES}


@pytest.fixture(scope="session")
def unpacked(tmp_path_factory):
    """unpacked(stage) -> the directory the zip extracts to (Lambda's /var/task)."""
    done: dict[str, Path] = {}

    def unpack(stage: str) -> Path:
        if stage not in done:
            target = tmp_path_factory.mktemp(f"{stage}-task")
            with zipfile.ZipFile(zip_path(stage)) as archive:
                archive.extractall(target)
            done[stage] = target
        return done[stage]

    return unpack
