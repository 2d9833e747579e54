"""The scheduled sweep: stuck photos are dispatched again (a bounded number of times),
uploads whose original arrived unnoticed are started, abandoned uploads are removed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from factories import PhotoFactory  # tests/web/factories.py

from webapp.photos import runners
from webapp.photos.aws.sweep import handler, sweep
from webapp.photos.models import Photo, PhotoStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(monkeypatch) -> list:
    sent = []
    monkeypatch.setattr(runners, "dispatch", lambda photo: sent.append(photo.pk))
    return sent


def test_stuck_photo_is_dispatched_again_once_per_period(
    alice, dispatched, django_capture_on_commit_callbacks
):
    stuck = PhotoFactory(owner=alice, processing=True, age=timedelta(hours=1))
    fresh = PhotoFactory(owner=alice, processing=True, age=timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        report = sweep()
    with django_capture_on_commit_callbacks(execute=True):
        again = sweep()  # the next run, within the period: leaves it alone

    assert report["redispatched"] == 1 and again["redispatched"] == 0
    assert dispatched == [stuck.pk]
    stuck.refresh_from_db()
    assert stuck.status == PhotoStatus.PROCESSING
    assert stuck.jobs["sweep"]["attempts"] == 1
    fresh.refresh_from_db()
    assert "sweep" not in fresh.jobs


def test_photo_stuck_after_every_attempt_fails_with_a_reason(alice, dispatched, settings):
    settings.PHOTOS_SWEEP_ATTEMPTS = 2
    photo = PhotoFactory(owner=alice, processing=True, age=timedelta(hours=3))
    now = timezone.now()

    sweep(now=now)
    sweep(now=now + timedelta(minutes=20))
    report = sweep(now=now + timedelta(minutes=40))

    assert report["failed"] == 1
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.FAILED
    assert photo.error.startswith("processing did not finish after 2 attempts")


def test_upload_that_landed_unnoticed_is_started(alice, dispatched, media_root):
    photo = PhotoFactory(owner=alice, age=timedelta(hours=1))
    original = media_root / photo.original_key
    original.parent.mkdir(parents=True)
    original.write_bytes(b"0123456789")

    report = sweep()

    assert report["started"] == 1
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.PROCESSING
    assert photo.source_etag == "781e5e245d69b566979b86e28d23f2c7"  # MD5, as S3's ETag
    assert photo.bytes == 10


def test_abandoned_upload_is_removed_and_recent_one_kept(alice, dispatched):
    abandoned = PhotoFactory(owner=alice, age=timedelta(days=2))
    # Within its ticket's lifetime (issue 11: unused tickets expire soon after it, not a day).
    recent = PhotoFactory(owner=alice, age=timedelta(minutes=2))

    report = handler({"detail-type": "Scheduled Event"}, None)

    assert report["removed"] == 1
    assert not Photo.objects.filter(pk=abandoned.pk).exists()
    assert Photo.objects.filter(pk=recent.pk).exists()
    assert dispatched == []


def test_ready_and_failed_photos_are_never_touched(alice, dispatched):
    PhotoFactory(owner=alice, ready=True, age=timedelta(days=3))
    PhotoFactory(owner=alice, failed=True, age=timedelta(days=3))

    assert sweep() == {
        "redispatched": 0,
        "started": 0,
        "failed": 0,
        "removed": 0,
        "complete": True,
    }
    assert dispatched == []
