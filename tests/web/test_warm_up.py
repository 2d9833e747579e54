"""The warm-up the web function runs in its init (webapp/warm_up.py), before SnapStart's
snapshot: what a first request would otherwise build, and nothing that would be shared by
every environment restored from the snapshot (a query; that no connection is open after the
real init is checked on the web zip, tests/package/test_run.py)."""

import pytest
from aws_fixtures import aws_env  # noqa: F401
from django.template import engines

from webapp import warm_up
from webapp.photos import gallery_cache
from webapp.photos.aws import clients

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached_templates(settings):
    """Templates kept once parsed, as with DEBUG off (the tests run with DEBUG on)."""
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.cached.Loader",
                        ["django.template.loaders.app_directories.Loader"],
                    )
                ],
            },
        }
    ]
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()
    return loader


def test_warm_up_parses_every_project_template_and_queries_nothing(
    cached_templates, django_assert_num_queries
):
    gallery_cache.code_digest.cache_clear()

    with django_assert_num_queries(0):
        warm_up.warm_up()

    names = warm_up.project_templates()
    assert {"base.html", "photos/gallery.html", "registration/login.html"} <= set(names)
    assert len(cached_templates.get_template_cache) >= len(names)
    assert gallery_cache.code_digest.cache_info().currsize == 1


def test_warm_up_makes_the_s3_client_in_s3_mode_only(settings, aws_env):  # noqa: F811
    settings.PHOTOS_STORAGE = "local"
    warm_up.warm_up()
    assert clients._client.cache_info().currsize == 0

    settings.PHOTOS_STORAGE = "s3"
    warm_up.warm_up()
    assert clients._client.cache_info().currsize == 1
