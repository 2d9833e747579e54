"""What the web app accepts from a job outcome before it records it.

Outcomes arrive from places the web app does not control as tightly as its own requests: a
DynamoDB item anyone with write access to the results table can shape, a broker message. The
rendition keys in them become links the media views serve to the photo's owner, so an
outcome that names a key outside the photo's own `renditions/<photo_id>/` folder (alice's
thumbnail pointing at bob's original) or a rendition the configuration does not make is
refused as a whole: one forged entry makes the rest of that outcome untrustworthy too.
"""

import logging
import re

from jobs.config import Limits

from .models import Photo

logger = logging.getLogger(__name__)

REPLACED_ORIGINAL = "the original was replaced after upload; upload it again as a new photo"
_EXTENSION = r"\.[a-z0-9]{1,5}"


def rendition_names() -> set[str]:
    """The renditions the jobs are configured to make (PHOTOS_RENDITION_SIZES)."""
    return set(Limits.from_env().sizes)


def outcome_problem(*, photo_id, job: str, outcome: dict) -> str | None:
    """Why this outcome must not be recorded, in words, or None when it may be."""
    if job != "renditions" or outcome.get("status") != "done":
        return None
    result = outcome.get("result")
    if result is None:
        return None
    if not isinstance(result, dict):
        return "the renditions result is not an object"
    items = result.get("renditions") or []
    if not isinstance(items, list):
        return "the renditions are not a list"
    allowed = rendition_names()
    if len(items) > len(allowed):
        return f"{len(items)} renditions, the configuration makes {len(allowed)}"
    for item in items:
        if not isinstance(item, dict):
            return "a rendition is not an object"
        name, key = item.get("name"), item.get("key")
        if name not in allowed:
            return f"unknown rendition {str(name)[:40]!r}"
        expected = re.compile(
            rf"renditions/{re.escape(str(photo_id))}/{re.escape(name)}{_EXTENSION}"
        )
        if not isinstance(key, str) or not expected.fullmatch(key):
            return f"rendition {name} points outside the photo's folder: {str(key)[:120]!r}"
    return None


def refuse(*, photo_id, job: str, problem: str) -> None:
    logger.error(
        "refused %s outcome for photo %s: %s",
        job,
        photo_id,
        problem,
        extra={"photo_id": str(photo_id), "job": job},
    )


def replaced_original_outcome(*, photo: Photo, job: str, outcome: dict) -> dict:
    """The outcome to record when a job read another object at the photo's key than the
    one recorded at upload.

    Only the photo's own ticket can write that key, so its owner posted a second, different
    file before the ticket expired. Neither version's results can be trusted to describe what
    is stored (the renditions of one may sit beside the metadata of the other), so the job is
    recorded as failed with the reason, for the recorded original: the photo fails, stays
    failed when the first original's outcomes are replayed, and an admin can reprocess it.
    """
    etag = outcome.get("source_etag")
    logger.warning(
        "photo %s: %s read etag %r, recorded %r: the original was replaced",
        photo.pk,
        job,
        etag,
        photo.source_etag,
        extra={"photo_id": str(photo.pk), "job": job},
    )
    return {
        "status": "failed",
        "error": REPLACED_ORIGINAL,
        "source_etag": photo.source_etag,
        "replaced_by_etag": str(etag)[:100],
        "finished_at": outcome.get("finished_at"),
        "duration_ms": 0,
    }
