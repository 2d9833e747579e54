"""EXIF tags -> the metadata record's fields, tolerant of every way cameras and tools break them.

Pillow parses the TIFF structure; this module decides what the values mean. Rules that keep
the record honest:

- A broken tag degrades to null for the field it feeds, never to a failed photo: bad offsets,
  zero denominators, wrong types and garbage dates are all "unknown".
- Tags are looked up where ExifTool finds them, not only where the standard puts them: some
  writers leave Exif-IFD tags in IFD0 (TIFF files, Nikon's LensModel after editing).
- `taken_at` is DateTimeOriginal only (EXIF, then XMP's exif:DateTimeOriginal, as ExifTool
  reports it). No fallback to DateTimeDigitized: on scans that is the scan date, which would
  file a 1970 print under the day it was scanned.
- ISO that a camera keeps only in its maker note counts (Canon's CameraSettings/ShotInfo,
  Nikon's ISO tag), with ExifTool's arithmetic.
"""

import math
import re
import struct
from datetime import datetime
from typing import Any

from PIL import ExifTags, Image, TiffImagePlugin

IFD0 = 0
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
INTEROP_IFD = 0xA005

ORIENTATION = 0x0112
MAKE = 0x010F
MODEL = 0x0110
EXPOSURE_TIME = 0x829A
F_NUMBER = 0x829D
ISO = 0x8827
DATE_TIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
SUBSEC_TIME_ORIGINAL = 0x9291
FOCAL_LENGTH = 0x920A
MAKER_NOTE = 0x927C
USER_COMMENT = 0x9286
LENS_MAKE = 0xA433
LENS_MODEL = 0xA434

GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON, GPS_ALT_REF, GPS_ALT = 1, 2, 3, 4, 5, 6

# Pillow raises these (and only these) on malformed EXIF bytes; all mean "this tag is broken".
BROKEN = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    struct.error,
    OSError,
    SyntaxError,
    UnicodeError,
    ZeroDivisionError,
    OverflowError,
    EOFError,
)

# Structure, pointers and blobs: they describe the file, not the photo, or are too big to keep.
_SKIPPED_TAGS = {
    0x0111,  # StripOffsets
    0x0117,  # StripByteCounts
    0x0144,  # TileOffsets
    0x0145,  # TileByteCounts
    0x0201,  # JPEGInterchangeFormat
    0x0202,  # JPEGInterchangeFormatLength
    0x02BC,  # XMLPacket (XMP)
    0x83BB,  # IPTC-NAA
    0x8649,  # Photoshop image resources
    0x8773,  # ICC profile
    0x927C,  # MakerNote
    0xC4A5,  # PrintImageMatching
    0xEA1C,  # Padding (Windows)
    EXIF_IFD,
    GPS_IFD,
    INTEROP_IFD,
    0x014A,  # SubIFDs
}
_MAX_TEXT = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MAX_BLOB = 64
_MAX_ITEMS = 64


class Tags:
    """The readable EXIF of one image: IFD0, Exif IFD, GPS IFD, Interop IFD, maker note."""

    def __init__(
        self, exif: Image.Exif | None, tiff: bytes | None = None, xmp: bytes | None = None
    ):
        self.ifd0: dict[int, Any] = _safe_dict(lambda: dict(exif)) if exif is not None else {}
        self.exif_ifd = _sub_ifd(exif, EXIF_IFD)
        self.gps = _sub_ifd(exif, GPS_IFD)
        self.interop = _sub_ifd(exif, INTEROP_IFD)
        self.tiff = tiff
        self.xmp = _xmp_text(xmp)

    def find(self, tag: int) -> Any:
        """A tag from the Exif IFD, else from IFD0 (where TIFF writers and editors put them)."""
        if tag in self.exif_ifd:
            return self.exif_ifd[tag]
        return self.ifd0.get(tag)


def load(raw: bytes | None, *, xmp: bytes | None = None) -> Tags:
    """Tags from a raw EXIF block: a TIFF structure, with or without the "Exif\\0\\0" prefix."""
    tiff = raw[6:] if raw and raw.startswith(b"Exif\x00\x00") else raw
    if not tiff or tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        return Tags(None, None, xmp)
    exif = Image.Exif()
    try:
        exif.load(tiff)
    except BROKEN:
        return Tags(None, None, xmp)
    return Tags(exif, tiff, xmp)


def from_image(image: Image.Image, *, xmp: bytes | None = None) -> Tags:
    """Tags of a TIFF file: its own IFD0 holds them, so Pillow's view of the image is the EXIF."""
    try:
        exif = image.getexif()
    except BROKEN:
        return Tags(None, None, xmp)
    return Tags(exif, None, xmp)


def _sub_ifd(exif: Image.Exif | None, tag: int) -> dict[int, Any]:
    if exif is None:
        return {}
    return _safe_dict(lambda: dict(exif.get_ifd(tag)))


def _safe_dict(read) -> dict:
    try:
        value = read()
    except BROKEN:
        return {}
    return value if isinstance(value, dict) else {}


def _xmp_text(xmp: bytes | str | None) -> str:
    if not xmp:
        return ""
    if isinstance(xmp, str):
        return xmp
    for encoding in ("utf-8", "latin-1"):
        try:
            return xmp.decode(encoding)
        except UnicodeDecodeError:
            continue
    return ""


def _xmp_value(xmp: str, name: str) -> str | None:
    # Both serialisations: attribute (exif:X="v") and element (<exif:X>v</exif:X>).
    match = re.search(rf'{name}\s*=\s*"([^"]*)"', xmp) or re.search(
        rf"<{name}>([^<]*)</{name}>", xmp
    )
    return match.group(1) if match else None


# ---------------------------------------------------------------------------- scalars


def number(value: Any) -> float | None:
    """A finite float from an int, float or rational (IFDRational or (num, den)); else None."""
    if isinstance(value, (tuple, list)):
        if len(value) == 2 and all(isinstance(v, int) for v in value):
            num, den = value
            return num / den if den else None
        return number(value[0]) if len(value) == 1 else None
    if isinstance(value, TiffImagePlugin.IFDRational):
        if not value.denominator:
            return None
        value = value.numerator / value.denominator
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def text(value: Any) -> str | None:
    """A trimmed string (NULs and padding gone) or None when nothing printable is left."""
    if isinstance(value, bytes):
        value = _decode(value)
    if not isinstance(value, str):
        return None
    value = value.split("\x00", 1)[0].strip()
    return value or None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def integer(value: Any) -> int | None:
    if isinstance(value, (tuple, list)):
        value = value[0] if value else None
    if isinstance(value, bool) or not isinstance(value, int):
        number_value = number(value)
        if number_value is None or not number_value.is_integer():
            return None
        value = int(number_value)
    return value


# ---------------------------------------------------------------------------- fields


def orientation(tags: Tags) -> int | None:
    value = integer(tags.ifd0.get(ORIENTATION))
    if value is None and tags.xmp:
        raw = _xmp_value(tags.xmp, "tiff:Orientation")
        value = int(raw) if raw and raw.strip().isdigit() else None
    return value if value is not None and 1 <= value <= 8 else None


_EXIF_DATE = re.compile(
    r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?"
    r"(?:\.(\d+))?\s*(Z|[+\-]\d{2}:?\d{2})?\s*$"
)
_OFFSET = re.compile(r"^\s*([+\-])(\d{2}):?(\d{2})\s*$")


def taken_at(tags: Tags) -> str | None:
    """DateTimeOriginal as YYYY-MM-DDTHH:MM:SS[.fff][±HH:MM], or None when absent or invalid."""
    raw = text(tags.find(DATE_TIME_ORIGINAL))
    subsec = text(tags.find(SUBSEC_TIME_ORIGINAL))
    offset = text(tags.find(OFFSET_TIME_ORIGINAL))
    if raw is None and tags.xmp:
        # XMP dates carry their own fraction and offset; EXIF's companions don't apply.
        raw, subsec, offset = _xmp_value(tags.xmp, "exif:DateTimeOriginal"), None, None
    return format_taken_at(raw, subsec, offset)


def format_taken_at(raw: str | None, subsec: str | None, offset: str | None) -> str | None:
    """The record's taken_at from EXIF's three strings (also used to read ExifTool's output)."""
    match = _EXIF_DATE.match(raw or "")
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        return None  # 0000:00:00 00:00:00, month 13, blanks turned to zeros...
    result = moment.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = fraction or (subsec.strip() if subsec and subsec.strip().isdigit() else None)
    if fraction:
        result += "." + fraction[:3].ljust(3, "0")
    zone = zone or offset
    if zone == "Z":
        result += "+00:00"
    elif zone and (tz := _OFFSET.match(zone)):
        sign, hours, minutes = tz.groups()
        if int(hours) <= 14 and int(minutes) < 60:
            result += f"{sign}{hours}:{minutes}"
    return result


def camera_make(tags: Tags) -> str | None:
    return text(tags.ifd0.get(MAKE))


def camera_model(tags: Tags) -> str | None:
    return text(tags.ifd0.get(MODEL))


def lens(tags: Tags) -> str | None:
    """LensModel (EXIF, then XMP); else the lens a maker note or XMP's aux:Lens names."""
    model = text(tags.find(LENS_MODEL)) or _xmp_text_value(tags, "exifEX:LensModel")
    return model or _makernote_lens(tags) or _xmp_text_value(tags, "aux:Lens")


def _xmp_text_value(tags: Tags, name: str) -> str | None:
    return text(_xmp_value(tags.xmp, name)) if tags.xmp else None


def exposure_time(tags: Tags) -> float | None:
    return _positive(number(tags.find(EXPOSURE_TIME)))


def f_number(tags: Tags) -> float | None:
    return _positive(number(tags.find(F_NUMBER)))


def focal_length(tags: Tags) -> float | None:
    return _positive(number(tags.find(FOCAL_LENGTH)))


def _positive(value: float | None) -> float | None:
    # A zero exposure, aperture or focal length is a camera saying "unknown".
    return value if value is not None and value > 0 else None


def iso(tags: Tags) -> int | None:
    value = integer(tags.find(ISO))
    if value:
        return value
    return _makernote_iso(tags)


def gps(tags: Tags) -> dict | None:
    """{"lat", "lon", "alt"} in signed decimal degrees and metres, or None when unusable."""
    lat = _coordinate(tags.gps.get(GPS_LAT), tags.gps.get(GPS_LAT_REF), "NS", 90)
    lon = _coordinate(tags.gps.get(GPS_LON), tags.gps.get(GPS_LON_REF), "EW", 180)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None  # 0,0 is what devices without a fix write, not a place anyone shoots
    alt = number(tags.gps.get(GPS_ALT))
    if alt is not None:
        ref = integer(_byte_value(tags.gps.get(GPS_ALT_REF)))
        alt = -alt if ref == 1 else alt
    return {"lat": lat, "lon": lon, "alt": alt}


def _byte_value(value: Any) -> Any:
    # GPSAltitudeRef is a BYTE; some writers store it as b"\x01" or "1".
    if isinstance(value, bytes):
        return value[0] if value else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _coordinate(value: Any, ref: Any, hemispheres: str, limit: int) -> float | None:
    ref = text(ref)
    if not ref or ref[0].upper() not in hemispheres or not isinstance(value, (tuple, list)):
        return None
    parts = [number(part) for part in value]
    if not parts or len(parts) > 3 or any(part is None or part < 0 for part in parts):
        return None
    degrees = sum(part / 60**index for index, part in enumerate(parts))
    if degrees > limit:
        return None
    return -degrees if ref[0].upper() == hemispheres[1] else degrees


# ---------------------------------------------------------------------------- maker notes


def _makernote(tags: Tags) -> tuple[bytes, int] | None:
    """The maker note blob and where it sits in the TIFF block (its offsets count from there)."""
    blob = tags.exif_ifd.get(MAKER_NOTE)
    if not isinstance(blob, bytes) or not blob or not tags.tiff:
        return None
    start = tags.tiff.find(blob)
    return (blob, start) if start >= 0 else None


def _ifd_entries(tiff: bytes, start: int, order: str) -> dict[int, tuple[int, int, bytes]]:
    """tag -> (type, count, value bytes) of the IFD at `start`; offsets relative to `tiff`."""
    sizes = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
    (count,) = struct.unpack_from(order + "H", tiff, start)
    if count > 512:
        raise ValueError("implausible maker note IFD")
    entries = {}
    for index in range(count):
        tag, kind, items, inline = struct.unpack_from(order + "HHI4s", tiff, start + 2 + 12 * index)
        size = sizes.get(kind, 1) * items
        if size <= 4:
            data = inline[:size]
        else:
            (offset,) = struct.unpack(order + "I", inline)
            data = tiff[offset : offset + size]
            if len(data) < size:
                continue
        entries[tag] = (kind, items, data)
    return entries


def _shorts(entry: tuple[int, int, bytes] | None, order: str, *, signed: bool) -> tuple:
    if entry is None or entry[0] not in (3, 8):
        return ()
    return struct.unpack(order + ("h" if signed else "H") * entry[1], entry[2])


def _makernote_iso(tags: Tags) -> int | None:
    make = (camera_make(tags) or "").lower()
    found = _makernote(tags)
    if found is None:
        return None
    try:
        if make.startswith("canon"):
            return _canon_iso(tags.tiff, found[1])
        if make.startswith("nikon"):
            return _nikon_iso(found[0])
        if found[0].startswith(b"QVC\x00\x00\x00"):
            # Casio type 2: big-endian whatever the EXIF's byte order, offsets from the TIFF.
            entries = _ifd_entries(tags.tiff, found[1] + 6, ">")
            return (_shorts(entries.get(0x3014), ">", signed=False) or (None,))[0]
    except BROKEN:
        return None
    return None


def _order(tiff: bytes) -> str:
    return "<" if tiff[:2] == b"II" else ">"


def _canon_iso(tiff: bytes, start: int) -> int | None:
    """ExifTool's Composite:ISO for Canon: CameraISO if numeric, else BaseISO * AutoISO / 100."""
    order = _order(tiff)
    entries = _ifd_entries(tiff, start, order)
    settings = _shorts(entries.get(0x0001), order, signed=True)
    if len(settings) > 16:
        camera_iso = settings[16] & 0xFFFF
        if camera_iso != 0x7FFF:
            if camera_iso & 0x4000:
                return camera_iso & 0x3FFF or None
            lookup = {16: 50, 17: 100, 18: 200, 19: 400, 20: 800}
            if camera_iso in lookup:
                return lookup[camera_iso]
    shot = _shorts(entries.get(0x0004), order, signed=True)
    if len(shot) > 2 and shot[1] and shot[2]:
        auto_iso = math.exp(shot[1] / 32 * math.log(2)) * 100
        base_iso = math.exp(shot[2] / 32 * math.log(2)) * 100 / 32
        return round(base_iso * auto_iso / 100)
    return None


def _nikon_iso(blob: bytes) -> int | None:
    """Nikon type 2/3 maker notes: "Nikon\\0" + version + their own TIFF header."""
    if not blob.startswith(b"Nikon\x00") or blob[10:14] not in (b"II*\x00", b"MM\x00*"):
        return None
    inner = blob[10:]
    order = "<" if inner[:2] == b"II" else ">"
    (first,) = struct.unpack_from(order + "I", inner, 4)
    values = _shorts(_ifd_entries(inner, first, order).get(0x0002), order, signed=False)
    # ISO is [0, value] (some models put the value first).
    for value in values[::-1] if values and values[0] == 0 else values:
        if value:
            return value
    return None


def _makernote_lens(tags: Tags) -> str | None:
    found = _makernote(tags)
    if found is None:
        return None
    blob, start = found
    try:
        if blob.startswith(b"Panasonic\x00\x00\x00"):
            entry = _ifd_entries(tags.tiff, start + 12, _order(tags.tiff)).get(0x0051)  # LensType
            return text(entry[2]) if entry and entry[0] == 2 else None
        if blob.startswith(b"OLYMPUS\x00") and blob[8:10] in (b"II", b"MM"):
            # Newer Olympus notes count offsets from the note itself; the lens is in Equipment.
            order = _order(blob[8:10])
            equipment = _ifd_entries(blob, 12, order).get(0x2010)
            if equipment and equipment[0] in (4, 13) and equipment[1] == 1:
                (offset,) = struct.unpack(order + "I", equipment[2])
                entry = _ifd_entries(blob, offset, order).get(0x0203)  # LensModel
                return text(entry[2]) if entry and entry[0] == 2 else None
    except BROKEN:
        return None
    return None


# ---------------------------------------------------------------------------- the exif dict


def readable(tags: Tags, *, consumed: frozenset[int] = frozenset(), gps_consumed=False) -> dict:
    """Every other readable tag by name, JSON-safe (no NaN, no bytes, no huge arrays).

    `consumed` are the IFD0/Exif tags whose value a record field already carries; they stay
    here when the field came out null, so a malformed value is still there to look at.
    """
    result: dict[str, Any] = {}
    sources = [
        (tags.ifd0, ExifTags.TAGS, consumed),
        (tags.exif_ifd, ExifTags.TAGS, consumed),
        (tags.interop, _INTEROP_TAGS, frozenset()),
        (tags.gps, ExifTags.GPSTAGS, _GPS_POSITION if gps_consumed else frozenset()),
    ]
    for ifd, names, skip in sources:
        for tag, value in ifd.items():
            name = names.get(tag)
            if name is None or name in result or tag in skip or tag in _SKIPPED_TAGS:
                continue
            if tag == USER_COMMENT and names is ExifTags.TAGS:
                value = _user_comment(value)
            safe = json_safe(value)
            if safe is not None:
                result[name] = safe
    return result


_GPS_POSITION = frozenset({GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON, GPS_ALT_REF, GPS_ALT})
_INTEROP_TAGS = {1: "InteropIndex", 2: "InteropVersion", 0x1000: "RelatedImageFileFormat"}


def _user_comment(value: Any) -> Any:
    # 8 bytes naming the charset, then the text.
    if not isinstance(value, bytes) or len(value) < 8:
        return value
    charset, body = value[:8].rstrip(b"\x00 "), value[8:]
    if charset == b"UNICODE":
        order = "utf-16-be" if body[:2] != b"\xff\xfe" else "utf-16"
        return text(body.decode(order, errors="replace"))
    if charset in (b"ASCII", b""):
        return text(body.decode("latin-1"))
    return None


def json_safe(value: Any) -> Any:
    """The value as JSON can carry it, or None to leave it out."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, (float, TiffImagePlugin.IFDRational)):
        return number(value)
    if isinstance(value, str):
        value = _CONTROL.sub("", value.split("\x00", 1)[0]).strip()
        return value[:_MAX_TEXT] or None
    if isinstance(value, bytes):
        stripped = value.rstrip(b"\x00")
        if stripped and all(32 <= byte < 127 for byte in stripped):
            return stripped.decode("ascii").strip()[:_MAX_TEXT] or None
        if 0 < len(value) <= _MAX_BLOB:
            return value.hex()
        return None
    if isinstance(value, (tuple, list)):
        if len(value) > _MAX_ITEMS:
            return None
        items = [json_safe(item) for item in value]
        return items if items else None
    return None
