# ruff: noqa: F811 (the AWS fixtures are imported by name, then requested by name)
"""The web app with PHOTOS_STORAGE=s3, through Django's test client, against moto's server:
the upload ticket is S3's presigned POST, the browser's POST lands in the bucket, the jobs
(inline or published to the uploads topic) read and write the bucket, the API links to
presigned GETs, and deleting a photo deletes its objects."""

import base64
import json
from datetime import timedelta
from urllib.parse import unquote_plus

import aws  # tests/aws.py
import pytest
import requests
from aws_fixtures import aws_env, photo_bucket, s3  # noqa: F401
from django.utils import timezone
from web_helpers import post_file, request_ticket

from webapp.photos import runners
from webapp.photos.aws.sweep import sweep
from webapp.photos.models import Photo, PhotoStatus
from webapp.photos.storage import photo_storage

pytestmark = pytest.mark.django_db


def s3_upload(client, path, *, content_type="image/jpeg") -> tuple[str, dict]:
    """The page's two steps: a ticket from the API, then the file straight to S3."""
    response = request_ticket(
        client, filename=path.name, content_type=content_type, size=path.stat().st_size
    )
    assert response.status_code == 201, response.content
    ticket = response.json()
    response = requests.post(
        ticket["url"],
        data=ticket["fields"],
        files={"file": (path.name, path.read_bytes(), content_type)},
        timeout=30,
    )
    assert response.status_code == 204, response.text
    return ticket["photo_id"], ticket


def notice_uploads(run_jobs) -> dict:
    """What tells the web app of an upload it did not receive: the sweep, run as if the
    stuck limit had passed (on AWS the first job result does it sooner)."""
    with run_jobs():
        return sweep(now=timezone.now() + timedelta(hours=1))


def keys_under(s3, bucket: str, prefix: str) -> list[str]:
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_ticket_is_a_presigned_post_to_the_bucket(
    alice_client,
    photo_bucket,
    aws_env,
    settings,
):
    # when
    response = request_ticket(
        alice_client, filename="Été.jpg", content_type="image/jpeg", size=1234
    )

    # then
    assert response.status_code == 201, response.content
    ticket = response.json()
    photo = Photo.objects.get(pk=ticket["photo_id"])
    assert ticket["url"] == f"{aws_env}/{photo_bucket}"
    fields = ticket["fields"]
    assert fields["key"] == photo.original_key
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert "x-amz-signature" in fields
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 1, settings.PHOTOS_MAX_UPLOAD_BYTES] in policy["conditions"]
    assert {"key": photo.original_key} in policy["conditions"]
    assert {"Content-Type": "image/jpeg"} in policy["conditions"]


def test_the_local_upload_target_is_closed_in_s3_mode(
    alice_client,
    photo_bucket,
    photos_dir,
):
    response = request_ticket(alice_client, filename="a.jpg", content_type="image/jpeg", size=5)
    photo_id = response.json()["photo_id"]
    ticket = {"url": f"/api/uploads/{photo_id}/file", "fields": response.json()["fields"]}

    response = post_file(alice_client, ticket, photos_dir / "hopper.jpg")

    assert response.status_code == 400
    assert "bucket" in response.json()["error"]
    assert Photo.objects.get(pk=photo_id).status == PhotoStatus.UPLOADING


def test_upload_to_s3_then_inline_jobs_on_s3_make_the_photo_ready(
    alice_client,
    photo_bucket,
    s3,
    photos_dir,
    run_jobs,
):
    # given a photo posted straight to the bucket
    photo_id, _ = s3_upload(alice_client, photos_dir / "hopper.jpg")

    # when the web app notices it and the inline runner runs the jobs on the bucket
    report = notice_uploads(run_jobs)

    # then
    assert report["started"] == 1
    body = alice_client.get(f"/api/photos/{photo_id}").json()
    assert body["status"] == "ready", body
    assert body["metadata"]["format"] == "JPEG"
    assert "thumb" in body["renditions"]
    assert keys_under(s3, photo_bucket, f"renditions/{photo_id}/") == sorted(
        f"renditions/{photo_id}/{name}.webp" for name in body["renditions"]
    )
    thumb = requests.get(body["renditions"]["thumb"], timeout=30)
    assert thumb.status_code == 200
    assert thumb.content[:4] == b"RIFF" and thumb.content[8:12] == b"WEBP"
    original = requests.get(body["original_url"], timeout=30)
    assert original.content == (photos_dir / "hopper.jpg").read_bytes()
    assert original.headers["Content-Disposition"].endswith("hopper.jpg")


def test_old_media_links_redirect_to_presigned_urls(
    alice_client,
    bob_client,
    photo_bucket,
    photos_dir,
    run_jobs,
):
    photo_id, _ = s3_upload(alice_client, photos_dir / "hopper.jpg")
    notice_uploads(run_jobs)

    response = alice_client.get(f"/media/photos/{photo_id}/thumb.webp")
    others = bob_client.get(f"/media/photos/{photo_id}/thumb.webp")

    assert response.status_code == 302
    assert f"/{photo_bucket}/renditions/{photo_id}/thumb.webp?" in response["Location"]
    assert others.status_code == 404


def test_delete_removes_the_objects_from_the_bucket(
    alice_client,
    photo_bucket,
    s3,
    photos_dir,
    run_jobs,
):
    # given a processed photo and another one that must survive
    photo_id, _ = s3_upload(alice_client, photos_dir / "hopper.jpg")
    other_id, _ = s3_upload(alice_client, photos_dir / "hopper.jpg")
    notice_uploads(run_jobs)
    assert keys_under(s3, photo_bucket, f"renditions/{photo_id}/")

    # when
    with run_jobs():
        response = alice_client.delete(f"/api/photos/{photo_id}")

    # then
    assert response.status_code == 204
    assert keys_under(s3, photo_bucket, f"uploads/{photo_id}/") == []
    assert keys_under(s3, photo_bucket, f"renditions/{photo_id}/") == []
    assert len(keys_under(s3, photo_bucket, f"uploads/{other_id}/")) == 1
    assert not Photo.objects.filter(pk=photo_id).exists()


@pytest.fixture
def uploads_topic(aws_env, photo_bucket, s3, settings):
    """The bucket's notifications go to a topic with a spy queue subscribed, as the job
    functions are on AWS; the received S3 events, unwrapped."""
    sns, sqs = aws.client("sns", aws_env), aws.client("sqs", aws_env)
    topic_arn = sns.create_topic(Name=aws.unique_name("darkroom-uploads"))["TopicArn"]
    queue_url = sqs.create_queue(QueueName=aws.unique_name("spy"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    s3.put_bucket_notification_configuration(
        Bucket=photo_bucket,
        NotificationConfiguration={
            "TopicConfigurations": [
                {
                    "TopicArn": topic_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}]}},
                }
            ]
        },
    )
    settings.PHOTOS_JOB_RUNNER = "lambda"

    def received() -> list[dict]:
        events = []
        while messages := sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        ).get("Messages", []):
            for message in messages:
                event = json.loads(json.loads(message["Body"])["Message"])
                if "Records" in event:  # not S3's test event
                    events.append(event)
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return events

    return received


@pytest.fixture
def tiny_jpeg(tmp_path):
    from PIL import Image

    path = tmp_path / "tiny.jpg"
    Image.new("RGB", (8, 8), "red").save(path, "JPEG")
    return path


def test_lambda_runner_makes_the_bucket_announce_the_original_again(
    alice_client, photo_bucket, s3, uploads_topic, run_jobs, tiny_jpeg
):
    # given an uploaded photo whose events were lost
    photo_id, _ = s3_upload(alice_client, tiny_jpeg)
    [upload_event] = uploads_topic()
    assert upload_event["Records"][0]["eventName"].startswith("ObjectCreated:")
    notice_uploads(run_jobs)  # the sweep starts it, through the lambda runner
    photo = Photo.objects.get(pk=photo_id)
    assert photo.status == PhotoStatus.PROCESSING

    # when
    with run_jobs():
        runners.dispatch(photo)

    # then the jobs get genuine S3 events naming the same original, unchanged
    events = uploads_topic()
    assert len(events) == 2  # the sweep's start and the dispatch
    for event in events:
        [record] = event["Records"]
        assert record["eventName"] == "ObjectCreated:Copy"
        assert record["s3"]["bucket"]["name"] == photo_bucket
        assert unquote_plus(record["s3"]["object"]["key"]) == photo.original_key
        assert record["s3"]["object"]["eTag"] == photo.source_etag
    stored = s3.get_object(Bucket=photo_bucket, Key=photo.original_key)
    assert stored["Body"].read() == tiny_jpeg.read_bytes()
    assert stored["ContentType"] == "image/jpeg"


def test_photo_store_is_the_bucket_in_s3_mode(photo_bucket, s3):
    store = photo_storage().job_store()

    store.put("renditions/p1/thumb.webp", b"webp", "image/webp")

    assert store.bucket == photo_bucket
    assert keys_under(s3, photo_bucket, "renditions/p1/") == ["renditions/p1/thumb.webp"]
