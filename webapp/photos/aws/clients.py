"""boto3 clients for the web function, made once per process and reused by warm containers.

An endpoint override (AWS_ENDPOINT_URL, which boto3 honours itself) means an emulator for a
rehearsal; S3 is then addressed by path, since `<bucket>.127.0.0.1` resolves nowhere.
"""

import os
from functools import cache

from django.conf import settings


def region() -> str:
    return (
        getattr(settings, "AWS_S3_REGION_NAME", "")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or "us-east-1"
    )


def endpoint_url(service: str) -> str | None:
    return (
        os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}")
        or os.environ.get("AWS_ENDPOINT_URL")
        or None
    )


def client(service: str):
    return _client(service, region(), endpoint_url(service))


@cache
def _client(service: str, region_name: str, endpoint: str | None):
    import boto3
    from botocore.config import Config

    options = {"retries": {"mode": "standard", "max_attempts": 3}}
    if service == "s3":
        # SigV4 is what every region accepts for presigned URLs and POST policies.
        options["signature_version"] = "s3v4"
        options["s3"] = {"addressing_style": "path" if endpoint else "virtual"}
    return boto3.client(
        service, region_name=region_name, endpoint_url=endpoint, config=Config(**options)
    )


def photo_bucket() -> str:
    bucket = getattr(settings, "PHOTOS_BUCKET", "") or os.environ.get("PHOTOS_BUCKET", "")
    if not bucket:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("PHOTOS_BUCKET must name the photo bucket in S3 mode")
    return bucket
