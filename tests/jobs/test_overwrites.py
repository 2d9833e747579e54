"""The jobs read exactly the object the event names, from exactly their own bucket.

A presigned POST can be replayed over a recorded original until it expires, and anyone who
can publish to the uploads topic can name any bucket: the jobs check both before reading
a byte, and neither case is a crash.
"""

import importlib
import json
import uuid

import pytest

from jobs.errors import Superseded
from jobs.events import ObjectCreated, from_bucket, object_created
from jobs.results import CallableResults
from jobs.storage import S3Store
from jobs.work import run_job


def put(s3, bucket: str, key: str, body: bytes) -> ObjectCreated:
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    head = s3.head_object(Bucket=bucket, Key=key)
    return ObjectCreated(bucket, key, head["ContentLength"], head["ETag"].strip('"'), "01")


def count_calls(client, operation: str) -> list:
    calls = []
    client.meta.events.register(f"before-call.s3.{operation}", lambda **_: calls.append(1))
    return calls


def test_fetch_sends_if_match_and_reads_the_named_object(s3, bucket, photos_dir):
    record = put(s3, bucket, "uploads/p1/a.jpg", (photos_dir / "hopper.jpg").read_bytes())
    sent = []
    s3.meta.events.register(
        "provide-client-params.s3.GetObject", lambda params, **_: sent.append(params.get("IfMatch"))
    )

    with S3Store(s3).fetch(record, max_bytes=10_000_000) as path:
        assert path.read_bytes() == (photos_dir / "hopper.jpg").read_bytes()

    assert sent == [f'"{record.etag}"']


def test_an_overwritten_original_is_superseded_before_any_download(s3, bucket, photos_dir):
    # given the event for the first upload, and a second upload over the same key
    first = put(s3, bucket, "uploads/p1/a.jpg", (photos_dir / "hopper.jpg").read_bytes())
    put(s3, bucket, "uploads/p1/a.jpg", (photos_dir / "hopper.png").read_bytes())
    gets = count_calls(s3, "GetObject")

    # when / then
    with (
        pytest.raises(Superseded, match="changed after the event"),
        S3Store(s3).fetch(first, max_bytes=10_000_000),
    ):
        pytest.fail("must not yield")
    assert gets == []


@pytest.mark.parametrize("job", ["renditions", "metadata"])
def test_run_job_on_a_superseded_original_writes_and_records_nothing(s3, bucket, photos_dir, job):
    # given the event of an original replaced since by another
    photo_id = str(uuid.uuid4())
    key = f"uploads/{photo_id}/a.jpg"
    stale = put(s3, bucket, key, (photos_dir / "hopper.jpg").read_bytes())
    put(s3, bucket, key, (photos_dir / "hopper.png").read_bytes())
    recorded = []

    # when
    outcome = run_job(
        job,
        stale,
        store=S3Store(s3, bucket=bucket),
        sink=CallableResults(lambda **kwargs: recorded.append(kwargs)),
    )

    # then: a clear outcome, no rendition written, nothing recorded
    assert outcome["status"] == "superseded"
    assert stale.etag in outcome["reason"]
    assert recorded == []
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"renditions/{photo_id}/")
    assert listed.get("KeyCount", 0) == 0


def test_the_current_event_still_renders(s3, bucket, photos_dir):
    photo_id = str(uuid.uuid4())
    key = f"uploads/{photo_id}/a.jpg"
    put(s3, bucket, key, (photos_dir / "hopper.jpg").read_bytes())
    current = put(s3, bucket, key, (photos_dir / "hopper.png").read_bytes())
    recorded = []

    outcome = run_job(
        "renditions",
        current,
        store=S3Store(s3, bucket=bucket),
        sink=CallableResults(lambda **kwargs: recorded.append(kwargs)),
    )

    assert outcome["status"] == "done" and len(recorded) == 1


# --- other buckets (issue 9) ---------------------------------------------------------------


def s3_event_naming(load_event, bucket: str, key: str = "uploads/p1/a.jpg") -> dict:
    event = load_event("s3Event")
    event["Records"][0]["s3"]["bucket"]["name"] = bucket
    event["Records"][0]["s3"]["object"]["key"] = key
    return event


def test_from_bucket_keeps_only_the_jobs_own_bucket(load_event, caplog):
    records = object_created(s3_event_naming(load_event, "someone-elses-bucket"))
    records += object_created(s3_event_naming(load_event, "photos"))

    kept = from_bucket(records, "photos")

    assert [record.bucket for record in kept] == ["photos"]
    assert "someone-elses-bucket" in [getattr(r, "bucket", None) for r in caplog.records]


def test_from_bucket_without_a_configured_bucket_accepts_nothing(load_event):
    records = object_created(s3_event_naming(load_event, "photos"))

    assert from_bucket(records, "") == []


@pytest.fixture
def handlers(aws_env, results_table, bucket, monkeypatch):
    monkeypatch.setenv("PHOTOS_RESULTS_TABLE", results_table)
    monkeypatch.setenv("PHOTOS_BUCKET", bucket)
    import jobs.handlers

    return importlib.reload(jobs.handlers)


@pytest.mark.parametrize("entry", ["thumbnails", "metadata"])
def test_a_record_from_another_bucket_is_skipped_unread(
    handlers, s3, bucket, photos_dir, load_event, entry
):
    # given a real SNS-wrapped S3 event naming another bucket that exists and holds a photo
    other = f"darkroom-other-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=other)
    put(s3, other, "uploads/p1/a.jpg", (photos_dir / "hopper.jpg").read_bytes())
    event = load_event("snsEvent")
    event["Records"][0]["Sns"]["Message"] = json.dumps(s3_event_naming(load_event, other))
    heads, gets = count_calls(s3, "HeadObject"), count_calls(s3, "GetObject")
    handlers.store = S3Store(s3)  # counted: any read of the other bucket would show

    # when
    summary = getattr(handlers, entry)(event, None)

    # then
    assert summary["processed"] == 0 and summary["skipped"] == 1
    assert heads == [] and gets == []
    assert s3.list_objects_v2(Bucket=other, Prefix="renditions/").get("KeyCount", 0) == 0


def test_a_superseded_record_is_counted_as_skipped(handlers, s3, bucket, photos_dir, load_event):
    key = f"uploads/{uuid.uuid4()}/a.jpg"
    stale = put(s3, bucket, key, (photos_dir / "hopper.jpg").read_bytes())
    put(s3, bucket, key, (photos_dir / "hopper.png").read_bytes())
    event = s3_event_naming(load_event, bucket, key)
    event["Records"][0]["s3"]["object"].update(eTag=stale.etag, size=stale.size)

    summary = handlers.thumbnails(event, None)

    assert summary == {"job": "renditions", "processed": 0, "failed": 0, "skipped": 1}
