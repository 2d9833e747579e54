"""Property-based tests of event parsing: whatever JSON arrives, jobs.events answers with
records it can stand behind or with nothing, never an exception, and never a key outside
uploads/ (the loop guard) or longer than S3 allows."""

import copy
import json
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.events import (
    MAX_KEY_BYTES,
    ObjectCreated,
    from_bucket,
    is_upload_key,
    object_created,
    records_from_event,
    upload_photo_id,
)

EVENTS = Path(__file__).resolve().parents[1] / "data" / "events"

PROPERTIES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)

# What an S3 key can hold: any Unicode but lone surrogates (keys are UTF-8).
key_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1)
name_text = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"), min_size=1, max_size=60
)

# Values a hand-made or corrupted record might carry where S3 puts a string or a number.
any_field = json_values | st.sampled_from(["", "uploads/", "uploads/p/a.jpg", "1e999", "-1"])


def assert_acceptable(records: list) -> None:
    for record in records:
        assert isinstance(record, ObjectCreated)
        assert isinstance(record.bucket, str) and record.bucket
        assert is_upload_key(record.key)
        assert len(record.key.encode("utf-8", "surrogatepass")) <= MAX_KEY_BYTES
        assert record.photo_id == record.key.split("/")[1]
        assert record.size is None or isinstance(record.size, int)
        assert isinstance(record.etag, str) and isinstance(record.sequencer, str)


@PROPERTIES
@given(json_values)
def test_arbitrary_json_never_raises(event):
    assert_acceptable(records_from_event(event))


@pytest.fixture(scope="module")
def sns_event() -> dict:
    return json.loads((EVENTS / "snsEvent.json").read_text())


@PROPERTIES
@given(message=st.text())
def test_arbitrary_text_in_an_sns_message_never_raises(sns_event, message):
    event = copy.deepcopy(sns_event)
    event["Records"][0]["Sns"]["Message"] = message

    assert_acceptable(records_from_event(event))


@pytest.fixture(scope="module")
def s3_event() -> dict:
    return json.loads((EVENTS / "s3Event.json").read_text())


@PROPERTIES
@given(
    bucket=any_field,
    key=any_field,
    size=any_field,
    etag=any_field,
    sequencer=any_field,
    name=any_field | st.just("ObjectCreated:Put"),
)
def test_any_field_of_a_real_s3_record_may_be_anything(
    s3_event, bucket, key, size, etag, sequencer, name
):
    event = copy.deepcopy(s3_event)
    record = event["Records"][0]
    record["eventName"] = name
    record["s3"]["bucket"]["name"] = bucket
    record["s3"]["object"].update(key=key, size=size, eTag=etag, sequencer=sequencer)

    assert_acceptable(records_from_event(event))


@PROPERTIES
@given(key=key_text)
def test_keys_outside_uploads_are_refused(s3_event, key):
    event = copy.deepcopy(s3_event)
    event["Records"][0]["s3"]["object"]["key"] = quote_plus(key)

    records = records_from_event(event)

    if not key.startswith("uploads/"):
        assert records == []
    # the records kept are exactly the keys uploads/<photo id>/<name>, decoded
    assert [r.key for r in records] == ([key] if upload_photo_id(key) is not None else [])


@PROPERTIES
@given(
    photo_id=name_text,
    name=name_text,
)
def test_an_upload_key_round_trips_through_the_notification_encoding(s3_event, photo_id, name):
    key = f"uploads/{photo_id}/{name}"
    event = copy.deepcopy(s3_event)
    event["Records"][0]["s3"]["object"]["key"] = quote_plus(key)

    records = records_from_event(event)

    if name in (".", "..") or photo_id in (".", ".."):
        assert records == []
    else:
        assert [(r.key, r.photo_id) for r in records] == [(key, photo_id)]


def test_a_64_kb_name_is_not_an_s3_key(s3_event):
    event = copy.deepcopy(s3_event)
    event["Records"][0]["s3"]["object"]["key"] = "uploads/p1/" + "n" * 65_536 + ".jpg"

    assert object_created(event)  # parsed...
    assert records_from_event(event) == []  # ...and refused


@pytest.mark.parametrize("name", ["a\x00b.jpg", "\u202egpj.exe", "ctl\x01\x1b[31m\n.jpg"])
def test_nul_is_refused_while_rtl_and_control_characters_are_only_names(s3_event, name):
    event = copy.deepcopy(s3_event)
    event["Records"][0]["s3"]["object"]["key"] = quote_plus(f"uploads/p1/{name}")

    keys = [record.key for record in records_from_event(event)]

    assert keys == ([] if "\x00" in name else [f"uploads/p1/{name}"])


def test_deeply_nested_json_in_a_message_is_refused_not_raised(load_event):
    event = load_event("snsEvent")
    event["Records"][0]["Sns"]["Message"] = "[" * 100_000 + "]" * 100_000

    assert records_from_event(event) == []


@PROPERTIES
@given(own=st.text(max_size=20), others=st.lists(st.text(max_size=20), max_size=5))
def test_from_bucket_keeps_exactly_the_own_buckets_records(own, others):
    records = [ObjectCreated(bucket=b, key="uploads/p/a.jpg") for b in [own, *others]]

    kept = from_bucket(records, own)

    assert all(record.bucket == own for record in kept)
    assert len(kept) == (sum(record.bucket == own for record in records) if own else 0)
