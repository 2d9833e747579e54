"""Object-created records, from every way AWS can deliver one.

The jobs consume one shape, `ObjectCreated`; this module is the only place that knows the
envelopes it arrives in: a direct S3 notification, S3 -> SNS, S3 -> SQS, S3 -> SNS -> SQS,
and EventBridge's "Object Created". Anything else (deletions, S3's test event, other services'
events, malformed messages) yields no record and a log line: retrying it would never help.

Keys are refused outside `uploads/`: renditions are written under `renditions/`, and a job
that accepted its own output as input would invoke itself forever. Records naming another
bucket than the job's own are refused too (`from_bucket`): whoever can publish to the
topic must not be able to point a job at a bucket of their choosing.

Everything here takes untrusted JSON: any shape yields records or nothing, never an
exception (tests/jobs/test_events_properties.py throws arbitrary JSON at it).
"""

import json
import logging
from dataclasses import dataclass
from urllib.parse import unquote_plus

logger = logging.getLogger(__name__)

UPLOADS_PREFIX = "uploads/"

# S3's own limit on a key (UTF-8 bytes): a longer "key" was never an object.
MAX_KEY_BYTES = 1024

# SNS and SQS wrap each other at most twice (S3 -> SNS -> SQS); deeper nesting is not ours.
_MAX_DEPTH = 4


@dataclass(frozen=True)
class ObjectCreated:
    bucket: str
    key: str  # decoded: exactly what the S3 API expects back
    size: int | None = None
    etag: str = ""  # without the quotes S3 puts around it in HTTP headers
    sequencer: str = ""

    @property
    def photo_id(self) -> str:
        photo_id = upload_photo_id(self.key)
        if photo_id is None:
            raise ValueError(f"not an upload key: {self.key!r}")
        return photo_id


def upload_photo_id(key: str) -> str | None:
    """The <photo_id> of `uploads/<photo_id>/<name>`, or None for any other key."""
    if not isinstance(key, str) or not key.startswith(UPLOADS_PREFIX):
        return None
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES or "\x00" in key:
        return None
    parts = key.split("/")
    if len(parts) != 3 or not all(parts) or ".." in parts or "." in parts:
        return None
    return parts[1]


def is_upload_key(key: str) -> bool:
    return upload_photo_id(key) is not None


def records_from_event(event: object) -> list[ObjectCreated]:
    """Every acceptable object-created record in a Lambda event, in delivery order."""
    return uploads_only(object_created(event))


def object_created(event: object) -> list[ObjectCreated]:
    """Every object-created record in the event, whatever its key."""
    return list(_walk(event, depth=0))


def uploads_only(records: list[ObjectCreated]) -> list[ObjectCreated]:
    """The records under `uploads/`; the others are logged and dropped (the loop guard)."""
    accepted = []
    for record in records:
        if is_upload_key(record.key):
            accepted.append(record)
        else:
            logger.warning(
                "refused key outside uploads/ (a job never reads its own output)",
                extra={"bucket": record.bucket, "key": record.key},
            )
    return accepted


def from_bucket(records: list[ObjectCreated], bucket: str) -> list[ObjectCreated]:
    """The records naming `bucket`; the others are logged and dropped, never processed.

    An empty `bucket` (the job's configuration is missing) accepts nothing: failing closed.
    """
    accepted = []
    for record in records:
        if bucket and record.bucket == bucket:
            accepted.append(record)
        else:
            logger.warning(
                "refused record from another bucket (a job reads only its own)",
                extra={"bucket": record.bucket, "key": record.key, "expected_bucket": bucket},
            )
    return accepted


def _walk(message: object, *, depth: int):
    if depth > _MAX_DEPTH or not isinstance(message, dict):
        logger.info("ignored event: not an object-created notification")
        return
    if isinstance(message.get("Records"), list):
        for record in message["Records"]:
            yield from _walk_record(record, depth=depth)
    elif message.get("Event") == "s3:TestEvent":
        # S3 sends this once when a notification configuration is saved.
        logger.info("ignored S3 test event", extra={"bucket": message.get("Bucket")})
    elif message.get("Type") == "Notification" and "Message" in message:
        # An SNS envelope delivered through SQS (no raw message delivery).
        yield from _walk(_loads(message["Message"]), depth=depth + 1)
    elif message.get("source") == "aws.s3" and "detail-type" in message:
        record = _from_eventbridge(message)
        if record is not None:
            yield record
    else:
        logger.info("ignored event of unknown shape", extra={"event_keys": sorted(message)[:10]})


def _walk_record(record: object, *, depth: int):
    if not isinstance(record, dict):
        logger.info("ignored record of unknown shape")
        return
    source = record.get("eventSource") or record.get("EventSource")
    if source == "aws:s3":
        created = _from_s3_record(record)
        if created is not None:
            yield created
    elif source == "aws:sns":
        sns = record.get("Sns")
        message = sns.get("Message") if isinstance(sns, dict) else None
        yield from _walk(_loads(message), depth=depth + 1)
    elif source == "aws:sqs":
        yield from _walk(_loads(record.get("body")), depth=depth + 1)
    else:
        logger.info("ignored record from %s", source or "an unknown source")


def _from_s3_record(record: dict) -> ObjectCreated | None:
    event_name = record.get("eventName")
    if not isinstance(event_name, str) or not event_name.startswith("ObjectCreated:"):
        logger.info("ignored S3 %s", event_name or "event without a name")
        return None
    try:
        s3 = record["s3"]
        obj = s3["object"]
        return _created(
            bucket=s3["bucket"]["name"],
            # S3 URL-encodes keys form-style in notifications: "red flower.jpg" -> "red+flower.jpg".
            key=obj["key"],
            size=obj.get("size"),
            etag=obj.get("eTag"),
            sequencer=obj.get("sequencer"),
        )
    except (KeyError, TypeError, AttributeError, ValueError):
        logger.warning("ignored malformed S3 record")
        return None


def _from_eventbridge(message: dict) -> ObjectCreated | None:
    if message.get("detail-type") != "Object Created":
        logger.info("ignored S3 EventBridge %s", message.get("detail-type"))
        return None
    try:
        detail = message["detail"]
        obj = detail["object"]
        return _created(
            bucket=detail["bucket"]["name"],
            # Decoded like the notifications' keys: Powertools' S3EventBridgeNotificationObject
            # applies unquote_plus too. For a plain key ("IMG_0001.jpg") both readings agree.
            key=obj["key"],
            size=obj.get("size"),
            etag=obj.get("etag"),
            sequencer=obj.get("sequencer"),
        )
    except (KeyError, TypeError, AttributeError, ValueError):
        logger.warning("ignored malformed S3 EventBridge event")
        return None


def _created(*, bucket: object, key: object, size, etag, sequencer) -> ObjectCreated:
    """An ObjectCreated from a record's fields, or TypeError when they are not S3's types."""
    if not isinstance(bucket, str) or not bucket or not isinstance(key, str):
        raise TypeError("bucket and key must be strings")
    return ObjectCreated(
        bucket=bucket,
        key=unquote_plus(key),
        size=_int_or_none(size),
        etag=_bare_etag(etag),
        sequencer=sequencer if isinstance(sequencer, str) else "",
    )


def _loads(text: object) -> object:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except RecursionError:
        logger.warning("ignored message nested too deeply to be an S3 notification")
        return None
    except ValueError:
        # A plain-text SNS message ("Hello from SNS!") is somebody else's, not a broken one.
        logger.info("ignored message that is not JSON")
        return None


def _bare_etag(etag: object) -> str:
    return etag.strip('"') if isinstance(etag, str) else ""


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return int(value)
    except (ValueError, OverflowError):
        return None
