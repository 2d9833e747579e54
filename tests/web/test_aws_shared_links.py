# ruff: noqa: F811 (the AWS fixtures are imported by name, then requested by name)
"""Sharing links with PHOTOS_STORAGE=s3, against moto's server: the shared page's images are
presigned GETs of the private bucket (the same links the owner's pages get), which a
browser without any account can load; the original only when the owner allowed it."""

import re

import pytest
import requests
from album_helpers import ready_photo
from aws_fixtures import aws_env, photo_bucket, s3  # noqa: F401
from django.core.cache import cache
from django.test import Client

from webapp.photos import share_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo_in_bucket(alice, s3, photo_bucket):
    photo = ready_photo(alice)
    for name, rendition in photo.renditions.items():
        s3.put_object(Bucket=photo_bucket, Key=rendition["key"], Body=f"webp-{name}".encode())
    s3.put_object(Bucket=photo_bucket, Key=photo.original_key, Body=b"original bytes")
    return photo


def test_shared_images_are_presigned_gets_of_the_private_bucket(
    alice, photo_in_bucket, photo_bucket, aws_env
):
    cache.clear()
    _, token = share_services.share_create(owner=alice, photo=photo_in_bucket)
    html = Client().get(f"/s/{token}/").content.decode()
    src = re.search(r'<img[^>]* src="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert src.startswith(f"{aws_env}/{photo_bucket}/renditions/{photo_in_bucket.pk}/medium.webp?")
    assert "X-Amz-Signature=" in src and "X-Amz-Expires=" in src
    assert requests.get(src, timeout=10).content == b"webp-medium"
    assert "original" not in html


def test_the_original_is_presigned_only_when_allowed(alice, photo_in_bucket, photo_bucket):
    cache.clear()
    _, token = share_services.share_create(owner=alice, photo=photo_in_bucket, allow_download=True)
    visitor = Client()
    html = visitor.get(f"/s/{token}/").content.decode()
    href = re.search(r'href="([^"]+)"[^>]*download=', html).group(1).replace("&amp;", "&")
    assert f"/{photo_bucket}/{photo_in_bucket.original_key}?" in href
    response = requests.get(href, timeout=10)
    assert response.content == b"original bytes"
    assert "attachment" in response.headers["Content-Disposition"]
    # The link's own download URL answers, after its checks, with a presigned redirect.
    response = visitor.get(f"/s/{token}/files/{photo_in_bucket.pk}/original")
    assert response.status_code == 302 and "X-Amz-Signature=" in response["Location"]
