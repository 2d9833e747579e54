"""Lambda entry points: `jobs.handlers.thumbnails` and `jobs.handlers.metadata`.

Thin on purpose: normalise the event into object-created records and hand each one to
`jobs.work.run_job`. The store, the results sink and the limits are module-level so a warm
container reuses them.

Error policy, per record: a file that cannot become a photo is recorded as failed and the
invocation succeeds (retrying would fail the same way, forever); any other error (S3,
DynamoDB, throttling, a bug) raises so Lambda retries the event and, after its retries,
sends it to the function's failure destination. Retried and duplicate deliveries redo the
same work and write the same state. Skipped, logged and never read: records naming a key
outside uploads/, a bucket other than PHOTOS_BUCKET, or an original replaced since the
event (its ETag no longer matches; the replacement's own event does the work).
"""

import logging
import os

# Imported here, in the init phase, rather than on the first record: the SDK and the image
# stack are the bulk of a cold start.
import boto3  # noqa: F401

import jobs.metadata  # noqa: F401
import jobs.renditions  # noqa: F401
from jobs import logs
from jobs.config import Limits
from jobs.events import from_bucket, object_created, uploads_only
from jobs.results import DynamoResults
from jobs.storage import S3Store
from jobs.work import run_job

logs.configure(os.environ.get("POWERTOOLS_SERVICE_NAME") or "darkroom-jobs")
logger = logging.getLogger(__name__)

limits = Limits.from_env()
# One client per service, made on first use and kept as long as the container lives.
# (Making them here would add ~100 ms of endpoint and model loading to every import, tests
# and tooling included, for no gain: the first record pays it once either way.)
store = S3Store()
sink = DynamoResults(os.environ.get("PHOTOS_RESULTS_TABLE", ""))
# The one bucket this function reads: a record naming any other is refused, unread.
bucket = os.environ.get("PHOTOS_BUCKET", "")

_cold_start = True


def thumbnails(event: dict, context) -> dict:
    return _invoke("renditions", event, context)


def metadata(event: dict, context) -> dict:
    return _invoke("metadata", event, context)


def _invoke(job: str, event: dict, context) -> dict:
    global _cold_start
    fields = {
        "function_name": getattr(context, "function_name", None),
        "function_request_id": getattr(context, "aws_request_id", None),
        "cold_start": _cold_start,
    }
    _cold_start = False
    with logs.log_fields(**fields):
        return handle(job, event)


def handle(job: str, event: dict) -> dict:
    """Run `job` on every upload the event announces; a summary for the invocation result."""
    candidates = object_created(event)
    records = from_bucket(uploads_only(candidates), bucket)
    summary = {"job": job, "processed": 0, "failed": 0, "skipped": len(candidates) - len(records)}
    if not candidates:
        logger.info("nothing to do: the event announces no created object")
    for record in records:
        with logs.log_fields(photo_id=record.photo_id, job=job):
            try:
                outcome = run_job(job, record, store=store, sink=sink, limits=limits)
            except Exception:
                logger.exception("%s failed; raising so Lambda retries the event", job)
                raise
        if outcome["status"] == "superseded":
            summary["skipped"] += 1
            continue
        summary["processed"] += 1
        if outcome["status"] == "failed":
            summary["failed"] += 1
    logger.info("%s: %d processed, %d failed, %d skipped", job, *list(summary.values())[1:])
    return summary
