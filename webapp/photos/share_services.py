"""Writes to sharing links: make one for a photo or an album, revoke one or all.

The token is handed to the owner once, in the link; only its hash is stored (share_tokens).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Album, Photo, ShareLink
from .share_tokens import new_token, token_hash


def _expires_in(value) -> int:
    longest = settings.PHOTOS_SHARE_MAX_DAYS
    if value is None:
        return settings.PHOTOS_SHARE_DEFAULT_DAYS
    # bool is an int in Python: `true` is not a number of days.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("expires_in must be a whole number of days")
    if not 1 <= value <= longest:
        raise ValidationError(f"expires_in must be between 1 and {longest} days")
    return value


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"{name} must be true or false")
    return value


@transaction.atomic
def share_create(
    *,
    owner,
    photo: Photo | None = None,
    album: Album | None = None,
    expires_in=None,
    include_location=False,
    allow_download=False,
) -> tuple[ShareLink, str]:
    """A new link to `photo` or `album` (one of them, the owner's); returns it and its
    token, which is not stored and cannot be shown again."""
    if (photo is None) == (album is None):
        raise ValidationError("share a photo or an album")
    target = photo or album
    if target.owner_id != owner.pk:
        raise ValidationError("only the owner can share this")
    days = _expires_in(expires_in)
    limit = settings.PHOTOS_SHARE_MAX_LIVE
    live = ShareLink.objects.filter(
        owner=owner, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    if live.count() >= limit:
        raise ValidationError(f"too many live links: at most {limit}; revoke some first")
    token = new_token()
    link = ShareLink.objects.create(
        owner=owner,
        token_hash=token_hash(token),
        photo=photo,
        album=album,
        expires_at=timezone.now() + timedelta(days=days),
        include_location=_flag(include_location, "include_location"),
        allow_download=_flag(allow_download, "allow_download"),
    )
    return link, token


@transaction.atomic
def share_revoke(*, link: ShareLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])


@transaction.atomic
def share_revoke_all(*, photo: Photo | None = None, album: Album | None = None) -> int:
    """Revokes every live link to `photo` or `album`; returns how many."""
    if (photo is None) == (album is None):
        raise ValidationError("revoke the links of a photo or of an album")
    links = ShareLink.objects.filter(revoked_at__isnull=True)
    links = links.filter(photo=photo) if photo is not None else links.filter(album=album)
    return links.update(revoked_at=timezone.now())
