"""run_job end to end: real photos, S3 and DynamoDB through the moto server, or local files."""

import io
import re
import uuid

import pytest
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError
from PIL import Image

from jobs.config import Limits
from jobs.events import ObjectCreated
from jobs.results import CallableResults, DynamoResults
from jobs.storage import LocalStore, S3Store
from jobs.work import JOBS, run_job

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def upload(s3, bucket: str, photo, name: str | None = None) -> ObjectCreated:
    """Put a real photo at uploads/<new photo id>/<name>; the record S3 would announce."""
    key = f"uploads/{uuid.uuid4()}/{name or photo.name}"
    s3.put_object(Bucket=bucket, Key=key, Body=photo.read_bytes(), ContentType="image/jpeg")
    head = s3.head_object(Bucket=bucket, Key=key)
    return ObjectCreated(
        bucket=bucket,
        key=key,
        size=head["ContentLength"],
        etag=head["ETag"].strip('"'),
        sequencer="0055AED6DCD90281E5",
    )


def results_item(dynamodb, table: str, photo_id: str) -> dict:
    item = dynamodb.get_item(
        TableName=table, Key={"photo_id": {"S": photo_id}}, ConsistentRead=True
    )["Item"]
    return {name: TypeDeserializer().deserialize(value) for name, value in item.items()}


def test_both_jobs_on_s3_and_dynamodb(s3, dynamodb, bucket, results_table, photos_dir):
    # given a real phone photo (HEIC, 4032 x 3024) uploaded like the browser does
    record = upload(s3, bucket, photos_dir / "heif_pug.heic")
    store, sink = S3Store(s3), DynamoResults(results_table, client=dynamodb)

    # when
    renditions = run_job("renditions", record, store=store, sink=sink)
    metadata = run_job("metadata", record, store=store, sink=sink)

    # then: three WebP objects beside the original, sized as the outcome says
    assert renditions["status"] == "done"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"renditions/{record.photo_id}/")
    assert sorted(o["Key"] for o in listed["Contents"]) == sorted(
        f"renditions/{record.photo_id}/{name}.webp" for name in ("thumb", "medium", "large")
    )
    by_name = {r["name"]: r for r in renditions["result"]["renditions"]}
    expected = {"thumb": (256, 192), "medium": (1024, 768), "large": (2048, 1536)}
    for name, size in expected.items():
        entry = by_name[name]
        assert entry["key"] == f"renditions/{record.photo_id}/{name}.webp"
        obj = s3.get_object(Bucket=bucket, Key=entry["key"])
        assert obj["ContentType"] == "image/webp"
        assert obj["CacheControl"] == "private, max-age=31536000, immutable"
        data = obj["Body"].read()
        assert len(data) == entry["bytes"] == obj["ContentLength"]
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "WEBP"
            assert image.size == (entry["width"], entry["height"]) == size
    assert renditions["result"]["placeholder"]

    # and the results item holds both outcomes, done, for this original
    assert metadata["status"] == "done"
    assert metadata["result"]["format"] == "HEIF"
    item = results_item(dynamodb, results_table, record.photo_id)
    assert set(item) == {"photo_id", *JOBS}
    for job in JOBS:
        assert item[job]["status"] == "done"
        assert item[job]["source_etag"] == record.etag
        assert ISO_UTC.match(item[job]["finished_at"])
        assert item[job]["duration_ms"] == int(item[job]["duration_ms"]) >= 0
    assert item["renditions"]["result"]["placeholder"] == renditions["result"]["placeholder"]
    assert item["metadata"]["result"]["width"] == 4032
    assert item["metadata"]["result"]["sha256"] == metadata["result"]["sha256"]


def test_outcome_shape(s3, dynamodb, bucket, results_table, photos_dir):
    record = upload(s3, bucket, photos_dir / "hopper.jpg")

    outcome = run_job(
        "renditions",
        record,
        store=S3Store(s3),
        sink=DynamoResults(results_table, client=dynamodb),
    )

    assert list(outcome) == ["status", "result", "source_etag", "finished_at", "duration_ms"]
    assert outcome["source_etag"] == record.etag
    assert ISO_UTC.match(outcome["finished_at"])
    assert isinstance(outcome["duration_ms"], int) and outcome["duration_ms"] >= 0
    # hopper is 128 px: every rendition exists, none upscaled
    assert [(r["name"], r["width"], r["height"]) for r in outcome["result"]["renditions"]] == [
        ("thumb", 128, 128),
        ("medium", 128, 128),
        ("large", 128, 128),
    ]


@pytest.mark.parametrize("job", JOBS)
def test_a_corrupt_upload_is_recorded_failed_without_raising(
    s3, dynamodb, bucket, results_table, photos_dir, job
):
    # given bytes that are not a usable image behind a photo's name
    record = upload(s3, bucket, photos_dir / "broken.png", name="holiday.png")

    # when
    outcome = run_job(
        job, record, store=S3Store(s3), sink=DynamoResults(results_table, client=dynamodb)
    )

    # then: a short human reason, recorded, and nothing written
    assert outcome["status"] == "failed"
    assert "result" not in outcome
    assert outcome["error"] and len(outcome["error"]) < 80
    assert "Traceback" not in outcome["error"]
    item = results_item(dynamodb, results_table, record.photo_id)
    assert item[job]["status"] == "failed"
    assert item[job]["error"] == outcome["error"]
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="renditions/")
    assert "Contents" not in listed


def test_a_truncated_jpeg_fails_its_renditions(s3, dynamodb, bucket, results_table, photos_dir):
    record = upload(s3, bucket, photos_dir / "truncated_jpeg.jpg")

    outcome = run_job(
        "renditions",
        record,
        store=S3Store(s3),
        sink=DynamoResults(results_table, client=dynamodb),
    )

    assert outcome["status"] == "failed"
    assert "JPEG" in outcome["error"] or "image" in outcome["error"]


def test_too_large_is_a_failed_outcome_with_the_sizes(
    s3, dynamodb, bucket, results_table, photos_dir
):
    record = upload(s3, bucket, photos_dir / "hopper.jpg")

    outcome = run_job(
        "metadata",
        record,
        store=S3Store(s3),
        sink=DynamoResults(results_table, client=dynamodb),
        limits=Limits(max_bytes=1_000),
    )

    assert outcome["status"] == "failed"
    assert outcome["error"] == "too large: 6.4 KB, limit 1 KB"


def test_a_transient_error_propagates_and_records_nothing(s3, dynamodb, bucket, results_table):
    # given a record for an original that is not there (S3 answers 404 to the HEAD)
    record = ObjectCreated(bucket=bucket, key=f"uploads/{uuid.uuid4()}/gone.jpg", size=10)
    recorded = []

    with pytest.raises(ClientError):
        run_job("metadata", record, store=S3Store(s3), sink=CallableResults(recorded.append))

    assert recorded == []


def test_the_results_table_missing_is_a_transient_error(s3, dynamodb, bucket, photos_dir):
    record = upload(s3, bucket, photos_dir / "hopper.jpg")

    with pytest.raises(ClientError) as error:
        run_job(
            "metadata",
            record,
            store=S3Store(s3),
            sink=DynamoResults("no-such-table", client=dynamodb),
        )
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_running_twice_leaves_the_same_state(s3, dynamodb, bucket, results_table, photos_dir):
    # a duplicate delivery of the same upload
    record = upload(s3, bucket, photos_dir / "hopper_orientation_6.jpg")
    store, sink = S3Store(s3), DynamoResults(results_table, client=dynamodb)

    def stored_renditions() -> dict:
        listed = s3.list_objects_v2(Bucket=bucket, Prefix="renditions/")["Contents"]
        return {obj["Key"]: obj["ETag"] for obj in listed}

    first = run_job("renditions", record, store=store, sink=sink)
    objects_first = stored_renditions()
    second = run_job("renditions", record, store=store, sink=sink)
    objects_second = stored_renditions()

    assert objects_second == objects_first  # same keys, same bytes
    item = results_item(dynamodb, results_table, record.photo_id)["renditions"]
    assert first["result"] == second["result"]
    assert item["status"] == "done"
    assert item["source_etag"] == record.etag
    assert item["finished_at"] == second["finished_at"]


def test_local_store_and_callable_sink(tmp_path, photos_dir):
    # the embedded mode: originals and renditions in MEDIA_ROOT, results to a function
    photo_id = str(uuid.uuid4())
    original = tmp_path / "uploads" / photo_id / "portrait.jpg"
    original.parent.mkdir(parents=True)
    original.write_bytes((photos_dir / "hopper_orientation_6.jpg").read_bytes())
    record = ObjectCreated(bucket="", key=f"uploads/{photo_id}/portrait.jpg", size=None, etag="e1")
    recorded = []

    outcome = run_job(
        "renditions",
        record,
        store=LocalStore(tmp_path),
        sink=CallableResults(lambda **kwargs: recorded.append(kwargs)),
    )

    assert recorded == [{"photo_id": photo_id, "job": "renditions", "outcome": outcome}]
    for rendition in outcome["result"]["renditions"]:
        with Image.open(tmp_path / rendition["key"]) as image:
            assert image.format == "WEBP"
            assert image.size == (rendition["width"], rendition["height"])
    assert original.exists()


def test_loop_guard_refuses_non_upload_keys(tmp_path):
    record = ObjectCreated(bucket="b", key="renditions/p1/thumb.webp")

    with pytest.raises(ValueError, match="outside uploads/"):
        run_job("renditions", record, store=LocalStore(tmp_path), sink=CallableResults(print))


def test_unknown_job_is_refused(tmp_path):
    record = ObjectCreated(bucket="b", key="uploads/p1/x.jpg")

    with pytest.raises(ValueError, match="unknown job"):
        run_job("thumbnails", record, store=LocalStore(tmp_path), sink=CallableResults(print))
