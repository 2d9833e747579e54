"""The gallery's timeline: a page of photos in "date taken" order, cut into days under month
headings. Pure: photos in, sections out; the dates are the camera's wall clock as stored
(models.Photo), never converted to the viewer's zone."""

import re
from dataclasses import dataclass, field
from datetime import date

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class Day:
    day: date | None  # None: the photos with no (believable) date taken
    month: date | None  # the month's first day
    starts_month: bool  # the first day of its month on this page: draw the month heading
    photos: list = field(default_factory=list)


def days(photos) -> list[Day]:
    """Consecutive photos of one calendar day form a Day, in the page's order."""
    out: list[Day] = []
    for photo in photos:
        taken = photo.taken_at.date() if photo.taken_at else None
        if out and out[-1].day == taken:
            out[-1].photos.append(photo)
            continue
        month = taken.replace(day=1) if taken else None
        starts = not out or out[-1].month != month
        out.append(Day(day=taken, month=month, starts_month=starts, photos=[photo]))
    return out


def parse_month(value) -> tuple[int, int] | None:
    """ "2023-07" -> (2023, 7); None for anything else (a hand-edited URL)."""
    match = _MONTH.match(str(value or ""))
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= year <= 9998 and 1 <= month <= 12):
        return None
    return year, month


def months_on_page(photos) -> set[date]:
    return {photo.taken_at.date().replace(day=1) for photo in photos if photo.taken_at}
