"""Which of a photo's EXIF values are facts worth stating on a page.

Cameras and editing tools fill tags they know nothing about with sentinels rather than leave
them out: the largest number the tag's type holds, zero, the tag's own name, a row of X. Read
literally they make a page say "Exposure 4294967295 s" or "Camera Make XXX-XXX". The metadata
record keeps every value exactly as read (it is evidence, and the admin shows it); this module
only decides what the photo page, and the words built from it (describe.py), may state.

Pure functions of plain values. The rules are few and each says why; anything they do not
reject is shown, because a strange but possible value (ƒ/0.95, a 30-minute exposure,
ISO 409600) is still the camera's word.
"""

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# The all-ones values of EXIF's integer types (SHORT, SLONG, LONG): writers put them where
# they mean "unknown" or "does not fit", e.g. a RATIONAL of 4294967295/1 for the exposure.
# 65535 is also what many cameras write as ISOSpeedRatings (a SHORT) when the real speed is
# higher: then it is a lower bound, not the speed.
_INTEGER_SENTINELS = {65535, 2**31 - 1, 2**32 - 1}

# Beyond what a camera can record in one frame (the longest "bulb" timers of digital bodies
# stop at hours): a larger exposure is a sentinel or a corrupt rational.
_LONGEST_EXPOSURE_S = 24 * 3600
# Wider than any lens made for a camera (ƒ/0.33 is a lab curiosity) or narrower than a
# pinhole (ƒ/1000 is past the deepest of them).
_F_NUMBER_RANGE = (0.3, 1000.0)
# The longest lens ever built for a camera is 5200 mm.
_LONGEST_FOCAL_LENGTH_MM = 10_000.0
# The highest speed any camera offers is ISO 4 560 000.
_HIGHEST_ISO = 10_000_000

# Words cameras and tools write into make/model/lens when they have nothing to say: the
# tag's own name (a template nobody filled in), "unknown" and its cousins, and generic
# labels of no-name firmware. Compared after lower-casing and dropping everything but
# letters and digits, so "N/A", "n.a." and "NA" are one entry.
_PLACEHOLDERS = {
    "camera",
    "cameramake",
    "cameramodel",
    "default",
    "digitalcamera",
    "lens",
    "lensmodel",
    "make",
    "manufacturer",
    "model",
    "na",
    "none",
    "notavailable",
    "null",
    "oem",
    "undefined",
    "unknown",
    "unknowncamera",
    "unknownlens",
    "unnamed",
}
_NOT_ALNUM = re.compile(r"[\W_]+")
# What is left of "0.0 mm f/0.0", "0-0mm" or "----" (a lens the body could not identify)
# after dropping punctuation: zeros, "mm" and "f".
_EMPTY_LENS = re.compile(r"^(?:0|mm|f)*$")

# A camera's clock is its owner's local time, stored as if it were UTC (models.Photo), so a
# photo taken "after" its own upload by less than the widest UTC offset is still possible.
_WIDEST_UTC_OFFSET = timedelta(hours=14)


def says_nothing(text: str | None, *, lens: bool = False) -> bool:
    """True for a make, model or lens string that names nothing."""
    core = _NOT_ALNUM.sub("", (text or "").lower())
    if not core or core in _PLACEHOLDERS:
        return True
    # One character over and over ("XXX-XXX", "0000"; "????" is already empty): filler. Not
    # a lone letter, which can be a real name (Leica's "M", Pentax's "Q").
    if len(core) >= 3 and len(set(core)) == 1:
        return True
    return lens and bool(_EMPTY_LENS.match(core))


def plausible_exposure(seconds: float | None) -> float | None:
    if seconds is None or not math.isfinite(seconds) or seconds <= 0:
        return None
    if seconds in _INTEGER_SENTINELS or seconds > _LONGEST_EXPOSURE_S:
        return None
    return seconds


def plausible_f_number(value: float | None) -> float | None:
    # 0 is what a body writes for a lens without electrical contacts.
    low, high = _F_NUMBER_RANGE
    if value is None or not math.isfinite(value) or not low <= value <= high:
        return None
    return value


def plausible_focal_length(mm: float | None) -> float | None:
    # 0 again means "no lens data".
    if mm is None or not math.isfinite(mm) or not 0 < mm <= _LONGEST_FOCAL_LENGTH_MM:
        return None
    return mm


def plausible_iso(value: int | None) -> int | None:
    # ISO 0 is a tag left at its default; see _INTEGER_SENTINELS for 65535.
    if value is None or value <= 0 or value in _INTEGER_SENTINELS or value > _HIGHEST_ISO:
        return None
    return value


def plausible_taken_at(taken_at: datetime | None, uploaded: datetime | None) -> datetime | None:
    """A date after the upload is a clock that was never set (2099, a reset to a future
    default), not when the photo was taken."""
    if taken_at is None:
        return None
    if uploaded is not None:
        # Wall-clock time against the upload's UTC, both without zones (either may be naive).
        wall = taken_at.replace(tzinfo=None)
        if uploaded.tzinfo is not None:
            uploaded = uploaded.astimezone(UTC)
        if wall > uploaded.replace(tzinfo=None) + _WIDEST_UTC_OFFSET:
            return None
    return taken_at


def plausible_position(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    """(0, 0) is a receiver with no fix, not a photo taken in the Gulf of Guinea."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if lat == 0 and lon == 0:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


@dataclass(frozen=True)
class Facts:
    """What the photo page states about a photo: each value is the photo's own, or None
    (or "") when the photo's value is absent or means nothing."""

    camera_make: str = ""
    camera_model: str = ""
    lens: str = ""
    exposure_time: float | None = None
    f_number: float | None = None
    focal_length: float | None = None
    iso: int | None = None
    taken_at: datetime | None = None
    taken_at_offset: str = ""
    gps_lat: float | None = None
    gps_lon: float | None = None
    gps_alt: float | None = None

    @property
    def has_gps(self) -> bool:
        return self.gps_lat is not None and self.gps_lon is not None


def _text(value: str | None, *, lens: bool = False) -> str:
    value = (value or "").strip()
    return "" if says_nothing(value, lens=lens) else value


def facts_of(photo) -> Facts:
    """The Facts of anything with the Photo model's metadata attributes."""
    taken_at = plausible_taken_at(photo.taken_at, getattr(photo, "created_at", None))
    position = plausible_position(photo.gps_lat, photo.gps_lon)
    return Facts(
        camera_make=_text(photo.camera_make),
        camera_model=_text(photo.camera_model),
        lens=_text(photo.lens, lens=True),
        exposure_time=plausible_exposure(photo.exposure_time),
        f_number=plausible_f_number(photo.f_number),
        focal_length=plausible_focal_length(photo.focal_length),
        iso=plausible_iso(photo.iso),
        taken_at=taken_at,
        taken_at_offset=(photo.taken_at_offset or "") if taken_at else "",
        gps_lat=position[0] if position else None,
        gps_lon=position[1] if position else None,
        gps_alt=(
            photo.gps_alt
            if position and photo.gps_alt is not None and math.isfinite(photo.gps_alt)
            else None
        ),
    )
