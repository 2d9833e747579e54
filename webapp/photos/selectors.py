"""Reads. Every query about photos goes through here, scoped to an owner."""

from django.conf import settings
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Photo, PhotoStatus

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


# ---------------------------------------------------------------------------- places, map

PLACE_MAX_LENGTH = 200


def place_query(params) -> str:
    """The `place` GET parameter as the filter reads it: spaces collapsed, bounded."""
    return " ".join((params.get("place") or "").split())[:PLACE_MAX_LENGTH]


def photos_in_place(qs, place: str):
    """The photos of `qs` taken in or near `place`: a town, a country, a two-letter country
    code, or "Town, Country", any case ("Paris", "france", "FR", "Paris, France")."""
    place = place_query({"place": place})
    if not place:
        return qs
    city, _, country = place.rpartition(",")
    if city.strip():
        return qs.filter(place_city__iexact=city.strip(), place_country__iexact=country.strip())
    return qs.filter(
        Q(place_city__iexact=place)
        | Q(place_country__iexact=place)
        | Q(place_country_code__iexact=place)
    )


def photo_filter(qs, params):
    """The gallery's filters, from its GET parameters (a QueryDict or a dict): the gallery,
    the map and its points all narrow the same way, so a filtered map shows the gallery."""
    return photos_in_place(qs, place_query(params))


def photo_map_points(*, owner, params=None, limit: int | None = None) -> list[Photo]:
    """The owner's geotagged, ready photos for the map, newest first, at most `limit`
    (settings.PHOTOS_MAP_MAX_POINTS): one query whatever the number of photos."""
    limit = limit or settings.PHOTOS_MAP_MAX_POINTS
    qs = Photo.objects.filter(
        owner=owner, status=PhotoStatus.READY, gps_lat__isnull=False, gps_lon__isnull=False
    )
    qs = photo_filter(qs, params or {})
    # The map never reads the EXIF blobs or the job outcomes.
    return list(qs.order_by(*ORDERINGS["created"]).defer("exif", "metadata", "jobs")[:limit])


def place_choices(*, owner) -> list[dict]:
    """The owner's places, by country then town, with how many photos each: one query on
    the (owner, place_country, place_city) index."""
    rows = (
        Photo.objects.filter(owner=owner)
        .exclude(place_country="")
        .values("place_country", "place_city")
        .annotate(count=Count("id"))
        .order_by("place_country", "place_city")
    )
    return [
        {"country": row["place_country"], "city": row["place_city"], "count": row["count"]}
        for row in rows
    ]
