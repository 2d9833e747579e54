"""Shared by every test package: where the real test photos and event payloads live."""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# ../shared/testdata beside the clone (CI lays it there too); overridable for other layouts.
TESTDATA = Path(os.environ.get("DARKROOM_TESTDATA", ROOT.parent / "shared" / "testdata"))
PHOTOS = TESTDATA / "photos"
EVENTS = Path(__file__).resolve().parent / "events"


@pytest.fixture(scope="session")
def photos_dir() -> Path:
    assert PHOTOS.is_dir(), f"test photos not found at {PHOTOS} (set DARKROOM_TESTDATA)"
    return PHOTOS


@pytest.fixture
def load_event():
    def load(name: str) -> dict:
        return json.loads((EVENTS / f"{name}.json").read_text())

    return load


@pytest.fixture(scope="session")
def moto_server():
    """The endpoint URL of one moto server (a real HTTP AWS emulator) for the whole session."""
    from aws import MotoServer  # tests/aws.py: pytest puts this directory on sys.path

    server = MotoServer()
    server.start()
    try:
        yield server.endpoint_url
    finally:
        server.stop()
