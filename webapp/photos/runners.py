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
# The sweep's task, run by Celery beat (webapp/celery.py).
SWEEP_TASK = "photos.sweep"


class InlineRunner:
    """The jobs on a thread pool of the web process, after the upload commits; with
    PHOTOS_INLINE_WORKERS=0, in the calling thread (debugging, tests)."""

    name = "inline"
    storage_announces_uploads = False

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
    storage_announces_uploads = False

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
    # The bucket's notification starts the jobs of every upload; a browser's "complete"
    # only records it (services.photo_upload_confirm), so nothing runs twice.
    storage_announces_uploads = True

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


class PeriodicSweep:
    """Runs `task` every `interval` seconds on a daemon thread of this process: the inline
    runner's stand-in for Celery beat and the AWS schedule, so abandoned tickets expire and
    stuck photos are retried on a laptop without anyone running `manage.py sweep`.

    Started once per process, by the first request the process serves (`start_for_requests`,
    wired to request_started in apps.ready), never by management commands; tests turn it
    off with PHOTOS_SWEEP_SECONDS=0 or drive `run_once` themselves."""

    def __init__(self):
        self.task: Callable[[], object] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, interval: float) -> bool:
        """Start the timer unless it runs already; True if this call started it."""
        with self._lock:
            if self.running or self.task is None or interval <= 0:
                return False
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._loop, args=(interval,), name="photo-sweep", daemon=True
            )
            self._thread.start()
            return True

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self._thread = None

    def run_once(self) -> None:
        try:
            self.task()
        except Exception:
            # A bad pass (the database away for a moment) must not end the timer.
            logger.exception("the periodic sweep failed; it runs again next period")
        finally:
            connections.close_all()

    def _loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.run_once()


SWEEP = PeriodicSweep()


def use_sweep(task: Callable[[], object]) -> None:
    """Wire the periodic sweep to the sweep itself (apps.ready: runners import no services)."""
    SWEEP.task = task


def start_for_requests(sender=None, **kwargs) -> None:
    """request_started receiver: the process serves pages, so with the inline runner it
    sweeps on its own timer too (Celery beat and the AWS schedule sweep for the others)."""
    if SWEEP.running or settings.PHOTOS_JOB_RUNNER != "inline":
        return
    if settings.PHOTOS_SWEEP_SECONDS <= 0:
        return
    if SWEEP.start(settings.PHOTOS_SWEEP_SECONDS):
        logger.info("periodic sweep every %s s in this process", settings.PHOTOS_SWEEP_SECONDS)
