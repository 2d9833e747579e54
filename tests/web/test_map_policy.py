"""The map's tiles come from another origin (OpenStreetMap's by default): the Content-Security-
Policy must let the browser load them as images, or the map is markers on a blank grid."""

import importlib

import pytest

from webapp import settings as app_settings


@pytest.fixture
def reloaded_settings(monkeypatch):
    """webapp.settings read again from the environment, restored afterwards."""
    yield lambda: importlib.reload(app_settings)
    monkeypatch.undo()
    importlib.reload(app_settings)


def test_the_policy_allows_the_default_tile_origin(client, db):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    img_src = next(d for d in policy.split(";") if d.strip().startswith("img-src"))
    assert "https://tile.openstreetmap.org" in img_src.split()


def test_the_policy_follows_a_configured_tile_server(monkeypatch, reloaded_settings):
    monkeypatch.setenv("PHOTOS_MAP_TILE_URL", "https://tiles.example.org:8443/{z}/{x}/{y}.png")
    reloaded = reloaded_settings()
    img_src = reloaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    assert "https://tiles.example.org:8443" in img_src
    assert "https://tile.openstreetmap.org" not in img_src
