"""The Lambda entry points, fed real payloads, against the moto server through
AWS_ENDPOINT_URL exactly as a deployed function would see AWS."""

import copy
import importlib
import io
import json
import re
import sys
import uuid
from types import SimpleNamespace

import pytest
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError
from event_builders import s3_object_created, sns_event  # tests/event_builders.py


def lambda_context(name: str) -> SimpleNamespace:
    return SimpleNamespace(
        function_name=name,
        function_version="$LATEST",
        memory_limit_in_mb=1769,
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        aws_request_id=str(uuid.uuid4()),
    )


@pytest.fixture
def handlers(aws_env, results_table, bucket, monkeypatch):
    """jobs.handlers as a fresh Lambda container would import it, with this test's table
    and bucket."""
    monkeypatch.setenv("PHOTOS_RESULTS_TABLE", results_table)
    monkeypatch.setenv("PHOTOS_BUCKET", bucket)
    import jobs.handlers

    yield importlib.reload(jobs.handlers)
    jobs.handlers.logs.configure("darkroom-jobs", stream=sys.stdout)


@pytest.fixture
def uploaded(s3, bucket, photos_dir):
    """Upload a real photo under uploads/<new id>/; the SNS-wrapped S3 event announcing it."""

    def upload(photo: str, name: str = "my photo.jpg") -> tuple[dict, str]:
        photo_id = str(uuid.uuid4())
        key = f"uploads/{photo_id}/{name}"
        s3.put_object(Bucket=bucket, Key=key, Body=(photos_dir / photo).read_bytes())
        head = s3.head_object(Bucket=bucket, Key=key)
        return sns_event_for(bucket, key, head["ContentLength"], head["ETag"]), photo_id

    return upload


def sns_event_for(bucket: str, key: str, size: int, etag: str) -> dict:
    """The real S3 notification for this object, delivered by the real SNS event shape."""
    return sns_event(s3_object_created(bucket, key, size=size, etag=etag))


def results_item(dynamodb, table: str, photo_id: str) -> dict | None:
    item = dynamodb.get_item(
        TableName=table, Key={"photo_id": {"S": photo_id}}, ConsistentRead=True
    ).get("Item")
    if item is None:
        return None
    return {name: TypeDeserializer().deserialize(value) for name, value in item.items()}


def test_thumbnails_from_an_sns_wrapped_s3_event(
    handlers, uploaded, s3, dynamodb, bucket, results_table
):
    # given
    event, photo_id = uploaded("hopper_orientation_6.jpg", name="my photo+1.jpg")

    # when
    summary = handlers.thumbnails(event, lambda_context("darkroom-thumbnails"))

    # then
    assert summary == {"job": "renditions", "processed": 1, "failed": 0, "skipped": 0}
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="renditions/")["Contents"]]
    assert sorted(keys) == sorted(
        f"renditions/{photo_id}/{name}.webp" for name in ("thumb", "medium", "large")
    )
    item = results_item(dynamodb, results_table, photo_id)
    assert item["renditions"]["status"] == "done"
    assert "metadata" not in item


def test_metadata_from_an_sns_wrapped_s3_event(handlers, uploaded, dynamodb, results_table):
    event, photo_id = uploaded("hopper.jpg")

    summary = handlers.metadata(event, lambda_context("darkroom-metadata"))

    assert summary == {"job": "metadata", "processed": 1, "failed": 0, "skipped": 0}
    outcome = results_item(dynamodb, results_table, photo_id)["metadata"]
    assert outcome["status"] == "done"
    assert outcome["result"]["format"] == "JPEG"
    assert outcome["result"]["sha256"]


def test_both_functions_fill_one_item(handlers, uploaded, dynamodb, results_table):
    event, photo_id = uploaded("heif_pug.heic", name="IMG_0001.HEIC")

    handlers.thumbnails(event, lambda_context("darkroom-thumbnails"))
    handlers.metadata(event, lambda_context("darkroom-metadata"))

    item = results_item(dynamodb, results_table, photo_id)
    assert item["renditions"]["status"] == item["metadata"]["status"] == "done"
    assert item["metadata"]["result"]["width"] == 4032


def test_a_corrupt_upload_is_recorded_and_the_invocation_succeeds(
    handlers, uploaded, dynamodb, results_table
):
    event, photo_id = uploaded("broken.png", name="scan.png")

    summary = handlers.thumbnails(event, lambda_context("darkroom-thumbnails"))

    assert summary == {"job": "renditions", "processed": 1, "failed": 1, "skipped": 0}
    outcome = results_item(dynamodb, results_table, photo_id)["renditions"]
    assert outcome["status"] == "failed"
    assert outcome["error"]


def test_a_duplicate_delivery_leaves_the_same_state(handlers, uploaded, dynamodb, results_table):
    event, photo_id = uploaded("hopper.jpg")
    context = lambda_context("darkroom-metadata")

    handlers.metadata(event, context)
    first = results_item(dynamodb, results_table, photo_id)["metadata"]
    handlers.metadata(copy.deepcopy(event), context)
    second = results_item(dynamodb, results_table, photo_id)["metadata"]

    for field in ("status", "result", "source_etag"):
        assert second[field] == first[field]
    assert second["finished_at"] >= first["finished_at"]


def test_a_missing_results_table_raises_so_lambda_retries(
    aws_env, uploaded, monkeypatch, results_table, bucket
):
    # given a function configured with a table that does not exist
    monkeypatch.setenv("PHOTOS_RESULTS_TABLE", "darkroom-results-missing")
    monkeypatch.setenv("PHOTOS_BUCKET", bucket)
    import jobs.handlers

    handlers = importlib.reload(jobs.handlers)
    event, _ = uploaded("hopper.jpg")

    # when / then
    with pytest.raises(ClientError) as error:
        handlers.metadata(event, lambda_context("darkroom-metadata"))
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_missing_bucket_raises_so_lambda_retries(handlers, monkeypatch):
    # given a function configured for a bucket that does not exist (yet)
    missing = f"no-such-bucket-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PHOTOS_BUCKET", missing)
    handlers = importlib.reload(handlers)
    event = sns_event_for(missing, "uploads/p1/a.jpg", 10, "e")

    with pytest.raises(ClientError):
        handlers.thumbnails(event, lambda_context("darkroom-thumbnails"))


def test_events_without_uploads_do_nothing(handlers, load_event, dynamodb, results_table):
    context = lambda_context("darkroom-thumbnails")
    own_output = sns_event_for("bucket", "renditions/p1/thumb.webp", 10, "e")

    assert handlers.thumbnails(own_output, context) == {
        "job": "renditions",
        "processed": 0,
        "failed": 0,
        "skipped": 1,
    }
    for name in ("s3EventDeleteObject", "snsEvent", "eventBridgeEvent"):
        summary = handlers.thumbnails(load_event(name), context)
        assert summary["processed"] == 0
    assert dynamodb.scan(TableName=results_table)["Count"] == 0


def test_log_lines_are_json_with_the_photo_id(handlers, uploaded):
    # given the function's log lines going into a buffer instead of stdout
    event, photo_id = uploaded("broken.png")
    buffer = io.StringIO()
    handlers.logs.configure("darkroom-jobs", stream=buffer)

    # when
    handlers.metadata(event, lambda_context("darkroom-metadata"))
    handlers.logger.info("between invocations")

    # then: the job's log lines are structured JSON carrying the photo id and invocation
    logged = [json.loads(line) for line in buffer.getvalue().splitlines()]
    job_lines = [line for line in logged if line["logger"] == "jobs.work"]
    assert job_lines, logged
    for line in job_lines:
        assert line["photo_id"] == photo_id
        assert line["job"] == "metadata"
        assert line["function_name"] == "darkroom-metadata"
        assert line["function_request_id"]
        assert line["service"] == "darkroom-jobs"
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line["timestamp"])
    assert any(line["message"].startswith("metadata failed") for line in job_lines)
    # and the record's fields do not leak past the invocation
    assert logged[-1]["message"] == "between invocations"
    # (every line names photo_id, null outside a record: one format for all functions)
    assert logged[-1]["photo_id"] is None and "function_request_id" not in logged[-1]


def test_a_transient_error_is_logged_with_its_traceback_before_raising(handlers, monkeypatch):
    missing = f"no-such-bucket-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PHOTOS_BUCKET", missing)
    handlers = importlib.reload(handlers)
    buffer = io.StringIO()
    handlers.logs.configure("darkroom-jobs", stream=buffer)
    event = sns_event_for(missing, "uploads/p1/a.jpg", 10, "e")

    with pytest.raises(ClientError):
        handlers.thumbnails(event, lambda_context("darkroom-thumbnails"))

    (line,) = [json.loads(text) for text in buffer.getvalue().splitlines()]
    assert line["level"] == "ERROR"
    assert line["photo_id"] == "p1"
    assert line["exception_name"] == "ClientError"
    assert "Traceback" in line["exception"]
