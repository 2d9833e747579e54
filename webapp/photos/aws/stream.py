"""The DynamoDB Streams adapter: job outcomes from the results table into the Django DB.

Configured as an event of the web function (zappa_settings.json), so it runs inside the one
function that owns the relational schema. Each stream record carries the whole results item
as it is now (NEW_IMAGE); every job attribute in it goes through job_outcomes.record_outcome
(the service `photo_results_record`), which is idempotent and ignores older outcomes, so
replays and duplicates change nothing.

Failures: a record that cannot be read is skipped (retrying would never help); a record whose
recording raises (database down, deadlock) is reported in `batchItemFailures` together with
every record after it, so Lambda retries from there and one photo's outcomes are never
recorded out of order. The event source mapping is created with ReportBatchItemFailures
(see `provision`), bisects poison batches and finally parks them in the dead-letter queue.
"""

import logging

from django.db import close_old_connections as _close_old_connections
from django.db import connection

from jobs.results import from_dynamo
from jobs.work import JOBS

from ..job_outcomes import record_outcome

logger = logging.getLogger(__name__)


def handler(event, context=None) -> dict:
    records = event.get("Records") or []
    failures: list[dict] = []
    recorded = skipped = 0
    # Lambda containers live for hours: a connection the database closed meanwhile must not
    # fail the batch, and none may linger past it.
    close_old_connections()
    try:
        for index, record in enumerate(records):
            try:
                count = record_stream_record(record)
            except Exception:
                logger.exception("could not record stream record %s", _sequence(record))
                failures = [{"itemIdentifier": _sequence(r)} for r in records[index:]]
                break
            if count:
                recorded += count
            else:
                skipped += 1
    finally:
        close_old_connections()
    logger.info(
        "stream batch: %d record(s), %d outcome(s) recorded, %d skipped, %d to retry",
        len(records),
        recorded,
        skipped,
        len(failures),
    )
    return {"batchItemFailures": failures}


def record_stream_record(record: dict) -> int:
    """Record every job outcome in one stream record; how many were handed over."""
    image = new_image(record)
    if image is None:
        return 0
    photo_id = image.get("photo_id")
    if not isinstance(photo_id, str) or not photo_id:
        logger.warning("skipped stream record %s: no photo_id", _sequence(record))
        return 0
    count = 0
    for job in JOBS:
        outcome = image.get(job)
        if isinstance(outcome, dict):
            record_outcome(photo_id, job, outcome)
            count += 1
    return count


def new_image(record: dict) -> dict | None:
    """The item after the change, as plain Python (numbers as int or float), or None for
    removals and records without an image."""
    if record.get("eventSource") not in (None, "aws:dynamodb"):
        logger.warning("skipped a record from %s", record.get("eventSource"))
        return None
    if record.get("eventName") == "REMOVE":
        return None
    raw = (record.get("dynamodb") or {}).get("NewImage")
    if not raw:
        logger.warning(
            "skipped stream record %s: no NewImage (is the stream NEW_IMAGE?)", _sequence(record)
        )
        return None
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    try:
        item = {name: deserializer.deserialize(value) for name, value in raw.items()}
    except (TypeError, ValueError, KeyError, AttributeError):
        logger.exception("skipped stream record %s: unreadable image", _sequence(record))
        return None
    return from_dynamo(_plain(item))


def _plain(value):
    # DynamoDB sets (SS/NS/BS) deserialize to Python sets, which JSON cannot hold.
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and type(value).__name__ == "Binary":
        return bytes(value.value)
    return value


def _sequence(record: dict) -> str:
    return str((record.get("dynamodb") or {}).get("SequenceNumber", ""))


def close_old_connections() -> None:
    # Outside any transaction only: a caller that holds one (a management command inside
    # atomic, a test) keeps its connection.
    if not connection.in_atomic_block:
        _close_old_connections()
