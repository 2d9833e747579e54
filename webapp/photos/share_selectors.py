"""Reads of sharing links: the owner's list, and the visitor's way in by token.

A link is live while it is neither revoked nor expired; anything else (unknown, revoked,
expired, a photo no longer in the shared album) is the same 404, so a visitor cannot tell
one from another.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Photo, PhotoStatus, ShareLink
from .share_tokens import MAX_TOKEN_LENGTH, token_hash


def _live():
    return ShareLink.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


def share_list(*, owner, photo=None, album=None):
    """The owner's live links (of one photo or one album when given), newest first."""
    links = _live().filter(owner=owner).select_related("photo", "album")
    if photo is not None:
        links = links.filter(photo=photo)
    if album is not None:
        links = links.filter(album=album)
    return links


def share_get(*, owner, share_id) -> ShareLink:
    return get_object_or_404(ShareLink, owner=owner, pk=share_id)


def share_get_by_token(*, token: str) -> ShareLink:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Http404("No such link")
    return get_object_or_404(_live().select_related("photo", "album"), token_hash=token_hash(token))


def shared_photo(*, link: ShareLink, photo_id) -> Photo:
    """A ready photo the link shows: the shared photo itself, or one in the shared album."""
    photos = Photo.objects.filter(pk=photo_id, status=PhotoStatus.READY)
    if link.photo_id:
        photos = photos.filter(pk=link.photo_id)
    else:
        photos = photos.filter(album_entries__album_id=link.album_id)
    photo = photos.first()
    if photo is None:
        raise Http404("No such photo")
    return photo
