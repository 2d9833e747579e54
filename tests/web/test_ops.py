"""Operations: `manage.py reprocess`, `manage.py photos_stats`, /healthz and JSON logs."""

import io
import json
import logging
from datetime import UTC, datetime

import aws  # tests/aws.py
import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from webapp.celery import app as celery_app
from webapp.logging import JsonFormatter, LogContextFilter, log_context
from webapp.photos import services, tasks
from webapp.photos.management.commands.reprocess import ProgressBar
from webapp.photos.models import Photo, PhotoStatus
from webapp.photos.storage import S3PhotoStorage

# The celery_runner fixture lives beside this module.
pytest_plugins = ["celery_fixtures"]


def run(command: str, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def break_photo(photo_id, reason="could not be processed, try again later") -> None:
    """As an outage leaves a photo: its renditions job recorded as failed."""
    photo = Photo.objects.get(pk=photo_id)
    jobs = {**photo.jobs, "renditions": {"status": "failed", "error": reason}}
    Photo.objects.filter(pk=photo_id).update(
        status=PhotoStatus.FAILED, error=reason, jobs=jobs, renditions={}
    )


# --- reprocess --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "which photos?"),
        (("--all", "--failed"), "--all already includes --failed"),
        (("--all", "7d0c9c7e-5f7e-4a55-9d3c-0a8f3c1f6b1e"), "not both"),
        (("not-a-uuid",), "not a photo id: 'not-a-uuid'"),
        (("7d0c9c7e-5f7e-4a55-9d3c-0a8f3c1f6b1e",), "no such photo: 7d0c9c7e"),
        (("--since", "last tuesday"), "--since: not a date: 'last tuesday'"),
        (("--since", "2026-13-45"), "--since: not a date"),
    ],
)
def test_reprocess_refuses_bad_arguments_in_words(args, message):
    with pytest.raises(CommandError, match=message.replace("?", r"\?")):
        run("reprocess", *args)


@pytest.mark.django_db
def test_reprocess_failed_redoes_only_the_failed_photos(alice_client, upload, run_jobs):
    # given: two ready photos, one of which an outage then failed
    broken = upload(alice_client, "hopper.jpg")
    fine = upload(alice_client, "hopper.png")
    break_photo(broken)
    fine_before = Photo.objects.get(pk=fine)

    # when
    with run_jobs():
        out, err = run("reprocess", "--failed")

    # then
    repaired = Photo.objects.get(pk=broken)
    assert repaired.status == PhotoStatus.READY
    assert repaired.error == ""
    assert set(repaired.renditions) == {"thumb", "medium", "large"}
    assert Photo.objects.get(pk=fine).processed_at == fine_before.processed_at
    assert "reprocessing 1 photo(s) with the inline runner" in out
    assert "1/1 100%" in out
    assert err == ""


@pytest.mark.django_db
def test_reprocess_since_and_by_id(alice_client, upload, run_jobs):
    old, new = upload(alice_client, "hopper.jpg"), upload(alice_client, "hopper.gif")
    Photo.objects.filter(pk=old).update(created_at=datetime(2020, 1, 1, tzinfo=UTC))
    for photo_id in (old, new):
        break_photo(photo_id)

    with run_jobs():
        run("reprocess", "--since", "2021-06-01")
    assert Photo.objects.get(pk=old).status == PhotoStatus.FAILED
    assert Photo.objects.get(pk=new).status == PhotoStatus.READY

    with run_jobs():
        run("reprocess", str(old))
    assert Photo.objects.get(pk=old).status == PhotoStatus.READY


@pytest.mark.django_db
def test_reprocess_skips_a_photo_whose_upload_never_finished(alice):
    pending = services.photo_create(
        owner=alice, filename="a.jpg", content_type="image/jpeg", size=10
    )

    out, err = run("reprocess", str(pending.pk))

    assert f"skipped {pending.pk}: this photo has no original yet" in err
    assert "0 photo(s) done" in out
    assert Photo.objects.get(pk=pending.pk).status == PhotoStatus.UPLOADING


@pytest.mark.django_db(transaction=True)
def test_reprocess_waits_for_the_inline_pool_to_drain(alice_client, upload, threaded_jobs):
    # given: photos broken after upload; jobs now run on the real thread pool
    from webapp.photos import runners

    photo_ids = [upload(alice_client, name) for name in ("hopper.jpg", "hopper.png", "hopper.tif")]
    assert runners.wait_idle(timeout=60)
    for photo_id in photo_ids:
        break_photo(photo_id)

    # when
    out, _ = run("reprocess", "--all")

    # then: the command returned only once every job had recorded its outcome
    assert "waiting for the jobs to finish" in out
    statuses = set(Photo.objects.filter(pk__in=photo_ids).values_list("status", flat=True))
    assert statuses == {PhotoStatus.READY}
    assert "3 ready" in out


@pytest.mark.django_db
def test_reprocess_with_celery_queues_both_jobs_per_photo(
    celery_runner, monkeypatch, alice, run_jobs, settings
):
    # given: three processed photos (rows only: the broker is replaced by a list)
    photos = []
    for n in range(3):
        photo = services.photo_create(
            owner=alice, filename=f"{n}.jpg", content_type="image/jpeg", size=10
        )
        Photo.objects.filter(pk=photo.pk).update(status=PhotoStatus.READY, source_etag=f"e{n}")
        photos.append(photo)
    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args, **kw: sent.append(tuple(args)))

    # when
    with run_jobs():
        out, _ = run("reprocess", "--all")

    # then: nothing ran here, everything is queued, nobody waited
    assert len(sent) == 6
    assert {record["key"] for record, _ in sent} == {p.original_key for p in photos}
    assert "3 photo(s) queued for the celery workers" in out
    assert "waiting" not in out
    statuses = set(Photo.objects.values_list("status", flat=True))
    assert statuses == {PhotoStatus.PROCESSING}


def test_progress_bar_without_a_terminal_prints_a_line_per_tenth():
    stream = io.StringIO()
    bar = ProgressBar(200, stream, width=10)

    for _ in range(200):
        bar.update()
    bar.close()

    lines = stream.getvalue().splitlines()
    assert len(lines) == 11  # 0%..100%, never 200 lines in a log
    assert lines[-1] == "[##########] 200/200 100%"
    assert "\r" not in stream.getvalue()


def test_progress_bar_on_a_terminal_redraws_one_line():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    bar = ProgressBar(4, stream, width=4)
    for _ in range(4):
        bar.update()
    bar.close()

    assert stream.getvalue().count("\r") == 4
    assert stream.getvalue().endswith("\r[####] 4/4 100%\n")


# --- photos_stats -----------------------------------------------------------------------------


def outcome(duration_ms: int, status: str = "done") -> dict:
    return {"status": status, "duration_ms": duration_ms, "finished_at": "2026-11-27T10:00:00Z"}


@pytest.mark.django_db
def test_photos_stats_counts_failures_and_median_durations(alice):
    # given
    def photo(status, error="", **jobs):
        made = services.photo_create(
            owner=alice, filename="x.jpg", content_type="image/jpeg", size=10
        )
        Photo.objects.filter(pk=made.pk).update(status=status, error=error, jobs=jobs)

    photo("ready", renditions=outcome(100), metadata=outcome(10))
    photo("ready", renditions=outcome(300), metadata=outcome(30))
    photo("ready", renditions=outcome(200), metadata=outcome(20))
    photo("ready", renditions=outcome(4000), metadata=outcome(40))
    photo("failed", "corrupt JPEG", renditions=outcome(5, "failed"), metadata=outcome(6, "failed"))
    photo("failed", "corrupt JPEG")
    photo("failed", "not an image")
    photo("processing")
    services.photo_create(owner=alice, filename="y.jpg", content_type="image/jpeg", size=10)

    # when
    stats = json.loads(run("photos_stats", "--json")[0])
    text = run("photos_stats", "--top", "1")[0]

    # then
    assert stats["photos"] == 9
    assert stats["by_status"] == {"uploading": 1, "processing": 1, "ready": 4, "failed": 3}
    assert stats["failures"] == [
        {"reason": "corrupt JPEG", "photos": 2},
        {"reason": "not an image", "photos": 1},
    ]
    # Failed runs are left out: a file refused in 5 ms says nothing about rendering speed.
    assert stats["durations"]["renditions"] == {"runs": 4, "median_ms": 250, "p95_ms": 4000}
    assert stats["durations"]["metadata"] == {"runs": 4, "median_ms": 25, "p95_ms": 40}
    assert "ready              4" in text
    assert "corrupt JPEG" in text and "not an image" not in text
    assert "renditions  median 250 ms, p95 4.00 s over 4 run(s)" in text


@pytest.mark.django_db
def test_photos_stats_on_an_empty_site():
    text = run("photos_stats")[0]

    assert text.startswith("0 photo(s)")
    assert "failures: none" in text
    assert "renditions  no runs yet" in text


# --- /healthz -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_is_ok_with_one_query_and_no_session(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "storage": "ok",
    }
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_is_503_when_media_root_is_not_writable(client, settings, tmp_path):
    # given: MEDIA_ROOT is a file where a folder should be (root ignores permission bits)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "media"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["storage"]["status"] == "failing"
    assert body["checks"]["database"]["status"] == "ok"
    # Public endpoint: the kind of error, never the path.
    assert str(tmp_path) not in response.content.decode()


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def refuse():
        raise OperationalError("could not connect to server at 10.0.0.5")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "status": "failing",
        "error": "OperationalError",
        "ms": response.json()["checks"]["database"]["ms"],
    }
    assert "10.0.0.5" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_heads_the_bucket_when_storage_is_s3(client, moto_server, monkeypatch):
    s3 = aws.client("s3", moto_server)
    bucket = aws.create_bucket(s3)
    monkeypatch.setattr(
        "webapp.photos.storage.photo_storage",
        lambda: S3PhotoStorage(client=s3, bucket=bucket),
    )
    assert client.get("/healthz").status_code == 200

    monkeypatch.setattr(
        "webapp.photos.storage.photo_storage",
        lambda: S3PhotoStorage(client=s3, bucket=bucket + "-gone"),
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["error"] == "ClientError"


# --- JSON logs --------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    """Every log line of the process, as the JSON handler writes it, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(LogContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_json_lines_carry_the_context_and_extras(json_log):
    log = logging.getLogger("darkroom.test")

    log.info("outside")
    with log_context(photo_id="p-1", job="metadata"):
        log.warning("inside %s", "the job", extra={"bytes": 12})
        with log_context(job="renditions"):
            log.error("nested")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")

    outside, inside, nested, failed = json_log()
    assert outside["photo_id"] is None and outside["message"] == "outside"
    assert inside == {
        "timestamp": inside["timestamp"],
        "level": "WARNING",
        "logger": "darkroom.test",
        "message": "inside the job",
        "photo_id": "p-1",
        "job": "metadata",
        "exception": None,
        "service": inside["service"],
        "bytes": 12,
    }
    assert datetime.fromisoformat(inside["timestamp"]).tzinfo is not None
    assert (nested["photo_id"], nested["job"]) == ("p-1", "renditions")
    assert failed["photo_id"] is None
    assert "ValueError: boom" in failed["exception"]


@pytest.mark.django_db
def test_every_line_of_a_celery_job_names_its_photo(alice, media_root, photos_dir, json_log):
    # given: a processing photo whose original is stored
    data = (photos_dir / "hopper.jpg").read_bytes()
    photo = services.photo_create(
        owner=alice, filename="hopper.jpg", content_type="image/jpeg", size=len(data)
    )
    (media_root / photo.original_key).parent.mkdir(parents=True)
    (media_root / photo.original_key).write_bytes(data)
    Photo.objects.filter(pk=photo.pk).update(status=PhotoStatus.PROCESSING, source_etag="e")
    record = {"bucket": "local", "key": photo.original_key, "size": len(data), "etag": "e"}

    # when
    tasks.run_photo_job.apply(args=(record, "metadata"), task_id="task-42")

    # then
    lines = [line for line in json_log() if line["logger"].startswith(("jobs", "webapp"))]
    assert any(line["logger"] == "jobs.work" for line in lines)
    for line in lines:
        assert line["photo_id"] == str(photo.pk), line
        assert line["job"] == "metadata"
        assert line["task_id"] == "task-42"
