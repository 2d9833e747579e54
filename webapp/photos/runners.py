"""Hands an uploaded original to the side jobs, the way settings.PHOTOS_JOB_RUNNER says.

Every runner receives the same object-created record an S3 notification carries, so the jobs
cannot tell who delivered it. "inline" runs them on a small thread pool inside the web
process (the embedded default); "celery" queues one task per job; "lambda" makes the photo
bucket announce the original again (AWS only: there S3 notifies the job functions of uploads
itself, so this runner serves reprocessing and the sweep).
"""

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from jobs.events import ObjectCreated
from jobs.work import JOBS
from webapp.logging import log_context

logger = logging.getLogger(__name__)


def record_for(photo) -> ObjectCreated:
    """The object-created record S3 would send for this photo's original."""
    from .storage import store_bucket

    return ObjectCreated(
        bucket=store_bucket(),
        key=photo.original_key,
        size=photo.bytes or photo.declared_size,
        etag=photo.source_etag,
        # S3's sequencer orders events for one key; a nanosecond clock does the same here.
        sequencer=f"{time.time_ns():020X}",
    )


def dispatch(photo) -> None:
    record = record_for(photo)
    logger.info("dispatching jobs for photo %s (%s)", photo.pk, record.key)
    runner()(record)


def check_configured() -> None:
    """Fail the request that would start jobs, not a callback after it committed."""
    runner()


def runner() -> Callable[[ObjectCreated], None]:
    name = settings.PHOTOS_JOB_RUNNER
    try:
        chosen = RUNNERS[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"PHOTOS_JOB_RUNNER={name!r} is not a runner; choose one of: {', '.join(RUNNERS)}"
        ) from None
    unavailable = getattr(chosen, "unavailable", None)
    if callable(unavailable):
        unavailable = unavailable()
    if unavailable:
        raise ImproperlyConfigured(unavailable)
    return chosen


# --- inline -----------------------------------------------------------------------------

_pool: concurrent.futures.ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_pending: set[concurrent.futures.Future] = set()


def run_inline(record: ObjectCreated) -> None:
    workers = settings.PHOTOS_INLINE_WORKERS
    for job in JOBS:
        if workers <= 0:
            execute_job(job, record)
            continue
        future = _executor(workers).submit(_in_worker_thread, job, record)
        with _pool_lock:
            _pending.add(future)
        future.add_done_callback(_forget)


def wait_idle(timeout: float | None = None) -> bool:
    """Block until every submitted job has finished; False if `timeout` ran out first."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with _pool_lock:
            pending = set(_pending)
        if not pending:
            return True
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            return False
        concurrent.futures.wait(pending, timeout=remaining)


def _executor(workers: int) -> concurrent.futures.ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = concurrent.futures.ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix="photo-jobs"
            )
        return _pool


def _forget(future: concurrent.futures.Future) -> None:
    with _pool_lock:
        _pending.discard(future)


def _in_worker_thread(job: str, record: ObjectCreated) -> None:
    try:
        execute_job(job, record)
    finally:
        # Each pool thread holds its own connection; hand it back after every job rather
        # than keeping one open per idle thread (and never outliving the server's timeout).
        connections.close_all()


def execute_job(job: str, record: ObjectCreated) -> dict:
    """Run one job and record its outcome; never raises.

    A NotAnImage is already a recorded "failed" outcome. Anything else would be retried by
    Celery or Lambda; here nobody retries, so it is recorded as a failure the owner can see
    (and an admin can reprocess) instead of leaving the photo "processing" forever.
    """
    with log_context(photo_id=record.photo_id, job=job):
        return _execute(job, record)


def _execute(job: str, record: ObjectCreated) -> dict:
    from jobs.results import CallableResults
    from jobs.work import run_job

    from .services import photo_results_record
    from .storage import job_limits, photo_store

    started = time.monotonic()
    try:
        return run_job(
            job,
            record,
            store=photo_store(),
            sink=CallableResults(photo_results_record),
            limits=job_limits(),
        )
    except Exception as exc:
        logger.exception("%s job failed for %s", job, record.key)
        outcome = {
            "status": "failed",
            "error": f"internal error: {type(exc).__name__}",
            "source_etag": record.etag,
            # The jobs' fixed-width form: results stores compare these as strings.
            "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "duration_ms": round((time.monotonic() - started) * 1000),
        }
        try:
            photo_results_record(photo_id=record.photo_id, job=job, outcome=outcome)
        except Exception:
            logger.exception("could not record the failure of %s for %s", job, record.key)
        return outcome


# --- registry -------------------------------------------------------------------------------


def run_celery(record: ObjectCreated) -> None:
    # Imported on use: the web process of the inline and lambda modes never loads Celery.
    from webapp.photos.tasks import enqueue

    enqueue(record)


def run_lambda(record: ObjectCreated) -> None:
    from webapp.photos.aws.dispatch import redispatch

    redispatch(record)


def _lambda_unavailable() -> str:
    # The job functions are started by the photo bucket's notifications alone.
    if settings.PHOTOS_STORAGE != "s3":
        return "PHOTOS_JOB_RUNNER='lambda' needs PHOTOS_STORAGE=s3 (the bucket starts the jobs)"
    return ""


run_lambda.unavailable = _lambda_unavailable

RUNNERS: dict[str, Callable[[ObjectCreated], None]] = {
    "inline": run_inline,
    "celery": run_celery,
    "lambda": run_lambda,
}
