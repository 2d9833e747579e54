"""Where outcomes go: the DynamoDB results item (through the moto server) and a callable."""

from decimal import Decimal

import pytest
from boto3.dynamodb.types import TypeDeserializer

from jobs.results import CallableResults, DynamoResults, from_dynamo, to_dynamo

PHOTO_ID = "3c1b8a52-6f0e-4b1f-8d7c-2a9e0f4b5c6d"


def outcome(finished_at="2025-05-01T10:00:00.000Z", **changes) -> dict:
    base = {
        "status": "done",
        "result": {
            "format": "JPEG",
            "width": 128,
            "height": 128,
            "exposure_time": 0.008,
            "f_number": 2.8,
            "gps": {"lat": 52.516667, "lon": 13.383333, "alt": None},
            "exif": {"ExposureBiasValue": float("nan"), "Ratio": float("inf")},
        },
        "source_etag": "9b2cf535f27731c974343645a3985328",
        "finished_at": finished_at,
        "duration_ms": 41,
    }
    return {**base, **changes}


def get_item(dynamodb, table: str) -> dict:
    item = dynamodb.get_item(
        TableName=table, Key={"photo_id": {"S": PHOTO_ID}}, ConsistentRead=True
    )
    deserialize = TypeDeserializer().deserialize
    return {name: deserialize(value) for name, value in item["Item"].items()}


def test_item_shape_one_attribute_per_job_with_decimal_numbers(dynamodb, results_table):
    sink = DynamoResults(results_table, client=dynamodb)

    sink.record(PHOTO_ID, "metadata", outcome())
    sink.record(
        PHOTO_ID,
        "renditions",
        {
            "status": "failed",
            "error": "corrupt JPEG",
            "source_etag": "e1",
            "finished_at": "2025-05-01T10:00:01.000Z",
            "duration_ms": 12,
        },
    )

    item = get_item(dynamodb, results_table)
    assert set(item) == {"photo_id", "metadata", "renditions"}
    assert item["photo_id"] == PHOTO_ID
    metadata = item["metadata"]
    assert metadata["status"] == "done"
    assert metadata["result"]["exposure_time"] == Decimal("0.008")
    assert metadata["result"]["gps"] == {
        "lat": Decimal("52.516667"),
        "lon": Decimal("13.383333"),
        "alt": None,
    }
    # NaN and infinity have no DynamoDB number: stored as null instead of failing forever
    assert metadata["result"]["exif"] == {"ExposureBiasValue": None, "Ratio": None}
    assert metadata["duration_ms"] == 41
    assert item["renditions"] == {
        "status": "failed",
        "error": "corrupt JPEG",
        "source_etag": "e1",
        "finished_at": "2025-05-01T10:00:01.000Z",
        "duration_ms": 12,
    }


def test_same_outcome_twice_leaves_the_identical_item(dynamodb, results_table):
    sink = DynamoResults(results_table, client=dynamodb)

    assert sink.record(PHOTO_ID, "metadata", outcome()) is True
    first = get_item(dynamodb, results_table)
    assert sink.record(PHOTO_ID, "metadata", outcome()) is True

    assert get_item(dynamodb, results_table) == first


def test_an_older_outcome_does_not_clobber_a_newer_one(dynamodb, results_table):
    sink = DynamoResults(results_table, client=dynamodb)
    newer = outcome(finished_at="2025-05-01T10:00:05.000Z", source_etag="new")
    older = outcome(
        finished_at="2025-05-01T10:00:01.000Z", status="failed", error="late", result=None
    )

    assert sink.record(PHOTO_ID, "metadata", newer) is True
    assert sink.record(PHOTO_ID, "metadata", older) is False

    assert get_item(dynamodb, results_table)["metadata"]["source_etag"] == "new"


def test_a_later_outcome_replaces_the_earlier_one(dynamodb, results_table):
    # a reprocess of the same photo
    sink = DynamoResults(results_table, client=dynamodb)
    sink.record(PHOTO_ID, "renditions", outcome(finished_at="2025-05-01T10:00:01.000Z"))

    sink.record(PHOTO_ID, "renditions", outcome(finished_at="2025-05-02T08:00:00.000Z"))

    item = get_item(dynamodb, results_table)
    assert item["renditions"]["finished_at"] == "2025-05-02T08:00:00.000Z"


def test_one_job_never_touches_the_other(dynamodb, results_table):
    sink = DynamoResults(results_table, client=dynamodb)
    sink.record(PHOTO_ID, "metadata", outcome(finished_at="2025-05-01T10:00:09.000Z"))

    sink.record(PHOTO_ID, "renditions", outcome(finished_at="2025-05-01T10:00:01.000Z"))

    item = get_item(dynamodb, results_table)
    assert item["metadata"]["finished_at"] == "2025-05-01T10:00:09.000Z"
    assert item["renditions"]["finished_at"] == "2025-05-01T10:00:01.000Z"


def test_missing_table_is_a_transient_error(dynamodb):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as error:
        DynamoResults("no-such-table", client=dynamodb).record(PHOTO_ID, "metadata", outcome())
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_an_oversized_exif_is_trimmed_to_fit_the_item(dynamodb, results_table):
    big = outcome()
    big["result"] = {**big["result"], "exif": {"MakerNote": "x" * 300_000, "Make": "Canon"}}

    DynamoResults(results_table, client=dynamodb).record(PHOTO_ID, "metadata", big)

    stored = get_item(dynamodb, results_table)["metadata"]["result"]
    assert stored["exif"] == {"Make": "Canon"}
    assert stored["width"] == 128


def test_to_dynamo_and_back():
    value = {"a": 1.5, "b": [2, 0.1, (3, 4.0)], "c": True, "d": None, "e": float("-inf")}

    stored = to_dynamo(value)

    assert stored == {
        "a": Decimal("1.5"),
        "b": [2, Decimal("0.1"), [3, Decimal("4.0")]],
        "c": True,
        "d": None,
        "e": None,
    }
    assert from_dynamo(stored) == {"a": 1.5, "b": [2, 0.1, [3, 4]], "c": True, "d": None, "e": None}


def test_to_dynamo_refuses_what_it_cannot_store():
    with pytest.raises(TypeError, match="set"):
        to_dynamo({"tags": {1, 2}})


def test_callable_results_passes_keywords():
    calls = []
    sink = CallableResults(lambda **kwargs: calls.append(kwargs))

    sink.record(PHOTO_ID, "metadata", {"status": "done"})

    assert calls == [{"photo_id": PHOTO_ID, "job": "metadata", "outcome": {"status": "done"}}]
