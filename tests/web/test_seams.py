"""One home per concern: the storage backends answer every question about files, the
runners check their configuration as Django system checks, and job_outcomes is the job
side's one door into the services."""

import hashlib

import pytest
from aws_fixtures import aws_env, photo_bucket, s3  # noqa: F401
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from jobs.events import ObjectCreated
from webapp.celery import app as celery_app
from webapp.photos import job_outcomes, runners, services
from webapp.photos.models import Photo, PhotoStatus
from webapp.photos.storage import LocalPhotoStorage, S3PhotoStorage, photo_storage

# --- storage ----------------------------------------------------------------------------------


def test_the_backend_is_the_one_settings_name(settings, media_root):
    settings.PHOTOS_STORAGE = "local"
    assert isinstance(photo_storage(), LocalPhotoStorage)
    settings.PHOTOS_STORAGE = "s3"
    assert isinstance(photo_storage(), S3PhotoStorage)


def test_local_head_says_size_type_and_the_etag_s3_would_give(media_root):
    storage = LocalPhotoStorage()
    data = b"\xff\xd8\xff" + b"x" * 100
    (media_root / "uploads" / "p1").mkdir(parents=True)
    (media_root / "uploads" / "p1" / "a.jpg").write_bytes(data)

    head = storage.head("uploads/p1/a.jpg")

    assert (head.size, head.content_type) == (len(data), "image/jpeg")
    assert head.etag == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert storage.head("uploads/p1/missing.jpg") is None


def test_local_delete_removes_the_original_and_the_renditions_of_one_photo(media_root):
    storage = LocalPhotoStorage()
    for key in ("uploads/p1/a.jpg", "renditions/p1/thumb.webp", "uploads/p2/b.jpg"):
        (media_root / key).parent.mkdir(parents=True, exist_ok=True)
        (media_root / key).write_bytes(b"x")

    assert storage.delete_photo_files("p1") == 2

    assert not (media_root / "uploads/p1/a.jpg").exists()
    assert (media_root / "uploads/p2/b.jpg").exists()


def test_s3_head_says_size_type_and_etag(photo_bucket, s3):  # noqa: F811
    s3.put_object(
        Bucket=photo_bucket, Key="uploads/p1/a.png", Body=b"png!", ContentType="image/png"
    )
    storage = photo_storage()

    head = storage.head("uploads/p1/a.png")

    assert (head.size, head.content_type) == (4, "image/png")
    assert head.etag == hashlib.md5(b"png!", usedforsecurity=False).hexdigest()
    assert storage.head("uploads/p1/gone.png") is None
    assert storage.bucket == photo_bucket
    storage.check_health()
    assert storage.delete_photo_files("p1") == 1


# --- runners: configuration as system checks ------------------------------------------------


@pytest.mark.parametrize(
    ("runner", "storage", "ids"),
    [
        ("inline", "local", []),
        ("celery", "local", []),
        ("lambda", "s3", []),
        ("lambda", "local", ["photos.E002"]),
        ("carrier-pigeon", "local", ["photos.E001"]),
    ],
)
def test_the_runner_configuration_is_a_system_check(settings, runner, storage, ids):
    settings.PHOTOS_JOB_RUNNER = runner
    settings.PHOTOS_STORAGE = storage

    assert [message.id for message in runners.check_job_runner()] == ids


def test_manage_py_check_refuses_the_lambda_runner_without_s3(settings):
    settings.PHOTOS_JOB_RUNNER = "lambda"
    settings.PHOTOS_STORAGE = "local"

    with pytest.raises(SystemCheckError, match="photos.E002"):
        call_command("check", tag=["photos"])


def test_the_celery_runner_sends_the_task_by_name(settings, monkeypatch):
    sent = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, args, **kw: sent.append((name, tuple(args)))
    )
    record = ObjectCreated(bucket="local", key="uploads/p1/a.jpg", size=3, etag="e", sequencer="1")

    runners.RUNNERS["celery"].dispatch(record)

    assert [(name, job) for name, (_, job) in sent] == [
        ("photos.run_job", "renditions"),
        ("photos.run_job", "metadata"),
    ]
    assert sent[0][1][0]["key"] == "uploads/p1/a.jpg"


# --- job_outcomes ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recorded_failure_fails_the_photo_in_the_jobs_one_shape(alice):
    photo = services.photo_create(owner=alice, filename="a.jpg", content_type="image/jpeg", size=9)
    Photo.objects.filter(pk=photo.pk).update(status=PhotoStatus.PROCESSING, source_etag="e1")
    record = ObjectCreated(bucket="local", key=photo.original_key, size=9, etag="e1")

    outcome = job_outcomes.record_failure(record, "metadata", "took too long: over 120 s")

    photo.refresh_from_db()
    assert photo.status == PhotoStatus.FAILED
    assert photo.error == "took too long: over 120 s"
    assert photo.jobs["metadata"] == outcome
    assert set(outcome) == {"status", "error", "source_etag", "finished_at", "duration_ms"}
    assert job_outcomes.photo_exists(str(photo.pk))
