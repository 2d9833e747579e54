"""When an upload has stopped: derived, never stored as a status of its own.

A photo is "upload interrupted" while it is still `uploading` and either its browser said
the transfer stopped (services.photo_upload_abandon writes INTERRUPTED into `error`) or its
ticket has expired, since no upload can land after that. A Retry (services.photo_upload_restart)
issues a fresh ticket and restarts the clock: `created_at` is when the current ticket was
issued, which is why the rule needs no column of its own.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import PhotoStatus

INTERRUPTED = "upload interrupted"
# An upload the ticket accepted may still be on the wire when the ticket expires, and
# clocks differ a little: a minute of grace before a silent photo counts as interrupted.
GRACE = timedelta(seconds=60)


def ticket_lifetime() -> timedelta:
    return timedelta(seconds=settings.PHOTOS_UPLOAD_TICKET_SECONDS)


def expired_before(now: datetime | None = None) -> datetime:
    """Photos uploading since before this instant hold a ticket nobody can use any more."""
    return (now or timezone.now()) - ticket_lifetime() - GRACE


def is_interrupted(photo, *, now: datetime | None = None) -> bool:
    if photo.status != PhotoStatus.UPLOADING:
        return False
    return photo.error == INTERRUPTED or photo.created_at <= expired_before(now)


# Reasons recorded when the web side or a runner gave up on a job, not the file: a reprocess
# may well succeed. Every other failure is the file's own (jobs.errors.NotAnImage: corrupt,
# not an image, too large, took too long), and the same bytes fail the same way again.
_TRANSIENT_REASONS = (
    "internal error",
    "could not be processed, try again later",
    "processing did not finish",
)


def fails_again(photo) -> bool:
    """True when a reprocess of this failed photo would only fail again."""
    if photo.status != PhotoStatus.FAILED:
        return False
    return not (photo.error or "").startswith(_TRANSIENT_REASONS)
