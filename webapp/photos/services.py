"""Writes. Every change to a photo goes through one of these functions.

`photo_results_record` is the single door through which job outcomes reach the database,
whoever delivers them (the inline runner, a Celery worker, the DynamoDB stream recorder, all
through job_outcomes.py). It is idempotent and order-tolerant because every one of those
transports may deliver twice or out of order. How a record's values become columns is
record_columns.py's; the table of file types is jobs/formats.py.
"""

import logging
import re
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jobs.errors import human_bytes
from jobs.formats import EXTENSIONS_BY_TYPE, normalise_content_type
from jobs.work import JOBS

from . import gallery_cache, quotas, result_checks, runners
from .models import Photo, PhotoStatus
from .record_columns import (
    bare_etag,
    copy_metadata,
    copy_renditions,
    json_safe,
    parse_instant,
    truncate,
)
from .storage import photo_storage

logger = logging.getLogger(__name__)


# Bytes, not characters: a file name component is limited to 255 bytes on most file systems
# and S3 keys to 1024; 120 leaves room for the prefix and a long extension.
_MAX_STEM_BYTES = 120
_UNSAFE_IN_NAME = re.compile(r"[^\w.\-]+")


# --- Upload -----------------------------------------------------------------------------


@transaction.atomic
def photo_create(*, owner, filename: str, content_type: str, size) -> Photo:
    """A photo waiting for its original. Refuses, in words, what could never become one."""
    filename = display_filename(filename)
    content_type = normalise_content_type(content_type, filename)
    if content_type not in settings.PHOTOS_ALLOWED_CONTENT_TYPES:
        raise ValidationError(
            f"not an image type: {content_type or 'unknown'}", code="content_type"
        )
    _check_size(size)
    quotas.check_ticket_allowed(owner=owner, size=size)
    photo_id = uuid.uuid4()
    return Photo.objects.create(
        id=photo_id,
        owner=owner,
        filename=filename or safe_name("", content_type),
        original_key=f"uploads/{photo_id}/{safe_name(filename, content_type)}",
        content_type=content_type,
        declared_size=size,
    )


def _check_size(size) -> None:
    if isinstance(size, bool) or not isinstance(size, int):
        raise ValidationError("size must be a whole number of bytes", code="size")
    if size < 1:
        raise ValidationError("empty file", code="empty")
    limit = settings.PHOTOS_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            f"too large: {human_bytes(size)}, limit {human_bytes(limit)}", code="too_large"
        )


@transaction.atomic
def photo_upload_complete(*, photo: Photo, etag: str, size: int, dispatch: bool = True) -> Photo:
    """The original is in the store: start the jobs once this commits (unless `dispatch` is
    False: the store's own notification starts them, as S3's does for the lambda runner)."""
    runners.check_configured()
    photo = Photo.objects.select_for_update().get(pk=photo.pk)
    if photo.status != PhotoStatus.UPLOADING:
        raise ValidationError("this photo was already uploaded", code="state")
    photo.status = PhotoStatus.PROCESSING
    photo.source_etag = bare_etag(etag)
    photo.uploaded_at = timezone.now()
    photo.bytes = size
    photo.jobs = {}
    photo.error = ""
    photo.save(update_fields=["status", "source_etag", "uploaded_at", "bytes", "jobs", "error"])
    if dispatch:
        _dispatch_on_commit(photo)
    return photo


@transaction.atomic
def photo_reprocess(*, photo: Photo) -> Photo:
    """Run both jobs again on the stored original (after a fix or a change of sizes)."""
    runners.check_configured()
    photo = Photo.objects.select_for_update().get(pk=photo.pk)
    if photo.status == PhotoStatus.UPLOADING:
        raise ValidationError("this photo has no original yet", code="state")
    photo.status = PhotoStatus.PROCESSING
    photo.jobs = {}
    photo.error = ""
    photo.processed_at = None
    photo.save(update_fields=["status", "jobs", "error", "processed_at"])
    _dispatch_on_commit(photo)
    return photo


@transaction.atomic
def photo_delete(*, photo: Photo) -> None:
    """The row now, the original and renditions once that is committed (a rollback must not
    leave a row whose files are gone)."""
    photo_id = photo.pk
    Photo.objects.filter(pk=photo_id).delete()
    gallery_cache.bump(photo.owner_id)
    transaction.on_commit(lambda: _delete_files(photo_id), robust=True)


def owner_files_delete_on_commit(*, owner) -> None:
    """Deleting an account cascades to its photo rows in SQL, past photo_delete: queue their
    files for removal too, once the deletion commits, so no original outlives its owner."""
    photo_ids = list(Photo.objects.filter(owner=owner).values_list("pk", flat=True))
    for photo_id in photo_ids:
        transaction.on_commit(lambda photo_id=photo_id: _delete_files(photo_id), robust=True)


def _dispatch_on_commit(photo: Photo) -> None:
    # robust: the row is committed whatever happens to the hand-off; a failure there is
    # logged, and the photo can be reprocessed from the admin.
    transaction.on_commit(lambda: runners.dispatch(photo), robust=True)


def _delete_files(photo_id) -> None:
    removed = photo_storage().delete_photo_files(photo_id)
    logger.info("deleted %d file(s) of photo %s", removed, photo_id)


# --- Job outcomes -----------------------------------------------------------------------


@transaction.atomic
def photo_results_record(*, photo_id, job: str, outcome: dict) -> Photo | None:
    """Record one job's outcome and derive the photo's state from all of them.

    Same outcome twice: same state. An outcome for another version of the original (its
    `source_etag` differs) or older than the one stored for that job is ignored. A photo
    deleted meanwhile is not an error: its late files are removed and nothing else happens.
    """
    if job not in JOBS or not isinstance(outcome, dict):
        logger.error("ignored malformed outcome of job %r for photo %s", job, photo_id)
        return None
    if outcome.get("status") not in ("done", "failed"):
        logger.error("ignored %s outcome with status %r", job, outcome.get("status"))
        return None
    try:
        photo_uuid = uuid.UUID(str(photo_id))
    except ValueError:
        logger.error("ignored %s outcome for a malformed photo id %r", job, photo_id)
        return None

    photo = Photo.objects.select_for_update().filter(pk=photo_uuid).first()
    if photo is None:
        logger.warning("ignored %s outcome for photo %s: it no longer exists", job, photo_uuid)
        # The jobs may have written renditions after the delete removed the folder.
        transaction.on_commit(lambda: _delete_files(photo_uuid), robust=True)
        return None
    problem = result_checks.outcome_problem(photo_id=photo_uuid, job=job, outcome=outcome)
    if problem:
        result_checks.refuse(photo_id=photo_uuid, job=job, problem=problem)
        return photo

    etag = bare_etag(outcome.get("source_etag"))
    if not photo.source_etag and photo.status == PhotoStatus.UPLOADING:
        # The web app did not see the upload happen (a browser POSTing straight to S3): the
        # first job to report names the object it read.
        photo.source_etag = etag
        photo.uploaded_at = photo.uploaded_at or timezone.now()
    elif etag and photo.source_etag and etag != photo.source_etag:
        outcome = result_checks.replaced_original_outcome(photo=photo, job=job, outcome=outcome)
    elif etag != photo.source_etag:
        logger.info(
            "ignored %s outcome for photo %s: source etag %r is not the current %r",
            job,
            photo.pk,
            etag,
            photo.source_etag,
        )
        return photo

    stored = photo.jobs.get(job)
    finished_at = parse_instant(outcome.get("finished_at"))
    stored_finished_at = parse_instant(stored.get("finished_at")) if stored else None
    if stored_finished_at and finished_at and finished_at < stored_finished_at:
        logger.info("ignored an older %s outcome for photo %s", job, photo.pk)
        return photo

    outcome = json_safe(outcome)
    photo.jobs = {**photo.jobs, job: outcome}
    if outcome["status"] == "done":
        result = outcome.get("result") or {}
        if job == "metadata":
            copy_metadata(photo, result)
            _link_duplicates(photo)
        else:
            copy_renditions(photo, result)
    _derive_status(photo)
    photo.save()
    return photo


def _derive_status(photo: Photo) -> None:
    outcomes = {job: photo.jobs.get(job) for job in JOBS}
    failed = [o for o in outcomes.values() if o and o.get("status") == "failed"]
    if failed:
        photo.status = PhotoStatus.FAILED
        photo.error = truncate(str(failed[0].get("error") or "processing failed"), "error")
    elif all(o and o.get("status") == "done" for o in outcomes.values()):
        photo.status = PhotoStatus.READY
        photo.error = ""
    else:
        photo.status = PhotoStatus.PROCESSING
        photo.error = ""
    if photo.status == PhotoStatus.PROCESSING:
        photo.processed_at = None
    else:
        # From the outcomes, not the clock, so that recording twice changes nothing.
        instants = [parse_instant(o.get("finished_at")) for o in outcomes.values() if o]
        photo.processed_at = max((i for i in instants if i), default=None) or timezone.now()


def _link_duplicates(photo: Photo) -> None:
    """Point this photo, and the owner's later photos with the same bytes, at the earliest
    one. Jobs finish in any order, so a copy may be recorded before its original."""
    if not photo.sha256:
        photo.duplicate_of = None
        return
    same = Photo.objects.filter(owner_id=photo.owner_id, sha256=photo.sha256).exclude(pk=photo.pk)
    earlier = Q(created_at__lt=photo.created_at) | Q(created_at=photo.created_at, pk__lt=photo.pk)
    photo.duplicate_of = same.filter(earlier).order_by("created_at", "pk").first()
    # (An UPDATE, which bumps no gallery version: the photo's own save, next, does.)
    same.exclude(earlier).update(duplicate_of=photo.duplicate_of or photo)


# --- Names --------------------------------------------------------------------------------


def display_filename(filename) -> str:
    """The name as the user knows it, minus any folder and invisible characters."""
    name = unicodedata.normalize("NFC", str(filename or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return truncate(name, "filename")


def safe_name(filename: str, content_type: str) -> str:
    """The original's name in its key: one path segment of letters, digits, "-", "_" and a
    lower-case extension (inferred from the type when missing), at most ~130 bytes."""
    name = unicodedata.normalize("NFKC", display_filename(filename))
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())[:10]
    if not ext:
        ext = EXTENSIONS_BY_TYPE.get(content_type, "")
    stem = re.sub(r"-{2,}", "-", _UNSAFE_IN_NAME.sub("-", stem)).strip("-._")
    while len(stem.encode("utf-8")) > _MAX_STEM_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip("-._") or "photo"
    return f"{stem}.{ext}" if ext else stem


# --- the owner's words: title, caption, alt text ----------------------------------------

_UNCHANGED = object()
# Control characters: a NUL is refused by PostgreSQL's text type, and none of them is
# anything a person meant to type into a title.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def _words(value, *, field: str, label: str, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{label} must be text", code="invalid")
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    if multiline:
        text = "\n".join(line.rstrip() for line in text.replace("\t", " ").split("\n")).strip()
    else:
        text = _SPACES.sub(" ", text).strip()
    limit = Photo._meta.get_field(field).max_length
    if len(text) > limit:
        raise ValidationError(
            f"{label} is too long: {len(text)} characters, at most {limit}", code="max_length"
        )
    return text


@transaction.atomic
def photo_words_update(
    *, photo: Photo, title=_UNCHANGED, caption=_UNCHANGED, alt_text=_UNCHANGED
) -> Photo:
    """Set any of the owner's words; the others stay. Text is tidied (NFC, no control
    characters; title and alt text on one line) and bounded, or refused with a reason."""
    changes = {}
    if title is not _UNCHANGED:
        changes["title"] = _words(title, field="title", label="title")
    if caption is not _UNCHANGED:
        changes["caption"] = _words(caption, field="caption", label="caption", multiline=True)
    if alt_text is not _UNCHANGED:
        changes["alt_text"] = _words(alt_text, field="alt_text", label="alt text")
    if not changes:
        return photo
    # One UPDATE of these columns only: the recorder saves whole rows under a row lock, so a
    # job's outcome recorded at the same moment waits for it and keeps the words.
    Photo.objects.filter(pk=photo.pk).update(**changes)
    gallery_cache.bump(photo.owner_id)  # an UPDATE: no signal says the cards changed
    for name, value in changes.items():
        setattr(photo, name, value)
    return photo


# --- Uploads that stop: confirm, abandon, restart, clear ---------------------------------


def photo_upload_confirm(*, photo: Photo) -> Photo:
    """The browser says its POST to the ticket's URL succeeded: check the object the store
    holds (it exists, its size is the one announced and within the limit, its type is the
    photo's) and record the upload. Idempotent: a photo past uploading is returned as it is.

    The jobs start through the configured runner, unless the store announces uploads itself
    (the lambda runner: S3 -> SNS starts them), so they are never started twice.
    Refused, in words, when the object is missing or is not what the ticket allowed; an object
    that breaks the policy is deleted, and the photo waits for a Retry."""
    if photo.status != PhotoStatus.UPLOADING:
        return photo
    storage = photo_storage()
    head = storage.head(photo.original_key)  # I/O before any row lock
    if head is None:
        raise ValidationError("the file has not arrived: upload it again", code="missing")
    problem = _object_mismatch(photo, head)
    if problem:
        logger.warning("refused the uploaded original of photo %s: %s", photo.pk, problem)
        storage.delete_photo_files(photo.pk)
        raise ValidationError(problem, code="mismatch")
    with transaction.atomic():
        locked = Photo.objects.select_for_update().get(pk=photo.pk)
        if locked.status != PhotoStatus.UPLOADING:
            return locked  # the upload view, the sweep or a job result came first
        return photo_upload_complete(
            photo=locked,
            etag=head.etag or "",
            size=head.size,
            dispatch=not runners.runner().storage_announces_uploads,
        )


def _object_mismatch(photo: Photo, head) -> str:
    limit = settings.PHOTOS_MAX_UPLOAD_BYTES
    if head.size > limit:
        return f"too large: {human_bytes(head.size)}, limit {human_bytes(limit)}"
    if head.size != photo.declared_size:
        return (
            f"the file that arrived ({human_bytes(head.size)}) is not the one announced "
            f"({human_bytes(photo.declared_size)})"
        )
    content_type = normalise_content_type(head.content_type, photo.filename)
    if content_type != photo.content_type:
        return f"the file arrived as {content_type or 'unknown'}, not {photo.content_type}"
    return ""


@transaction.atomic
def photo_upload_abandon(*, photo: Photo) -> Photo:
    """The browser reports that the transfer stopped (page left, connection lost, cancelled):
    the photo shows as "upload interrupted" at once, with Retry and Remove. Idempotent; a
    photo past uploading is left alone."""
    from .upload_state import INTERRUPTED

    photo = Photo.objects.select_for_update().get(pk=photo.pk)
    if photo.status == PhotoStatus.UPLOADING and photo.error != INTERRUPTED:
        photo.error = INTERRUPTED
        photo.save(update_fields=["error"])
    return photo


@transaction.atomic
def photo_upload_restart(*, photo: Photo, filename: str, content_type: str, size) -> Photo:
    """Retry of an interrupted upload: the same photo (id, key, place in nobody's gallery
    but the owner's) waits for the file again, under a fresh ticket the caller issues.
    The file picked must be of the photo's type (the key and the ticket pin it)."""
    photo = Photo.objects.select_for_update().get(pk=photo.pk)
    if photo.status != PhotoStatus.UPLOADING:
        raise ValidationError("this photo was already uploaded", code="state")
    content_type = normalise_content_type(content_type, display_filename(filename))
    if content_type != photo.content_type:
        raise ValidationError(
            f"pick the same file again: {photo.filename} ({photo.content_type}), "
            f"not {content_type or 'an unknown type'}",
            code="content_type",
        )
    _check_size(size)
    photo.declared_size = size
    photo.error = ""
    # created_at is when the current ticket was issued (upload_state.py): the fresh ticket
    # restarts the clock that decides "interrupted" and the sweep's clean-up.
    photo.created_at = timezone.now()
    photo.save(update_fields=["declared_size", "error", "created_at"])
    return photo


@transaction.atomic
def photo_delete_failed(*, owner) -> int:
    """Remove every failed photo of `owner` with its files; how many went."""
    failed = Photo.objects.filter(owner=owner, status=PhotoStatus.FAILED)
    photo_ids = list(failed.values_list("pk", flat=True))
    Photo.objects.filter(pk__in=photo_ids).delete()
    if photo_ids:
        gallery_cache.bump(owner.pk)
    for photo_id in photo_ids:
        transaction.on_commit(lambda photo_id=photo_id: _delete_files(photo_id), robust=True)
    return len(photo_ids)


# --- Many photos at once (the gallery's selection) ---------------------------------------

MAX_BULK_IDS = 500


@transaction.atomic
def photos_delete(*, owner, ids) -> list[Photo]:
    """Delete the owner's photos among `ids` (others' ids and unknown ones are ignored: no
    probing) and return what was deleted, for the page to say so. The rows go now, in one
    statement; each photo's files once that commits, as photo_delete does."""
    ids = list(dict.fromkeys(uuid.UUID(str(photo_id)) for photo_id in ids))
    if len(ids) > MAX_BULK_IDS:
        raise ValidationError(f"too many photos at once: at most {MAX_BULK_IDS}")
    photos = list(
        Photo.objects.select_for_update()
        .filter(owner=owner, pk__in=ids)
        .only("pk", "filename", "title", "owner_id")
    )
    Photo.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
    if photos:
        gallery_cache.bump(owner.pk)
    order = {photo_id: i for i, photo_id in enumerate(ids)}
    photos.sort(key=lambda photo: order[photo.pk])  # as asked: the page's order
    for photo in photos:
        transaction.on_commit(lambda photo_id=photo.pk: _delete_files(photo_id), robust=True)
    return photos
