"""AWS fixtures for the web tests: boto3 pointed at the session's moto server (a real HTTP
emulator, tests/aws.py), plus the S3-mode settings of the photos app."""

import aws  # tests/aws.py
import pytest

from webapp.photos.aws import clients


@pytest.fixture
def aws_env(moto_server, monkeypatch) -> str:
    for name, value in aws.environment(moto_server).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # Clients are cached per (service, region, endpoint): a fresh endpoint means fresh clients.
    clients._client.cache_clear()
    yield moto_server
    clients._client.cache_clear()


@pytest.fixture
def s3(aws_env):
    return aws.client("s3", aws_env)


@pytest.fixture
def photo_bucket(s3, settings) -> str:
    name = aws.create_bucket(s3)
    settings.PHOTOS_STORAGE = "s3"
    settings.PHOTOS_BUCKET = name
    return name
