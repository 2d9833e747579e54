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
import uuid

import aws  # tests/aws.py
import pytest
from event_builders import api_gateway_event  # tests/
from package_support import ensure_bucket, function_env, run_package, upload_photo

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


def test_web_function_starts_in_its_init_so_a_snapshot_holds_it(web_function, tmp_path):
    # given a fresh web function
    task, env = web_function

    # when Lambda's init imports its handler, a restore runs the hooks, and a page follows
    report = run_package(task, WEB_HANDLER, [page("/accounts/login/")], env, tmp_path)

    # then the import alone built the app: Django set up, its URLconf and views imported,
    init = report["init"]
    assert init["django_ready"] is True
    assert {"webapp.urls", "webapp.photos.views", "webapp.accounts.views"} <= set(init["modules"])
    # and the S3 client that signs photo links made (the stage stores photos in S3)
    assert "botocore.client" in init["modules"]
    # with no database connection to be shared by every environment restored from it
    assert init["db_connected"] is False
    # the collector is back on, with what the start built frozen out of its walks (Django's
    # models, URLconf, templates... well over 100,000 objects)
    assert init["gc_enabled"] is True
    assert init["gc_frozen"] > 100_000
    # a restore reseeds `random`, which every environment restored from one snapshot would
    # otherwise share
    assert report["restore"] == {"hooks": 1, "reseeded": True}
    assert report["answers"][0]["statusCode"] == 200


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
    uploaded = upload_photo(env, moto_server, photos_dir / photo)

    # when the function the stage configures gets the event
    report = run_package(
        unpacked(stage), settings["lambda_handler"], [uploaded.event()], env, tmp_path
    )

    # then
    job = {"thumbnails": "renditions", "metadata": "metadata"}[stage]
    assert report["answers"] == [{"job": job, "processed": 1, "failed": 0, "skipped": 0}]
    key = {"photo_id": {"S": uploaded.photo_id}}
    item = uploaded.dynamodb.get_item(TableName=uploaded.table, Key=key)["Item"]
    outcome = item[job]["M"]
    assert outcome["status"]["S"] == "done"
    assert outcome["source_etag"]["S"] == uploaded.etag
    if stage == "thumbnails":
        listing = uploaded.s3.list_objects_v2(
            Bucket=uploaded.bucket, Prefix=f"renditions/{uploaded.photo_id}/"
        )
        keys = {o["Key"].rsplit("/", 1)[1] for o in listing["Contents"]}
        assert "thumb.webp" in keys
    else:
        assert outcome["result"]["M"]["format"]["S"] == "JPEG"
