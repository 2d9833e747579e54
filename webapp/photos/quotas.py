"""Per-user quotas, checked when an upload ticket is asked for.

Without them one account can take hundreds of 50 MB tickets in a loop: the storage bill and
the job queue are everyone's. Two limits, both settings:

- PHOTOS_QUOTA_BYTES: the originals one user may keep (uploaded sizes, and the declared size
  of those still on their way, which S3 caps at the upload limit anyway);
- PHOTOS_QUOTA_PENDING: photos waiting for their original. The upload page asks for a few
  tickets at a time; a client holding dozens is not uploading, it is hoarding.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from jobs.errors import human_bytes

from .models import Photo, PhotoStatus


class QuotaExceeded(ValidationError):
    """A ValidationError (so callers that only know those still answer in words) that also
    carries the HTTP status the API answers with."""

    def __init__(self, message: str, *, code: str, status: int):
        super().__init__(message, code=code)
        self.status = status


def check_ticket_allowed(*, owner, size: int) -> None:
    """Raises QuotaExceeded when a new photo of `size` bytes would break one of the owner's
    quotas. Call it inside the transaction that creates the photo: it locks the owner's row so
    that two tickets asked for at once cannot both slip under the limit."""
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    usage = Photo.objects.filter(owner=owner).aggregate(
        stored=Coalesce(Sum(Coalesce("bytes", "declared_size")), 0),
        pending=Count("pk", filter=Q(status=PhotoStatus.UPLOADING)),
    )
    pending_limit = settings.PHOTOS_QUOTA_PENDING
    if usage["pending"] >= pending_limit:
        raise QuotaExceeded(
            f"too many uploads waiting: {usage['pending']} photos have not arrived yet, "
            f"at most {pending_limit}; finish or cancel those first",
            code="quota_pending",
            status=429,
        )
    bytes_limit = settings.PHOTOS_QUOTA_BYTES
    if usage["stored"] + size > bytes_limit:
        raise QuotaExceeded(
            f"storage quota reached: {human_bytes(usage['stored'])} used of "
            f"{human_bytes(bytes_limit)}, this photo needs {human_bytes(size)} more",
            code="quota_bytes",
            status=413,
        )
