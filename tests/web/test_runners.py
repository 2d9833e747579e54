"""The inline runner: the real thread pool, failures that must not leave a photo stuck, and
the job-side door into the services."""

import pytest
from web_helpers import post_file, request_ticket

from webapp.photos import job_outcomes, runners, services
from webapp.photos.models import Photo, PhotoStatus


@pytest.mark.django_db(transaction=True)
def test_jobs_run_on_the_thread_pool_after_the_upload_commits(
    alice_client, threaded_jobs, photos_dir
):
    # a real phone photo: 12 MP HEIC
    path = photos_dir / "heif_pug.heic"
    ticket = request_ticket(
        alice_client, filename=path.name, content_type="image/heic", size=path.stat().st_size
    ).json()

    response = post_file(alice_client, ticket, path)

    assert response.status_code == 204
    assert runners.wait_idle(timeout=120)
    photo = Photo.objects.get(pk=ticket["photo_id"])
    assert photo.status == PhotoStatus.READY, photo.error
    assert set(photo.jobs) == {"renditions", "metadata"}
    assert (photo.format, photo.width, photo.height) == ("HEIF", 4032, 3024)
    sizes = {name: (r["width"], r["height"]) for name, r in photo.renditions.items()}
    assert sizes == {"thumb": (256, 192), "medium": (1024, 768), "large": (2048, 1536)}


@pytest.mark.django_db(transaction=True)
def test_many_uploads_at_once_all_finish(alice_client, threaded_jobs, photos_dir):
    names = ["hopper.jpg", "hopper.png", "hopper.gif", "hopper.webp", "hopper.tif"]
    types = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff"]
    ids = []
    for name, content_type in zip(names, types, strict=True):
        path = photos_dir / name
        ticket = request_ticket(
            alice_client, filename=name, content_type=content_type, size=path.stat().st_size
        ).json()
        assert post_file(alice_client, ticket, path).status_code == 204
        ids.append(ticket["photo_id"])

    assert runners.wait_idle(timeout=120)

    statuses = dict(Photo.objects.filter(pk__in=ids).values_list("filename", "status"))
    assert statuses == dict.fromkeys(names, PhotoStatus.READY)


@pytest.mark.django_db
def test_an_unexpected_error_is_recorded_instead_of_leaving_the_photo_processing(
    alice, monkeypatch, caplog
):
    # given a photo whose jobs crash for a reason that is not the file's fault
    photo = services.photo_create(owner=alice, filename="a.jpg", content_type="image/jpeg", size=9)
    Photo.objects.filter(pk=photo.pk).update(status=PhotoStatus.PROCESSING, source_etag="e1")
    photo.refresh_from_db()

    def crash(*args, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr("jobs.work.run_job", crash)

    # when the runner runs both jobs
    runners.run_inline(runners.record_for(photo))

    # then the photo is failed with a reason and the traceback is in the log
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.FAILED
    assert photo.error == "internal error: OSError"
    assert photo.jobs["renditions"]["source_etag"] == "e1"
    assert "disk on fire" in caplog.text


@pytest.mark.django_db
def test_a_missing_original_fails_the_photo(alice):
    photo = services.photo_create(owner=alice, filename="a.jpg", content_type="image/jpeg", size=9)
    Photo.objects.filter(pk=photo.pk).update(status=PhotoStatus.PROCESSING, source_etag="e1")
    photo.refresh_from_db()

    runners.run_inline(runners.record_for(photo))

    photo.refresh_from_db()
    assert photo.status == PhotoStatus.FAILED
    assert photo.error.startswith("internal error")


def test_the_record_is_what_s3_would_send(alice):
    photo = Photo(original_key="uploads/5f0c/a.jpg", declared_size=10, bytes=12, source_etag="abc")

    record = runners.record_for(photo)

    assert (record.bucket, record.key, record.size, record.etag) == (
        "local",
        "uploads/5f0c/a.jpg",
        12,
        "abc",
    )
    assert record.photo_id == "5f0c"
    assert record.sequencer


def test_wait_idle_with_nothing_pending_returns_at_once():
    assert runners.wait_idle(timeout=0) is True


@pytest.mark.django_db
def test_the_job_side_door_records_through_the_service(alice):
    photo = services.photo_create(owner=alice, filename="a.jpg", content_type="image/jpeg", size=9)
    Photo.objects.filter(pk=photo.pk).update(status=PhotoStatus.PROCESSING, source_etag="e1")

    job_outcomes.record_outcome(
        str(photo.pk),
        "renditions",
        {
            "status": "failed",
            "error": "corrupt JPEG",
            "source_etag": "e1",
            "finished_at": "2026-11-27T10:00:00.000Z",
            "duration_ms": 3,
        },
    )

    photo.refresh_from_db()
    assert photo.status == PhotoStatus.FAILED
    assert photo.error == "corrupt JPEG"
