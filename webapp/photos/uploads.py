"""Uploads: the ticket the browser gets, and the local stand-in for S3's POST endpoint.

`ticket_for` asks the storage backend: locally a signed policy (upload_policy.py) for the
upload view, in S3 mode S3's own presigned POST. The browser POSTs the ticket's fields and
then the file, last, as "file". The upload view checks the policy the way S3 does, so the
page's JavaScript is the same whether the original lands on this disk or in a bucket. In S3
mode this module's upload view is closed: bodies never pass through API Gateway (10 MB) or
Lambda (6 MB).
"""

import base64
import binascii
import hashlib
import json
from datetime import datetime

from django.conf import settings
from django.core.files.move import file_move_safe
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.datastructures import MultiValueDict

from jobs.errors import human_bytes

from .models import Photo, PhotoStatus
from .services import photo_upload_complete
from .storage import photo_storage
from .upload_policy import sign

__all__ = ["UploadRefused", "accept_upload", "check_upload", "sign", "ticket_for"]
# Room for the multipart boundaries and the ticket's fields around the file itself.
_FORM_OVERHEAD = 64 * 1024


class UploadRefused(Exception):
    """The upload breaks its ticket; `status` 403 like S3's AccessDenied, 400 for bad data."""

    def __init__(self, reason: str, status: int = 403):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def ticket_for(photo, *, now: datetime | None = None) -> dict:
    """{"url", "fields"}: everything the browser needs to send this photo's original, from
    the storage backend (a signed local policy, or S3's own presigned POST)."""
    return photo_storage().upload_ticket(photo, now=now)


def check_upload(photo, fields, file, *, now: datetime | None = None) -> None:
    """Raise UploadRefused unless `fields` and `file` satisfy a genuine, unexpired ticket
    for this very photo. `file` is the received upload (its real size counts)."""
    if not photo_storage().receives_uploads:
        # The tickets are S3's; a file here could only be a client ignoring its ticket's URL.
        raise UploadRefused("uploads go straight to the bucket: use the ticket's url", 400)
    encoded = fields.get("policy", "")
    if not encoded or not constant_time_compare(sign(encoded), fields.get("signature", "")):
        raise UploadRefused("invalid upload signature")
    try:
        policy = json.loads(base64.b64decode(encoded, validate=True))
        expires = datetime.fromisoformat(policy["expiration"])
        conditions = list(policy["conditions"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise UploadRefused("invalid upload policy") from None
    if (now or timezone.now()) >= expires:
        raise UploadRefused("upload ticket expired")
    # The policy is ours (signed), but it must also be this photo's: a ticket for one photo
    # cannot write another one's original.
    if fields.get("key") != photo.original_key:
        raise UploadRefused("wrong key for this photo")
    if photo.status != PhotoStatus.UPLOADING:
        raise UploadRefused("this photo was already uploaded", status=400)
    if file is None:
        raise UploadRefused('no file in the upload (send it last, as "file")', status=400)
    for condition in conditions:
        _check_condition(condition, fields, file.size)


def _check_condition(condition, fields, size: int) -> None:
    if isinstance(condition, dict):
        for name, expected in condition.items():
            if fields.get(name) != expected:
                raise UploadRefused(f"{name} does not match the upload ticket")
    elif isinstance(condition, list) and condition and condition[0] == "content-length-range":
        low, high = int(condition[1]), int(condition[2])
        if size < low:
            raise UploadRefused("empty file", status=400)
        if size > high:
            raise UploadRefused(f"too large: {human_bytes(size)}, limit {human_bytes(high)}", 400)
    elif isinstance(condition, list) and len(condition) == 3 and condition[0] == "eq":
        if fields.get(str(condition[1]).lstrip("$")) != condition[2]:
            raise UploadRefused(f"{condition[1]} does not match the upload ticket")
    else:
        raise UploadRefused("invalid upload policy")


@transaction.atomic
def accept_upload(*, photo, fields, file) -> Photo:
    """Check the upload against its ticket, put the original in place and start the jobs.
    The row stays locked throughout, so two racing uploads cannot both land."""
    photo = Photo.objects.select_for_update().get(pk=photo.pk)
    check_upload(photo, fields, file)
    _store(photo, file)
    return photo_upload_complete(photo=photo, etag=file.md5, size=file.size)


def _store(photo, file) -> None:
    # A rename when the temporary directory is on the same disk, a copy otherwise.
    destination = photo_storage().path(photo.original_key)
    destination.parent.mkdir(parents=True, exist_ok=True)
    file_move_safe(file.temporary_file_path(), str(destination), allow_overwrite=True)
    destination.chmod(0o640)


class HashingUploadHandler(TemporaryFileUploadHandler):
    """Spools every file part to disk (never to memory) while computing its MD5, which is
    the ETag S3 would give the same bytes; refuses bodies over the photo limit from the
    Content-Length alone, before reading them."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = settings.PHOTOS_MAX_UPLOAD_BYTES
        if content_length and content_length > limit + _FORM_OVERHEAD and self.request:
            self.request.upload_refused = (
                f"too large: {human_bytes(content_length)}, limit {human_bytes(limit)}"
            )
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        if self.too_large or start + len(raw_data) > settings.PHOTOS_MAX_UPLOAD_BYTES:
            # Keep counting (the body is bounded by handle_raw_input) to name the real size,
            # but stop writing.
            if not self.too_large:
                self.too_large = True
                self.file.close()
            return None
        self.md5.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        if self.too_large:
            if self.request:
                limit = settings.PHOTOS_MAX_UPLOAD_BYTES
                self.request.upload_refused = (
                    f"too large: {human_bytes(file_size)}, limit {human_bytes(limit)}"
                )
            return None
        file = super().file_complete(file_size)
        file.md5 = self.md5.hexdigest()
        return file
