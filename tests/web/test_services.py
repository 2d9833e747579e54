"""The write side: upload validation, names and keys, and recording job outcomes."""

import base64
import io
import logging
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from factories import ETAG, PhotoFactory  # tests/web/factories.py
from PIL import Image
from runner_fakes import recording_runner

from jobs.placeholder import data_url_for
from webapp.photos import record_columns, runners, services
from webapp.photos.models import Photo, PhotoStatus

pytestmark = pytest.mark.django_db

HASH = "LEHV6nWB2yk8pyo0adR*.7kCMdnj"


def outcome(result=None, *, status="done", etag=ETAG, finished="2026-11-27T10:00:00.000Z", **kw):
    data = {"status": status, "source_etag": etag, "finished_at": finished, "duration_ms": 12}
    if status == "done":
        data["result"] = result
    data.update(kw)
    return data


def renditions_result(width=256, height=192, *, photo_id="x"):
    return {
        "renditions": [
            {
                "name": name,
                "key": f"renditions/{photo_id}/{name}.webp",
                "width": w,
                "height": h,
                "bytes": 99,
            }
            for name, w, h in [
                ("thumb", width, height),
                ("medium", width * 4, height * 4),
                ("large", width * 8, height * 8),
            ]
        ],
        "placeholder": HASH,
        "placeholder_data_url": data_url_for(HASH, (width, height)),
    }


def metadata_result(**overrides):
    record = {
        "ok": True,
        "error": None,
        "format": "JPEG",
        "mime": "image/jpeg",
        "bytes": 1000,
        "sha256": "a" * 64,
        "width": 128,
        "height": 96,
        "orientation": 1,
        "taken_at": "2019-07-14T18:30:05.120+02:00",
        "camera_make": "Canon",
        "camera_model": "Canon EOS 5D",
        "lens": None,
        "exposure_time": 0.004,
        "f_number": 2.8,
        "focal_length": 50.0,
        "iso": 200,
        "gps": {"lat": 48.8584, "lon": 2.2945, "alt": 35.0},
        "exif": {"Software": "Test"},
    }
    record.update(overrides)
    return record


# --- photo_create -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "size", "reason"),
    [
        ("text/plain", 1000, "not an image type: text/plain"),
        ("application/pdf", 1000, "not an image type: application/pdf"),
        ("image/jpeg", 0, "empty file"),
        ("image/jpeg", 80_000_000, "too large: 80 MB, limit 50 MB"),
    ],
)
def test_create_refuses_in_words(alice, settings, content_type, size, reason):
    settings.PHOTOS_MAX_UPLOAD_BYTES = 50_000_000

    with pytest.raises(ValidationError) as refused:
        services.photo_create(owner=alice, filename="x.jpg", content_type=content_type, size=size)

    assert refused.value.messages == [reason]
    assert not Photo.objects.exists()


def test_create_makes_an_uploading_photo_with_its_key(alice):
    photo = services.photo_create(
        owner=alice, filename="Holiday 2024.JPG", content_type="image/jpeg", size=1234
    )

    assert photo.status == PhotoStatus.UPLOADING
    assert photo.filename == "Holiday 2024.JPG"
    assert photo.original_key == f"uploads/{photo.pk}/Holiday-2024.jpg"
    assert photo.declared_size == 1234
    assert photo.content_type == "image/jpeg"


def test_create_infers_a_missing_type_from_the_extension(alice):
    # Desktop browsers send no type for HEIC files.
    photo = services.photo_create(owner=alice, filename="IMG_1.HEIC", content_type="", size=10)

    assert photo.content_type == "image/heic"


@pytest.mark.parametrize(
    ("filename", "content_type", "safe"),
    [
        ("C:\\Users\\me\\Pictures\\cat.png", "image/png", "cat.png"),
        ("../../etc/passwd.jpg", "image/jpeg", "passwd.jpg"),
        ("été à Paris.jpeg", "image/jpeg", "été-à-Paris.jpeg"),
        ("ｆｕｌｌ　ｗｉｄｔｈ.jpg", "image/jpeg", "full-width.jpg"),
        ("no extension", "image/webp", "no-extension.webp"),
        ("...", "image/gif", "photo.gif"),
        ("", "image/png", "photo.png"),
        ("a\x00b\u202ec.jpg", "image/jpeg", "abc.jpg"),
        ("shell; rm -rf $HOME.JPG", "image/jpeg", "shell-rm-rf-HOME.jpg"),
    ],
)
def test_safe_name_keeps_one_clean_segment_and_the_extension(filename, content_type, safe):
    assert services.safe_name(filename, content_type) == safe


def test_safe_name_is_limited_in_bytes_not_characters():
    name = services.safe_name("日本" * 200 + ".jpg", "image/jpeg")

    assert name.endswith(".jpg")
    assert len(name.encode("utf-8")) <= 130
    assert name.startswith("日本日本")


# --- photo_results_record -----------------------------------------------------------------


def test_metadata_outcome_fills_the_columns(alice):
    photo = PhotoFactory(owner=alice, processing=True)

    services.photo_results_record(
        photo_id=str(photo.pk), job="metadata", outcome=outcome(metadata_result())
    )

    photo.refresh_from_db()
    assert photo.status == PhotoStatus.PROCESSING  # renditions still to come
    assert (photo.format, photo.mime, photo.width, photo.height) == ("JPEG", "image/jpeg", 128, 96)
    assert photo.taken_at == datetime(2019, 7, 14, 18, 30, 5, 120000, tzinfo=UTC)
    assert photo.taken_at_offset == "+02:00"
    assert (photo.camera_make, photo.camera_model, photo.lens) == ("Canon", "Canon EOS 5D", "")
    assert (photo.exposure_time, photo.f_number, photo.focal_length, photo.iso) == (
        0.004,
        2.8,
        50.0,
        200,
    )
    assert (photo.gps_lat, photo.gps_lon, photo.gps_alt) == (48.8584, 2.2945, 35.0)
    assert photo.has_gps
    assert photo.exif == {"Software": "Test"}
    assert photo.metadata["sha256"] == "a" * 64
    assert photo.jobs["metadata"]["status"] == "done"


def test_both_jobs_done_make_the_photo_ready(alice):
    photo = PhotoFactory(owner=alice, processing=True)

    services.photo_results_record(
        photo_id=photo.pk, job="renditions", outcome=outcome(renditions_result(photo_id=photo.pk))
    )
    services.photo_results_record(
        photo_id=photo.pk,
        job="metadata",
        outcome=outcome(metadata_result(), finished="2026-11-27T10:00:01.500Z"),
    )

    photo.refresh_from_db()
    assert photo.status == PhotoStatus.READY
    assert photo.error == ""
    assert photo.processed_at == datetime(2026, 11, 27, 10, 0, 1, 500000, tzinfo=UTC)
    assert photo.renditions["thumb"] == {
        "key": f"renditions/{photo.pk}/thumb.webp",
        "width": 256,
        "height": 192,
        "bytes": 99,
    }
    assert set(photo.renditions) == {"thumb", "medium", "large"}
    assert photo.placeholder == HASH


def test_the_jobs_placeholder_png_of_the_photo_shape_is_stored_as_is(alice):
    photo = PhotoFactory(owner=alice, processing=True)
    result = renditions_result(256, 128, photo_id=photo.pk)

    services.photo_results_record(photo_id=photo.pk, job="renditions", outcome=outcome(result))

    photo.refresh_from_db()
    assert photo.placeholder_data_url == result["placeholder_data_url"]
    prefix = "data:image/png;base64,"
    assert photo.placeholder_data_url.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(photo.placeholder_data_url[len(prefix) :])))
    assert image.format == "PNG"
    assert image.size == (32, 16)
    assert len(photo.placeholder_data_url) < 2000


@pytest.mark.parametrize(
    "data_url",
    [
        None,
        "",
        "javascript:alert(1)",
        "data:image/png;base64,<script>",
        "data:image/png;base64," + "A" * 9000,
    ],
    ids=["missing", "empty", "not-data", "not-base64", "too-long"],
)
def test_an_outcome_without_a_usable_placeholder_png_renders_none(alice, data_url):
    # Outcomes recorded before the job made the PNG, and anything that is not one.
    photo = PhotoFactory(owner=alice, processing=True)
    result = renditions_result(photo_id=photo.pk)
    result["placeholder_data_url"] = data_url

    services.photo_results_record(photo_id=photo.pk, job="renditions", outcome=outcome(result))

    photo.refresh_from_db()
    assert photo.status == PhotoStatus.PROCESSING or photo.status == PhotoStatus.READY
    assert photo.placeholder == HASH
    assert photo.placeholder_data_url == ""


def test_a_failed_job_fails_the_photo_with_its_reason(alice):
    photo = PhotoFactory(owner=alice, processing=True)

    services.photo_results_record(
        photo_id=photo.pk, job="renditions", outcome=outcome(status="failed", error="corrupt JPEG")
    )

    photo.refresh_from_db()
    assert photo.status == PhotoStatus.FAILED
    assert photo.error == "corrupt JPEG"
    assert photo.processed_at is not None

    # the other job finishing does not resurrect it
    services.photo_results_record(
        photo_id=photo.pk, job="metadata", outcome=outcome(metadata_result())
    )
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.FAILED
    assert photo.error == "corrupt JPEG"


def test_recording_the_same_outcome_twice_changes_nothing(alice):
    photo = PhotoFactory(owner=alice, processing=True)
    both = [
        ("renditions", outcome(renditions_result(photo_id=photo.pk))),
        ("metadata", outcome(metadata_result())),
    ]
    for job, result in both:
        services.photo_results_record(photo_id=photo.pk, job=job, outcome=result)
    first = Photo.objects.values().get(pk=photo.pk)

    for job, result in both:
        services.photo_results_record(photo_id=photo.pk, job=job, outcome=result)

    assert Photo.objects.values().get(pk=photo.pk) == first
    assert first["status"] == PhotoStatus.READY


def test_an_outcome_for_another_version_of_the_original_is_ignored(alice):
    photo = PhotoFactory(owner=alice, processing=True)

    services.photo_results_record(
        photo_id=photo.pk,
        job="metadata",
        outcome=outcome(metadata_result(), etag="ffffffffffffffffffffffffffffffff"),
    )

    photo.refresh_from_db()
    assert photo.jobs["metadata"]["status"] == "failed"  # its result is not recorded
    assert photo.format == ""
    # Only the photo's own ticket writes its key: another version means the owner replaced
    # the original after upload (issue 10), which fails the photo with that reason.
    assert photo.status == PhotoStatus.FAILED
    assert photo.error.startswith("the original was replaced after upload")


def test_an_older_outcome_does_not_overwrite_a_newer_one(alice):
    photo = PhotoFactory(owner=alice, processing=True)
    services.photo_results_record(
        photo_id=photo.pk,
        job="renditions",
        outcome=outcome(renditions_result(photo_id=photo.pk), finished="2026-11-27T10:00:05.000Z"),
    )

    services.photo_results_record(
        photo_id=photo.pk,
        job="renditions",
        outcome=outcome(status="failed", error="corrupt JPEG", finished="2026-11-27T10:00:01Z"),
    )

    photo.refresh_from_db()
    assert photo.jobs["renditions"]["status"] == "done"
    assert photo.status == PhotoStatus.PROCESSING


def test_an_outcome_for_a_deleted_photo_is_logged_not_raised(alice, caplog, media_root):
    photo = PhotoFactory(owner=alice, processing=True)
    photo_id = photo.pk
    late = media_root / "renditions" / str(photo_id) / "thumb.webp"
    late.parent.mkdir(parents=True)
    late.write_bytes(b"late")
    Photo.objects.filter(pk=photo_id).delete()

    with caplog.at_level(logging.WARNING, logger="webapp.photos.services"):
        result = services.photo_results_record(
            photo_id=str(photo_id), job="renditions", outcome=outcome(renditions_result())
        )

    assert result is None
    assert "no longer exists" in caplog.text
    assert not Photo.objects.exists()


def test_late_renditions_of_a_deleted_photo_are_removed(alice, media_root, run_jobs):
    photo = PhotoFactory(owner=alice, processing=True)
    late = media_root / "renditions" / str(photo.pk) / "thumb.webp"
    late.parent.mkdir(parents=True)
    late.write_bytes(b"late")
    Photo.objects.filter(pk=photo.pk).delete()

    with run_jobs():
        services.photo_results_record(
            photo_id=photo.pk, job="renditions", outcome=outcome(renditions_result())
        )

    assert not late.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"status": "weird", "source_etag": ETAG, "finished_at": "2026-11-27T10:00:00Z"},
        "not a dict",
    ],
)
def test_malformed_outcomes_are_ignored(alice, bad):
    photo = PhotoFactory(owner=alice, processing=True)

    assert services.photo_results_record(photo_id=photo.pk, job="metadata", outcome=bad) is None

    photo.refresh_from_db()
    assert photo.jobs == {}


def test_unknown_job_is_ignored(alice):
    photo = PhotoFactory(owner=alice, processing=True)

    services.photo_results_record(photo_id=photo.pk, job="faces", outcome=outcome({}))

    photo.refresh_from_db()
    assert photo.jobs == {}


def test_same_bytes_uploaded_again_point_at_the_first_photo(alice, bob):
    first = PhotoFactory(owner=alice, processing=True)
    second = PhotoFactory(owner=alice, processing=True)
    third = PhotoFactory(owner=alice, processing=True)
    bobs = PhotoFactory(owner=bob, processing=True)
    for photo in (second, first, third, bobs):  # any completion order
        services.photo_results_record(
            photo_id=photo.pk, job="metadata", outcome=outcome(metadata_result())
        )

    for photo in (first, second, third, bobs):
        photo.refresh_from_db()
    assert first.duplicate_of is None
    assert second.duplicate_of == first
    assert third.duplicate_of == first
    assert bobs.duplicate_of is None  # another owner's photo is nobody's duplicate


def test_hostile_metadata_is_stored_safely(alice):
    # NUL characters, NaN and absurd numbers come out of real broken EXIF blocks; PostgreSQL
    # refuses the first two in JSON and integer columns overflow on the last.
    photo = PhotoFactory(owner=alice, processing=True)
    record = metadata_result(
        camera_make="Can\x00on",
        iso=10**12,
        orientation=42,
        exposure_time=float("nan"),
        gps={"lat": 123.0, "lon": 2.0, "alt": 1.0},
        lens="L" * 500,
        exif={"MakerNote": "a\x00b", "Ratio": float("inf"), "Nested": {"x": [1, float("nan")]}},
    )

    services.photo_results_record(photo_id=photo.pk, job="metadata", outcome=outcome(record))

    photo.refresh_from_db()
    assert photo.camera_make == "Canon"
    assert photo.iso is None
    assert photo.orientation is None
    assert photo.exposure_time is None
    assert (photo.gps_lat, photo.gps_lon, photo.gps_alt) == (None, None, None)
    assert len(photo.lens) == 200
    assert photo.exif == {"MakerNote": "ab", "Ratio": None, "Nested": {"x": [1, None]}}


def test_a_direct_upload_is_adopted_from_the_first_outcome(alice):
    # With S3 the browser uploads straight to the bucket: the web app learns the ETag from
    # the jobs.
    photo = PhotoFactory(owner=alice)

    services.photo_results_record(
        photo_id=photo.pk, job="metadata", outcome=outcome(metadata_result())
    )

    photo.refresh_from_db()
    assert photo.source_etag == ETAG
    assert photo.uploaded_at is not None
    assert photo.status == PhotoStatus.PROCESSING


@pytest.mark.parametrize(
    ("value", "wall", "offset"),
    [
        ("2019-07-14T18:30:05", datetime(2019, 7, 14, 18, 30, 5, tzinfo=UTC), ""),
        ("2019-07-14T18:30:05.5", datetime(2019, 7, 14, 18, 30, 5, 500000, tzinfo=UTC), ""),
        ("2019-07-14T18:30:05-07:00", datetime(2019, 7, 14, 18, 30, 5, tzinfo=UTC), "-07:00"),
        ("2019-07-14T18:30:05.123+05:30", datetime(2019, 7, 14, 18, 30, 5, 123000, UTC), "+05:30"),
        ("2019-07-14T18:30:05Z", datetime(2019, 7, 14, 18, 30, 5, tzinfo=UTC), "+00:00"),
        ("0000-00-00T00:00:00", None, ""),
        ("2019-13-40T25:00:00", None, ""),
        ("yesterday", None, ""),
        (None, None, ""),
    ],
)
def test_taken_at_keeps_the_wall_clock_and_the_offset_apart(value, wall, offset):
    assert record_columns.parse_taken_at(value) == (wall, offset)


# --- upload complete, reprocess, delete -------------------------------------------------


def test_upload_complete_starts_the_jobs_after_commit(alice, monkeypatch, run_jobs):
    photo = services.photo_create(owner=alice, filename="a.jpg", content_type="image/jpeg", size=5)
    dispatched = []
    monkeypatch.setitem(runners.RUNNERS, "inline", recording_runner(dispatched))

    with run_jobs() as callbacks:
        services.photo_upload_complete(photo=photo, etag='"abc"', size=5)
        assert dispatched == []  # nothing runs before the upload is committed

    photo.refresh_from_db()
    assert len(callbacks) == 2  # the jobs' dispatch, and the gallery's version (gallery_cache)
    assert photo.status == PhotoStatus.PROCESSING
    assert photo.source_etag == "abc"
    assert photo.uploaded_at is not None
    assert [(r.key, r.etag, r.size, r.bucket) for r in dispatched] == [
        (photo.original_key, "abc", 5, "local")
    ]


def test_upload_complete_twice_is_refused(alice, run_jobs):
    photo = PhotoFactory(owner=alice, processing=True)

    with pytest.raises(ValidationError):
        services.photo_upload_complete(photo=photo, etag="x", size=5)


@pytest.mark.parametrize(
    ("name", "storage"),
    [("carrier-pigeon", "local"), ("lambda", "local")],
    ids=["unknown", "lambda-without-s3"],
)
def test_a_runner_that_is_not_available_fails_loudly(alice, settings, name, storage):
    from django.core.exceptions import ImproperlyConfigured

    settings.PHOTOS_JOB_RUNNER = name
    settings.PHOTOS_STORAGE = storage
    photo = services.photo_create(owner=alice, filename="a.jpg", content_type="image/jpeg", size=5)

    with pytest.raises(ImproperlyConfigured, match="PHOTOS_JOB_RUNNER"):
        services.photo_upload_complete(photo=photo, etag="x", size=5)

    photo.refresh_from_db()
    assert photo.status == PhotoStatus.UPLOADING


def test_reprocess_resets_the_jobs_and_dispatches(alice, monkeypatch, run_jobs):
    photo = PhotoFactory(owner=alice, processing=True)
    services.photo_results_record(
        photo_id=photo.pk, job="renditions", outcome=outcome(status="failed", error="corrupt JPEG")
    )
    dispatched = []
    monkeypatch.setitem(runners.RUNNERS, "inline", recording_runner(dispatched))

    with run_jobs():
        services.photo_reprocess(photo=photo)

    photo.refresh_from_db()
    assert photo.status == PhotoStatus.PROCESSING
    assert photo.jobs == {}
    assert photo.error == ""
    assert [r.key for r in dispatched] == [photo.original_key]


def test_reprocess_refuses_a_photo_without_its_original(alice):
    photo = PhotoFactory(owner=alice)

    with pytest.raises(ValidationError, match="no original"):
        services.photo_reprocess(photo=photo)


def test_delete_removes_the_row_then_the_files(alice, media_root, run_jobs):
    photo = PhotoFactory(owner=alice, processing=True)
    files = [
        media_root / photo.original_key,
        media_root / "renditions" / str(photo.pk) / "thumb.webp",
    ]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    other = media_root / "renditions" / "someone-else" / "thumb.webp"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"keep")

    with run_jobs():
        services.photo_delete(photo=photo)
        assert all(path.exists() for path in files)  # not before the commit

    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not any(path.exists() for path in files)
    assert not (media_root / "uploads" / str(photo.pk)).exists()
    assert other.exists()
