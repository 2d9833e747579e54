"""The web function's cold start, as SnapStart splits it: the init Lambda runs once per published
version (the handler's imports, Zappa's remote_env, Django's start, the warm-up) before it
snapshots the environment, and what a visitor's cold start then runs in the function (the
after-restore hook and the first request).

Each run is a fresh interpreter on the unpacked web zip (build/web.zip, from `make package`)
set up as Lambda runs it: `python -I -S -B` (nothing but the package, the standard library and
the runtime's SnapStart hooks library on the path; /var/task is read-only, so no bytecode
compiled on the way is kept), the stage's environment variables, Zappa's `remote_env` secrets
read from moto's S3, PostgreSQL as the database. The figures are CPU time
(`time.process_time()` in the child): Lambda gives a function CPU in proportion to its memory
(1,769 MB = one vCPU), so a phase lasts about its CPU time divided by that share. The restore
itself is Lambda's work, not the function's CPU (its REPORT line gives it as Restore Duration),
and is not measured here.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path

import snapshot_restore_py

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import aws  # noqa: E402  (tests/aws.py: moto's server in its own process)

WEB_ZIP = ROOT / "build" / "web.zip"
EVENTS = ROOT / "tests" / "data" / "events"
RUNS = 7
GOAL_CPU_MS = 300
FULL_VCPU_MB = 1769
MEMORY_SIZES = (512, 1024, 1769)
RECOMMENDED_MB = 1024
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
FIRST, SECOND = "/accounts/login/", "/healthz"

# Runs in the child. Times the init's parts by wrapping them (Zappa's secrets, Django's start,
# the warm-up), then does what a restore does (the registered after-restore hooks) and serves
# the requests; everything else is exactly what Lambda runs.
DRIVER = """
import importlib, json, resource, sys, time
clock = time.process_time
started = clock()
package, runtime, entry, events_file, out_file = sys.argv[1:6]
sys.path[:0] = [package, runtime]
phases = {}

def timed(owner, name, phase):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        begun = clock()
        try:
            return original(*args, **kwargs)
        finally:
            phases[phase] = clock() - begun
    setattr(owner, name, wrapper)

import zappa.handler, zappa.ext.django_zappa
timed(zappa.handler.LambdaHandler, "load_remote_settings", "remote env")
timed(zappa.ext.django_zappa, "get_django_wsgi", "django start")
module_name, function_name = entry.rsplit(".", 1)
if module_name == "webapp.aws_lambda":
    import webapp.warm_up
    timed(webapp.warm_up, "warm_up", "warm-up")
lambda_handler = getattr(importlib.import_module(module_name), function_name)
first, second = json.load(open(events_file))
from django.db import connections
init_connected = any(c.connection is not None for c in connections.all(initialized_only=True))
phases["init"] = clock() - started
import snapshot_restore_py
begun = clock()
for hook, args, kwargs in snapshot_restore_py.get_after_restore():
    hook(*args, **kwargs)
phases["restore hooks"] = clock() - begun
begun = clock()
answer = lambda_handler(first, None)
phases["first request"] = clock() - begun
begun = clock()
then = lambda_handler(second, None)
phases["second request"] = clock() - begun
begun = clock()
lambda_handler(first, None)
phases["warm request"] = clock() - begun
json.dump({
    "cpu": phases,
    "status": [answer["statusCode"], then["statusCode"]],
    "hooks": len(snapshot_restore_py.get_after_restore()),
    "init_connected": init_connected,
    "modules": len(sys.modules),
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}, open(out_file, "w"))
"""


def api_gateway(path: str) -> dict:
    """A GET through API Gateway's REST proxy, as Zappa receives it (stage "web")."""
    event = json.loads((EVENTS / "apiGatewayProxyEvent.json").read_text())
    headers = {
        "Host": "abc123.execute-api.us-east-1.amazonaws.com",
        "Accept": "text/html,application/json",
        "X-Forwarded-Proto": "https",
    }
    event.update(
        path=path,
        resource="/{proxy+}",
        httpMethod="GET",
        body=None,
        isBase64Encoded=False,
        queryStringParameters=None,
        multiValueQueryStringParameters=None,
        headers=headers,
        multiValueHeaders={k: [v] for k, v in headers.items()},
    )
    event["requestContext"].update(path=f"/web{path}", httpMethod="GET", stage="web")
    return event


def web_stage() -> dict:
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    stage, merged = settings["web"], {}
    while stage:
        merged = {**stage, **merged}
        stage = settings.get(stage.get("extends", ""), {})
    return merged


def function_env(endpoint: str) -> dict:
    """What Lambda gives the web function, its secrets put where Zappa's remote_env reads."""
    stage = web_stage()
    env = {**stage.get("aws_environment_variables", {}), **aws.environment(endpoint)}
    s3 = aws.client("s3", endpoint)
    deploy_bucket, key = stage["remote_env"].removeprefix("s3://").split("/", 1)
    for bucket in (deploy_bucket, env["PHOTOS_BUCKET"]):
        s3.create_bucket(Bucket=bucket)
    secrets = {"DJANGO_SECRET_KEY": uuid.uuid4().hex * 2, "DATABASE_URL": DATABASE_URL}
    s3.put_object(Bucket=deploy_bucket, Key=key, Body=json.dumps(secrets).encode())
    return {**env, "AWS_LAMBDA_FUNCTION_NAME": "darkroom-web"}


def lambda_runtime(scratch: Path) -> Path:
    """What Lambda's Python runtime puts on the path beside the function's code: the SnapStart
    hooks library (snapshot-restore-py, one module)."""
    runtime = scratch / "runtime"
    runtime.mkdir(exist_ok=True)
    shutil.copy2(snapshot_restore_py.__file__, runtime)
    return runtime


def measure(task: Path, env: dict, scratch: Path) -> dict:
    entry = web_stage().get("lambda_handler", "handler.lambda_handler")
    driver, events, out = scratch / "driver.py", scratch / "events.json", scratch / "out.json"
    driver.write_text(DRIVER)
    events.write_text(json.dumps([api_gateway(FIRST), api_gateway(SECOND)]))
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-B", str(driver), str(task), str(lambda_runtime(scratch)),
         entry, str(events), str(out)],
        cwd=task,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(scratch),
             "TMPDIR": str(scratch), "LAMBDA_TASK_ROOT": str(task), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the web package failed to start:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text())


def cold_starts(runs: int = RUNS) -> list[dict]:
    if not WEB_ZIP.is_file():
        raise SystemExit(f"{WEB_ZIP.relative_to(ROOT)} is missing: run `make package` first")
    server = aws.MotoServer()
    endpoint = server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="darkroom-cold-") as scratch:
            task = Path(scratch) / "task"
            with zipfile.ZipFile(WEB_ZIP) as archive:
                archive.extractall(task)
            env = function_env(endpoint)
            return [measure(task, env, Path(scratch)) for _ in range(runs)]
    finally:
        server.stop()


def run() -> str:
    results = cold_starts()
    phases = list(results[0]["cpu"])
    median = {p: statistics.median(r["cpu"][p] for r in results) * 1000 for p in phases}
    restored = median["restore hooks"] + median["first request"]
    unsnapped = median["init"] + median["first request"]
    imports = median["init"] - median["remote env"] - median["django start"] - median["warm-up"]
    zipped = WEB_ZIP.stat().st_size / 2**20
    hooks, connected = results[0]["hooks"], any(r["init_connected"] for r in results)
    lines = [
        "## Web cold start",
        "",
        f"build/web.zip ({zipped:.1f} MiB) unpacked and run as Lambda runs it: a fresh "
        "`python -I -S -B` per run (read-only code: bytecode compiled on the way is not "
        "kept), the stage's environment, Zappa's remote_env secrets from moto's S3, "
        f"PostgreSQL. CPU time inside the process, median of {RUNS} runs; the first request "
        f"is `GET {FIRST}`. The web stage runs with SnapStart: Lambda runs the init once per "
        "published version and snapshots it; a visitor's cold start restores the snapshot and "
        "runs only the after-restore hook and the request.",
        "",
        "| phase | CPU |",
        "| --- | ---: |",
        f"| init: imports (Zappa, boto3, Django, psycopg...) | {imports:.0f} ms |",
        f"| init: Zappa's remote_env (an S3 resource, one GET) | {median['remote env']:.0f} ms |",
        f"| init: Django's start (setup, middleware) | {median['django start']:.0f} ms |",
        "| init: warm-up (URL maps, templates, static manifest, S3 client) | "
        f"{median['warm-up']:.0f} ms |",
        f"| **init, once per published version (in the snapshot)** | **{median['init']:.0f} ms** |",
        f"| after-restore hook ({hooks} registered: reseeds `random`) | "
        f"{median['restore hooks']:.1f} ms |",
        f"| the first request | {median['first request']:.0f} ms |",
        f"| **a visitor's cold start: restore hook + first request** | **{restored:.0f} ms** |",
        f"| then `GET {SECOND}` (first database connection, first S3 call) | "
        f"{median['second request']:.0f} ms |",
        f"| a warm `GET {FIRST}` | {median['warm request']:.0f} ms |",
        "",
        f"Goal <= {GOAL_CPU_MS} ms of CPU for a visitor's cold start: "
        + ("met." if restored <= GOAL_CPU_MS else f"**missed** by {restored - GOAL_CPU_MS:.0f} ms.")
        + " The restore itself is Lambda's work, not the function's CPU (CloudWatch's REPORT "
        "line gives it as Restore Duration). Without the snapshot, a cold start is the init "
        f"plus the first request, {unsnapped:.0f} ms: what the stream's batches and the "
        "sweep's schedule see, since they call the unqualified function ($LATEST), never a "
        f"visitor. {results[0]['modules']} modules loaded; database connection open in the "
        f"snapshot: {'yes' if connected else 'no'}; peak RSS "
        f"{max(r['maxrss_mb'] for r in results):.0f} MB; answers "
        f"{', '.join(map(str, results[0]['status']))}.",
        "",
        "| memory | vCPU share | visitor's cold start (est.) | a start from nothing (est.) |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for memory in MEMORY_SIZES:
        share = min(1.0, memory / FULL_VCPU_MB)
        mark = " (recommended)" if memory == RECOMMENDED_MB else ""
        lines.append(
            f"| {memory} MB{mark} | {share:.2f} | {restored / share:.0f} ms "
            f"| {unsnapped / share / 1000:.2f} s |"
        )
    lines += [
        "",
        f"Why {RECOMMENDED_MB} MB: peak RSS is under 100 MB, so memory buys only CPU. A warm "
        "request is a few ms of CPU and mostly waits on PostgreSQL and S3, which more memory "
        "bills at a higher rate without shortening. SnapStart takes the init off the "
        f"visitors' path; {RECOMMENDED_MB} MB keeps the $LATEST cold starts of the stream and "
        f"the sweep near {unsnapped / (RECOMMENDED_MB / FULL_VCPU_MB) / 1000:.1f} s (512 MB: "
        f"{unsnapped / (512 / FULL_VCPU_MB) / 1000:.1f} s) and a version's publication quick. "
        "SnapStart for Python bills the snapshot's cache (per GB-second, at least 3 hours per "
        "version) and each restore (per GB): memory, again, is what it charges by.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
