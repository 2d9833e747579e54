"""Writes to albums: create, rename, delete, membership, order and cover.

An album only ever holds its owner's photos: every id given is checked against the owner
and the whole call is refused, in words, when one is not theirs (or does not exist), so
nothing crosses from one user to another and nothing is half done.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from . import album_selectors
from .models import Album, AlbumOrder, AlbumPhoto, Photo

MAX_TITLE = 200
# Per call: what one selection bar request may carry (a reorder carries the whole album,
# bounded by settings.PHOTOS_ALBUM_MAX_PHOTOS).
MAX_IDS = 500


def _title(value) -> str:
    if not isinstance(value, str):
        raise ValidationError("the title must be text")
    title = " ".join(value.split())
    if not title:
        raise ValidationError("an album needs a title")
    if len(title) > MAX_TITLE:
        raise ValidationError(f"the title is too long: at most {MAX_TITLE} characters")
    return title


def _owned_photo_ids(*, owner, photo_ids, limit: int = MAX_IDS) -> list:
    """`photo_ids` as the owner's photos' primary keys, in the order given, without repeats;
    refused whole when one of them is someone else's or does not exist."""
    if not isinstance(photo_ids, list | tuple):
        raise ValidationError("ids must be a list of photo ids")
    if len(photo_ids) > limit:
        raise ValidationError(f"too many ids: at most {limit} at a time")
    ids = []
    for value in photo_ids:
        try:
            ids.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            raise ValidationError(f"not a photo id: {str(value)[:40]}") from None
    ids = list(dict.fromkeys(ids))
    found = set(Photo.objects.filter(owner=owner, pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        # Someone else's photo reads exactly like one that does not exist: no probing.
        raise ValidationError(f"no such photo: {missing[0]}")
    return ids


@transaction.atomic
def album_create(*, owner, title, photo_ids=()) -> Album:
    title = _title(title)
    limit = settings.PHOTOS_MAX_ALBUMS
    if Album.objects.filter(owner=owner).count() >= limit:
        raise ValidationError(f"too many albums: at most {limit}; delete one first")
    album = Album.objects.create(owner=owner, title=title)
    if photo_ids:
        album_photos_add(album=album, photo_ids=photo_ids)
    return album


@transaction.atomic
def album_rename(*, album: Album, title) -> Album:
    album.title = _title(title)
    album.save(update_fields=["title", "updated_at"])
    return album


@transaction.atomic
def album_delete(*, album: Album) -> None:
    """The album, its places and its links go; the photos stay (AlbumPhoto cascades, Photo
    does not)."""
    album.delete()


@transaction.atomic
def album_photos_add(*, album: Album, photo_ids) -> int:
    """Appends the photos not yet in the album, in the order given; returns how many."""
    ids = _owned_photo_ids(owner=album.owner, photo_ids=photo_ids)
    # Lock the album row: two concurrent adds must not hand out the same positions.
    Album.objects.select_for_update().filter(pk=album.pk).first()
    present = set(
        AlbumPhoto.objects.filter(album=album, photo_id__in=ids).values_list("photo_id", flat=True)
    )
    new = [pk for pk in ids if pk not in present]
    limit = settings.PHOTOS_ALBUM_MAX_PHOTOS
    if AlbumPhoto.objects.filter(album=album).count() + len(new) > limit:
        raise ValidationError(f"an album holds at most {limit} photos")
    last = AlbumPhoto.objects.filter(album=album).aggregate(last=Max("position"))["last"]
    start = 0 if last is None else last + 1
    AlbumPhoto.objects.bulk_create(
        AlbumPhoto(album=album, photo_id=pk, position=start + i) for i, pk in enumerate(new)
    )
    if new:
        album.save(update_fields=["updated_at"])
    return len(new)


@transaction.atomic
def album_photos_remove(*, album: Album, photo_ids) -> int:
    """Takes the photos out of the album (never deletes them); returns how many left."""
    ids = _owned_photo_ids(owner=album.owner, photo_ids=photo_ids)
    removed, _ = AlbumPhoto.objects.filter(album=album, photo_id__in=ids).delete()
    if album.cover_id in ids:
        album.cover = None
    album.save(update_fields=["cover", "updated_at"])
    return removed


@transaction.atomic
def album_reorder(*, album: Album, photo_ids) -> Album:
    """The owner's order: `photo_ids` must be exactly the album's photos, first to last."""
    ids = _owned_photo_ids(
        owner=album.owner, photo_ids=photo_ids, limit=settings.PHOTOS_ALBUM_MAX_PHOTOS
    )
    entries = {
        entry.photo_id: entry
        for entry in AlbumPhoto.objects.select_for_update().filter(album=album)
    }
    if len(ids) != len(photo_ids) or set(ids) != set(entries):
        raise ValidationError(
            "the order must list every photo of the album exactly once "
            f"({len(entries)} photos, {len(photo_ids)} ids given)"
        )
    for position, pk in enumerate(ids):
        entries[pk].position = position
    AlbumPhoto.objects.bulk_update(entries.values(), ["position"])
    album.order = AlbumOrder.CUSTOM
    album.save(update_fields=["order", "updated_at"])
    return album


@transaction.atomic
def album_photo_move(*, album: Album, photo_id, offset: int) -> Album:
    """Moves one photo `offset` places (-1: one earlier) in the order the page shows, which
    then becomes the owner's order. The keyboard's and the no-JavaScript way to reorder."""
    order = [photo.pk for photo in album_selectors.album_photos(album=album).only("pk")]
    if photo_id not in order:
        raise ValidationError("that photo is not in this album")
    index = order.index(photo_id)
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    return album_reorder(album=album, photo_ids=order)


@transaction.atomic
def album_order_set(*, album: Album, order) -> Album:
    """Back to date taken (the positions are kept, should the owner switch again)."""
    if order not in AlbumOrder.values:
        raise ValidationError(f"order must be one of: {', '.join(AlbumOrder.values)}")
    album.order = order
    album.save(update_fields=["order", "updated_at"])
    return album


@transaction.atomic
def album_cover_set(*, album: Album, photo_id) -> Album:
    """The cover: one of the album's photos, or None for the first in the album's order."""
    if (
        photo_id is not None
        and not AlbumPhoto.objects.filter(album=album, photo_id=photo_id).exists()
    ):
        raise ValidationError("the cover must be a photo of this album")
    album.cover_id = photo_id
    album.save(update_fields=["cover", "updated_at"])
    return album
