"""A photo that kills every worker that opens it (an OOM kill, mid-job, no ack) comes back a
bounded number of times, then fails with the reason; the worker replaces pool processes that
grew too large."""

import pytest
from test_celery import wait_for_outcomes, wait_for_photo

from jobs import work
from webapp.photos import tasks
from webapp.photos.models import PhotoStatus

pytest_plugins = ["celery_fixtures"]


def test_workers_replace_pool_processes_that_grew_too_large():
    assert tasks.run_photo_job.app.conf.worker_max_memory_per_child == 1_048_576  # 1 GiB


def test_deliveries_are_counted_per_attempt_in_the_shared_cache(db):
    class Request:
        id, retries = "task-1", 0

    counts = [tasks._count_delivery(Request) for _ in range(3)]
    Request.retries = 1  # a retry is a new attempt: counted apart

    assert counts == [1, 2, 3]
    assert tasks._count_delivery(Request) == 1


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_job_that_kills_its_worker_every_time_comes_back_a_bounded_number_of_times(
    celery_runner, celery_workers, alice_client, upload
):
    # given: renditions SIGKILLs its pool process on every delivery
    celery_workers.start(kill_every="renditions")

    # when
    photo_id = upload(alice_client, "hopper.jpg")

    # then: three deliveries cut off, the fourth records the failure instead of running
    photo = wait_for_photo(photo_id, timeout=120, workers=celery_workers)
    assert photo.status == PhotoStatus.FAILED, photo.jobs
    assert photo.error == tasks.KILLED_REASON.format(count=tasks.MAX_DELIVERIES)
    assert photo.jobs["renditions"]["status"] == "failed"
    # the other job of the photo is not held up by it
    photo = wait_for_outcomes(photo_id, workers=celery_workers)
    assert photo.jobs["metadata"]["status"] == "done"
    assert celery_workers.attempts(photo_id, "renditions") == tasks.MAX_DELIVERIES
    assert [celery_workers.attempts(photo_id, job) for job in work.JOBS if job != "renditions"] == [
        1
    ]
    # and nothing comes back: no message waiting, none held by the worker
    assert celery_workers.queue_length() == 0
    assert celery_workers.tasks_in_hand() == 0
