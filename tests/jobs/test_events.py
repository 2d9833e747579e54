"""Every way an object-created record reaches a job, from the real AWS payloads."""

import copy
import json
import logging

import pytest

from jobs.events import ObjectCreated, object_created, records_from_event, upload_photo_id

PHOTO_ID = "0b7c2f1e-5d44-4a4e-9c1a-2f3d4e5f6a7b"
UPLOAD_KEY = f"uploads/{PHOTO_ID}/hopper.jpg"


def with_key(s3_event: dict, key: str) -> dict:
    """The real S3 notification with its key replaced (as S3 would encode it)."""
    event = copy.deepcopy(s3_event)
    event["Records"][0]["s3"]["object"]["key"] = key
    return event


def via_sns(sns_event: dict, message: dict) -> dict:
    """The real SNS event carrying `message` the way S3 -> SNS delivers it: as JSON text."""
    event = copy.deepcopy(sns_event)
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    event["Records"][0]["Sns"]["Subject"] = "Amazon S3 Notification"
    return event


def via_sqs(sqs_event: dict, body: dict) -> dict:
    event = copy.deepcopy(sqs_event)
    event["Records"][0]["body"] = json.dumps(body)
    return event


# --- direct S3 notifications ---------------------------------------------------------------


def test_real_s3_event_is_read_but_its_key_is_refused_outside_uploads(load_event, caplog):
    # given the real payload, whose key is not under uploads/
    event = load_event("s3Event")

    # when / then: the record is understood...
    (record,) = object_created(event)
    assert record == ObjectCreated(
        bucket="lambda-artifacts-deafc19498e3f2df",
        key="b21b84d653bb07b05b1e6b33684dc11b",
        size=1305107,
        etag="b21b84d653bb07b05b1e6b33684dc11b",
        sequencer="0C0F6F405D6ED209E1",
    )
    # ...and refused by the loop guard, loudly
    with caplog.at_level(logging.WARNING, logger="jobs.events"):
        assert records_from_event(event) == []
    assert "outside uploads/" in caplog.text


def test_s3_event_under_uploads_is_accepted(load_event):
    event = with_key(load_event("s3Event"), UPLOAD_KEY)

    (record,) = records_from_event(event)

    assert record.key == UPLOAD_KEY
    assert record.photo_id == PHOTO_ID
    assert record.bucket == "lambda-artifacts-deafc19498e3f2df"
    assert record.size == 1305107


def test_keys_are_url_decoded_with_plus_for_space(load_event):
    # given the real payload that shows how S3 encodes keys ("Happy%20Face.jpg")
    event = load_event("s3EventDecodedKey")
    (record,) = object_created(event)
    assert record.key == "Happy Face.jpg"
    assert record.key == event["Records"][0]["s3"]["object"]["urlDecodedKey"]

    # and a key as S3 writes it for "uploads/<id>/red flower+1 (2).jpg"
    event = with_key(event, f"uploads/{PHOTO_ID}/red+flower%2B1+%282%29.jpg")
    (record,) = records_from_event(event)
    assert record.key == f"uploads/{PHOTO_ID}/red flower+1 (2).jpg"
    assert record.photo_id == PHOTO_ID


def test_etag_is_kept_without_quotes(load_event):
    event = with_key(load_event("s3Event"), UPLOAD_KEY)
    event["Records"][0]["s3"]["object"]["eTag"] = '"9b2cf535f27731c974343645a3985328"'

    (record,) = records_from_event(event)

    assert record.etag == "9b2cf535f27731c974343645a3985328"


def test_deletions_are_ignored(load_event):
    event = with_key(load_event("s3EventDeleteObject"), UPLOAD_KEY)

    assert object_created(event) == []
    assert records_from_event(event) == []


@pytest.mark.parametrize(
    "name", ["eventBridgeEvent", "dynamoStreamEvent", "apiGatewayProxyEvent", "snsEvent"]
)
def test_other_events_yield_nothing(load_event, name):
    assert records_from_event(load_event(name)) == []


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        "text",
        {},
        {"Records": "nope"},
        {"Records": [1]},
        {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put"}]},
        {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": []}]},
        {"Records": [{"EventSource": "aws:sns", "Sns": None}]},
        {"Records": [{"eventSource": "aws:sqs", "body": "{not json"}]},
        {"source": "aws.s3", "detail-type": "Object Created", "detail": {"object": {}}},
    ],
)
def test_unknown_and_malformed_shapes_yield_nothing(event):
    # never an exception: retrying a message that cannot be read would never help
    assert records_from_event(event) == []


# --- S3 -> SNS ---------------------------------------------------------------------------


def test_s3_via_sns(load_event):
    s3_event = with_key(load_event("s3Event"), f"uploads/{PHOTO_ID}/my+photo.jpg")
    event = via_sns(load_event("snsEvent"), s3_event)

    (record,) = records_from_event(event)

    assert record.key == f"uploads/{PHOTO_ID}/my photo.jpg"
    assert record.etag == "b21b84d653bb07b05b1e6b33684dc11b"
    assert record.sequencer == "0C0F6F405D6ED209E1"


def test_s3_test_event_via_sns_is_skipped(load_event, caplog):
    # what S3 publishes once when the notification configuration is saved
    test_event = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": "2024-05-01T10:00:00.000Z",
        "Bucket": "darkroom-photos",
        "RequestId": "5582815E1AEA5ADF",
        "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
    }
    event = via_sns(load_event("snsEvent"), test_event)

    with caplog.at_level(logging.INFO, logger="jobs.events"):
        assert records_from_event(event) == []
    assert "test event" in caplog.text


def test_plain_text_sns_message_is_ignored(load_event):
    # the real payload's Message is "Hello from SNS!": not ours, not an error
    assert records_from_event(load_event("snsEvent")) == []


def test_deletion_via_sns_is_ignored(load_event):
    event = via_sns(load_event("snsEvent"), with_key(load_event("s3EventDeleteObject"), UPLOAD_KEY))
    assert records_from_event(event) == []


# --- S3 -> SQS, S3 -> SNS -> SQS -------------------------------------------------------------


def test_real_s3_via_sqs_event_is_read_and_refused_outside_uploads(load_event):
    event = load_event("s3SqsEvent")

    (record,) = object_created(event)

    assert record == ObjectCreated(
        bucket="xxx",
        key="test.pdf",
        size=104681,
        etag="2e3ad1e983318bbd8e73b080e2997980",
        sequencer="00643717F9F8B85354",
    )
    assert records_from_event(event) == []


def test_s3_via_sqs_under_uploads(load_event):
    sqs_event = load_event("s3SqsEvent")
    body = json.loads(sqs_event["Records"][0]["body"])
    body["Records"][0]["s3"]["object"]["key"] = UPLOAD_KEY

    (record,) = records_from_event(via_sqs(sqs_event, body))

    assert (record.bucket, record.key, record.photo_id) == ("xxx", UPLOAD_KEY, PHOTO_ID)


def test_s3_via_sns_via_sqs(load_event):
    # given an SQS message whose body is the SNS envelope (raw delivery off)
    s3_event = with_key(load_event("s3Event"), f"uploads/{PHOTO_ID}/beach%C3%A9+2.heic")
    sns = load_event("snsEvent")["Records"][0]["Sns"]
    envelope = {
        "Type": "Notification",
        "MessageId": sns["MessageId"],
        "TopicArn": sns["TopicArn"],
        "Subject": "Amazon S3 Notification",
        "Message": json.dumps(s3_event),
        "Timestamp": sns["Timestamp"],
        "SignatureVersion": sns["SignatureVersion"],
        "Signature": sns["Signature"],
        "SigningCertURL": sns["SigningCertUrl"],
        "UnsubscribeURL": sns["UnsubscribeUrl"],
    }
    event = via_sqs(load_event("s3SqsEvent"), envelope)

    (record,) = records_from_event(event)

    assert record.key == f"uploads/{PHOTO_ID}/beaché 2.heic"
    assert record.size == 1305107


def test_s3_test_event_via_sqs_is_skipped(load_event):
    event = via_sqs(
        load_event("s3SqsEvent"),
        {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "xxx"},
    )
    assert records_from_event(event) == []


def test_every_record_of_a_batch_in_order(load_event):
    sqs_event = load_event("s3SqsEvent")
    message = sqs_event["Records"][0]
    keys = [f"uploads/{PHOTO_ID}/a.jpg", "renditions/x/thumb.webp", "uploads/other-id/b.png"]
    sqs_event["Records"] = []
    for key in keys:
        body = json.loads(message["body"])
        body["Records"][0]["s3"]["object"]["key"] = key
        sqs_event["Records"].append({**message, "body": json.dumps(body)})

    records = records_from_event(sqs_event)

    assert [r.key for r in records] == [keys[0], keys[2]]
    assert [r.photo_id for r in records] == [PHOTO_ID, "other-id"]


# --- EventBridge ---------------------------------------------------------------------------


def test_real_eventbridge_object_created(load_event):
    event = load_event("s3EventBridgeNotificationObjectCreatedEvent")

    (record,) = object_created(event)

    assert record == ObjectCreated(
        bucket="example-bucket",
        key="IMG_m7fzo3.jpg",
        size=184662,
        etag="4e68adba0abe2dc8653dc3354e14c01d",
        sequencer="006408CAD69598B05E",
    )
    assert records_from_event(event) == []  # not under uploads/


def test_eventbridge_under_uploads(load_event):
    event = load_event("s3EventBridgeNotificationObjectCreatedEvent")
    event["detail"]["object"]["key"] = f"uploads/{PHOTO_ID}/IMG+0001.jpg"

    (record,) = records_from_event(event)

    assert record.key == f"uploads/{PHOTO_ID}/IMG 0001.jpg"


def test_eventbridge_other_detail_types_are_ignored(load_event):
    event = load_event("s3EventBridgeNotificationObjectCreatedEvent")
    event["detail"]["object"]["key"] = UPLOAD_KEY
    event["detail-type"] = "Object Deleted"

    assert records_from_event(event) == []


# --- the loop guard ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        f"renditions/{PHOTO_ID}/thumb.webp",  # our own output
        "uploads/hopper.jpg",  # no photo id
        f"uploads/{PHOTO_ID}/",  # no name
        f"uploads/{PHOTO_ID}/nested/hopper.jpg",
        f"uploads/../renditions/{PHOTO_ID}",
        "uploadsX/a/b.jpg",
        "",
    ],
)
def test_loop_guard_refuses_everything_but_uploads(load_event, key):
    event = with_key(load_event("s3Event"), key)

    assert records_from_event(event) == []
    assert upload_photo_id(key) is None


def test_photo_id_of_a_non_upload_key_is_an_error():
    record = ObjectCreated(bucket="b", key="renditions/x/thumb.webp")
    with pytest.raises(ValueError, match="not an upload key"):
        _ = record.photo_id
