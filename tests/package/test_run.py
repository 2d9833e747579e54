"""Each unzipped package, run by its own handler in a Python that sees nothing else: no
virtualenv, no site-packages, no PYTHONPATH (`python -I -S`, the zip's directory first on
sys.path as Lambda's /var/task is), against moto's server.

The web zip answers API Gateway requests through Zappa's handler (health, a page rendered
with the collected static files, a static file from whitenoise); the job zips process a real
photo delivered as S3 -> SNS would, writing renditions to the bucket and outcomes to the
results table.
"""

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import aws  # tests/aws.py
import pytest
from event_builders import api_gateway_event, s3_object_created, sns_event  # tests/

# Runs inside the isolated interpreter: import the handler, call it with each event, report
# the answers, every module that did not come from the package or the standard library, every
# module loaded, and every source file it had to compile (no usable bytecode).
DRIVER = """
import gc, importlib, importlib.machinery, json, os, sys
package, handler, events_file, out_file = sys.argv[1:5]
compiled = []
_source_to_code = importlib.machinery.SourceFileLoader.source_to_code
def source_to_code(self, data, path, *args, **kwargs):
    compiled.append(str(path))
    return _source_to_code(self, data, path, *args, **kwargs)
importlib.machinery.SourceFileLoader.source_to_code = source_to_code
sys.path.insert(0, package)
module_name, name = handler.rsplit(".", 1)
function = getattr(importlib.import_module(module_name), name)
gc_at_import = gc.isenabled()
answers = [function(event, None) for event in json.load(open(events_file))]
stdlib = os.path.dirname(os.__file__)
outside = sorted(
    m.__name__ for m in list(sys.modules.values())
    if getattr(m, "__file__", None)
    and not m.__file__.startswith((package, stdlib))
    and m.__file__ != __file__
)
with open(out_file, "w") as out:
    json.dump({"answers": answers, "outside": outside, "path": sys.path,
               "modules": sorted(sys.modules),
               "gc": {"at_import": gc_at_import, "after": gc.isenabled(),
                      "frozen": gc.get_freeze_count()},
               "compiled": [os.path.relpath(p, package) for p in compiled]}, out, default=str)
"""


def run_package(task_dir: Path, handler: str, events: list[dict], env: dict, tmp: Path) -> dict:
    driver, events_file, out_file = tmp / "driver.py", tmp / "events.json", tmp / "out.json"
    driver.write_text(DRIVER)
    events_file.write_text(json.dumps(events))
    completed = subprocess.run(
        # -B: Lambda's /var/task is read-only, so bytecode compiled here is never saved
        [sys.executable, "-I", "-S", "-B", str(driver), str(task_dir), handler, str(events_file),
         str(out_file)],
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


# --- web ------------------------------------------------------------------------------------

# The web stage's `lambda_handler` (zappa_settings.json): Zappa's handler behind our entry point.
WEB_HANDLER = "webapp.aws_lambda.lambda_handler"


def page(path: str) -> dict:
    """A browser's request (it accepts pages as well as JSON) through API Gateway."""
    return api_gateway_event(path, headers={"Accept": "text/html,application/json"})


@pytest.fixture
def web_function(unpacked, stage_settings, moto_server, tmp_path):
    """The unpacked web zip and the environment Lambda gives it, with the resources
    provisioning makes (named as zappa_settings.json names them) and its remote secrets."""
    task = unpacked("web")
    web = stage_settings["web"]
    env = function_env(stage_settings, "web", moto_server)
    s3 = aws.client("s3", moto_server)
    ensure_bucket(s3, env["PHOTOS_BUCKET"])
    deploy_bucket, remote_key = web["remote_env"].removeprefix("s3://").split("/", 1)
    ensure_bucket(s3, deploy_bucket)
    secrets = {
        "DJANGO_SECRET_KEY": "package-test-" + uuid.uuid4().hex,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    s3.put_object(Bucket=deploy_bucket, Key=remote_key, Body=json.dumps(secrets).encode())
    return task, env


def test_web_package_answers_api_gateway(web_function, tmp_path):
    # given
    task, env = web_function
    manifest = json.loads((task / "var" / "staticfiles" / "staticfiles.json").read_text())
    css = manifest["paths"]["admin/css/base.css"]

    # when: a browser's requests
    report = run_package(
        task,
        WEB_HANDLER,
        [page("/healthz"), page("/accounts/login/"), page(f"/static/{css}")],
        env,
        tmp_path,
    )

    # then
    health, login, static = report["answers"]
    assert health["statusCode"] == 200, health
    assert json.loads(health["body"])["checks"]["storage"]["status"] == "ok"
    assert login["statusCode"] == 200, login["body"][-2000:]
    # the page links the hashed names of the collected manifest, under API Gateway's stage
    assert f"/web/static/{manifest['paths']['photos/app.css']}" in login["body"], re.findall(
        r'href="([^"]+\.css)"', login["body"]
    )
    assert static["statusCode"] == 200
    assert static["headers"]["Content-Type"].startswith("text/css")


# What a cold start must not load for a first page: image decoders, the Celery stack, the job
# code that decodes, provisioning. (boto3 is Zappa's own import, and fetches the secrets.)
NOT_AT_COLD_START = (
    "PIL", "pillow_heif", "blurhash", "celery", "kombu", "billiard", "redis", "amqp",
    "webapp.celery", "webapp.photos.tasks", "webapp.photos.aws.infra",
    "webapp.photos.management", "jobs.renditions", "jobs.metadata", "jobs.decoding",
    "jobs.imaging", "jobs.exif", "jobs.placeholder", "storages.backends", "django.test",
)  # fmt: skip


def test_web_cold_start_loads_only_what_the_first_request_needs(web_function, tmp_path):
    # given a fresh web function
    task, env = web_function

    # when its first request is a page
    report = run_package(task, WEB_HANDLER, [page("/accounts/login/")], env, tmp_path)

    # then
    assert report["answers"][0]["statusCode"] == 200
    loaded = [
        m
        for m in report["modules"]
        if any(m == n or m.startswith(n + ".") for n in NOT_AT_COLD_START)
    ]
    assert loaded == []
    # and every module came with bytecode but the files Zappa writes at packaging time (its
    # settings, and the empty __init__.py it drops into each __pycache__ folder, which
    # Django's template-library discovery then imports); its handler comes from the zappa
    # package, compiled, not from the copy in the zip's root (45 kB of source to compile)
    compiled = {p for p in report["compiled"] if not p.endswith("__pycache__/__init__.py")}
    assert compiled <= {"zappa_settings.py", "django_zappa_app.py"}
    assert "handler" not in report["modules"] and "zappa.handler" in report["modules"]


def keep_warm() -> dict:
    """The schedule `keep_warm` makes Zappa create (cli.py: "zappa-keep-warm", calling back
    `handler.keep_warm_callback`), as EventBridge delivers it."""
    rule = "darkroom-web-zappa-keep-warm-handler.keep_warm_callback"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": aws.REGION,
        "resources": [f"arn:aws:events:{aws.REGION}:123456789012:rule/{rule}"],
        "detail": {},
    }


def test_web_cold_start_collects_no_garbage_until_the_function_has_started(web_function, tmp_path):
    # given a fresh web function
    task, env = web_function

    # when its first event is a page, then another page
    report = run_package(
        task, WEB_HANDLER, [page("/accounts/login/"), page("/healthz")], env, tmp_path
    )

    # then the collector was off while the modules loaded and Django started
    assert [a["statusCode"] for a in report["answers"]] == [200, 200]
    assert report["gc"]["at_import"] is False
    # and is back on for the requests, with what start-up built frozen out of its walks
    # (Django's models, URLconf, templates... well over 100,000 objects)
    assert report["gc"]["after"] is True
    assert report["gc"]["frozen"] > 100_000


def test_web_starts_once_when_keep_warm_is_its_first_event(web_function, tmp_path):
    # given a fresh web function
    task, env = web_function

    # when keep_warm's schedule reaches it first, then a page
    report = run_package(task, WEB_HANDLER, [keep_warm(), page("/accounts/login/")], env, tmp_path)

    # then keep_warm started the function (and so ended the collector's pause)
    assert report["answers"][0] is None
    assert report["answers"][1]["statusCode"] == 200
    assert report["gc"]["after"] is True and report["gc"]["frozen"] > 100_000
    # and one Zappa handler served both: its callback never imported the zip-root copy,
    # which would have started a second Django app
    assert "handler" not in report["modules"]


# --- jobs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "photo"),
    [("thumbnails", "heif_zPug_3.heic"), ("metadata", "hopper.jpg")],
)
def test_job_package_processes_a_photo(
    stage, photo, unpacked, stage_settings, moto_server, photos_dir, tmp_path
):
    # given the photo bucket and results table, and a photo uploaded to it
    settings = stage_settings[stage]
    env = function_env(stage_settings, stage, moto_server)
    s3, dynamodb = aws.client("s3", moto_server), aws.client("dynamodb", moto_server)
    bucket, table = env["PHOTOS_BUCKET"], env["PHOTOS_RESULTS_TABLE"]
    ensure_bucket(s3, bucket)
    if table not in dynamodb.list_tables()["TableNames"]:
        aws.create_results_table(dynamodb, table)
    photo_id = str(uuid.uuid4())
    key = f"uploads/{photo_id}/{photo}"
    data = (photos_dir / photo).read_bytes()
    etag = s3.put_object(Bucket=bucket, Key=key, Body=data)["ETag"].strip('"')

    # when the function the stage configures gets the event
    report = run_package(
        unpacked(stage),
        settings["lambda_handler"],
        [sns_event(s3_object_created(bucket, key, size=len(data), etag=etag, region=aws.REGION))],
        env,
        tmp_path,
    )

    # then
    job = {"thumbnails": "renditions", "metadata": "metadata"}[stage]
    assert report["answers"] == [{"job": job, "processed": 1, "failed": 0, "skipped": 0}]
    item = dynamodb.get_item(TableName=table, Key={"photo_id": {"S": photo_id}})["Item"]
    outcome = item[job]["M"]
    assert outcome["status"]["S"] == "done"
    assert outcome["source_etag"]["S"] == etag
    if stage == "thumbnails":
        listing = s3.list_objects_v2(Bucket=bucket, Prefix=f"renditions/{photo_id}/")
        keys = {o["Key"].rsplit("/", 1)[1] for o in listing["Contents"]}
        assert "thumb.webp" in keys
    else:
        assert outcome["result"]["M"]["format"]["S"] == "JPEG"
