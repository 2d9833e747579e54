"""Where job outcomes go: a DynamoDB item per photo on AWS, a callable everywhere else.

The results item (key `photo_id`) has one attribute per job holding the outcome
`{status, result|error, source_etag, finished_at, duration_ms}`; its stream feeds the web
function's recorder, which owns the Django DB.
"""

import json
import logging
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

logger = logging.getLogger(__name__)

# DynamoDB refuses items over 400 KB; leave room for the other job's attribute and the key.
MAX_OUTCOME_BYTES = 180_000


def utc_now() -> str:
    """Now as the outcomes write it: fixed width (milliseconds, "Z"), so string order is
    time order, which DynamoResults' condition and the web recorder both rely on."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def duration_ms(started: float | None) -> int:
    """Milliseconds since `started` (a time.monotonic() reading); 0 when unknown."""
    return int((time.monotonic() - started) * 1000) if started is not None else 0


def done_outcome(result: dict, source_etag: str, started: float | None = None) -> dict:
    return _outcome({"status": "done", "result": result}, source_etag, started)


def failed_outcome(error: str, source_etag: str, started: float | None = None) -> dict:
    """The one shape of a failure, whoever gives up: the job itself (not an image), the
    inline runner (a bug), a Celery task (out of time or retries)."""
    return _outcome({"status": "failed", "error": error}, source_etag, started)


def _outcome(outcome: dict, source_etag: str, started: float | None) -> dict:
    outcome["source_etag"] = source_etag
    outcome["finished_at"] = utc_now()
    outcome["duration_ms"] = duration_ms(started)
    return outcome


class CallableResults:
    """Hands each outcome to a function: the recorder service in the web process or a worker."""

    def __init__(self, fn: Callable[..., object]):
        self.fn = fn

    def record(self, photo_id: str, job: str, outcome: dict) -> None:
        self.fn(photo_id=photo_id, job=job, outcome=outcome)


@cache
def default_dynamodb_client():
    import boto3
    from botocore.config import Config

    return boto3.client("dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 3}))


class DynamoResults:
    """One UpdateItem per outcome, touching only that job's attribute, so the two jobs of a
    photo never overwrite each other.

    Ordering: a write lands only if the stored outcome of that job finished no later
    (`finished_at` is ISO-8601 UTC of fixed width, so string order is time order). An older
    run finishing late (a retry racing a reprocess) is dropped instead of clobbering the
    newer result; a duplicate delivery of the same upload is processed again and writes the
    same status, result and source_etag, so the state the recorder sees is the same.
    """

    def __init__(self, table_name: str, client=None):
        self.table_name = table_name
        self._client = client

    @property
    def client(self):
        if self._client is None:
            self._client = default_dynamodb_client()
        return self._client

    def record(self, photo_id: str, job: str, outcome: dict) -> bool:
        """Store the outcome; False when a newer one is already there (not an error)."""
        if not self.table_name:
            raise RuntimeError("no results table configured (PHOTOS_RESULTS_TABLE)")
        from boto3.dynamodb.types import TypeSerializer

        value = TypeSerializer().serialize(to_dynamo(_bounded(outcome)))
        condition = (
            "attribute_not_exists(#job) OR attribute_not_exists(#job.#finished_at)"
            " OR #job.#finished_at <= :finished_at"
        )
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"photo_id": {"S": photo_id}},
                UpdateExpression="SET #job = :outcome",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#job": job, "#finished_at": "finished_at"},
                ExpressionAttributeValues={
                    ":outcome": value,
                    ":finished_at": {"S": outcome["finished_at"]},
                },
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            logger.info(
                "kept the newer %s outcome already recorded",
                job,
                extra={"photo_id": photo_id, "job": job},
            )
            return False
        return True


def to_dynamo(value):
    """JSON-like data as DynamoDB takes it: floats as Decimal (it refuses float), NaN and
    infinities as None (no number type holds them), tuples as lists."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_dynamo(v) for v in value]
    if isinstance(value, bytes):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def from_dynamo(value):
    """The inverse for readers: Decimal back to int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_dynamo(v) for v in value]
    return value


def _bounded(outcome: dict) -> dict:
    """Keep an item DynamoDB accepts: a camera with a huge maker note must not turn into a
    write that fails forever. The raw `exif` tags go first; the named fields stay."""
    if _size(outcome) <= MAX_OUTCOME_BYTES:
        return outcome
    result = dict(outcome.get("result") or {})
    exif = dict(result.get("exif") or {})
    for tag in sorted(exif, key=lambda t: _size(exif[t]), reverse=True):
        del exif[tag]
        result["exif"] = exif
        if _size({**outcome, "result": result}) <= MAX_OUTCOME_BYTES:
            break
    logger.warning("dropped the largest EXIF tags to fit the results item")
    return {**outcome, "result": result}


def _size(value) -> int:
    return len(json.dumps(value, default=str, allow_nan=True))
