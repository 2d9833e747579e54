"""The one job-side door into the web app: run a job, record an outcome, record a failure.

Whatever carries a job or its outcome ends here: the inline runner's pool (`execute`), the
Celery task (`run`, `record_failure`, `photo_exists`) and the DynamoDB stream recorder on AWS
(`record_outcome`). All of them end in `services.photo_results_record`, which is idempotent
and order-tolerant, so recording behaves the same whoever delivers.
"""

import dataclasses
import logging
import time

from django.conf import settings

from jobs import work
from jobs.config import Limits
from jobs.events import ObjectCreated
from jobs.results import CallableResults, failed_outcome
from webapp.logging import log_context

from .selectors import photo_exists as _photo_exists
from .services import photo_results_record
from .storage import photo_storage

logger = logging.getLogger(__name__)


def run(job: str, record: ObjectCreated) -> dict:
    """Run one job on the configured store and record its outcome. A file that is not an
    image is a recorded failure and a normal return; any other error propagates, for the
    caller to retry (Celery) or record (`execute`)."""
    # `work.run_job`, looked up on each call: tests stand in for it on the module.
    return work.run_job(
        job,
        record,
        store=photo_storage().job_store(),
        sink=CallableResults(photo_results_record),
        limits=job_limits(),
    )


def execute(job: str, record: ObjectCreated) -> dict:
    """Run one job and record its outcome; never raises (the inline runner).

    Anything but a NotAnImage would be retried by Celery or Lambda; here nobody retries, so
    it is recorded as a failure the owner can see (and an admin can reprocess) instead of
    leaving the photo "processing" forever.
    """
    with log_context(photo_id=record.photo_id, job=job):
        started = time.monotonic()
        try:
            return run(job, record)
        except Exception as exc:
            logger.exception("%s job failed for %s", job, record.key)
            try:
                return record_failure(
                    record, job, f"internal error: {type(exc).__name__}", started=started
                )
            except Exception:
                logger.exception("could not record the failure of %s for %s", job, record.key)
                return failed_outcome(f"internal error: {type(exc).__name__}", record.etag)


def record_outcome(photo_id: str, job: str, outcome: dict) -> None:
    """Record one job's outcome; unknown photos and stale outcomes are logged and ignored."""
    photo_results_record(photo_id=photo_id, job=job, outcome=outcome)


def record_failure(
    record: ObjectCreated, job: str, reason: str, *, started: float | None = None
) -> dict:
    """Record that `job` gave up on `record`'s original, for `reason` (words the uploader
    reads); the outcome, in the jobs' one failed shape."""
    outcome = failed_outcome(reason, record.etag, started)
    record_outcome(record.photo_id, job, outcome)
    return outcome


def photo_exists(photo_id: str) -> bool:
    """False once the photo is deleted: a queued job for it has nothing left to do."""
    return _photo_exists(photo_id=photo_id)


def job_limits() -> Limits:
    """The jobs' limits with the byte and pixel caps the web app enforces at upload time."""
    return dataclasses.replace(
        Limits.from_env(),
        max_bytes=settings.PHOTOS_MAX_UPLOAD_BYTES,
        max_pixels=settings.PHOTOS_MAX_PIXELS,
    )
