"""Reads of albums, scoped to an owner: another user's album is a 404, as photos are."""

from django.db.models import Count, F
from django.shortcuts import get_object_or_404

from .models import Album, AlbumOrder, Photo, PhotoStatus

# The story order for "date taken": oldest first, undated photos last, then as added.
_BY_TAKEN = (
    F("taken_at").asc(nulls_last=True),
    F("album_entries__position").asc(),
    F("id").asc(),
)
_BY_POSITION = (F("album_entries__position").asc(), F("id").asc())


def album_list(*, owner):
    """The owner's albums, newest first, with `photo_count`."""
    return Album.objects.filter(owner=owner).annotate(photo_count=Count("entries"))


def album_get(*, owner, album_id) -> Album:
    return get_object_or_404(Album, owner=owner, pk=album_id)


def album_photos(*, album: Album):
    """The album's photos in the album's order."""
    ordering = _BY_POSITION if album.order == AlbumOrder.CUSTOM else _BY_TAKEN
    return Photo.objects.filter(album_entries__album=album).order_by(*ordering)


def album_ready_photos(*, album: Album):
    """What a shared album shows: only photos whose renditions exist."""
    return album_photos(album=album).filter(status=PhotoStatus.READY)


def album_cover(*, album: Album) -> Photo | None:
    """The chosen cover if it is still ready, else the first ready photo in order."""
    if album.cover_id and album.cover and album.cover.status == PhotoStatus.READY:
        return album.cover
    return album_ready_photos(album=album).first()


def album_ids_of_photo(*, owner, photo) -> set:
    return set(Album.objects.filter(owner=owner, entries__photo=photo).values_list("pk", flat=True))
