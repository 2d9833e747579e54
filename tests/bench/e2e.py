"""End-to-end bench: photos per minute from the upload API to "ready", and API latency under load.

Against a *served* app (gunicorn on 127.0.0.1, DEBUG off, PostgreSQL, local media folder):

1. The same 50 generated photo-like JPEGs (12 MP, ~5 MB each, with EXIF) are uploaded through
   the page's protocol (POST /api/uploads, then the multipart POST to the ticket's URL) by 4
   concurrent clients, and GET /api/photos is polled until every photo is ready, once with the
   inline runner (2 job threads in the web process) and once with PHOTOS_JOB_RUNNER=celery and
   two `celery worker` processes (concurrency 1 each) on Redis.
2. `hey` (Debian package) loads the ticket API (POST /api/uploads, session cookie + CSRF
   header) and the gallery page (GET /) with 16 concurrent connections, 2000 requests each.

Prints a Markdown section. `tests/bench/run.py e2e` records the default run in
tests/bench/RESULTS.md; other sizes are for exploring, so they are printed only.

    .venv/bin/python tests/bench/e2e.py [--photos 50] [--megapixels 12] [--requests 2000]
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CACHE = Path(tempfile.gettempdir()) / "darkroom-bench" / "e2e"
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
USER, PASSWORD = "bench", "bench-password-123"
UPLOAD_CLIENTS = 4
LOAD_CONCURRENCY = 16
READY_TIMEOUT = 900


# --- inputs -------------------------------------------------------------------------------------


def photos(count: int, megapixels: int) -> list[Path]:
    """`count` distinct photo-like JPEGs of about `megapixels`, generated once and cached.

    A few scenes are rendered (the slow part) and each photo is one of them turned or mirrored,
    with a mark of its own, so every file has different bytes (no duplicates) at ~1 s apiece."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from PIL import Image, ImageDraw
    from samples import photo_like  # tests/bench/samples.py

    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = width * 3 // 4
    folder = CACHE / f"{count}x{megapixels}mp"
    paths = [folder / f"bench-{i:03d}.jpg" for i in range(count)]
    if all(p.exists() for p in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    scenes = [photo_like(width, height, seed=seed) for seed in range(1, 6)]
    turns = list(Image.Transpose)
    rnd = random.Random(7)
    for i, path in enumerate(paths):
        image = scenes[i % len(scenes)].transpose(turns[(i // len(scenes)) % len(turns)])
        draw = ImageDraw.Draw(image)
        x, y = rnd.randrange(image.width - 200), rnd.randrange(image.height - 200)
        draw.rectangle((x, y, x + 40 + i, y + 60), fill=(rnd.randrange(256), 90, 40))
        exif = Image.Exif()
        exif[0x010F], exif[0x0110] = "Darkroom", "Bench Camera"  # Make, Model
        exif.get_ifd(0x8769)[0x9003] = f"2026:11:{1 + i % 28:02d} 10:{i % 60:02d}:00"
        tmp = path.with_suffix(".tmp")
        image.save(tmp, "JPEG", quality=90, exif=exif)
        tmp.rename(path)
    return paths


# --- the served site -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """A fresh PostgreSQL database and media folder, a bench user, and processes to serve."""

    def __init__(self, workdir: Path):
        self.db = f"darkroom_bench_{uuid.uuid4().hex[:8]}"
        self.media = workdir / "media"
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True)
        self.queue = f"darkroom-bench-{uuid.uuid4().hex[:8]}"
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "webapp.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
            # Plain HTTP on loopback, and a load far above one person's: no HTTPS redirect,
            # and the per-user limits (issue 10) out of the measurement's way.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "THROTTLE_UPLOAD_TICKETS": "1000000/m",
            "PHOTOS_QUOTA_PENDING": "1000000",
            "DATABASE_URL": f"{PG}/{self.db}",
            "DJANGO_MEDIA_ROOT": str(self.media),
            "CELERY_BROKER_URL": REDIS,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "LOG_LEVEL": "WARNING",
            "DJANGO_LOG_LEVEL": "WARNING",
        }

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def create(self) -> None:
        _psql(f'CREATE DATABASE "{self.db}"')
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user({USER!r}, 'bench@example.com', {PASSWORD!r})",
        )

    def serve(self, *, runner: str, workers: int, threads: int) -> str:
        port = free_port()
        env = {**self.env, "PHOTOS_JOB_RUNNER": runner, "PHOTOS_INLINE_WORKERS": "2"}
        self._start(
            f"gunicorn-{runner}",
            [
                str(BIN / "gunicorn"),
                "webapp.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                f"--threads={threads}",
                "--worker-class=gthread",
                "--timeout=120",
                "--log-level=warning",
            ],
            env,
        )
        base = f"127.0.0.1:{port}"
        _wait(lambda: _status(base, "/healthz") == 200, f"gunicorn on {base}", self.logs)
        return base

    def celery_workers(self, count: int) -> None:
        for n in range(count):
            name = f"bench{n + 1}-{self.queue}"
            log = self._start(
                name,
                [
                    str(BIN / "celery"),
                    "-A",
                    "webapp",
                    "worker",
                    "--concurrency=1",
                    f"--hostname={name}@%h",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                ],
                {**self.env, "PHOTOS_JOB_RUNNER": "celery", "LOG_LEVEL": "INFO"},
            )
            _wait(lambda log=log: " ready." in log.read_text(), f"worker {name}", self.logs)

    def stop_processes(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.processes.clear()

    def drop(self) -> None:
        self.stop_processes()
        _psql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        import redis

        # The queue and kombu's routing sets for it: nothing of this run stays in Redis.
        with redis.Redis.from_url(REDIS) as client:
            q = self.queue
            client.delete(q, f"_kombu.binding.{q}", f"_kombu.binding_permanent.{q}")

    def _start(self, name: str, argv: list[str], env: dict) -> Path:
        log = self.logs / f"{name}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(proc)
        return log


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _status(base: str, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection(base, timeout=5)
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None


def _wait(ready, what: str, logs: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            tails = "\n".join(p.read_text()[-1500:] for p in logs.glob("*.log"))
            raise RuntimeError(f"{what} did not come up in {timeout:.0f} s\n{tails}")
        time.sleep(0.2)


# --- a browser's session ------------------------------------------------------------------------


class Session:
    """Logged in through the real login form; one keep-alive connection per thread."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self._local = threading.local()
        self.request("GET", "/accounts/login/")
        status, _, _ = self.request(
            "POST",
            "/accounts/login/",
            body=f"username={USER}&password={PASSWORD}".encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login failed with {status}")

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = {"Cookie": self.cookie_header, **(headers or {})}
        if method != "GET":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        for attempt in range(2):
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = http.client.HTTPConnection(self.base, timeout=120)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.RemoteDisconnected):
                self._local.conn = None
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), data

    def upload(self, path: Path) -> str:
        data = path.read_bytes()
        ticket = {"filename": path.name, "content_type": "image/jpeg", "size": len(data)}
        status, _, body = self.request(
            "POST",
            "/api/uploads",
            body=json.dumps(ticket).encode(),
            headers={"Content-Type": "application/json"},
        )
        if status != 201:
            raise RuntimeError(f"ticket refused ({status}): {body[:200]!r}")
        ticket = json.loads(body)
        multipart, content_type = _multipart(ticket["fields"], path.name, data)
        status, _, body = self.request(
            "POST", ticket["url"], body=multipart, headers={"Content-Type": content_type}
        )
        if status != 204:
            raise RuntimeError(f"upload refused ({status}): {body[:200]!r}")
        return ticket["photo_id"]

    def statuses(self, ids: list[str]) -> dict[str, str]:
        found = {}
        for start in range(0, len(ids), 100):
            status, _, body = self.request("GET", "/api/photos?ids=" + ",".join(ids[start:][:100]))
            if status != 200:
                raise RuntimeError(f"GET /api/photos answered {status}")
            found.update({p["id"]: p["status"] for p in json.loads(body)["photos"]})
        return found


def _multipart(fields: dict, filename: str, data: bytes) -> tuple[bytes, str]:
    # The fields first and the file last, exactly as a browser posts to S3.
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    )
    body = "".join(parts).encode() + head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# --- measurements ------------------------------------------------------------------------------


@dataclass
class Throughput:
    mode: str
    photos: int
    ready: int = 0
    failed: int = 0
    seconds: float = 0.0
    upload_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def per_minute(self) -> float:
        return self.ready / self.seconds * 60 if self.seconds else 0.0


def end_to_end(site: Site, mode: str, files: list[Path]) -> Throughput:
    """Upload every file (UPLOAD_CLIENTS at a time) and wait until all are ready or failed."""
    site.stop_processes()
    base = site.serve(runner=mode, workers=1, threads=8)
    if mode == "celery":
        site.celery_workers(2)
    session = Session(base)
    result = Throughput(mode=mode, photos=len(files))
    started_at: dict[str, float] = {}
    start = time.monotonic()

    def send(path: Path) -> None:
        began = time.monotonic()
        photo_id = session.upload(path)
        started_at[photo_id] = began

    with ThreadPoolExecutor(UPLOAD_CLIENTS) as pool:
        list(pool.map(send, files))
    result.upload_seconds = time.monotonic() - start

    pending = set(started_at)
    while pending:
        if time.monotonic() - start > READY_TIMEOUT:
            raise RuntimeError(f"{mode}: {len(pending)} photo(s) not ready in {READY_TIMEOUT} s")
        now = time.monotonic()
        for photo_id, status in session.statuses(sorted(pending)).items():
            if status in ("ready", "failed"):
                pending.discard(photo_id)
                result.latencies.append(now - started_at[photo_id])
                result.ready += status == "ready"
                result.failed += status == "failed"
        if pending:
            time.sleep(0.25)
    result.seconds = time.monotonic() - start
    site.stop_processes()
    return result


@dataclass
class Load:
    what: str
    requests: int
    ok: int
    seconds: float
    p50_ms: float
    p95_ms: float
    max_ms: float


def load(site: Site, requests: int) -> list[Load]:
    """hey against the ticket API and the gallery, on a 2-process server (one per core)."""
    hey = shutil.which("hey")
    if not hey:
        raise RuntimeError("the load tool `hey` is missing: apt-get install hey")
    site.stop_processes()
    base = site.serve(runner="inline", workers=2, threads=4)
    session = Session(base)
    cookie = ["-H", f"Cookie: {session.cookie_header}"]
    ticket = json.dumps({"filename": "load.jpg", "content_type": "image/jpeg", "size": 123456})
    runs = [
        ("GET / (gallery page)", [*cookie, f"http://{base}/"], 200),
        (
            "POST /api/uploads (ticket)",
            [
                *cookie,
                "-m",
                "POST",
                "-T",
                "application/json",
                "-H",
                f"X-CSRFToken: {session.cookies['csrftoken']}",
                "-d",
                ticket,
                f"http://{base}/api/uploads",
            ],
            201,
        ),
    ]
    results = []
    for what, args, expected in runs:
        argv = [hey, "-n", str(requests), "-c", str(LOAD_CONCURRENCY), "-t", "30", "-o", "csv"]
        began = time.monotonic()
        out = subprocess.run(
            argv + args, capture_output=True, text=True, timeout=300, check=True
        ).stdout
        seconds = time.monotonic() - began
        rows = [line.split(",") for line in out.splitlines()[1:] if line.strip()]
        times = sorted(float(row[0]) * 1000 for row in rows)
        ok = sum(1 for row in rows if row[6] == str(expected))
        results.append(
            Load(
                what=what,
                requests=len(rows),
                ok=ok,
                seconds=seconds,
                p50_ms=_pct(times, 50),
                p95_ms=_pct(times, 95),
                max_ms=times[-1] if times else 0.0,
            )
        )
    site.stop_processes()
    return results


def _pct(ordered: list[float], pct: int) -> float:
    if not ordered:
        return 0.0
    return ordered[max(0, -(-pct * len(ordered) // 100) - 1)]


# --- report ------------------------------------------------------------------------------------


def report(
    files: list[Path], megapixels: int, runs: list[Throughput], loads: list[Load], load_avg: float
) -> str:
    size = sum(p.stat().st_size for p in files) / len(files) / 1_000_000
    lines = [
        "## End to end: upload API to ready, and the API under load",
        "",
        f"{len(files)} generated photo-like JPEGs, {megapixels} MP, {size:.1f} MB average, "
        f"uploaded by {UPLOAD_CLIENTS} concurrent clients through the upload API to a gunicorn "
        "server on 127.0.0.1 (1 process x 8 threads, DEBUG off, PostgreSQL, local media); "
        f"machine: {os.cpu_count()} cores, load average {load_avg:.1f} when the bench started "
        "(other processes share it: compare rows of one run, not runs of different days). "
        "Ready = both jobs recorded (renditions + metadata).",
        "",
        "| runner | photos ready | failed | upload phase | upload to all ready | photos/min "
        "| per-photo latency p50 | p95 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    labels = {
        "inline": "inline (2 threads in the web process)",
        "celery": "celery (2 workers x 1 process, Redis)",
    }
    for run in runs:
        ordered = sorted(run.latencies)
        lines.append(
            f"| {labels[run.mode]} | {run.ready}/{run.photos} | {run.failed} "
            f"| {run.upload_seconds:.1f} s | {run.seconds:.1f} s | **{run.per_minute:.1f}** "
            f"| {statistics.median(ordered):.1f} s | {_pct(ordered, 95):.1f} s |"
        )
    lines += [
        "",
        f"API latency under load: `hey`, {LOAD_CONCURRENCY} concurrent connections, logged-in "
        "session, gunicorn 2 processes x 4 threads.",
        "",
        "| endpoint | requests | answered as expected | throughput | p50 | p95 | max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in loads:
        lines.append(
            f"| {row.what} | {row.requests} | {row.ok} | {row.requests / row.seconds:.0f} req/s "
            f"| {row.p50_ms:.1f} ms | {row.p95_ms:.1f} ms | {row.max_ms:.0f} ms |"
        )
    return "\n".join(lines) + "\n"


def run(argv: list[str] | None = None) -> str:
    """The Markdown section (tests/bench/run.py writes it into RESULTS.md)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--megapixels", type=int, default=12)
    parser.add_argument("--requests", type=int, default=2000, help="per load-test endpoint")
    parser.add_argument("--modes", default="inline,celery")
    args = parser.parse_args(argv if argv is not None else [])

    files = photos(args.photos, args.megapixels)
    load_avg = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="darkroom-e2e-") as tmp:
        site = Site(Path(tmp))
        site.create()
        try:
            runs = [end_to_end(site, mode, files) for mode in args.modes.split(",")]
            loads = load(site, args.requests)
        except Exception:
            for log in sorted(site.logs.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            raise
        finally:
            site.drop()
    return report(files, args.megapixels, runs, loads, load_avg)


def main(argv: list[str] | None = None) -> int:
    print(run(sys.argv[1:] if argv is None else argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
