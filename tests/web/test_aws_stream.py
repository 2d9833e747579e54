"""The DynamoDB Streams recorder: real stream records (the shape of
tests/events/dynamoStreamEvent.json) carrying a results item as NEW_IMAGE."""

import copy

import pytest
from boto3.dynamodb.types import TypeSerializer
from django.db import OperationalError
from factories import PhotoFactory  # tests/web/factories.py

from jobs.results import to_dynamo
from webapp.photos.aws import stream
from webapp.photos.models import Photo, PhotoStatus

pytestmark = pytest.mark.django_db

ETAG = "9e107d9d372bb6826bd81d3542a419d6"


@pytest.fixture
def photo(alice) -> Photo:
    return PhotoFactory(owner=alice, filename="hopper.jpg", processing=True, source_etag=ETAG)


def renditions_outcome(photo_id) -> dict:
    return {
        "status": "done",
        "result": {
            "renditions": [
                {
                    "name": name,
                    "key": f"renditions/{photo_id}/{name}.webp",
                    "width": size,
                    "height": size * 3 // 4,
                    "bytes": size * 10,
                }
                for name, size in (("thumb", 128), ("medium", 512), ("large", 1024))
            ],
            "placeholder": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
        },
        "source_etag": ETAG,
        "finished_at": "2025-05-01T10:00:01.250Z",
        "duration_ms": 812,
    }


def metadata_outcome() -> dict:
    return {
        "status": "done",
        "result": {
            "ok": True,
            "error": None,
            "format": "JPEG",
            "mime": "image/jpeg",
            "bytes": 1234,
            "sha256": "a" * 64,
            "width": 128,
            "height": 96,
            "orientation": 1,
            "taken_at": "2021-06-01T12:30:45.120+02:00",
            "camera_make": "Canon",
            "camera_model": "EOS 5D",
            "lens": None,
            "exposure_time": 0.004,
            "f_number": 5.6,
            "focal_length": 50.0,
            "iso": 200,
            "gps": {"lat": 48.8584, "lon": 2.2945, "alt": None},
            "exif": {"Software": "darkroom"},
        },
        "source_etag": ETAG,
        "finished_at": "2025-05-01T10:00:00.900Z",
        "duration_ms": 95,
    }


def stream_record(load_event, item: dict, *, sequence: str, name: str = "MODIFY") -> dict:
    """A record shaped exactly like the real payload, its image replaced by `item`."""
    record = copy.deepcopy(load_event("dynamoStreamEvent")["Records"][1])
    image = {k: TypeSerializer().serialize(v) for k, v in to_dynamo(item).items()}
    record["eventName"] = name
    record["dynamodb"]["Keys"] = {"photo_id": image["photo_id"]}
    record["dynamodb"]["NewImage"] = image
    record["dynamodb"].pop("OldImage", None)
    record["dynamodb"]["StreamViewType"] = "NEW_IMAGE"
    record["dynamodb"]["SequenceNumber"] = sequence
    return record


def test_new_image_becomes_a_ready_photo(photo, load_event):
    # given both outcomes in the item, numbers as DynamoDB stores them (Decimal)
    pid = str(photo.pk)
    item = {"photo_id": pid, "renditions": renditions_outcome(pid), "metadata": metadata_outcome()}
    event = {"Records": [stream_record(load_event, item, sequence="100")]}

    # when
    response = stream.handler(event, None)

    # then
    assert response == {"batchItemFailures": []}
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.READY
    assert photo.renditions["medium"]["key"] == f"renditions/{pid}/medium.webp"
    assert photo.renditions["thumb"]["width"] == 128
    assert isinstance(photo.renditions["thumb"]["width"], int)
    assert photo.camera_make == "Canon"
    assert photo.exposure_time == pytest.approx(0.004)
    assert photo.iso == 200
    assert photo.gps_lat == pytest.approx(48.8584)
    assert photo.placeholder == "LEHV6nWB2yk8pyo0adR*.7kCMdnj"


def test_same_records_twice_change_nothing(photo, load_event):
    pid = str(photo.pk)
    first = {"photo_id": pid, "metadata": metadata_outcome()}
    both = {**first, "renditions": renditions_outcome(pid)}
    event = {
        "Records": [
            stream_record(load_event, first, sequence="100", name="INSERT"),
            stream_record(load_event, both, sequence="101"),
        ]
    }
    stream.handler(event, None)
    photo.refresh_from_db()
    state = {f.name: getattr(photo, f.name) for f in Photo._meta.fields}

    # when the batch is delivered again
    assert stream.handler(event, None) == {"batchItemFailures": []}

    photo.refresh_from_db()
    assert {f.name: getattr(photo, f.name) for f in Photo._meta.fields} == state
    assert photo.status == PhotoStatus.READY


def test_failed_job_in_the_image_fails_the_photo(photo, load_event):
    pid = str(photo.pk)
    failed = {
        "status": "failed",
        "error": "corrupt JPEG",
        "source_etag": ETAG,
        "finished_at": "2025-05-01T10:00:00.000Z",
        "duration_ms": 3,
    }
    event = {
        "Records": [stream_record(load_event, {"photo_id": pid, "metadata": failed}, sequence="7")]
    }

    stream.handler(event, None)

    photo.refresh_from_db()
    assert photo.status == PhotoStatus.FAILED
    assert photo.error == "corrupt JPEG"


def test_removals_and_foreign_records_are_skipped(photo, load_event):
    pid = str(photo.pk)
    removal = stream_record(load_event, {"photo_id": pid}, sequence="1", name="REMOVE")
    removal["dynamodb"].pop("NewImage")
    # the sample payload as is: another table's item, no photo_id
    foreign = load_event("dynamoStreamEvent")["Records"][0]

    assert stream.handler({"Records": [removal, foreign]}, None) == {"batchItemFailures": []}
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.PROCESSING


def test_transient_failure_reports_that_record_and_every_later_one(photo, load_event, monkeypatch):
    pid = str(photo.pk)
    records = [
        stream_record(load_event, {"photo_id": pid, "metadata": metadata_outcome()}, sequence=s)
        for s in ("10", "11", "12")
    ]
    calls = []

    def flaky(photo_id, job, outcome):
        calls.append(photo_id)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(stream, "record_outcome", flaky)

    response = stream.handler({"Records": records}, None)

    # Lambda retries from the first failure, so one photo's outcomes stay in order.
    assert response == {"batchItemFailures": [{"itemIdentifier": "11"}, {"itemIdentifier": "12"}]}
    assert len(calls) == 2
