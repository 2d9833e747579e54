"""The scheduled sweep: nothing stays "processing" forever, and abandoned uploads go away.

Runs every few minutes as a Zappa schedule event of the web function (and as
`manage.py sweep` anywhere). Three cases:

- processing for longer than PHOTOS_STUCK_MINUTES (a job function failed for good, an event
  was lost): dispatched again, at most PHOTOS_SWEEP_ATTEMPTS times; after that it is failed
  with a reason the owner can read and an admin can reprocess;
- uploading for that long although the original is in the store (in S3 mode the web app
  learns of an upload from the first result; if none came, no job ran): started;
- uploading with no original once its ticket has expired (upload_state.py: the ticket's
  lifetime plus a minute): the row is removed, since no upload can land any more; unless
  the browser reported the transfer interrupted, in which case the owner sees "upload
  interrupted" with Retry and Remove, and the row goes after PHOTOS_ABANDONED_HOURS.

The sweep keeps its own count in `photo.jobs["sweep"]`, beside the job outcomes, so it never
re-dispatches a photo it already re-dispatched within the limit.

Bounded: each pass handles the oldest photos first, at most PHOTOS_SWEEP_BATCH of each kind,
and stops between two photos once its time budget is spent (on Lambda: what the function has
left, less PHOTOS_SWEEP_RESERVE_SECONDS for the final commit and log line). A backlog of
thousands of abandoned uploads is then cleared over a few runs instead of timing out every
run half-way, which would redo the same first photos forever.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections as _close_old_connections
from django.db import connection, transaction
from django.utils import timezone

from .. import gallery_cache, upload_state
from ..models import Photo, PhotoStatus
from ..services import photo_delete, photo_reprocess, photo_upload_complete

logger = logging.getLogger(__name__)

SWEEP_KEY = "sweep"


def handler(event, context=None) -> dict:
    close_old_connections()
    try:
        return sweep(deadline=deadline_for(context))
    finally:
        close_old_connections()


def deadline_for(context) -> float | None:
    """time.monotonic() by which the pass must stop: the invocation's remaining time less a
    reserve; None without a Lambda context (a management command has no timeout)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    reserve = getattr(settings, "PHOTOS_SWEEP_RESERVE_SECONDS", 5)
    return time.monotonic() + max(0.0, remaining() / 1000 - reserve)


def sweep(*, now=None, head=None, deadline: float | None = None, batch: int | None = None) -> dict:
    """One pass; the counts of what it did, and whether it got through everything due.

    `head(key)` -> (etag, size) or None. `deadline`: a time.monotonic() value after which
    no further photo is started. `batch`: at most this many photos acted on per kind."""
    now = now or timezone.now()
    head = head or default_head
    batch = batch or getattr(settings, "PHOTOS_SWEEP_BATCH", 200)
    stuck_after = timedelta(minutes=getattr(settings, "PHOTOS_STUCK_MINUTES", 15))
    abandoned_after = timedelta(hours=getattr(settings, "PHOTOS_ABANDONED_HOURS", 24))
    max_attempts = getattr(settings, "PHOTOS_SWEEP_ATTEMPTS", 3)
    report = {"redispatched": 0, "started": 0, "failed": 0, "removed": 0, "complete": True}

    def out_of_budget(acted: int) -> bool:
        if acted >= batch or (deadline is not None and time.monotonic() >= deadline):
            report["complete"] = False
            return True
        return False

    processing = Photo.objects.filter(
        status=PhotoStatus.PROCESSING, uploaded_at__lte=now - stuck_after
    ).order_by("uploaded_at", "pk")
    acted = 0
    for photo in processing.iterator(chunk_size=batch):
        mark = (photo.jobs or {}).get(SWEEP_KEY) or {}
        last = _instant(mark.get("at"))
        if last and last > now - stuck_after:
            continue  # sent again recently: costs nothing, so not counted
        if out_of_budget(acted):
            break
        acted += 1
        attempts = int(mark.get("attempts") or 0)
        try:
            if attempts >= max_attempts:
                _give_up(photo, attempts)
                report["failed"] += 1
            else:
                _redispatch(photo, attempts + 1, now)
                report["redispatched"] += 1
        except Exception:
            logger.exception("sweep could not handle photo %s", photo.pk)

    # Every ticket that can no longer be used: its original is either in the store (start
    # it) or will never arrive.
    ticket_expired = upload_state.expired_before(now)
    uploading = Photo.objects.filter(
        status=PhotoStatus.UPLOADING, created_at__lte=max(ticket_expired, now - stuck_after)
    ).order_by("created_at", "pk")
    for acted, photo in enumerate(uploading.iterator(chunk_size=batch)):
        # Every one costs a HEAD (or a hash of a local file): each counts.
        if out_of_budget(acted):
            break
        try:
            found = head(photo.original_key)
            if found is not None:
                etag, size = found
                photo_upload_complete(photo=photo, etag=etag, size=size)
                report["started"] += 1
            elif _abandoned(photo, now=now, ticket_expired=ticket_expired, after=abandoned_after):
                photo_delete(photo=photo)
                report["removed"] += 1
        except Exception:
            logger.exception("sweep could not handle photo %s", photo.pk)

    logger.info("sweep: %s", report)
    return report


def _abandoned(photo: Photo, *, now, ticket_expired, after: timedelta) -> bool:
    if photo.error == upload_state.INTERRUPTED:
        # The owner was told and offered Retry: theirs to decide, for a while.
        return photo.created_at <= now - after
    return photo.created_at <= ticket_expired


@transaction.atomic
def _redispatch(photo: Photo, attempt: int, now) -> None:
    logger.warning(
        "photo %s stuck in processing: dispatching again (attempt %d)", photo.pk, attempt
    )
    photo = photo_reprocess(photo=photo)
    Photo.objects.filter(pk=photo.pk).update(
        jobs={SWEEP_KEY: {"attempts": attempt, "at": now.isoformat()}}
    )


@transaction.atomic
def _give_up(photo: Photo, attempts: int) -> None:
    logger.error("photo %s still processing after %d dispatches: failed", photo.pk, attempts)
    Photo.objects.filter(pk=photo.pk, status=PhotoStatus.PROCESSING).update(
        status=PhotoStatus.FAILED,
        error=f"processing did not finish after {attempts} attempts; reprocess it to try again",
    )
    gallery_cache.bump(photo.owner_id)  # an UPDATE: no signal says the card changed


def default_head(key: str):
    """(etag, size) of the original in the configured storage, or None when it is not there."""
    from ..storage import photo_storage

    head = photo_storage().head(key)
    if head is None:
        return None
    return head.etag, head.size


def _instant(value):
    from django.utils.dateparse import parse_datetime

    try:
        return parse_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


def close_old_connections() -> None:
    # Outside any transaction only: a caller that holds one (a management command inside
    # atomic, a test) keeps its connection.
    if not connection.in_atomic_block:
        _close_old_connections()
