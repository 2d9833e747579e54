"""Keyset ("cursor") pagination for the gallery.

OFFSET pages get slower the deeper they go and COUNT(*) scans every row; a gallery of
thousands of photos instead pages by the sort key of the last photo shown, which the
(owner, created_at) / (owner, taken_at) indexes answer directly. Every page costs the same
two queries: the page itself (one row more than shown, to know whether there is a next
page) and an EXISTS for the link in the other direction.

Orders: "created" is (created_at, id) newest first; "taken" is (taken_at, created_at, id)
newest first with photos that have no date taken last, then by upload time; "taken_asc" is
the same oldest first, undated photos still last. Both sort first on `taken_at IS NULL`
rather than NULLS LAST: SQLite cannot put NULLS LAST in an index (nor use an index for it),
but both databases index that expression (the model's indexes, migration 0004), so every
order is an index range scan on both.
"""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet

PAGE_SIZE = 48
# A cursor this module writes is three ISO strings and a UUID: about 140 characters of
# base64. Anything much longer is not one of ours, and is refused before it is decoded
# (json.loads recurses once per "[": a few thousand of them exhaust the stack).
MAX_CURSOR_CHARS = 256

# The leading key of the "date taken" orders; spelt exactly as in their indexes (models).
UNDATED = ExpressionWrapper(Q(taken_at__isnull=True), output_field=BooleanField())

# Newest first, as shown; the reverse is used to walk back towards newer photos.
_FORWARD = {
    "created": (F("created_at").desc(), F("id").desc()),
    "taken": (UNDATED.asc(), F("taken_at").desc(), F("created_at").desc(), F("id").desc()),
    "taken_asc": (UNDATED.asc(), F("taken_at").asc(), F("created_at").asc(), F("id").asc()),
}
_BACKWARD = {
    "created": (F("created_at").asc(), F("id").asc()),
    "taken": (UNDATED.desc(), F("taken_at").asc(), F("created_at").asc(), F("id").asc()),
    "taken_asc": (UNDATED.desc(), F("taken_at").desc(), F("created_at").desc(), F("id").desc()),
}
ORDERS = tuple(_FORWARD)


class CursorTooLong(ValueError):
    """Not a mangled link but something no page ever wrote: answered 400, not page one."""


@dataclass(frozen=True)
class Cursor:
    """The sort key of one photo: where a page starts or ends."""

    created_at: datetime
    id: uuid.UUID
    taken_at: datetime | None = None

    @classmethod
    def of(cls, photo) -> "Cursor":
        return cls(created_at=photo.created_at, id=photo.id, taken_at=photo.taken_at)

    def encode(self) -> str:
        taken = self.taken_at.isoformat() if self.taken_at else None
        raw = json.dumps([self.created_at.isoformat(), str(self.id), taken]).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        """Raises ValueError for anything that is not a cursor this module wrote."""
        if len(token) > MAX_CURSOR_CHARS:
            raise CursorTooLong(
                f"cursor too long: {len(token)} characters, at most {MAX_CURSOR_CHARS}"
            )
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            created, photo_id, taken = json.loads(raw)
            return cls(
                created_at=datetime.fromisoformat(created),
                id=uuid.UUID(photo_id),
                taken_at=datetime.fromisoformat(taken) if taken else None,
            )
        except (
            binascii.Error,
            UnicodeDecodeError,
            TypeError,
            AttributeError,
            RecursionError,
        ) as exc:
            raise ValueError(f"bad cursor: {token!r}") from exc


def _after(cursor: Cursor, order: str) -> Q:
    """Photos shown after (older than) the cursor's photo in `order`."""
    if order == "taken_asc":
        return _after_ascending(cursor)
    created = Q(created_at__lt=cursor.created_at) | Q(
        created_at=cursor.created_at, id__lt=cursor.id
    )
    if order != "taken":
        return created
    if cursor.taken_at is None:
        return Q(taken_at__isnull=True) & created
    return (
        Q(taken_at__lt=cursor.taken_at)
        | (Q(taken_at=cursor.taken_at) & created)
        | Q(taken_at__isnull=True)
    )


def _after_ascending(cursor: Cursor) -> Q:
    """Oldest first: later dates, then the undated photos (by upload time, oldest first)."""
    created = Q(created_at__gt=cursor.created_at) | Q(
        created_at=cursor.created_at, id__gt=cursor.id
    )
    if cursor.taken_at is None:
        return Q(taken_at__isnull=True) & created
    return (
        Q(taken_at__gt=cursor.taken_at)
        | (Q(taken_at=cursor.taken_at) & created)
        | Q(taken_at__isnull=True)
    )


def _before_ascending(cursor: Cursor) -> Q:
    created = Q(created_at__lt=cursor.created_at) | Q(
        created_at=cursor.created_at, id__lt=cursor.id
    )
    if cursor.taken_at is None:
        return Q(taken_at__isnull=False) | (Q(taken_at__isnull=True) & created)
    return Q(taken_at__lt=cursor.taken_at) | (Q(taken_at=cursor.taken_at) & created)


def _before(cursor: Cursor, order: str) -> Q:
    """Photos shown before (newer than) the cursor's photo in `order`."""
    if order == "taken_asc":
        return _before_ascending(cursor)
    created = Q(created_at__gt=cursor.created_at) | Q(
        created_at=cursor.created_at, id__gt=cursor.id
    )
    if order != "taken":
        return created
    if cursor.taken_at is None:
        return Q(taken_at__isnull=False) | (Q(taken_at__isnull=True) & created)
    return Q(taken_at__gt=cursor.taken_at) | (Q(taken_at=cursor.taken_at) & created)


@dataclass(frozen=True)
class KeysetPage:
    photos: list
    newer: str | None  # cursor for the "Newer" link (?before=...), None on the first page
    older: str | None  # cursor for the "Older" link (?after=...), None on the last page


def keyset_page(
    queryset: QuerySet,
    *,
    order: str = "created",
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """One page of `queryset` (already scoped to an owner) in `order`.

    `after`: the page of photos following that cursor (the "Older" link); `before`: the
    page preceding it ("Newer"); neither: the first page.
    """
    order = order if order in _FORWARD else "created"
    if before is not None:
        rows = list(queryset.filter(_before(before, order)).order_by(*_BACKWARD[order])[: size + 1])
        more_newer = len(rows) > size
        photos = rows[:size][::-1]
        more_older = bool(photos) and queryset.filter(_after(Cursor.of(photos[-1]), order)).exists()
    else:
        following = queryset if after is None else queryset.filter(_after(after, order))
        rows = list(following.order_by(*_FORWARD[order])[: size + 1])
        more_older = len(rows) > size
        photos = rows[:size]
        more_newer = (
            after is not None
            and bool(photos)
            and queryset.filter(_before(Cursor.of(photos[0]), order)).exists()
        )
    return KeysetPage(
        photos=photos,
        newer=Cursor.of(photos[0]).encode() if more_newer else None,
        older=Cursor.of(photos[-1]).encode() if more_older else None,
    )


def forward(order: str) -> tuple:
    """The ORDER BY of `order` as shown (for the selectors' querysets)."""
    return _FORWARD.get(order, _FORWARD["created"])


@dataclass(frozen=True)
class Neighbours:
    previous: object | None  # the photo shown before, or None at the start
    next: object | None


def neighbours(queryset: QuerySet, photo, *, order: str = "created") -> Neighbours:
    """The photos either side of `photo` in `order` among `queryset`: two one-row keyset
    queries, whatever the photo's position (the viewer's and the photo page's prev/next)."""
    order = order if order in _FORWARD else "created"
    cursor = Cursor.of(photo)
    following = queryset.filter(_after(cursor, order)).order_by(*_FORWARD[order]).first()
    preceding = queryset.filter(_before(cursor, order)).order_by(*_BACKWARD[order]).first()
    return Neighbours(previous=preceding, next=following)


def month_start(year: int, month: int, order: str) -> Cursor:
    """A cursor that makes `keyset_page(after=...)` start at the first photo of that month
    (by date taken) in a "taken" order: the month scrubber's links. The instant is the
    month's boundary; the upload-time tie-breakers are set beyond every real photo so the
    boundary's own instant falls on the right side."""
    if order == "taken_asc":
        # Photos taken at or after the first instant of the month.
        return Cursor(
            created_at=datetime.min.replace(tzinfo=UTC),
            id=uuid.UUID(int=0),
            taken_at=datetime(year, month, 1, tzinfo=UTC),
        )
    # Newest first: photos taken before the first instant of the next month.
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return Cursor(
        created_at=datetime.min.replace(tzinfo=UTC),
        id=uuid.UUID(int=0),
        taken_at=datetime(year, month, 1, tzinfo=UTC),
    )


def undated_start(order: str) -> Cursor:
    """Where the photos without a date taken start, in a "taken" order (they come last)."""
    edge = datetime.min if order == "taken_asc" else datetime.max
    return Cursor(
        created_at=edge.replace(tzinfo=UTC),
        id=uuid.UUID(int=0) if order == "taken_asc" else uuid.UUID(int=2**128 - 1),
        taken_at=None,
    )
