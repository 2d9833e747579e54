"""Reads. Every query about photos goes through here, scoped to an owner."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import CharField, Count, F, Func, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from . import pagination
from .facts import says_nothing
from .filters import PhotoFilter, camera_names, place_q
from .models import Photo, PhotoStatus

# Undated photos go last on every database (PostgreSQL would put NULLs first by default);
# the model's indexes are declared in exactly these orders so the sort is an index scan.
ORDERINGS = {
    "created": (F("created_at").desc(), F("id").desc()),
    "taken": pagination.forward("taken"),
    "taken_asc": pagination.forward("taken_asc"),
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


# ---------------------------------------------------------------------------- places, map


def photos_in_place(qs, place: str):
    """The photos of `qs` taken in or near `place` (filters.place_q says how it matches)."""
    place = " ".join((place or "").split())
    return qs.filter(place_q(place)) if place else qs


def photo_map_points(*, owner, params=None, limit: int | None = None) -> list[Photo]:
    """The owner's geotagged, ready photos for the map, newest first, at most `limit`
    (settings.PHOTOS_MAP_MAX_POINTS), narrowed by the gallery's own filters (browse): one
    query whatever the number of photos, or two when a camera's name is resolved."""
    limit = limit or settings.PHOTOS_MAP_MAX_POINTS
    qs = browse(owner=owner, params=params or {}).photos.filter(
        status=PhotoStatus.READY, gps_lat__isnull=False, gps_lon__isnull=False
    )
    return list(qs.order_by(*ORDERINGS["created"])[:limit])


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


# --- Browsing: filters, the timeline's months, the viewer's neighbours -------------------

# What the gallery and the viewer never read: the EXIF blobs stay in the database.
_HEAVY = ("exif", "metadata", "jobs")


def filter_choices(*, owner) -> dict:
    """The values the filter form offers, from the owner's own photos (gallery_facets)."""
    return gallery_facets(owner=owner)[0]


def gallery_facets(*, owner) -> tuple[dict, int]:
    """The filter form's choices and how many photos failed (photo_failed_count's figure),
    in one query: the (make, model, lens, format) groups, which are few however many photos
    share them, each with its count of failed photos. The gallery shows both on every page
    view, and the scan that finds the distinct values reads every status anyway: a second
    query cost the page more than the count does here."""
    rows = list(
        Photo.objects.filter(owner=owner)
        .order_by()
        .values_list("camera_make", "camera_model", "lens", "format")
        .annotate(failed=Count("pk", filter=Q(status=PhotoStatus.FAILED)))
    )
    lenses = {lens for _, _, lens, _, _ in rows if lens and not says_nothing(lens, lens=True)}
    choices = {
        "cameras": camera_names({(make, model) for make, model, _, _, _ in rows if make or model}),
        "lenses": sorted(lenses, key=str.lower),
        "formats": sorted({fmt for _, _, _, fmt, _ in rows if fmt}),
    }
    return choices, min(sum(failed for *_, failed in rows), FAILED_COUNT_CAP)


def photo_browse(*, owner, photo_filter: PhotoFilter | None = None, cameras=None):
    """The owner's photos matching the filter, unordered (the paginator orders them)."""
    photos = Photo.objects.filter(owner=owner).defer(*_HEAVY)
    if photo_filter is not None and photo_filter.active:
        photos = photos.filter(photo_filter.to_q(cameras))
    return photos


def camera_pairs(*, owner, name: str) -> dict:
    """{name: [(make, model), ...]} for one camera name: what `to_q` needs to match a camera
    by the name the page shows, in one query (the viewer's and the API's filters)."""
    if not name:
        return {}
    pairs = (
        Photo.objects.filter(owner=owner)
        .exclude(camera_make="", camera_model="")
        .order_by()
        .values_list("camera_make", "camera_model")
        .distinct()
    )
    return {name: camera_names(pairs).get(name, [])}


class _TakenMonth(Func):
    """ "2023-07" of the date taken, in the database's own code: SQLite's TruncMonth calls
    back into Python for every row (70 ms at 10,000 photos), this is a string slice there.
    Dates taken are stored as UTC (models.Photo), so the month is the camera's month."""

    output_field = CharField()
    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM')"

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps datetimes as ISO text, "2023-07-14 20:00:00".
        return self.as_sql(compiler, connection, template="substr(%(expressions)s, 1, 7)", **extra)


def month_counts(*, photos) -> list[tuple]:
    """[(first day of the month, count)] of the photos' dates taken, newest first, and
    (None, count) for the undated: one GROUP BY query, whatever the gallery's size."""
    rows = list(
        photos.order_by()
        .annotate(month=_TakenMonth("taken_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .values_list("month", "count")
    )
    dated = sorted(
        ((date(int(m[:4]), int(m[5:7]), 1), c) for m, c in rows if m is not None), reverse=True
    )
    undated = [(None, c) for m, c in rows if m is None]
    return dated + undated


def photo_neighbours(*, photos, photo, order: str) -> pagination.Neighbours:
    """The photos before and after `photo` among `photos` (already scoped and filtered)."""
    return pagination.neighbours(photos, photo, order=order)


@dataclass(frozen=True)
class Browse:
    """What a gallery URL asks for: its photos (scoped and filtered), order and filter."""

    photos: object  # a lazy queryset
    order: str
    photo_filter: PhotoFilter

    @property
    def query_string(self) -> str:
        """The URL's order and filter, for links that keep them (viewer, prev/next)."""
        return self.photo_filter.query_string(order="" if self.order == "created" else self.order)


def browse(*, owner, params) -> Browse:
    """The gallery, the viewer and the photo page read their order and filter here, so all
    three walk the same set of photos. Costs no query, or one to resolve a camera's name."""
    order = params.get("order") or "created"
    if order not in pagination.ORDERS:
        order = "created"
    photo_filter = PhotoFilter.from_params(params)
    cameras = camera_pairs(owner=owner, name=photo_filter.camera)
    photos = photo_browse(owner=owner, photo_filter=photo_filter, cameras=cameras)
    return Browse(photos=photos, order=order, photo_filter=photo_filter)
