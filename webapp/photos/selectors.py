"""Reads. Every query about photos goes through here, scoped to an owner."""

from django.shortcuts import get_object_or_404

from .models import Photo

ORDERINGS = {
    "created": ("-created_at", "-id"),
    "taken": ("-taken_at", "-created_at", "-id"),
}


def photo_list(*, owner, order: str = "created"):
    """The owner's photos, newest first (or by date taken); a lazy queryset."""
    return Photo.objects.filter(owner=owner).order_by(*ORDERINGS.get(order, ORDERINGS["created"]))


def photo_get(*, owner, photo_id) -> Photo:
    """One of the owner's photos; another user's photo is a 404, never a 403 (no probing)."""
    return get_object_or_404(Photo, owner=owner, pk=photo_id)
