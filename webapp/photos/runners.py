"""Hands an uploaded original to the side jobs, the way settings.PHOTOS_JOB_RUNNER says.

One object per runner, each with `dispatch(record)` and `check()`. Every runner receives the
same object-created record an S3 notification carries, so the jobs cannot tell who delivered
it. "inline" runs them on a small thread pool inside the web process (the embedded default);
"celery" queues one task per job; "lambda" makes the photo bucket announce the original again
(AWS only: there S3 notifies the job functions of uploads itself, so this runner serves
reprocessing and the sweep).

Dependencies point one way: services -> runners -> jobs (and the storage, for the bucket's
name). No runner imports the services: the inline runner is handed its job executor by the
app's ready() (job_outcomes.execute), and the Celery runner sends its task by name, so the web
process that dispatches never imports the task module, nor the task module this one.
A wrong configuration is reported by `manage.py check` (and at start-up) as a system check,
and again, as ImproperlyConfigured, by the request that would start jobs.
"""

import concurrent.futures
import dataclasses
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from jobs.events import ObjectCreated
from jobs.work import JOBS

from .storage import photo_storage

logger = logging.getLogger(__name__)

# The Celery task's registered name (tasks.py declares it with this name).
CELERY_TASK = "photos.run_job"


class InlineRunner:
    """The jobs on a thread pool of the web process, after the upload commits; with
    PHOTOS_INLINE_WORKERS=0, in the calling thread (debugging, tests)."""

    name = "inline"

    def __init__(self):
        # (job, record) -> outcome, never raising: job_outcomes.execute, set by apps.ready().
        self.execute: Callable[[str, ObjectCreated], dict] | None = None
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._pending: set[concurrent.futures.Future] = set()

    def check(self) -> list[checks.CheckMessage]:
        if self.execute is None:
            return [
                checks.Error(
                    "PHOTOS_JOB_RUNNER='inline' has no job executor",
                    hint="the photos app's ready() wires job_outcomes.execute into it",
                    id="photos.E003",
                )
            ]
        return []

    def dispatch(self, record: ObjectCreated) -> None:
        workers = settings.PHOTOS_INLINE_WORKERS
        for job in JOBS:
            if workers <= 0:
                self.execute(job, record)
                continue
            future = self._executor(workers).submit(self._in_worker_thread, job, record)
            with self._lock:
                self._pending.add(future)
            future.add_done_callback(self._forget)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every submitted job has finished; False if `timeout` ran out first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return True
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            concurrent.futures.wait(pending, timeout=remaining)

    def _executor(self, workers: int) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    max_workers=workers, thread_name_prefix="photo-jobs"
                )
            return self._pool

    def _forget(self, future: concurrent.futures.Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def _in_worker_thread(self, job: str, record: ObjectCreated) -> None:
        try:
            self.execute(job, record)
        finally:
            # Each pool thread holds its own connection; hand it back after every job rather
            # than keeping one open per idle thread (and never outliving the server's timeout).
            connections.close_all()


class CeleryRunner:
    """One task per job on the broker; a worker runs it (tasks.py)."""

    name = "celery"

    def check(self) -> list[checks.CheckMessage]:
        return []

    def dispatch(self, record: ObjectCreated, *, jobs: tuple[str, ...] = JOBS) -> None:
        # Imported on use: the web process of the inline and lambda modes never loads Celery.
        from webapp.celery import app

        payload = dataclasses.asdict(record)
        for job in jobs:
            app.send_task(CELERY_TASK, args=(payload, job))


class LambdaRunner:
    """The photo bucket announces the original again; its notifications start the jobs."""

    name = "lambda"

    def check(self) -> list[checks.CheckMessage]:
        # The job functions are started by the photo bucket's notifications alone.
        if photo_storage().name != "s3":
            return [
                checks.Error(
                    "PHOTOS_JOB_RUNNER='lambda' needs PHOTOS_STORAGE=s3 "
                    "(the bucket starts the jobs)",
                    hint="set PHOTOS_STORAGE=s3 and PHOTOS_BUCKET, or choose another runner",
                    id="photos.E002",
                )
            ]
        return []

    def dispatch(self, record: ObjectCreated) -> None:
        from .aws.dispatch import redispatch

        redispatch(record)


INLINE = InlineRunner()
RUNNERS = {"inline": INLINE, "celery": CeleryRunner(), "lambda": LambdaRunner()}


def configuration_errors() -> list[checks.CheckMessage]:
    """What is wrong with the configured runner; [] when it can run jobs."""
    name = settings.PHOTOS_JOB_RUNNER
    chosen = RUNNERS.get(name)
    if chosen is None:
        return [
            checks.Error(
                f"PHOTOS_JOB_RUNNER={name!r} is not a runner; choose one of: {', '.join(RUNNERS)}",
                id="photos.E001",
            )
        ]
    return chosen.check()


@checks.register("photos")
def check_job_runner(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The system check: `manage.py check`, runserver and the test runner report it."""
    return configuration_errors()


def runner():
    """The configured runner; ImproperlyConfigured when it cannot run jobs."""
    errors = configuration_errors()
    if errors:
        raise ImproperlyConfigured(errors[0].msg)
    return RUNNERS[settings.PHOTOS_JOB_RUNNER]


def check_configured() -> None:
    """Fail the request that would start jobs, not a callback after it committed."""
    runner()


def record_for(photo) -> ObjectCreated:
    """The object-created record S3 would send for this photo's original."""
    return ObjectCreated(
        bucket=photo_storage().bucket,
        key=photo.original_key,
        size=photo.bytes or photo.declared_size,
        etag=photo.source_etag,
        # S3's sequencer orders events for one key; a nanosecond clock does the same here.
        sequencer=f"{time.time_ns():020X}",
    )


def dispatch(photo) -> None:
    record = record_for(photo)
    logger.info("dispatching jobs for photo %s (%s)", photo.pk, record.key)
    runner().dispatch(record)


def run_inline(record: ObjectCreated) -> None:
    INLINE.dispatch(record)


def wait_idle(timeout: float | None = None) -> bool:
    return INLINE.wait_idle(timeout)


def use_job_executor(execute: Callable[[str, ObjectCreated], dict]) -> None:
    """Wire the inline runner to the job-side door into the services (apps.ready)."""
    INLINE.execute = execute
