"""The web function through Zappa's real handler (`zappa.handler.lambda_handler`), with the
zappa_settings module generated from zappa_settings.json exactly as `zappa package` writes it:
API Gateway requests reach Django, stream records reach the recorder, the schedule reaches
the sweep, and the remote environment is read from S3 at cold start."""

import copy
import importlib
import json
import os
import sys
from pathlib import Path

import aws
import pytest
from aws_fixtures import aws_env  # noqa: F401
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from event_builders import api_gateway_event  # tests/event_builders.py
from factories import PhotoFactory  # tests/web/factories.py

from webapp.photos.models import PhotoStatus

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_function(aws_env, tmp_path, monkeypatch, settings):  # noqa: F811
    """Zappa's handler for the web stage, cold-started against the emulator."""
    from zappa import handler as zappa_handler
    from zappa.cli import ZappaCLI

    monkeypatch.chdir(ROOT)
    cli = ZappaCLI()
    cli.api_stage = "web"
    cli.load_credentials = False
    cli.load_settings(str(ROOT / "zappa_settings.json"))
    text = cli.get_zappa_settings_string()

    # the remote environment the handler reads at cold start, in the emulator's S3
    bucket, key = cli.stage_config["remote_env"].removeprefix("s3://").split("/", 1)
    s3 = aws.client("s3", aws_env)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps({"DARKROOM_REHEARSAL": "remote"}))

    module_dir = tmp_path / "zappa_settings_module"
    module_dir.mkdir()
    (module_dir / "zappa_settings.py").write_text(text)
    monkeypatch.syspath_prepend(str(module_dir))
    sys.modules.pop("zappa_settings", None)
    for name in ("SERVERTYPE", "FRAMEWORK", "PROJECT", "STAGE", "DARKROOM_REHEARSAL"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("AWS_REGION", aws.REGION)
    settings.ALLOWED_HOSTS = [".execute-api.us-east-1.amazonaws.com"]

    # a fresh singleton: this is a cold start
    monkeypatch.setattr(zappa_handler.LambdaHandler, "_LambdaHandler__instance", None)
    monkeypatch.setattr(zappa_handler.LambdaHandler, "settings", None)
    # As Django's test client does: a request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield zappa_handler.lambda_handler, importlib.import_module("zappa_settings")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        sys.modules.pop("zappa_settings", None)


def test_api_gateway_request_reaches_django(web_function):
    lambda_handler, _ = web_function

    response = lambda_handler(api_gateway_event("/healthz"), None)

    assert response["statusCode"] == 200, response
    assert os.environ["DARKROOM_REHEARSAL"] == "remote"  # remote_env was loaded


def test_unauthenticated_api_answers_json_not_a_login_page(web_function):
    lambda_handler, _ = web_function

    response = lambda_handler(api_gateway_event("/api/photos", query={"ids": "x"}), None)

    assert response["statusCode"] in (401, 403)
    assert response["headers"]["Content-Type"].startswith("application/json")


def test_stream_records_are_routed_to_the_recorder(web_function, load_event, alice):
    lambda_handler, module = web_function
    [stream_arn] = module.AWS_EVENT_MAPPING
    photo = PhotoFactory(owner=alice, processing=True, source_etag="e1")
    record = copy.deepcopy(load_event("dynamoStreamEvent")["Records"][0])
    record["eventSourceARN"] = stream_arn
    record["dynamodb"]["NewImage"] = {
        "photo_id": {"S": str(photo.pk)},
        "metadata": {
            "M": {
                "status": {"S": "failed"},
                "error": {"S": "not an image"},
                "source_etag": {"S": "e1"},
                "finished_at": {"S": "2025-05-01T10:00:00.000Z"},
                "duration_ms": {"N": "4"},
            }
        },
    }

    response = lambda_handler({"Records": [record]}, None)

    assert response == {"batchItemFailures": []}
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.FAILED
    assert photo.error == "not an image"


def test_schedule_reaches_the_sweep(web_function):
    lambda_handler, _ = web_function
    event = {
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "resources": [
            "arn:aws:events:us-east-1:123456789012:rule/darkroom-web-webapp.photos.aws.sweep.handler"
        ],
    }

    assert lambda_handler(event, None) == {
        "redispatched": 0,
        "started": 0,
        "failed": 0,
        "removed": 0,
        "complete": True,
    }
