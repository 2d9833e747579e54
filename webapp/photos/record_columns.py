"""The jobs' records -> the Photo model's columns: what services.photo_results_record copies.

The records are the contract of DESIGN.md (metadata record, renditions result), delivered by
any transport and never trusted: every value is checked for type and range before it becomes
a column, anything else becomes empty. No I/O, no queries: plain functions of a record and a
(unsaved) model instance.
"""

import math
import re
from datetime import UTC, datetime

from .facts import plausible_taken_at
from .models import Photo

_TAKEN_AT = re.compile(
    r"^(?P<wall>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)"
    r"(?P<offset>Z|[+-]\d{2}:\d{2})?$"
)

# What the renditions job writes (jobs.placeholder.data_url_for); a few hundred bytes. A
# value of another shape or size is dropped: the pages put it in an <img src> as it is.
_PLACEHOLDER_PREFIX = "data:image/png;base64,"
_PLACEHOLDER_MAX_CHARS = 8_000
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


def copy_renditions(photo: Photo, result: dict) -> None:
    renditions = {}
    for item in result.get("renditions") or []:
        if isinstance(item, dict) and item.get("name") and item.get("key"):
            renditions[str(item["name"])] = {
                "key": str(item["key"]),
                "width": to_int(item.get("width")),
                "height": to_int(item.get("height")),
                "bytes": to_int(item.get("bytes")),
            }
    photo.renditions = renditions
    photo.placeholder = truncate(result.get("placeholder") or "", "placeholder")
    # Outcomes recorded before the job made the data URL have none: an empty placeholder.
    photo.placeholder_data_url = placeholder_data_url(result.get("placeholder_data_url"))


def placeholder_data_url(value) -> str:
    """The job's PNG data URL if it is one (and small), else ""."""
    if not isinstance(value, str) or len(value) > _PLACEHOLDER_MAX_CHARS:
        return ""
    if not value.startswith(_PLACEHOLDER_PREFIX):
        return ""
    if not _BASE64.match(value[len(_PLACEHOLDER_PREFIX) :]):
        return ""
    return value


# Photo column <- key of the metadata record's `place`.
PLACE_COLUMNS = {
    "place_city": "city",
    "place_country": "country",
    "place_country_code": "country_code",
}


def copy_metadata(photo: Photo, record: dict) -> None:
    photo.metadata = record
    for name in ("format", "mime", "sha256", "camera_make", "camera_model", "lens"):
        setattr(photo, name, truncate(record.get(name) or "", name))
    photo.bytes = to_int(record.get("bytes"), default=photo.bytes)
    photo.width = to_int(record.get("width"))
    photo.height = to_int(record.get("height"))
    orientation = to_int(record.get("orientation"))
    photo.orientation = orientation if orientation in range(1, 9) else None
    photo.taken_at, photo.taken_at_offset = parse_taken_at(record.get("taken_at"))
    if plausible_taken_at(photo.taken_at, photo.created_at) is None:
        # A clock never set (2099): unknown, so the timeline does not file it first. The
        # metadata record above keeps the value as read.
        photo.taken_at, photo.taken_at_offset = None, ""
    photo.exposure_time = to_float(record.get("exposure_time"))
    photo.f_number = to_float(record.get("f_number"))
    photo.focal_length = to_float(record.get("focal_length"))
    photo.iso = to_int(record.get("iso"))
    gps = record.get("gps") if isinstance(record.get("gps"), dict) else {}
    lat, lon = to_float(gps.get("lat")), to_float(gps.get("lon"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        lat = lon = None
    photo.gps_lat, photo.gps_lon = lat, lon
    photo.gps_alt = to_float(gps.get("alt")) if lat is not None else None
    # A place name only beside a position the columns kept: it was derived from it.
    place = record.get("place") if isinstance(record.get("place"), dict) else {}
    for column, key in PLACE_COLUMNS.items():
        value = place.get(key) if lat is not None else None
        setattr(photo, column, truncate(value if isinstance(value, str) else "", column))
    photo.exif = record.get("exif") if isinstance(record.get("exif"), dict) else {}


def parse_taken_at(value) -> tuple[datetime | None, str]:
    """ "2019:…" metadata string -> (camera wall clock stored as if UTC, "+02:00" or "")."""
    if not isinstance(value, str):
        return None, ""
    match = _TAKEN_AT.match(value.strip())
    if not match:
        return None, ""
    try:
        wall = datetime.fromisoformat(match["wall"])
    except ValueError:
        return None, ""
    offset = match["offset"] or ""
    if offset == "Z":
        offset = "+00:00"
    if offset and (int(offset[1:3]) > 14 or int(offset[4:6]) > 59):
        offset = ""
    return wall.replace(tzinfo=UTC), offset


def parse_instant(value) -> datetime | None:
    """An outcome's `finished_at` as an aware datetime; None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def json_safe(value):
    """What PostgreSQL's jsonb (and SQLite's JSON) accept: no NUL characters, no lone
    surrogates, no NaN or infinities. Real EXIF blocks contain all three."""
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "")
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {json_safe(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return json_safe(str(value))


def truncate(value: str, field: str) -> str:
    limit = Photo._meta.get_field(field).max_length
    return str(value)[:limit]


def to_int(value, default=None):
    if isinstance(value, bool) or value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    # The columns are positive 32- or 64-bit integers; broken EXIF has anything.
    return number if 0 <= number < 2**31 else default


def to_float(value):
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def bare_etag(etag) -> str:
    return str(etag or "").strip().strip('"')
