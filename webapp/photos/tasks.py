"""Celery adapter over the jobs: one task per (original, job), nothing else.

The task turns its JSON arguments back into an `ObjectCreated` and calls `jobs.work.run_job`
with the web app's store and the recorder service as sink, exactly like the inline runner and
the Lambda handlers do. What Celery adds is delivery: late acks plus redelivery when a worker
dies (nothing is lost), retries with exponential backoff for errors that may pass (network,
storage, database), and none for a file that is not an image (run_job records it as failed
and returns normally). A redelivered or retried task is harmless: the recorder is idempotent.
"""

import dataclasses
import logging
import os
import time
from datetime import UTC, datetime

from botocore.exceptions import ClientError, EndpointConnectionError
from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from jobs import work
from jobs.events import ObjectCreated
from jobs.results import CallableResults
from webapp.celery import app
from webapp.logging import log_context

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
            _record_failure(record, job, "could not be processed, try again later")
        except Exception:
            logger.exception("could not record the failure", extra={"photo_id": record.photo_id})


@app.task(
    base=PhotoJobTask,
    name="photos.run_job",
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
        if not _photo_exists(created.photo_id):
            logger.info("skipped: the photo was deleted")
            return
        deliveries = _count_delivery(self.request)
        if deliveries > MAX_DELIVERIES:
            logger.error(
                "%s delivered %d times without finishing: recorded as failed", job, deliveries
            )
            _record_failure(created, job, KILLED_REASON.format(count=deliveries - 1))
            return
        started = time.monotonic()
        try:
            work.run_job(job, created, store=_store(), sink=_sink(), limits=_limits())
        except SoftTimeLimitExceeded:
            # The same bytes would take as long again: a final answer, not a retry.
            reason = f"took too long: over {SOFT_TIME_LIMIT} s"
            _record_failure(created, job, reason, started=started)


def enqueue(record: ObjectCreated | dict, *, jobs: tuple[str, ...] = work.JOBS) -> None:
    """Queue every job for one uploaded original. Call it from transaction.on_commit so a
    worker never looks for a photo row that is not committed yet."""
    payload = dataclasses.asdict(record) if isinstance(record, ObjectCreated) else dict(record)
    for job in jobs:
        run_photo_job.apply_async(args=(payload, job))


def _arguments(args, kwargs) -> tuple[ObjectCreated, str]:
    record = kwargs.get("record", args[0] if args else {})
    job = kwargs.get("job", args[1] if len(args) > 1 else "")
    return ObjectCreated(**record), job


def _record_failure(
    record: ObjectCreated, job: str, reason: str, *, started: float | None = None
) -> None:
    outcome = {
        "status": "failed",
        "error": reason,
        "source_etag": record.etag,
        # Same fixed-width form run_job uses: string order is time order.
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "duration_ms": int((time.monotonic() - started) * 1000) if started else 0,
    }
    _sink().record(record.photo_id, job, outcome)


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


def _photo_exists(photo_id: str) -> bool:
    from .models import Photo

    return Photo.objects.filter(pk=photo_id).exists()


# Resolved per task, not at import: the settings (MEDIA_ROOT, S3 or not) may differ between
# the module's import and the task's run, in tests especially.
def _store():
    from .storage import photo_store

    return photo_store()


def _limits():
    from .storage import job_limits

    return job_limits()


def _sink() -> CallableResults:
    from .services import photo_results_record

    return CallableResults(photo_results_record)
