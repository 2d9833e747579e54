# ruff: noqa: F811 (the AWS fixtures are imported by name, then requested by name)
"""Issue 11, "S3 storage with the inline or Celery runner": the page's POST to the presigned
URL lands in the bucket, then POST /api/photos/<id>/complete makes the server check the
object (HEAD: there, the size announced, within the limit, the type the ticket allowed) and
start the jobs through the configured runner. With the lambda runner the bucket's own event
starts them, so complete only records the upload: nothing runs twice.

Rehearsed against moto's server; the Celery case with a real broker and a real worker."""

import pytest
import requests
from aws_fixtures import aws_env, photo_bucket, s3  # noqa: F401
from test_celery import wait_for_photo
from web_helpers import request_ticket

from jobs import work
from webapp.photos import runners
from webapp.photos.models import Photo, PhotoStatus

pytest_plugins = ["celery_fixtures"]


def s3_post(client, path, *, content_type="image/jpeg", declared=None, body=None):
    """The page's first two steps: a ticket from the API, the file straight to the bucket."""
    body = path.read_bytes() if body is None else body
    response = request_ticket(
        client,
        filename=path.name,
        content_type=content_type,
        size=declared if declared is not None else len(body),
    )
    assert response.status_code == 201, response.content
    ticket = response.json()
    response = requests.post(
        ticket["url"],
        data=ticket["fields"],
        files={"file": (path.name, body, content_type)},
        timeout=30,
    )
    assert response.status_code == 204, response.text
    return ticket["photo_id"]


@pytest.mark.django_db
def test_complete_starts_the_inline_jobs_on_the_bucket(
    alice_client, photo_bucket, photos_dir, run_jobs
):
    photo_id = s3_post(alice_client, photos_dir / "hopper.jpg")

    with run_jobs():
        response = alice_client.post(f"/api/photos/{photo_id}/complete")

    assert response.status_code == 200, response.content
    photo = Photo.objects.get(pk=photo_id)
    assert photo.status == PhotoStatus.READY, photo.jobs
    assert photo.bytes == (photos_dir / "hopper.jpg").stat().st_size
    assert photo.source_etag and "thumb" in photo.renditions


@pytest.mark.django_db
def test_complete_refuses_an_object_that_is_not_the_one_announced_and_deletes_it(
    alice_client, photo_bucket, s3, photos_dir, run_jobs
):
    path = photos_dir / "hopper.jpg"
    # The policy admits anything up to the limit; the browser announced fewer bytes.
    photo_id = s3_post(alice_client, path, declared=path.stat().st_size - 100)
    key = Photo.objects.get(pk=photo_id).original_key

    with run_jobs() as callbacks:
        response = alice_client.post(f"/api/photos/{photo_id}/complete")

    assert response.status_code == 400
    assert response.json()["error"].startswith("the file that arrived")
    assert Photo.objects.get(pk=photo_id).status == PhotoStatus.UPLOADING
    assert s3.list_objects_v2(Bucket=photo_bucket, Prefix=key).get("KeyCount") == 0
    assert callbacks == []  # no job started


@pytest.mark.django_db
def test_complete_with_the_lambda_runner_records_but_never_dispatches_twice(
    alice_client, photo_bucket, photos_dir, settings, monkeypatch, run_jobs
):
    settings.PHOTOS_JOB_RUNNER = "lambda"
    announced = []
    monkeypatch.setattr(runners.LambdaRunner, "dispatch", lambda self, r: announced.append(r))
    photo_id = s3_post(alice_client, photos_dir / "hopper.jpg")

    with run_jobs():
        first = alice_client.post(f"/api/photos/{photo_id}/complete")
        second = alice_client.post(f"/api/photos/{photo_id}/complete")

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == second.json()["status"] == "processing"
    photo = Photo.objects.get(pk=photo_id)
    assert photo.source_etag and photo.uploaded_at  # the S3 event's job results will match it
    assert announced == []  # S3 -> SNS -> the job functions start the jobs, once


@pytest.mark.celery
@pytest.mark.timeout(240)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", ["redis"], indirect=True)
def test_ticket_post_to_s3_complete_then_a_celery_worker_makes_it_ready(
    broker, celery_runner, celery_workers, alice_client, photo_bucket, photos_dir, monkeypatch
):
    # given a real worker on the bucket (it reads its storage from the environment)
    monkeypatch.setenv("PHOTOS_STORAGE", "s3")
    monkeypatch.setenv("PHOTOS_BUCKET", photo_bucket)
    celery_workers.start()

    # when: ticket -> POST to S3 -> complete
    photo_id = s3_post(alice_client, photos_dir / "hopper.jpg")
    response = alice_client.post(f"/api/photos/{photo_id}/complete")

    # then
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "processing"
    photo = wait_for_photo(photo_id, timeout=90, workers=celery_workers)
    assert photo.status == PhotoStatus.READY, photo.jobs
    assert set(photo.renditions) == {"thumb", "medium", "large"}
    assert {celery_workers.attempts(photo_id, job) for job in work.JOBS} == {1}
    thumb = requests.get(alice_client.get(f"/api/photos/{photo_id}").json()["renditions"]["thumb"])
    assert thumb.content[8:12] == b"WEBP"
