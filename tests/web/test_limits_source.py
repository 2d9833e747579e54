"""One source for the limits: the web settings read the jobs' defaults, and the job functions
are deployed with the very limits the web app enforces at upload time."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from jobs.config import Limits
from jobs.formats import ACCEPTED_CONTENT_TYPES

ZAPPA = Path(__file__).resolve().parents[2] / "zappa_settings.json"
JOB_STAGES = ("thumbnails", "metadata")


def stage(name: str) -> dict:
    """A Zappa stage as Zappa resolves it: `extends` copies the parent's keys, the stage's
    own keys win (a shallow merge, like Zappa's)."""
    stages = json.loads(ZAPPA.read_text())
    own = stages[name]
    parent = stage(own["extends"]) if "extends" in own else {}
    return {**parent, **own}


def test_the_web_defaults_are_the_jobs_defaults():
    assert Limits().max_bytes == settings.PHOTOS_MAX_UPLOAD_BYTES
    assert Limits().max_pixels == settings.PHOTOS_MAX_PIXELS
    assert list(settings.PHOTOS_ALLOWED_CONTENT_TYPES) == list(ACCEPTED_CONTENT_TYPES)


@pytest.mark.parametrize("name", JOB_STAGES)
def test_the_job_functions_take_what_the_web_accepts(name):
    env = stage(name)["aws_environment_variables"]

    # A job stage's cap below the web's would fail, after the upload, photos the site took.
    assert int(env["PHOTOS_MAX_UPLOAD_BYTES"]) == settings.PHOTOS_MAX_UPLOAD_BYTES
    assert int(env["PHOTOS_MAX_PIXELS"]) == settings.PHOTOS_MAX_PIXELS
