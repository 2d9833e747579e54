"""Real brokers and real `celery worker` processes for the web tests.

Imported by test_celery.py and test_ops.py. Run as a script, this file *is* the worker: it
starts webapp's Celery app after wrapping `jobs.work.run_job` so that a test can see each
attempt (a line in a file per photo and job) and, on request, hold one job on its first
delivery long enough to SIGKILL the worker in the middle of it.

Each test gets its own queue on the broker (purged before, deleted after), so messages of
another test, an earlier crash or a developer's `make worker` never meet this test's worker.
The worker is a separate process on the test database, which therefore has to be one that
two processes can open: PostgreSQL (`make test-web-postgres`) or a SQLite file.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

BROKERS = {
    # A database of its own, away from a developer's `make worker` on /0.
    "redis": os.environ.get("DARKROOM_TEST_REDIS_URL", "redis://127.0.0.1:6379/9"),
    "rabbitmq": os.environ.get("DARKROOM_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"),
}
# Redis gives an unacknowledged message back only after visibility_timeout, found by a sweep
# that runs every interval * throttle seconds (100 s by default): seconds here, not minutes.
REDIS_TEST_TRANSPORT = {
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
WORKER_START_TIMEOUT = 60
# How long a held job sleeps: far longer than any test waits, shorter than its soft limit.
HOLD_SECONDS = 100


@dataclass(frozen=True)
class Broker:
    name: str
    url: str
    queue: str
    transport_options: dict


@pytest.fixture(params=list(BROKERS))
def broker(request):
    """Point this process's Celery app at a real broker and a fresh queue of its own.

    On Redis every key of the test (queue, bindings, and the unacked hash that kombu shares
    between all queues of a database) carries a prefix of its own, so a sweep restoring
    "visible again" messages never moves one test's message into another's."""
    from webapp.celery import app

    name, url = request.param, BROKERS[request.param]
    queue = f"darkroom-test-{uuid.uuid4().hex[:12]}"
    options = {**REDIS_TEST_TRANSPORT, "global_keyprefix": f"{queue}:"} if name == "redis" else {}
    keys = ("broker_url", "task_default_queue", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=url, task_default_queue=queue, broker_transport_options=options)
    _drop_connections(app)
    try:
        _queue_op(app, queue, "purge")
    except Exception as exc:
        _drop_connections(app)
        app.conf.update(saved)
        pytest.fail(f"{name} is not answering at {url} ({exc}): start it with `make services`")
    try:
        yield Broker(name=name, url=url, queue=queue, transport_options=options)
    finally:
        try:
            if name == "redis":
                _delete_redis_keys(url, prefix=options["global_keyprefix"])
            else:
                _queue_op(app, queue, "delete")
        finally:
            app.conf.update(saved)
            _drop_connections(app)


def _drop_connections(app) -> None:
    # The producer pool keeps connections to the broker it first saw.
    app._pool = None
    app.amqp._producer_pool = None


def _queue_op(app, queue: str, op: str) -> None:
    from kombu import Queue

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=2, interval_start=0.2)
        bound = Queue(queue)(conn.default_channel)
        bound.declare()
        getattr(bound, op)()
        if op == "delete":
            # Celery names the default exchange after the default queue.
            conn.default_channel.exchange_delete(queue)


def _delete_redis_keys(url: str, *, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def queue_length(broker: Broker) -> int:
    """Messages waiting in the broker (not counting those a worker holds unacknowledged)."""
    from kombu import Queue

    from webapp.celery import app

    with app.connection_for_write() as conn:
        _, count, _ = Queue(broker.queue)(conn.default_channel).queue_declare()
        return count


def worker_database_url() -> str:
    """The test database as a URL another process can open, or skip the test."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return f"sqlite:///{db['NAME']}"
    pytest.skip(
        "a worker process cannot open this in-memory test database: "
        "run these tests on PostgreSQL (make test-web-postgres)"
    )


class Worker:
    """One `celery worker` process (its own session, so a kill takes its pool children too)."""

    def __init__(self, *, broker: Broker, env: dict, markers: Path, name: str):
        self.broker, self.env, self.markers, self.name = broker, env, markers, name
        self.log = markers / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Worker":
        ready = self.markers / f"ready-{self.name}"
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, __file__],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while not ready.exists():
            if self.proc.poll() is not None:
                pytest.fail(
                    f"worker {self.name} exited with {self.proc.returncode}:\n{self.tail()}"
                )
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(
                    f"worker {self.name} not ready in {WORKER_START_TIMEOUT} s:\n{self.tail()}"
                )
            time.sleep(0.1)
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no warm shutdown, no ack, no goodbye."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


class Workers:
    """Starts workers for one test against its broker and queue; stops them all after it."""

    def __init__(self, *, broker: Broker, markers: Path, media_root: Path, database_url: str):
        self.broker, self.markers = broker, markers
        self.media_root, self.database_url = media_root, database_url
        self.started: list[Worker] = []

    def start(self, *, hold_first: str | None = None, kill_every: str | None = None) -> Worker:
        """A ready worker; `hold_first="renditions"` makes that job's first delivery hang;
        `kill_every="renditions"` makes every run of that job SIGKILL its pool process, as
        the kernel's OOM killer would."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "webapp.settings",
            "DATABASE_URL": self.database_url,
            "DJANGO_MEDIA_ROOT": str(self.media_root),
            "PHOTOS_JOB_RUNNER": "celery",
            "CELERY_BROKER_URL": self.broker.url,
            "CELERY_TASK_DEFAULT_QUEUE": self.broker.queue,
            "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(self.broker.transport_options),
            "DARKROOM_TEST_MARKERS": str(self.markers),
            "DARKROOM_TEST_HOLD_FIRST": hold_first or "",
            "DARKROOM_TEST_KILL_EVERY": kill_every or "",
            "DARKROOM_TEST_WORKER": f"w{len(self.started) + 1}-{uuid.uuid4().hex[:6]}",
        }
        worker = Worker(
            broker=self.broker, env=env, markers=self.markers, name=env["DARKROOM_TEST_WORKER"]
        )
        self.started.append(worker)
        return worker.start()

    def attempts(self, photo_id, job: str) -> int:
        """How many times a worker started `job` on this photo (deliveries and retries)."""
        path = self.markers / f"{photo_id}.{job}.attempts"
        return len(path.read_text().split()) if path.exists() else 0

    def wait_for_hold(self, photo_id, job: str, timeout: float = 60) -> None:
        held = self.markers / f"{photo_id}.{job}.held"
        deadline = time.monotonic() + timeout
        while not held.exists():
            if time.monotonic() > deadline:
                logs = "\n".join(w.tail() for w in self.started)
                pytest.fail(f"{job} never started on a worker:\n{logs}")
            time.sleep(0.1)

    def queue_length(self) -> int:
        return queue_length(self.broker)

    def tasks_in_hand(self) -> int:
        """Tasks the live workers are running, hold reserved or keep for a later retry (ETA),
        asked over Celery's remote control; fails if a live worker does not answer."""
        from webapp.celery import app

        names = {w.name for w in self.started if w.proc and w.proc.poll() is None}
        inspect = app.control.inspect(timeout=3)
        total = 0
        for method in (inspect.active, inspect.reserved, inspect.scheduled):
            replies = {k.split("@")[0]: v for k, v in (method() or {}).items()}
            missing = names - set(replies)
            if missing:
                pytest.fail(f"worker(s) {sorted(missing)} did not answer {method.__name__}")
            total += sum(len(replies[name]) for name in names)
        return total

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.tail()}" for w in self.started)

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


@pytest.fixture
def celery_workers(broker, transactional_db, settings, tmp_path):
    """Real workers on `broker`, sharing the test database and MEDIA_ROOT with the test.

    Depends on transactional_db so that the test's writes are committed (a worker in another
    process sees nothing else) and the workers stop before the tables are flushed."""
    database_url = worker_database_url()
    markers = tmp_path / "worker-markers"
    markers.mkdir()
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    workers = Workers(
        broker=broker, markers=markers, media_root=media_root, database_url=database_url
    )
    try:
        yield workers
    finally:
        workers.stop_all()


@pytest.fixture
def celery_runner(settings, monkeypatch):
    """PHOTOS_JOB_RUNNER=celery for the code under test (the web side enqueues)."""
    settings.PHOTOS_JOB_RUNNER = "celery"


# --- the worker process ---------------------------------------------------------------------


def _instrument(work, markers: Path, hold_first: str, kill_every: str = "") -> None:
    real_run_job = work.run_job

    def run_job(job, record, **kwargs):
        stem = f"{record.photo_id}.{job}"
        with open(markers / f"{stem}.attempts", "a") as attempts:
            attempts.write(f"{os.getpid()}\n")
        if job == kill_every:
            os.kill(os.getpid(), signal.SIGKILL)  # the pool process dies mid-job, unacked
        held = markers / f"{stem}.held"
        if job == hold_first and not held.exists():
            held.touch()
            time.sleep(HOLD_SECONDS)  # the test kills this worker meanwhile
        return real_run_job(job, record, **kwargs)

    work.run_job = run_job


def _worker_main() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    from celery.signals import worker_ready

    import jobs.work
    from webapp.celery import app

    markers = Path(os.environ["DARKROOM_TEST_MARKERS"])
    name = os.environ["DARKROOM_TEST_WORKER"]
    _instrument(
        jobs.work,
        markers,
        os.environ.get("DARKROOM_TEST_HOLD_FIRST", ""),
        os.environ.get("DARKROOM_TEST_KILL_EVERY", ""),
    )

    def announce(**kwargs):
        (markers / f"ready-{name}").touch()

    worker_ready.connect(announce, weak=False)
    app.worker_main(
        [
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


if __name__ == "__main__":
    _worker_main()
