"""The gallery's search and filters, read from the URL (GET parameters) so a filtered gallery
can be bookmarked, shared and paged, and the viewer and the photo page walk the same set.

Pure parsing: `PhotoFilter.from_params(request.GET)` never raises; a value it cannot use is
left out and said in `errors`, in words the page shows beside the form.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Q

from . import describe
from .facts import says_nothing

# Bounds on what a user may send: a search is a few words, not a document.
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
MAX_VALUE_CHARS = 200
GPS_CHOICES = {"yes": "With location", "no": "Without location"}
# The parameters this module owns, in the order they appear in a URL.
PARAMS = ("q", "from", "to", "camera", "lens", "format", "gps", "place")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class PhotoFilter:
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    camera: str = ""  # the camera's name as the page shows it (describe.camera_name)
    lens: str = ""
    format: str = ""
    gps: str = ""  # "yes", "no" or "" (either)
    place: str = ""  # a town, a country, its code, or "Town, Country" (the metadata job's)
    errors: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_params(cls, params) -> "PhotoFilter":
        errors = []

        def text(name: str, limit: int = MAX_VALUE_CHARS) -> str:
            # NUL is no character a photo's words hold, and PostgreSQL refuses it in a query.
            value = " ".join(str(params.get(name) or "").replace("\x00", " ").split())
            if len(value) > limit:
                errors.append(f"{name} is too long: at most {limit} characters")
                return ""
            return value

        def day(name: str, label: str) -> date | None:
            value = text(name)
            if not value:
                return None
            try:
                if not _DATE.match(value):
                    raise ValueError
                return date.fromisoformat(value)
            except ValueError:
                errors.append(f"{label} is not a date: {value[:40]} (use YYYY-MM-DD)")
                return None

        q = text("q", MAX_QUERY_CHARS)
        date_from, date_to = day("from", "From"), day("to", "To")
        if date_from and date_to and date_from > date_to:
            errors.append("From is after To: nothing can match, so the dates were left out")
            date_from = date_to = None
        gps = text("gps")
        if gps and gps not in GPS_CHOICES:
            errors.append(f"Location must be one of: {', '.join(GPS_CHOICES)}")
            gps = ""
        return cls(
            q=q,
            date_from=date_from,
            date_to=date_to,
            camera=text("camera"),
            lens=text("lens"),
            format=text("format").upper(),
            gps=gps,
            place=text("place"),
            errors=tuple(errors),
        )

    @property
    def active(self) -> bool:
        return any(self.params().values())

    @property
    def words(self) -> list[str]:
        return self.q.split()[:MAX_QUERY_WORDS]

    def params(self) -> dict[str, str]:
        """The filter as GET parameters, empty ones included (for forms)."""
        return {
            "q": self.q,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "camera": self.camera,
            "lens": self.lens,
            "format": self.format,
            "gps": self.gps,
            "place": self.place,
        }

    def query_string(self, **extra) -> str:
        """ "q=…&camera=…" with only the parameters in use (and `extra`, e.g. order)."""
        pairs = {**{k: v for k, v in self.params().items() if v}, **extra}
        return urlencode({k: v for k, v in pairs.items() if v})

    def to_q(self, cameras: dict[str, list[tuple[str, str]]] | None = None) -> Q:
        """The filter as a condition on Photo. `cameras` maps a camera's shown name to the
        (make, model) pairs stored under it (selectors.filter_choices); without it the
        camera matches the stored model or make exactly."""
        condition = Q()
        for word in self.words:
            condition &= (
                Q(title__icontains=word)
                | Q(caption__icontains=word)
                | Q(filename__icontains=word)
                | Q(camera_make__icontains=word)
                | Q(camera_model__icontains=word)
                | Q(place_city__icontains=word)
                | Q(place_country__icontains=word)
            )
        # Dates taken are the camera's wall clock stored as UTC (models.Photo): whole days
        # of that calendar, as half-open ranges an index can answer.
        if self.date_from:
            condition &= Q(taken_at__gte=_midnight(self.date_from))
        if self.date_to == date.max:  # 9999-12-31 has no day after it
            condition &= Q(taken_at__isnull=False)
        elif self.date_to:
            condition &= Q(taken_at__lt=_midnight(self.date_to + timedelta(days=1)))
        if self.camera:
            pairs = (cameras or {}).get(self.camera)
            if pairs:
                camera = Q()
                for make, model in pairs:
                    camera |= Q(camera_make=make, camera_model=model)
                condition &= camera
            else:
                condition &= Q(camera_model=self.camera) | Q(camera_make=self.camera)
        if self.lens:
            condition &= Q(lens=self.lens)
        if self.format:
            condition &= Q(format=self.format)
        if self.gps == "yes":
            condition &= Q(gps_lat__isnull=False, gps_lon__isnull=False)
        elif self.gps == "no":
            condition &= Q(gps_lat__isnull=True) | Q(gps_lon__isnull=True)
        if self.place:
            condition &= place_q(self.place)
        return condition


def place_q(place: str) -> Q:
    """The photos taken in or near `place`: a town, a country, a two-letter country code, or
    "Town, Country", any case ("Paris", "france", "FR", "Paris, France")."""
    city, _, country = place.rpartition(",")
    if city.strip():
        return Q(place_city__iexact=city.strip(), place_country__iexact=country.strip())
    return (
        Q(place_city__iexact=place)
        | Q(place_country__iexact=place)
        | Q(place_country_code__iexact=place)
    )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def camera_names(pairs) -> dict[str, list[tuple[str, str]]]:
    """{shown name: [(make, model), ...]} for the distinct (make, model) pairs of a gallery;
    pairs that name nothing (placeholders, facts.py) are left out of the choices."""
    names: dict[str, list[tuple[str, str]]] = {}
    for make, model in pairs:
        name = describe.camera_name(
            "" if says_nothing(make) else make, "" if says_nothing(model) else model
        )
        if name:
            names.setdefault(name, []).append((make, model))
    return dict(sorted(names.items(), key=lambda item: item[0].lower()))
