"""Celery adapter over the jobs: one task per (original, job), nothing else.

The task turns its JSON arguments back into an `ObjectCreated` and hands it to job_outcomes,
the one job-side door into the services (the inline runner and the stream recorder use it
too). The web side sends it by name (runners.CeleryRunner), never importing this module.
What Celery adds is delivery: late acks plus redelivery when a worker dies (nothing is
lost), retries with exponential backoff for errors that may pass (network, storage,
database), and none for a file that is not an image (run_job records it as failed and
returns normally). A redelivered or retried task is harmless: the recorder is idempotent.
"""

import logging
import os
import time

from botocore.exceptions import ClientError, EndpointConnectionError
from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from jobs.events import ObjectCreated
from webapp.celery import app
from webapp.logging import log_context

from . import job_outcomes
from .aws import sweep as sweep_module
from .runners import CELERY_TASK, SWEEP_TASK

logger = logging.getLogger(__name__)

# Errors worth another try: the same bytes may well succeed once the network, the store or
# the database is back. Anything else is a bug or a bad file and retrying cannot help.
TRANSIENT_ERRORS = (OSError, ClientError, EndpointConnectionError, OperationalError, InterfaceError)


def _seconds(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


# Sized for the worst photo the limits admit (50 MB, 200 MP) on one slow core; the soft limit
# lets the task record "took too long" before the hard one kills the process.
SOFT_TIME_LIMIT = _seconds("PHOTOS_JOB_SOFT_TIME_LIMIT", 120)
TIME_LIMIT = max(_seconds("PHOTOS_JOB_TIME_LIMIT", 150), SOFT_TIME_LIMIT + 5)
MAX_RETRIES = _seconds("PHOTOS_JOB_MAX_RETRIES", 5)
# A worker killed in the middle of a job (the kernel's OOM killer, a hard time limit) never
# acknowledges it, so the broker hands the same message out again: with a file that kills
# every worker that opens it, forever. Deliveries of one attempt are counted where every
# worker sees them (the shared cache) and the photo fails once this many never finished.
MAX_DELIVERIES = _seconds("PHOTOS_JOB_MAX_DELIVERIES", 3)
DELIVERY_COUNT_SECONDS = 7 * 24 * 3600  # longer than any message waits in a queue
KILLED_REASON = (
    "processing was cut off {count} times (the worker was killed, most likely for running "
    "out of memory); reprocess it to try again"
)


class PhotoJobTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Out of retries (or an error nobody expected): tell the uploader instead of leaving
        # the photo "processing" forever; `manage.py reprocess --failed` tries again later.
        record, job = _arguments(args, kwargs)
        logger.error(
            "%s gave up after %d attempts: %s",
            job,
            self.request.retries + 1,
            exc,
            extra={"photo_id": record.photo_id, "job": job, "task_id": task_id},
        )
        try:
            job_outcomes.record_failure(record, job, "could not be processed, try again later")
        except Exception:
            logger.exception("could not record the failure", extra={"photo_id": record.photo_id})


@app.task(
    base=PhotoJobTask,
    name=CELERY_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def run_photo_job(self, record: dict, job: str) -> None:
    created = ObjectCreated(**record)
    with log_context(photo_id=created.photo_id, job=job, task_id=self.request.id):
        if not job_outcomes.photo_exists(created.photo_id):
            logger.info("skipped: the photo was deleted")
            return
        deliveries = _count_delivery(self.request)
        if deliveries > MAX_DELIVERIES:
            logger.error(
                "%s delivered %d times without finishing: recorded as failed", job, deliveries
            )
            job_outcomes.record_failure(created, job, KILLED_REASON.format(count=deliveries - 1))
            return
        started = time.monotonic()
        try:
            job_outcomes.run(job, created)
        except SoftTimeLimitExceeded:
            # The same bytes would take as long again: a final answer, not a retry.
            reason = f"took too long: over {SOFT_TIME_LIMIT} s"
            job_outcomes.record_failure(created, job, reason, started=started)


def _arguments(args, kwargs) -> tuple[ObjectCreated, str]:
    record = kwargs.get("record", args[0] if args else {})
    job = kwargs.get("job", args[1] if len(args) > 1 else "")
    return ObjectCreated(**record), job


@app.task(name=SWEEP_TASK, ignore_result=True, acks_late=False)
def sweep() -> dict:
    """Celery beat's periodic sweep (webapp/celery.py beat_schedule): abandoned tickets
    expire and stuck photos are retried with the Celery runner too, without cron."""
    return sweep_module.handler({})


def _count_delivery(request) -> int:
    """How many times this attempt (task id, retry number) has started, this one included.

    A retry is a new message with the same id and `retries` one higher, counted apart: only
    deliveries of the same attempt mean a worker died in it. Kept in the Django cache (the
    database or Redis, never per process) so a redelivery to another worker still counts."""
    from django.core.cache import cache

    key = f"photos:deliveries:{request.id}:{request.retries or 0}"
    cache.add(key, 0, timeout=DELIVERY_COUNT_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=DELIVERY_COUNT_SECONDS)
        return 1
