# ruff: noqa: F811 (the AWS fixtures are imported by name, then requested by name)
"""Issue 11, "Pages the browser can cache": in S3 mode a rendition's presigned URL stays the
same for a window (signed at the window's start, valid for the window plus a margin) and
changes with the rendition (a reprocess), and S3 serves it with a long-lived Cache-Control;
locally the rendition view sends a validator and answers 304."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import botocore.auth
import pytest
import requests
from aws_fixtures import aws_env, photo_bucket, s3  # noqa: F401
from botocore.awsrequest import AWSRequest
from factories import PhotoFactory

from webapp.photos import links
from webapp.photos.aws import s3_links
from webapp.photos.models import Photo
from webapp.photos.storage import RENDITION_CACHE_CONTROL, S3PhotoStorage

pytestmark = pytest.mark.django_db


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def s3_photo(alice, photo_bucket, s3):
    photo = PhotoFactory(owner=alice, ready=True)
    for rendition in photo.renditions.values():
        s3.put_object(
            Bucket=photo_bucket,
            Key=rendition["key"],
            Body=b"RIFF....WEBP",
            ContentType="image/webp",
        )
    return photo


def _urls_at(photo, when: datetime) -> dict:
    storage = S3PhotoStorage()
    return s3_links.rendition_urls(
        photo,
        version="v1",
        cache_control=RENDITION_CACHE_CONTROL,
        client=storage.client,
        bucket=storage.bucket,
        now=when,
    )


def test_a_rendition_link_is_the_same_for_the_whole_window(s3_photo, settings):
    settings.PHOTOS_LINK_WINDOW_SECONDS = 3600
    settings.PHOTOS_LINK_SECONDS = 3600
    start = datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC)

    early = _urls_at(s3_photo, start + timedelta(minutes=1))
    late = _urls_at(s3_photo, start + timedelta(minutes=59, seconds=59))
    next_window = _urls_at(s3_photo, start + timedelta(hours=1, seconds=1))

    assert early == late
    assert early["thumb"] != next_window["thumb"]
    query = _query(early["thumb"])
    assert query["X-Amz-Date"] == "20261202T100000Z"  # the window's start, not the clock
    assert query["X-Amz-Expires"] == "7200"  # the window plus the margin
    assert query["response-cache-control"] == RENDITION_CACHE_CONTROL
    assert query[s3_links.VERSION_PARAM] == "v1"


def test_pages_show_the_same_links_on_every_view_and_new_ones_after_a_reprocess(
    s3_photo, alice_client
):
    first = alice_client.get(f"/api/photos/{s3_photo.pk}").json()["renditions"]
    second = alice_client.get(f"/api/photos/{s3_photo.pk}").json()["renditions"]
    Photo.objects.filter(pk=s3_photo.pk).update(processed_at="2030-01-01T00:00:00Z")
    reprocessed = alice_client.get(f"/api/photos/{s3_photo.pk}").json()["renditions"]

    assert first == second
    assert first["thumb"] != reprocessed["thumb"]
    assert urlsplit(first["thumb"]).path == urlsplit(reprocessed["thumb"]).path  # same key


def test_the_signature_is_botocores_own_at_that_instant(s3_photo, monkeypatch):
    # given a windowed link
    url = links.rendition_urls(s3_photo)["thumb"]
    query = _query(url)
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    # when botocore's stock S3 query signer signs the same request with its clock at that
    # instant (its signed parameters, the version included, without the X-Amz ones)
    parts = urlsplit(url)
    unsigned = "&".join(p for p in parts.query.split("&") if not p.startswith("X-Amz-"))
    request = AWSRequest(method="GET", url=parts._replace(query=unsigned).geturl())
    client = S3PhotoStorage().client
    credentials = client._request_signer._credentials.get_frozen_credentials()
    signer = botocore.auth.S3SigV4QueryAuth(
        credentials, "s3", client.meta.region_name, expires=int(query["X-Amz-Expires"])
    )
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: signed_at)
    signer.add_auth(request)

    # then the signatures agree
    assert _query(request.url)["X-Amz-Signature"] == query["X-Amz-Signature"]


def test_s3_serves_the_windowed_link_with_a_long_lived_cache_control(s3_photo):
    url = links.rendition_urls(s3_photo)["thumb"]

    response = requests.get(url, timeout=30)

    assert response.status_code == 200
    assert response.content == b"RIFF....WEBP"
    assert response.headers["Cache-Control"] == RENDITION_CACHE_CONTROL


def test_other_presigned_urls_still_sign_at_the_current_time(s3_photo):
    links.rendition_urls(s3_photo)  # the windowed signer is registered on the client

    original = links.original_url(s3_photo)

    signed = datetime.strptime(_query(original)["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    assert abs(datetime.now(UTC).replace(tzinfo=None) - signed) < timedelta(minutes=1)
    assert s3_links.VERSION_PARAM not in _query(original)


# --- local: validators and 304 ---------------------------------------------------------------


@pytest.fixture
def local_rendition(alice_client, upload):
    photo = Photo.objects.get(pk=upload(alice_client, "hopper.jpg"))
    return links.rendition_urls(photo)["thumb"]


def test_a_local_rendition_carries_a_validator_and_answers_304(alice_client, local_rendition):
    first = alice_client.get(local_rendition)
    etag, modified = first["ETag"], first["Last-Modified"]

    by_etag = alice_client.get(local_rendition, HTTP_IF_NONE_MATCH=etag)
    by_date = alice_client.get(local_rendition, HTTP_IF_MODIFIED_SINCE=modified)
    changed = alice_client.get(local_rendition, HTTP_IF_NONE_MATCH='"something-else"')

    assert first.status_code == 200 and etag.startswith('"')
    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag["ETag"] == etag
    assert by_etag["Cache-Control"] == RENDITION_CACHE_CONTROL
    assert by_date.status_code == 304
    assert changed.status_code == 200
    assert b"".join(changed.streaming_content)[8:12] == b"WEBP"


def test_a_304_is_only_for_someone_allowed_to_see_the_file(bob_client, local_rendition):
    assert bob_client.get(local_rendition, HTTP_IF_NONE_MATCH="*").status_code == 404
