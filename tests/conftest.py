"""Shared by every test package: where the real test photos and event payloads live."""

from pathlib import Path

import pytest

# Everything the suite reads lives in the repository (tests/data/README.md gives sources).
DATA = Path(__file__).resolve().parent / "data"
PHOTOS = DATA / "photos"


@pytest.fixture(scope="session")
def photos_dir() -> Path:
    return PHOTOS


@pytest.fixture
def load_event():
    from event_builders import load_event  # tests/event_builders.py: one loader for all

    return load_event


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
