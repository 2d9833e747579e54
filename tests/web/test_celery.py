"""The Celery runner: a task per job, delivered by a real broker to a real worker process.

The end-to-end tests run against Redis and RabbitMQ on 127.0.0.1 (each test on its own
queue) with `celery worker` processes on the test database, so they need PostgreSQL
(`make test-web-postgres`); the task's retry policy is tested in-process with eager tasks.
"""

import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from jobs import work
from webapp.celery import app as celery_app
from webapp.photos import runners, services, tasks
from webapp.photos.models import Photo, PhotoStatus

# The fixtures (broker, celery_workers, celery_runner) live beside this module.
pytest_plugins = ["celery_fixtures"]

READY_TIMEOUT = 60


def wait_for_photo(photo_id, *, timeout: float = READY_TIMEOUT, workers=None) -> Photo:
    """The photo once ready or failed (polling the database, as the page polls the API)."""
    deadline = time.monotonic() + timeout
    while True:
        photo = Photo.objects.get(pk=photo_id)
        if photo.status in (PhotoStatus.READY, PhotoStatus.FAILED):
            return photo
        if time.monotonic() > deadline:
            logs = workers.logs() if workers else ""
            pytest.fail(f"photo still {photo.status} after {timeout} s; jobs={photo.jobs}\n{logs}")
        time.sleep(0.2)


def wait_for_outcomes(photo_id, *, timeout: float = READY_TIMEOUT, workers=None) -> Photo:
    """The photo once every job has recorded an outcome: a failed photo is settled as soon
    as its first job fails, while the other may still be on its way to a worker."""
    deadline = time.monotonic() + timeout
    while True:
        photo = Photo.objects.get(pk=photo_id)
        if all(job in photo.jobs for job in work.JOBS):
            return photo
        if time.monotonic() > deadline:
            logs = workers.logs() if workers else ""
            pytest.fail(f"jobs still unanswered after {timeout} s; jobs={photo.jobs}\n{logs}")
        time.sleep(0.2)


# --- the task as configured -------------------------------------------------------------------


def test_task_is_configured_to_survive_a_lost_worker_and_only_retry_transient_errors():
    task = tasks.run_photo_job
    conf = task.app.conf

    assert task.acks_late and task.reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert task.ignore_result
    assert conf.task_serializer == "json" and list(conf.accept_content) == ["json"]
    assert set(task.autoretry_for) >= {OSError, OperationalError}
    assert task.retry_backoff and task.retry_jitter and task.max_retries == tasks.MAX_RETRIES
    assert task.soft_time_limit < task.time_limit


def test_runner_enqueues_both_jobs_after_the_upload(settings, monkeypatch, alice_client, upload):
    # given: the celery runner, and the broker replaced by a list
    settings.PHOTOS_JOB_RUNNER = "celery"
    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args, **kw: sent.append(tuple(args)))

    # when
    photo_id = upload(alice_client, "hopper.jpg")

    # then: one message per job, each a JSON-able object-created record
    photo = Photo.objects.get(pk=photo_id)
    assert runners.runner() is not None
    assert sorted(job for _, job in sent) == sorted(work.JOBS)
    for record, _ in sent:
        assert record["key"] == photo.original_key
        assert record["etag"] == photo.source_etag
        assert record["size"] == photo.bytes
    assert photo.status == PhotoStatus.PROCESSING


# --- the task in-process: retries and final answers -------------------------------------------


@pytest.fixture
def stored_photo(alice, media_root, photos_dir):
    """A processing photo whose original is in MEDIA_ROOT, and the record a runner sends."""

    def make(name: str = "hopper.jpg", content: bytes | None = None):
        data = content if content is not None else (photos_dir / name).read_bytes()
        photo = services.photo_create(
            owner=alice, filename=name, content_type="image/jpeg", size=len(data)
        )
        original = media_root / photo.original_key
        original.parent.mkdir(parents=True)
        original.write_bytes(data)
        Photo.objects.filter(pk=photo.pk).update(
            status=PhotoStatus.PROCESSING, source_etag="etag-1", bytes=len(data)
        )
        record = {
            "bucket": "local",
            "key": photo.original_key,
            "size": len(data),
            "etag": "etag-1",
            "sequencer": "1",
        }
        return photo.pk, record

    return make


class Attempts:
    """Counts run_job calls per job; `fail_first[job] = [exc, ...]` raises those first."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.fail_first: dict[str, list[BaseException]] = {}


@pytest.fixture
def attempts(monkeypatch) -> Attempts:
    seen = Attempts()
    real = work.run_job

    def run_job(job, record, **kwargs):
        seen.counts[job] = seen.counts.get(job, 0) + 1
        if seen.fail_first.get(job):
            raise seen.fail_first[job].pop(0)
        return real(job, record, **kwargs)

    monkeypatch.setattr(work, "run_job", run_job)
    # Eager retries would otherwise wait out the backoff between attempts.
    monkeypatch.setattr(tasks.run_photo_job, "retry_backoff", False)
    monkeypatch.setattr(tasks.run_photo_job, "default_retry_delay", 0)
    return seen


@pytest.mark.django_db
def test_not_an_image_fails_the_photo_once_and_is_never_retried(stored_photo, attempts):
    # given: a "JPEG" that is text
    photo_id, record = stored_photo("notes.jpg", content=b"shopping list: eggs, milk\n" * 40)

    # when
    for job in work.JOBS:
        result = tasks.run_photo_job.apply(args=(record, job))
        assert result.successful()

    # then: one attempt per job, and the uploader reads why
    assert attempts.counts == {"renditions": 1, "metadata": 1}
    photo = Photo.objects.get(pk=photo_id)
    assert photo.status == PhotoStatus.FAILED
    assert photo.error
    assert {o["status"] for o in photo.jobs.values()} == {"failed"}


@pytest.mark.django_db
def test_transient_errors_are_retried_until_the_job_succeeds(stored_photo, attempts):
    # given: the store fails twice, the database once
    photo_id, record = stored_photo()
    attempts.fail_first["renditions"] = [ConnectionResetError("reset"), OSError("disk hiccup")]
    attempts.fail_first["metadata"] = [OperationalError("server closed the connection")]

    # when
    for job in work.JOBS:
        tasks.run_photo_job.apply(args=(record, job))

    # then
    assert attempts.counts == {"renditions": 3, "metadata": 2}
    photo = Photo.objects.get(pk=photo_id)
    assert photo.status == PhotoStatus.READY, photo.jobs
    assert set(photo.renditions) == {"thumb", "medium", "large"}


@pytest.mark.django_db
def test_a_job_that_keeps_failing_gives_up_and_says_so(stored_photo, attempts):
    photo_id, record = stored_photo()
    attempts.fail_first["renditions"] = [OSError("store down")] * (tasks.MAX_RETRIES + 1)

    result = tasks.run_photo_job.apply(args=(record, "renditions"))

    assert result.failed()
    assert attempts.counts["renditions"] == tasks.MAX_RETRIES + 1
    photo = Photo.objects.get(pk=photo_id)
    assert photo.status == PhotoStatus.FAILED
    assert photo.error == "could not be processed, try again later"


@pytest.mark.django_db
def test_a_bug_is_not_retried(stored_photo, attempts):
    photo_id, record = stored_photo()
    attempts.fail_first["metadata"] = [KeyError("a bug")]

    result = tasks.run_photo_job.apply(args=(record, "metadata"))

    assert result.failed()
    assert attempts.counts["metadata"] == 1
    assert Photo.objects.get(pk=photo_id).status == PhotoStatus.FAILED


@pytest.mark.django_db
def test_a_job_over_its_time_limit_fails_the_photo_without_retry(stored_photo, attempts):
    photo_id, record = stored_photo()
    attempts.fail_first["renditions"] = [SoftTimeLimitExceeded()]

    tasks.run_photo_job.apply(args=(record, "renditions"))

    assert attempts.counts["renditions"] == 1
    photo = Photo.objects.get(pk=photo_id)
    assert photo.status == PhotoStatus.FAILED
    assert photo.error.startswith("took too long")


@pytest.mark.django_db
def test_a_deleted_photo_is_skipped(stored_photo, attempts):
    photo_id, record = stored_photo()
    Photo.objects.filter(pk=photo_id).delete()

    result = tasks.run_photo_job.apply(args=(record, "renditions"))

    assert result.successful()
    assert attempts.counts == {}


# --- real broker, real worker -------------------------------------------------------------------


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_upload_becomes_ready_through_a_worker(celery_runner, celery_workers, alice_client, upload):
    # given
    celery_workers.start()

    # when: the page's upload protocol, with PHOTOS_JOB_RUNNER=celery
    photo_id = upload(alice_client, "hopper.jpg")

    # then
    photo = wait_for_photo(photo_id, workers=celery_workers)
    assert photo.status == PhotoStatus.READY, photo.jobs
    assert set(photo.renditions) == {"thumb", "medium", "large"}
    assert (photo.width, photo.height) == (128, 128)
    assert {celery_workers.attempts(photo_id, job) for job in work.JOBS} == {1}


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_not_an_image_fails_on_the_worker_after_one_attempt(
    celery_runner, celery_workers, alice_client, upload, tmp_path
):
    celery_workers.start()
    fake = tmp_path / "fake.jpg"
    fake.write_bytes(b"<html>not a photo</html>\n" * 20)

    photo_id = upload(alice_client, "fake.jpg", path=fake)

    wait_for_photo(photo_id, workers=celery_workers)
    photo = wait_for_outcomes(photo_id, workers=celery_workers)
    assert photo.status == PhotoStatus.FAILED
    assert photo.error
    # A retry would be a second attempt, a message back in the queue or one the worker holds
    # until its countdown ends.
    assert [celery_workers.attempts(photo_id, job) for job in work.JOBS] == [1, 1]
    assert celery_workers.queue_length() == 0
    assert celery_workers.tasks_in_hand() == 0


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_loses_no_photo(
    celery_runner, celery_workers, alice_client, upload
):
    # given: a worker that hangs in the renditions job the first time it gets it
    first = celery_workers.start(hold_first="renditions")
    photo_id = upload(alice_client, "hopper.jpg")
    celery_workers.wait_for_hold(photo_id, "renditions")

    # when: SIGKILL in the middle of the job (no ack was sent), then a new worker
    first.kill()
    assert Photo.objects.get(pk=photo_id).status == PhotoStatus.PROCESSING
    celery_workers.start(hold_first="renditions")

    # then: the broker redelivers it and the photo is complete
    photo = wait_for_photo(photo_id, workers=celery_workers)
    assert photo.status == PhotoStatus.READY, photo.jobs
    assert set(photo.renditions) == {"thumb", "medium", "large"}
    assert celery_workers.attempts(photo_id, "renditions") == 2
