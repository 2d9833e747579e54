"""Fixtures for the jobs tests: AWS through the session's moto server, one bucket and one
results table per test, and the environment variables boto3 reads."""

import sys

import aws
import pytest


@pytest.fixture
def aws_env(moto_server, monkeypatch) -> str:
    """Point every boto3 client made in this test at the emulator; the endpoint URL."""
    for name, value in aws.environment(moto_server).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_server


@pytest.fixture
def s3(aws_env):
    return aws.client("s3", aws_env)


@pytest.fixture
def dynamodb(aws_env):
    return aws.client("dynamodb", aws_env)


@pytest.fixture
def bucket(s3) -> str:
    return aws.create_bucket(s3)


@pytest.fixture
def results_table(dynamodb) -> str:
    return aws.create_results_table(dynamodb)


@pytest.fixture
def python() -> str:
    return sys.executable
