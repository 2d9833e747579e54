"""How photo metadata reads on a page: 1/250 s, ƒ/2.8, 35 mm, ISO 400, 4.2 MB.

Pure functions of plain values so they are trivial to test and safe on missing data:
every filter answers "" for None, and the templates leave such rows out.
"""

import math
from datetime import datetime
from urllib.parse import urlencode

from django import template

from jobs import errors

from .. import describe
from ..facts import Facts, facts_of

register = template.Library()


def _trim(value: float, places: int = 1) -> str:
    """2.80 -> "2.8", 8.0 -> "8", 1.85 -> "1.9" (at most `places` decimals, no trailing zeros)."""
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def exposure(seconds) -> str:
    """Shutter speed the way cameras print it: 1/250 s below a second, 2 s or 0.5 s above."""
    if seconds is None or seconds <= 0 or not math.isfinite(seconds):
        return ""
    if seconds < 1:
        denominator = 1 / seconds
        # Long exposures such as 0.3 s or 0.4 s read as decimals (1/3.3 s helps nobody);
        # short ones, and exact fractions such as 1/2 or 1/3, read as 1/N.
        if denominator >= 4 or abs(denominator - round(denominator)) < 0.02:
            return f"1/{round(denominator)} s"
    return f"{_trim(seconds)} s"


@register.filter
def f_number(value) -> str:
    if value is None or value <= 0:
        return ""
    return f"ƒ/{_trim(value)}"


@register.filter
def focal_length(mm) -> str:
    if mm is None or mm <= 0:
        return ""
    return f"{_trim(mm)} mm"


@register.filter
def iso(value) -> str:
    return "" if value is None else f"ISO {value}"


@register.filter
def human_bytes(n) -> str:
    """Sizes in the words of the upload errors ("too large: 80 MB, limit 50 MB")."""
    return "" if n is None else errors.human_bytes(int(n))


def camera(make: str | None, model: str | None) -> str:
    """ "Canon" + "Canon EOS R5" reads "Canon EOS R5", not "Canon Canon EOS R5"."""
    return describe.camera_name(make, model)


@register.filter(name="facts")
def facts_filter(photo) -> Facts:
    """The photo's metadata without the values that mean nothing (facts.py), for a page to
    state: `{% with facts=photo|facts %}`."""
    return facts_of(photo)


@register.filter(name="camera")
def camera_of(photo) -> str:
    """The camera's name, or "" when the make and model are placeholders ("Make",
    "XXX-XXX"); takes a photo or its Facts."""
    found = photo if isinstance(photo, Facts) else facts_of(photo)
    return camera(found.camera_make, found.camera_model)


def taken(moment: datetime | None, offset: str | None = "") -> str:
    """The camera's wall-clock time, with the UTC offset the camera recorded, if any.

    The model stores wall-clock time as if it were UTC, so it is printed as stored, never
    converted to the viewer's zone: a sunset photographed at 19:44 stays 19:44.
    """
    if moment is None:
        return ""
    text = f"{moment.day} {moment:%b %Y}, {moment:%H:%M:%S}"
    if offset:
        text += f" (UTC{offset})"
    return text


@register.filter(name="taken")
def taken_of(photo) -> str:
    """Takes a photo or its Facts."""
    return taken(photo.taken_at, photo.taken_at_offset)


@register.filter
def dimensions(width, height=None) -> str:
    """4032 × 3024 px (12.2 MP); the filter form takes a photo."""
    if height is None and hasattr(width, "width"):
        width, height = width.width, width.height
    if not width or not height:
        return ""
    megapixels = width * height / 1_000_000
    text = f"{width} × {height} px"
    if megapixels >= 0.1:
        text += f" ({_trim(megapixels)}\u00a0MP)"
    return text


def coordinates(lat: float | None, lon: float | None) -> str:
    """44.85048° N, 34.97665° E (five decimals: about a metre)."""
    if lat is None or lon is None:
        return ""
    # No-break spaces keep "34.97665° E" on one line in a narrow table cell.
    north_south = "N" if lat >= 0 else "S"
    east_west = "E" if lon >= 0 else "W"
    return f"{abs(lat):.5f}°\u00a0{north_south}, {abs(lon):.5f}°\u00a0{east_west}"


def osm_url(lat: float | None, lon: float | None, zoom: int = 16) -> str:
    """A link to the spot on OpenStreetMap; the page links to it and loads nothing from it."""
    if lat is None or lon is None:
        return ""
    la, lo = f"{lat:.5f}", f"{lon:.5f}"
    query = urlencode({"mlat": la, "mlon": lo})
    return f"https://www.openstreetmap.org/?{query}#map={zoom}/{la}/{lo}"


@register.filter(name="coordinates")
def coordinates_of(photo) -> str:
    return coordinates(photo.gps_lat, photo.gps_lon)


@register.filter(name="osm_url")
def osm_url_of(photo) -> str:
    return osm_url(photo.gps_lat, photo.gps_lon)


@register.filter
def altitude(metres) -> str:
    if metres is None:
        return ""
    return f"{round(abs(metres))} m {'above' if metres >= 0 else 'below'} sea level"
