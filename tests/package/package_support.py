"""What the package tests share: run an unzipped package in an isolated Python, the
environment Lambda gives a function, and a photo uploaded to the bucket for a job zip to
process (a plain module: tests/package is on sys.path)."""

import json
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import aws  # tests/aws.py
import snapshot_restore_py
from event_builders import s3_object_created, sns_event  # tests/

# Runs inside the isolated interpreter: import the handler (Lambda's init), report what the
# import left behind, run the after-restore hooks the function registered with the runtime (as
# a SnapStart restore does), call the handler with each event, report the answers, every module
# that did not come from the package, the runtime or the standard library, every module loaded,
# and every source file of the package it had to compile (no usable bytecode).
DRIVER = """
import gc, importlib, importlib.machinery, json, os, random, sys
package, runtime, handler, events_file, out_file = sys.argv[1:6]
compiled = []
_source_to_code = importlib.machinery.SourceFileLoader.source_to_code
def source_to_code(self, data, path, *args, **kwargs):
    compiled.append(str(path))
    return _source_to_code(self, data, path, *args, **kwargs)
importlib.machinery.SourceFileLoader.source_to_code = source_to_code
sys.path.insert(0, package)
sys.path.append(runtime)  # Lambda's /var/runtime comes after the function's code
module_name, name = handler.rsplit(".", 1)
function = getattr(importlib.import_module(module_name), name)
init = {"gc_enabled": gc.isenabled(), "gc_frozen": gc.get_freeze_count(),
        "modules": sorted(sys.modules), "django_ready": False, "db_connected": False}
if "django.apps" in sys.modules:
    from django.apps import apps
    from django.db import connections
    init["django_ready"] = apps.ready
    init["db_connected"] = any(
        c.connection is not None for c in connections.all(initialized_only=True))
restore = {"hooks": 0, "reseeded": False}
if "snapshot_restore_py" in sys.modules:
    hooks = sys.modules["snapshot_restore_py"].get_after_restore()
    state = random.getstate()
    for hook, args, kwargs in hooks:
        hook(*args, **kwargs)
    restore = {"hooks": len(hooks), "reseeded": random.getstate() != state}
answers = [function(event, None) for event in json.load(open(events_file))]
stdlib = os.path.dirname(os.__file__)
outside = sorted(
    m.__name__ for m in list(sys.modules.values())
    if getattr(m, "__file__", None)
    and not m.__file__.startswith((package, runtime, stdlib))
    and m.__file__ != __file__
)
with open(out_file, "w") as out:
    json.dump({"answers": answers, "outside": outside, "path": sys.path,
               "modules": sorted(sys.modules), "init": init, "restore": restore,
               "compiled": [os.path.relpath(p, package) for p in compiled
                            if p.startswith(package)]}, out, default=str)
"""


def lambda_runtime(tmp: Path) -> Path:
    """What Lambda's Python runtime adds to the path: its SnapStart hooks library
    (snapshot-restore-py, one module), which the function imports if it is there."""
    runtime = tmp / "runtime"
    runtime.mkdir(exist_ok=True)
    shutil.copy2(snapshot_restore_py.__file__, runtime)
    return runtime


def run_package(task_dir: Path, handler: str, events: list[dict], env: dict, tmp: Path) -> dict:
    driver, events_file, out_file = tmp / "driver.py", tmp / "events.json", tmp / "out.json"
    driver.write_text(DRIVER)
    events_file.write_text(json.dumps(events))
    completed = subprocess.run(
        # -B: Lambda's /var/task is read-only, so bytecode compiled here is never saved
        [sys.executable, "-I", "-S", "-B", str(driver), str(task_dir), str(lambda_runtime(tmp)),
         handler, str(events_file), str(out_file)],
        cwd=task_dir,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(tmp), "TMPDIR": str(tmp),
             "LAMBDA_TASK_ROOT": str(task_dir), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(out_file.read_text())
    # nothing came from the test environment: the package is self-sufficient
    assert report["outside"] == [], report["outside"]
    assert not any("site-packages" in entry for entry in report["path"])
    return report


def function_env(stage_settings: dict, stage: str, endpoint: str) -> dict:
    """What Lambda gives the function: its configured variables, the runtime's names."""
    return {
        **stage_settings[stage].get("aws_environment_variables", {}),
        **aws.environment(endpoint),
        "AWS_LAMBDA_FUNCTION_NAME": f"darkroom-{stage}",
    }


def ensure_bucket(s3, name: str) -> None:
    if name not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=name)


@dataclass(frozen=True)
class UploadedPhoto:
    """A photo in the photo bucket, with the results table the job functions write to."""

    s3: object
    dynamodb: object
    bucket: str
    table: str
    photo_id: str
    key: str
    size: int
    etag: str

    def event(self) -> dict:
        """S3's notification of the upload, as SNS delivers it to the job functions."""
        created = s3_object_created(
            self.bucket, self.key, size=self.size, etag=self.etag, region=aws.REGION
        )
        return sns_event(created)


def upload_photo(env: dict, endpoint: str, path: Path) -> UploadedPhoto:
    """`path` uploaded to the bucket `env` names (made, with the results table, if need be)."""
    s3, dynamodb = aws.client("s3", endpoint), aws.client("dynamodb", endpoint)
    bucket, table = env["PHOTOS_BUCKET"], env["PHOTOS_RESULTS_TABLE"]
    ensure_bucket(s3, bucket)
    if table not in dynamodb.list_tables()["TableNames"]:
        aws.create_results_table(dynamodb, table)
    photo_id = str(uuid.uuid4())
    key = f"uploads/{photo_id}/{path.name}"
    data = path.read_bytes()
    etag = s3.put_object(Bucket=bucket, Key=key, Body=data)["ETag"].strip('"')
    return UploadedPhoto(s3, dynamodb, bucket, table, photo_id, key, len(data), etag)
