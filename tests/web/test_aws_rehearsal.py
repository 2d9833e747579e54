# ruff: noqa: F811 (the AWS fixtures are imported by name, then requested by name)
"""The AWS deployment rehearsed end to end against moto's server, with no AWS account.

`python -m deploy provision` makes the resources and writes their names into a copy of
zappa_settings.json; from that copy each stage is driven through the entry point Lambda
would call, with the settings module `zappa package` generates for it:

- `web`: Zappa's handler (API Gateway requests, the results stream, the
  sweep schedule), cold-started with the stage's environment and its remote secrets;
- `thumbnails` and `metadata`: the stage's `lambda_handler` (`jobs.handlers.*`), which Lambda
  calls directly (no Zappa code in between, so no SNS message can carry a Zappa "command"),
  imported fresh with the stage's environment.

The deliveries are the real ones the emulator makes: the browser's POST to the presigned URL
makes moto's S3 publish its notification to the topic, a spy queue subscribed to the topic
receives it wrapped by SNS, and each message becomes the SNS event Lambda would pass
(tests/data/events/snsEvent.json with the message's fields). The results table's stream records
are read with DynamoDB Streams' GetRecords and passed to the web stage as Lambda would.

What moto does not do is said where it matters: it does not enforce the presigned POST's
policy or the topic's policy (tests/web/test_aws_s3_uploads.py and test_aws_provision.py
check those documents) and it runs no Lambda, so this test is the event source mapping.
"""

import copy
import importlib
import json
import runpy
import secrets
import shutil
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote_plus

import aws  # tests/aws.py
import pytest
import requests
from aws_fixtures import aws_env  # noqa: F401
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from event_builders import API_HOST as HOST  # tests/event_builders.py
from event_builders import api_gateway_event
from event_builders import sns_event as recorded_sns_event

from webapp.photos.models import Photo, PhotoStatus

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = f"https://{HOST}"
# What the web stage's environment decides for Django; everything else stays the test's.
STAGE_SETTINGS = ("ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "AWS_S3_REGION_NAME")

pytestmark = pytest.mark.django_db


def stage_cli(settings_file: Path, stage: str):
    from zappa.cli import ZappaCLI

    cli = ZappaCLI()
    cli.api_stage = stage
    cli.load_credentials = False
    cli.load_settings(str(settings_file))
    return cli


def generated_module(cli) -> dict:
    namespace: dict = {}
    exec(cli.get_zappa_settings_string(), namespace)  # the zappa_settings.py of the zip
    return namespace


class Deployment:
    """The provisioned resources, the three stages, and the emulator's deliveries."""

    def __init__(self, endpoint: str, settings_file: Path, outputs: dict, monkeypatch, tmp):
        self.endpoint = endpoint
        self.settings_file = settings_file
        self.outputs = outputs
        self.monkeypatch = monkeypatch
        self.tmp = tmp
        self.s3 = aws.client("s3", endpoint)
        self.sns = aws.client("sns", endpoint)
        self.sqs = aws.client("sqs", endpoint)
        self.streams = aws.client("dynamodbstreams", endpoint)
        self.iterators: dict[str, str] = {}
        self.job_handlers: dict[str, object] = {}
        self.web = None
        self.session_cookie = ""
        self.csrf_token = secrets.token_hex(16)  # a CSRF secret, as Django's cookie holds
        self.send_csrf_header = True

    # --- the spy queue on the topic ----------------------------------------------------

    def subscribe_spy(self) -> None:
        self.queue_url = self.sqs.create_queue(QueueName=aws.unique_name("spy"))["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=self.outputs["topic_arn"], Protocol="sqs", Endpoint=queue_arn)

    def topic_events(self) -> list[dict]:
        """Every message the topic delivered since the last call, as Lambda's SNS event."""
        events = []
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return events
            for message in messages:
                events.append(sns_event(json.loads(message["Body"])))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )

    # --- the job stages ----------------------------------------------------------------

    def start_job_stages(self) -> None:
        for stage in ("thumbnails", "metadata"):
            cli = stage_cli(self.settings_file, stage)
            module = generated_module(cli)
            # Lambda calls the stage's handler, and Zappa routes the topic to the same one.
            assert module["AWS_EVENT_MAPPING"] == {self.outputs["topic_arn"]: [cli.lambda_handler]}
            self.set_function_environment(cli, module)
            self.job_handlers[stage] = fresh_import(cli.lambda_handler)

    def run_job_stages(self, event: dict, stages=("thumbnails", "metadata")) -> list[dict]:
        return [self.job_handlers[stage](copy.deepcopy(event), None) for stage in stages]

    # --- the web stage -----------------------------------------------------------------

    def start_web_stage(self, settings) -> None:
        from zappa import handler as zappa_handler

        cli = stage_cli(self.settings_file, "web")
        module_dir = self.tmp / "web_zip"
        module_dir.mkdir()
        (module_dir / "zappa_settings.py").write_text(cli.get_zappa_settings_string())
        self.monkeypatch.syspath_prepend(str(module_dir))
        sys.modules.pop("zappa_settings", None)
        module = importlib.import_module("zappa_settings")
        self.stream_arn = self.outputs["stream_arn"]
        assert module.AWS_EVENT_MAPPING[self.stream_arn] == ["webapp.photos.aws.stream.handler"]

        self.set_function_environment(cli, module.__dict__)
        # Whatever the cold start writes into os.environ is undone after the test.
        remote = self.read_remote_env()
        for name in (*remote, "SERVERTYPE", "FRAMEWORK", "PROJECT", "STAGE"):
            self.monkeypatch.setenv(name, "")
        self.monkeypatch.setattr(zappa_handler.LambdaHandler, "_LambdaHandler__instance", None)
        self.monkeypatch.setattr(zappa_handler.LambdaHandler, "settings", None)
        cold = zappa_handler.LambdaHandler()  # the cold start: remote env, stage env, Django
        assert cold.settings.API_STAGE == "web"

        # Django's settings were loaded once for the whole test run: load the settings
        # module again under the environment the cold start made, and use its answers.
        fresh = runpy.run_path(str(ROOT / "webapp" / "settings.py"))
        assert fresh["DEBUG"] is False and fresh["SECRET_KEY"] == remote["DJANGO_SECRET_KEY"]
        for name, value in fresh.items():
            if name.startswith("PHOTOS_") or name in STAGE_SETTINGS:
                setattr(settings, name, value)
        assert settings.PHOTOS_STORAGE == "s3" and settings.PHOTOS_JOB_RUNNER == "lambda"
        self.web = zappa_handler.lambda_handler

    def set_function_environment(self, cli, module: dict) -> None:
        """What Lambda puts in the environment before the runtime starts: the function's
        configuration (Zappa's `aws_environment_variables`) and the runtime's own names;
        Zappa's `environment_variables` are the handler's to set, from the module."""
        environment = {
            **cli.aws_environment_variables,
            **module["ENVIRONMENT_VARIABLES"],
            "AWS_LAMBDA_FUNCTION_NAME": cli.lambda_name,
        }
        for name, value in environment.items():
            self.monkeypatch.setenv(name, value)

    def read_remote_env(self) -> dict:
        bucket, key = self.outputs["remote_env"].removeprefix("s3://").split("/", 1)
        return json.loads(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read())

    def log_in(self, user) -> None:
        client = Client()
        client.force_login(user)
        self.session_cookie = client.cookies["sessionid"].value

    def request(self, method: str, path: str, *, body=None, query=None) -> dict:
        """An API Gateway (REST, proxy) request as the browser would make it."""
        event = api_gateway_event(
            path,
            method=method,
            body=None if body is None else json.dumps(body),
            query=query,
            headers={
                "Cookie": f"sessionid={self.session_cookie}; csrftoken={self.csrf_token}",
                **({"X-CSRFToken": self.csrf_token} if self.send_csrf_header else {}),
                "Origin": ORIGIN,
                "Referer": f"{ORIGIN}/web/upload/",
                "Content-Type": "application/json",
            },
        )
        response = self.web(event, None)
        if response.get("isBase64Encoded"):
            import base64

            response["body"] = base64.b64decode(response["body"]).decode()
        return response

    def api(self, method: str, path: str, **kwargs) -> tuple[int, dict]:
        response = self.request(method, path, **kwargs)
        return response["statusCode"], json.loads(response["body"] or "{}")

    # --- the results stream ------------------------------------------------------------

    def stream_records(self) -> list[dict]:
        """Every record added to the results stream since the last call, as Lambda's event
        source mapping hands them over (eventSourceARN set, times as epoch seconds)."""
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"][
            "Shards"
        ]
        records = []
        for shard in shards:
            shard_id = shard["ShardId"]
            iterator = (
                self.iterators.get(shard_id)
                or self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            )
            response = self.streams.get_records(ShardIterator=iterator)
            self.iterators[shard_id] = response["NextShardIterator"]
            for record in response["Records"]:
                record["eventSourceARN"] = self.stream_arn
                created = record["dynamodb"].get("ApproximateCreationDateTime")
                if created is not None:
                    record["dynamodb"]["ApproximateCreationDateTime"] = created.timestamp()
                records.append(record)
        return records

    def deliver_stream(self) -> dict:
        records = self.stream_records()
        assert records, "the jobs wrote nothing to the results table"
        return self.web({"Records": records}, None)

    # --- the browser -------------------------------------------------------------------

    def upload(self, name: str, data: bytes, content_type: str = "image/jpeg") -> str:
        status, ticket = self.api(
            "POST",
            "/api/uploads",
            body={"filename": name, "content_type": content_type, "size": len(data)},
        )
        assert status == 201, ticket
        assert ticket["url"].startswith(f"{self.endpoint}/{self.outputs['photo_bucket']}")
        response = requests.post(
            ticket["url"],
            data=ticket["fields"],
            files={"file": (name, data, content_type)},
            timeout=30,
        )
        assert response.status_code == 204, response.text
        return ticket["photo_id"]


def sns_event(notification: dict) -> dict:
    """The Lambda event for one SNS notification (the JSON body SNS gives an SQS queue): the
    recorded payload (event_builders.sns_event) with this notification's fields."""
    event = recorded_sns_event(notification["Message"], subject=notification.get("Subject"))
    [record] = event["Records"]
    record["EventSubscriptionArn"] = notification["TopicArn"] + ":subscription"
    record["Sns"].update(
        MessageId=notification["MessageId"],
        TopicArn=notification["TopicArn"],
        Timestamp=notification["Timestamp"],
        MessageAttributes=notification.get("MessageAttributes", {}),
    )
    return event


def fresh_import(dotted: str):
    """The function `dotted` names, its module imported anew (a cold start)."""
    module_name, name = dotted.rsplit(".", 1)
    sys.modules.pop(module_name, None)
    return getattr(importlib.import_module(module_name), name)


def provision(arguments: list[str]) -> None:
    import contextlib
    import io

    from deploy.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["provision", *arguments]) == 0


@pytest.fixture
def deployment(aws_env, tmp_path, monkeypatch, settings, alice):
    import logging

    import jobs.results
    import jobs.storage

    # given provisioning (run twice: it converges, and S3 sends its test event)
    settings_file = tmp_path / "zappa_settings.json"
    shutil.copyfile(ROOT / "zappa_settings.json", settings_file)
    monkeypatch.chdir(ROOT)
    prefix = aws.unique_name("rehearsal")
    arguments = [
        "--endpoint-url", aws_env,
        "--region", aws.REGION,
        "--prefix", prefix,
        "--site-origin", ORIGIN,
        "--settings-file", str(settings_file),
    ]  # fmt: skip
    provision(arguments)
    outputs = json.loads(settings_file.read_text())
    web_env = outputs["web"]["aws_environment_variables"]
    deployment = Deployment(
        aws_env,
        settings_file,
        {
            "photo_bucket": web_env["PHOTOS_BUCKET"],
            "topic_arn": outputs["thumbnails"]["events"][0]["event_source"]["arn"],
            "table": web_env["PHOTOS_RESULTS_TABLE"],
            "stream_arn": outputs["web"]["events"][0]["event_source"]["arn"],
            "remote_env": outputs["web"]["remote_env"],
        },
        monkeypatch,
        tmp_path,
    )
    assert deployment.outputs["photo_bucket"].startswith(prefix)
    deployment.subscribe_spy()
    provision(arguments)

    jobs_logger = logging.getLogger("jobs")
    saved = (list(jobs_logger.handlers), jobs_logger.propagate, jobs_logger.level)
    jobs.storage.default_s3_client.cache_clear()
    jobs.results.default_dynamodb_client.cache_clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        deployment.start_job_stages()
        deployment.start_web_stage(settings)
        deployment.log_in(alice)
        yield deployment
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        sys.modules.pop("zappa_settings", None)
        sys.modules.pop("jobs.handlers", None)
        jobs.storage.default_s3_client.cache_clear()
        jobs.results.default_dynamodb_client.cache_clear()
        jobs_logger.handlers[:], jobs_logger.propagate = saved[0], saved[1]
        jobs_logger.setLevel(saved[2])


def object_events(events: list[dict]) -> list[dict]:
    return [e for e in events if '"ObjectCreated:' in e["Records"][0]["Sns"]["Message"]]


def test_upload_to_ready_through_every_function(deployment, photos_dir):
    # S3's test event, sent when the notification was configured again, reached the topic
    # and is ignored by both job functions
    [test_event] = deployment.topic_events()
    assert "s3:TestEvent" in test_event["Records"][0]["Sns"]["Message"]
    for summary in deployment.run_job_stages(test_event):
        assert summary["processed"] == 0 and summary["failed"] == 0

    # when the browser asks for a ticket and posts a real photo to S3
    data = (photos_dir / "hopper.jpg").read_bytes()
    photo_id = deployment.upload("hopper.jpg", data)
    assert Photo.objects.get(pk=photo_id).status == PhotoStatus.UPLOADING

    # then S3 -> SNS delivers one notification, which both job functions process
    [event] = deployment.topic_events()
    summaries = deployment.run_job_stages(event)
    assert [(s["job"], s["processed"], s["failed"]) for s in summaries] == [
        ("renditions", 1, 0),
        ("metadata", 1, 0),
    ]
    # and the results stream, fed to the web function, makes the photo ready
    assert deployment.deliver_stream() == {"batchItemFailures": []}
    status, photo = deployment.api("GET", f"/api/photos/{photo_id}")
    assert status == 200
    assert photo["status"] == "ready", photo
    assert photo["metadata"]["format"] == "JPEG"
    assert set(photo["renditions"]) >= {"thumb"}
    thumb = requests.get(photo["renditions"]["thumb"], timeout=30)
    assert thumb.status_code == 200 and thumb.content[8:12] == b"WEBP"
    assert requests.get(photo["original_url"], timeout=30).content == data

    # and the gallery page, through API Gateway, shows it with its rendition links
    page = deployment.request("GET", "/")
    assert page["statusCode"] == 200
    assert f"renditions/{photo_id}/" in page["body"]
    # and its stylesheet under the stage, where API Gateway routes it back to this function
    assert 'href="/web/static/photos/app.' in page["body"]


def test_duplicate_deliveries_change_nothing(deployment, photos_dir):
    # given a processed photo
    photo_id = deployment.upload("hopper.jpg", (photos_dir / "hopper.jpg").read_bytes())
    [event] = object_events(deployment.topic_events())
    deployment.run_job_stages(event)
    records = deployment.stream_records()
    deployment.web({"Records": records}, None)
    before = Photo.objects.get(pk=photo_id)
    objects_before = deployment.s3.list_objects_v2(Bucket=deployment.outputs["photo_bucket"])

    # when the same stream records arrive again (a retried batch)
    deployment.web({"Records": copy.deepcopy(records)}, None)

    # then nothing at all changes
    again = Photo.objects.get(pk=photo_id)
    assert (again.status, again.jobs, again.processed_at) == (
        before.status,
        before.jobs,
        before.processed_at,
    )

    # when SNS delivers the same notification twice (at-least-once delivery)
    deployment.run_job_stages(event)
    assert deployment.deliver_stream() == {"batchItemFailures": []}

    # then the photo and the bucket are as they were; only the jobs' timings are newer
    after = Photo.objects.get(pk=photo_id)
    for field in ("status", "error", "source_etag", "renditions", "metadata", "placeholder"):
        assert getattr(after, field) == getattr(before, field), field
    assert Photo.objects.count() == 1
    objects_after = deployment.s3.list_objects_v2(Bucket=deployment.outputs["photo_bucket"])
    assert [(o["Key"], o["Size"]) for o in objects_after["Contents"]] == [
        (o["Key"], o["Size"]) for o in objects_before["Contents"]
    ]


def test_a_corrupt_upload_ends_failed_with_a_reason(deployment, photos_dir):
    # given a file that claims to be a JPEG but is cut off after its first bytes
    data = (photos_dir / "hopper.jpg").read_bytes()[:300]
    photo_id = deployment.upload("broken.jpg", data)

    # when
    [event] = object_events(deployment.topic_events())
    summaries = deployment.run_job_stages(event)
    deployment.deliver_stream()

    # then the jobs succeeded as invocations (no retry) and the photo says why it failed
    assert [s["failed"] for s in summaries] == [1, 1]
    status, photo = deployment.api("GET", f"/api/photos/{photo_id}")
    assert status == 200
    assert photo["status"] == "failed"
    assert photo["error"]
    assert photo["renditions"] == {}


def test_the_sweep_sends_a_stuck_photo_to_the_jobs_again(deployment, photos_dir, run_jobs):
    # given a photo whose thumbnails invocation was lost: only metadata reported
    photo_id = deployment.upload("hopper.jpg", (photos_dir / "hopper.jpg").read_bytes())
    [event] = object_events(deployment.topic_events())
    deployment.run_job_stages(event, stages=("metadata",))
    deployment.deliver_stream()
    assert Photo.objects.get(pk=photo_id).status == PhotoStatus.PROCESSING
    Photo.objects.filter(pk=photo_id).update(uploaded_at=timezone.now() - timedelta(hours=1))

    # when the schedule fires on the web function (and its transaction commits: the
    # publication waits for that)
    with run_jobs():
        report = deployment.web(
            {
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "resources": [
                    "arn:aws:events:us-east-1:123456789012:rule/"
                    "darkroom-web-webapp.photos.aws.sweep.handler"
                ],
            },
            None,
        )

    # then the bucket announces the original again and both jobs finish it
    assert report["redispatched"] == 1
    [again] = object_events(deployment.topic_events())
    message = json.loads(again["Records"][0]["Sns"]["Message"])
    [record] = message["Records"]
    assert record["eventName"] == "ObjectCreated:Copy"  # the original, announced again
    assert unquote_plus(record["s3"]["object"]["key"]).startswith(f"uploads/{photo_id}/")
    deployment.run_job_stages(again)
    deployment.deliver_stream()
    status, photo = deployment.api("GET", f"/api/photos/{photo_id}")
    assert photo["status"] == "ready", photo
    assert "thumb" in photo["renditions"]


def test_api_gateway_refuses_a_post_without_the_csrf_header(deployment):
    deployment.send_csrf_header = False

    status, body = deployment.api(
        "POST", "/api/uploads", body={"filename": "a.jpg", "content_type": "image/jpeg", "size": 9}
    )

    # JSON, not Django's HTML page, although the path carries the stage (/web/api/...)
    assert status == 403
    assert "CSRF" in body["error"]
    assert not Photo.objects.exists()
