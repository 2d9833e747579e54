"""Reads. Every query about photos goes through here, scoped to an owner."""

from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Photo

# Undated photos go last on every database (PostgreSQL would put NULLs first by default);
# the model's indexes are declared in exactly these orders so the sort is an index scan.
ORDERINGS = {
    "created": (F("created_at").desc(), F("id").desc()),
    "taken": (F("taken_at").desc(nulls_last=True), F("created_at").desc(), F("id").desc()),
}


def photo_list(*, owner, order: str = "created"):
    """The owner's photos, newest first (or by date taken); a lazy queryset."""
    return Photo.objects.filter(owner=owner).order_by(*ORDERINGS.get(order, ORDERINGS["created"]))


def photo_get(*, owner, photo_id) -> Photo:
    """One of the owner's photos; another user's photo is a 404, never a 403 (no probing)."""
    return get_object_or_404(Photo, owner=owner, pk=photo_id)


def photo_list_by_ids(*, owner, ids) -> list[Photo]:
    """The owner's photos among `ids`, in the order asked; others' ids are left out."""
    found = {photo.pk: photo for photo in Photo.objects.filter(owner=owner, pk__in=ids)}
    return [found[photo_id] for photo_id in dict.fromkeys(ids) if photo_id in found]


def photo_get_for_viewer(*, user, photo_id) -> Photo:
    """A photo whose files `user` may see: their own, or any for staff allowed to view
    photos in the admin (its list shows every user's thumbnails). Anyone else gets a 404."""
    if not user.is_authenticated:
        raise Http404("No such photo")
    if user.is_staff and user.has_perm("photos.view_photo"):
        return get_object_or_404(Photo, pk=photo_id)
    return photo_get(owner=user, photo_id=photo_id)


def photo_exists(*, photo_id) -> bool:
    return Photo.objects.filter(pk=photo_id).exists()


def photo_list_recent_pending(*, owner, since) -> list:
    """The owner's photos added since `since` that are still uploading or processing, oldest
    first (the order the upload page listed them): what a reload of that page shows again."""
    from .models import PhotoStatus

    return list(
        Photo.objects.filter(
            owner=owner,
            created_at__gte=since,
            status__in=(PhotoStatus.UPLOADING, PhotoStatus.PROCESSING),
        )
        .defer("exif", "metadata", "jobs")
        .order_by("created_at", "id")
    )


# The gallery shows "Remove N failed photos" on every page view: reading a bounded list of
# ids off the status index costs less than a COUNT over a large gallery, and past this many
# the button says "1000+".
FAILED_COUNT_CAP = 1000


def photo_failed_count(*, owner) -> int:
    """How many of the owner's photos failed, up to FAILED_COUNT_CAP."""
    from .models import PhotoStatus

    failed = Photo.objects.filter(owner=owner, status=PhotoStatus.FAILED).order_by()
    return len(failed.values_list("pk", flat=True)[:FAILED_COUNT_CAP])
