"""Reads of albums, scoped to an owner: another user's album is a 404, as photos are."""

from django.db.models import Count, F, OuterRef, Subquery, UUIDField
from django.shortcuts import get_object_or_404

from .models import Album, AlbumOrder, AlbumPhoto, Photo, PhotoStatus

# The story order for "date taken": oldest first, undated photos last, then as added.
_BY_TAKEN = (
    F("taken_at").asc(nulls_last=True),
    F("album_entries__position").asc(),
    F("id").asc(),
)
_BY_POSITION = (F("album_entries__position").asc(), F("id").asc())


def album_list(*, owner):
    """The owner's albums, newest first, with `photo_count` and what album_covers needs
    (the first ready photo in either order), all in one query."""
    ready = AlbumPhoto.objects.filter(album=OuterRef("pk"), photo__status=PhotoStatus.READY)
    first_by_taken = ready.order_by(
        F("photo__taken_at").asc(nulls_last=True), "position", "photo_id"
    )
    return (
        Album.objects.filter(owner=owner)
        .select_related("cover")
        .annotate(
            photo_count=Count("entries"),
            # output_field: SQLite hands a bare foreign key back as hex text, not a UUID.
            first_by_position=Subquery(
                ready.order_by("position", "photo_id").values("photo_id")[:1],
                output_field=UUIDField(),
            ),
            first_by_taken=Subquery(
                first_by_taken.values("photo_id")[:1], output_field=UUIDField()
            ),
        )
    )


def album_covers(albums) -> dict:
    """{album id: cover photo or None} for albums from album_list, in one more query (the
    list page must not ask once per album)."""
    wanted = {}
    for album in albums:
        if album.cover_id and album.cover.status == PhotoStatus.READY:
            continue
        first = (
            album.first_by_position if album.order == AlbumOrder.CUSTOM else album.first_by_taken
        )
        wanted[album.pk] = first
    found = Photo.objects.in_bulk([pk for pk in wanted.values() if pk])
    return {
        album.pk: found.get(wanted[album.pk]) if album.pk in wanted else album.cover
        for album in albums
    }


def album_choices(*, owner):
    """Ids and titles of the owner's albums, for a menu (no counts, no covers)."""
    return Album.objects.filter(owner=owner).only("id", "title", "created_at")


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
