"""One job on one uploaded original: the function every runner calls.

Lambda handlers, Celery tasks and the web process's thread pool are thin adapters over
`run_job`: they bring a record, a store and a sink; this fetches the original, does the work,
writes renditions, and records the outcome. A file that cannot become a photo is a recorded
"failed" outcome and a normal return; any other exception propagates so the runner retries.
"""

import logging
import time

from jobs.config import Limits
from jobs.errors import NotAnImage, Superseded
from jobs.events import ObjectCreated, is_upload_key
from jobs.results import done_outcome, failed_outcome

logger = logging.getLogger(__name__)

JOBS = ("renditions", "metadata")


def rendition_key(photo_id: str, name: str, ext: str = "webp") -> str:
    return f"renditions/{photo_id}/{name}.{ext}"


def run_job(job: str, record: ObjectCreated, *, store, sink, limits: Limits | None = None) -> dict:
    """Run `job` on the original `record` names and record the outcome through `sink`.

    Returns the outcome: `{"status": "done", "result": ...}` or `{"status": "failed",
    "error": reason}`, plus `source_etag`, `finished_at` (ISO-8601 UTC) and `duration_ms`.

    When the original is no longer the object the record names (overwritten since), nothing
    is written or recorded and the outcome is `{"status": "superseded", "reason": ...}`:
    the event for the object that replaced it does the work, on the bytes it announces.
    """
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}; expected one of {', '.join(JOBS)}")
    if not is_upload_key(record.key):
        # The same loop guard as the event parser: a caller that built its own record must
        # not be able to feed a job its own output.
        raise ValueError(f"refusing key outside uploads/: {record.key!r}")
    limits = limits or Limits()
    photo_id = record.photo_id
    started = time.monotonic()
    try:
        with store.fetch(record, max_bytes=limits.max_bytes) as path:
            if job == "renditions":
                result = _renditions(path, record, store=store, limits=limits)
            else:
                result = _metadata(path, limits=limits)
        outcome = done_outcome(result, record.etag, started)
    except NotAnImage as exc:
        outcome = failed_outcome(exc.reason, record.etag, started)
    except Superseded as exc:
        # The object changed since the event: its own event does the work. Nothing is
        # written or recorded for this one.
        logger.warning(
            "%s skipped: %s",
            job,
            exc.reason,
            extra={"photo_id": photo_id, "job": job, "status": "superseded"},
        )
        return {"status": "superseded", "reason": exc.reason, "source_etag": record.etag}
    sink.record(photo_id, job, outcome)
    logger.info(
        "%s %s in %d ms%s",
        job,
        outcome["status"],
        outcome["duration_ms"],
        f": {outcome['error']}" if outcome["status"] == "failed" else "",
        extra={"photo_id": photo_id, "job": job, "status": outcome["status"]},
    )
    return outcome


def _renditions(path, record: ObjectCreated, *, store, limits: Limits) -> dict:
    from jobs.renditions import render

    rendition_set = render(path, limits=limits)
    renditions = []
    for rendition in rendition_set.renditions:
        key = rendition_key(record.photo_id, rendition.name, rendition.ext)
        # Beside their original: the bucket the upload landed in (one root for LocalStore).
        store.put(key, rendition.data, rendition.content_type, bucket=record.bucket)
        renditions.append(
            {
                "name": rendition.name,
                "key": key,
                "width": rendition.width,
                "height": rendition.height,
                "bytes": len(rendition.data),
            }
        )
    return {
        "renditions": renditions,
        "placeholder": rendition_set.placeholder,
        # Painted as is by the pages: the web process never decodes an image.
        "placeholder_data_url": rendition_set.placeholder_data_url,
    }


def _metadata(path, *, limits: Limits) -> dict:
    from jobs.metadata import extract

    return extract(path, limits=limits)
