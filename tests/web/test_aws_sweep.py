"""The scheduled sweep: stuck photos are dispatched again (a bounded number of times),
uploads whose original arrived unnoticed are started, abandoned uploads are removed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from webapp.photos import runners
from webapp.photos.aws.sweep import handler, sweep
from webapp.photos.models import Photo, PhotoStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(monkeypatch) -> list:
    sent = []
    monkeypatch.setattr(runners, "dispatch", lambda photo: sent.append(photo.pk))
    return sent


def make_photo(owner, *, status, age: timedelta, uploaded: bool = True) -> Photo:
    photo = Photo.objects.create(
        owner=owner,
        filename="hopper.jpg",
        original_key="uploads/placeholder/hopper.jpg",
        content_type="image/jpeg",
        declared_size=10,
        status=status,
        source_etag="abc" if uploaded else "",
    )
    when = timezone.now() - age
    Photo.objects.filter(pk=photo.pk).update(
        original_key=f"uploads/{photo.pk}/hopper.jpg",
        created_at=when,
        uploaded_at=when if uploaded else None,
    )
    photo.refresh_from_db()
    return photo


def test_stuck_photo_is_dispatched_again_once_per_period(
    alice, dispatched, django_capture_on_commit_callbacks
):
    stuck = make_photo(alice, status=PhotoStatus.PROCESSING, age=timedelta(hours=1))
    fresh = make_photo(alice, status=PhotoStatus.PROCESSING, age=timedelta(minutes=1))

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
    photo = make_photo(alice, status=PhotoStatus.PROCESSING, age=timedelta(hours=3))
    now = timezone.now()

    sweep(now=now)
    sweep(now=now + timedelta(minutes=20))
    report = sweep(now=now + timedelta(minutes=40))

    assert report["failed"] == 1
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.FAILED
    assert photo.error.startswith("processing did not finish after 2 attempts")


def test_upload_that_landed_unnoticed_is_started(alice, dispatched, media_root):
    photo = make_photo(alice, status=PhotoStatus.UPLOADING, age=timedelta(hours=1), uploaded=False)
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
    abandoned = make_photo(
        alice, status=PhotoStatus.UPLOADING, age=timedelta(days=2), uploaded=False
    )
    recent = make_photo(alice, status=PhotoStatus.UPLOADING, age=timedelta(hours=2), uploaded=False)

    report = handler({"detail-type": "Scheduled Event"}, None)

    assert report["removed"] == 1
    assert not Photo.objects.filter(pk=abandoned.pk).exists()
    assert Photo.objects.filter(pk=recent.pk).exists()
    assert dispatched == []


def test_ready_and_failed_photos_are_never_touched(alice, dispatched):
    for status in (PhotoStatus.READY, PhotoStatus.FAILED):
        make_photo(alice, status=status, age=timedelta(days=3))

    assert sweep() == {
        "redispatched": 0,
        "started": 0,
        "failed": 0,
        "removed": 0,
        "complete": True,
    }
    assert dispatched == []
