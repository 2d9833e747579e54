"""S3 mode: the presigned POST ticket (its policy read back, since moto does not enforce it),
a real photo posted to it over HTTP, and presigned GET links."""

import base64
import json
import time
from datetime import UTC, datetime

import pytest
import requests
from aws_fixtures import aws_env, photo_bucket, s3  # noqa: F401

from webapp.photos.aws.s3_links import presigned_get
from webapp.photos.aws.s3_uploads import upload_ticket

KEY = "uploads/0b0e6a8c-5f39-4d2a-9d33-3c1f2a7e9a10/hopper.jpg"


def policy_of(ticket: dict) -> dict:
    return json.loads(base64.b64decode(ticket["fields"]["policy"]))


def test_ticket_policy_pins_key_type_size_and_expiry(photo_bucket):  # noqa: F811
    # when
    before = time.time()
    ticket = upload_ticket(key=KEY, content_type="image/jpeg", max_bytes=5_000, expires_in=300)

    # then
    assert set(ticket) == {"url", "fields"}
    assert ticket["fields"]["key"] == KEY
    assert ticket["fields"]["Content-Type"] == "image/jpeg"
    policy = policy_of(ticket)
    conditions = policy["conditions"]
    assert {"bucket": photo_bucket} in conditions
    assert {"key": KEY} in conditions
    assert ["content-length-range", 1, 5_000] in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert {"x-amz-algorithm": "AWS4-HMAC-SHA256"} in conditions
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before + 290 <= expires.timestamp() <= time.time() + 301


def test_ticket_expiry_defaults_to_the_setting(photo_bucket, settings):  # noqa: F811
    settings.PHOTOS_UPLOAD_TICKET_SECONDS = 120
    ticket = upload_ticket(key=KEY, content_type="image/png", max_bytes=10)
    expires = datetime.strptime(policy_of(ticket)["expiration"], "%Y-%m-%dT%H:%M:%SZ")
    remaining = expires.replace(tzinfo=UTC).timestamp() - time.time()
    assert 100 <= remaining <= 121


def test_photo_posted_with_the_ticket_lands_at_the_key(photo_bucket, s3, photos_dir):  # noqa: F811
    # given
    data = (photos_dir / "hopper.jpg").read_bytes()
    ticket = upload_ticket(key=KEY, content_type="image/jpeg", max_bytes=len(data))

    # when the browser's POST: every field first, the file last
    response = requests.post(
        ticket["url"],
        data=ticket["fields"],
        files={"file": ("hopper.jpg", data, "image/jpeg")},
        timeout=30,
    )

    # then
    assert response.status_code == 204, response.text
    stored = s3.get_object(Bucket=photo_bucket, Key=KEY)
    assert stored["Body"].read() == data
    assert stored["ContentType"] == "image/jpeg"


def test_presigned_get_serves_the_object_and_names_downloads(photo_bucket, s3):  # noqa: F811
    s3.put_object(Bucket=photo_bucket, Key=KEY, Body=b"jpeg bytes", ContentType="image/jpeg")

    url = presigned_get(KEY, expires_in=60, download_name="Été à Paris.jpg")

    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    response = requests.get(url, timeout=30)
    assert response.status_code == 200
    assert response.content == b"jpeg bytes"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%C3%89t%C3%A9%20%C3%A0%20Paris.jpg"
    )


def test_s3_mode_needs_a_bucket(aws_env, settings):  # noqa: F811
    from django.core.exceptions import ImproperlyConfigured

    settings.PHOTOS_BUCKET = ""
    with pytest.raises(ImproperlyConfigured, match="PHOTOS_BUCKET"):
        upload_ticket(key=KEY, content_type="image/jpeg", max_bytes=10)
