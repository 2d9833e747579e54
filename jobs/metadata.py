"""The metadata job: one original in, the DESIGN.md metadata record out.

Headers only. Pixels are never decoded (no `.load()`), so a 200 MP photo costs what its
header and EXIF cost; the renditions job is the one that finds out whether the pixel data
is intact. Hence a JPEG whose header parses is a JPEG here even if its scan data is cut
short. A HEIF whose boxes run past the end of the file is refused, because there the
"header" (the item locations) points at bytes that are not there.

Sniffing, the MIME types, the limits and the header itself come from `jobs.decoding`, the
same door the renditions job uses, so both jobs call a file the same thing and refuse it
for the same reason.
"""

import hashlib
import os
import shutil
import struct
import tempfile
import warnings
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from PIL import Image

from jobs import exif, places
from jobs.config import Limits
from jobs.decoding import read_header
from jobs.errors import NotAnImage

FIELDS = (
    "ok",
    "error",
    "format",
    "mime",
    "bytes",
    "sha256",
    "width",
    "height",
    "orientation",
    "taken_at",
    "camera_make",
    "camera_model",
    "lens",
    "exposure_time",
    "f_number",
    "focal_length",
    "iso",
    "gps",
    "place",
    "exif",
)

_CHUNK = 1 << 20
# The most text one PNG chunk may inflate to. Only the EXIF dump and the XMP packet are
# ever inflated, once each, so this also bounds a file's inflated text at 8 MiB.
_MAX_PNG_TEXT = 4 << 20
# libpng writes 8 KB IDAT chunks: a 50 MB PNG has ~6,000. A file of millions of empty
# chunks is walked this far and no further.
_MAX_PNG_CHUNKS = 50_000


def extract(source: str | os.PathLike | IO[bytes], *, limits: Limits | None = None) -> dict:
    """The metadata record of `source` (a path or a binary file object), without `path`.

    Raises NotAnImage (short human reason) when the bytes are not a usable image of a
    supported format, TooLarge when over `limits.max_bytes` or `limits.max_pixels`.
    """
    with _seekable(source) as fp:
        with warnings.catch_warnings():
            # Pillow warns about every malformed EXIF it meets; a broken tag is a null here.
            warnings.simplefilter("ignore")
            # Not closed: Image.close() would close the caller's file object too. Nothing was
            # decoded, and the file itself is closed below when it is ours.
            header = read_header(fp, limits=limits)
            tags, stored_orientation = _tags(header.image, header.format, fp)
            record = _record(header.image, header.format, tags, stored_orientation)
        size = fp.seek(0, os.SEEK_END)
        digest = _sha256(fp)
    record.update(format=header.format, mime=header.mime, bytes=size, sha256=digest)
    record["place"] = places.place_of_gps(record["gps"])
    return {field: record[field] for field in FIELDS}


def _tags(image: Image.Image, fmt: str, fp: IO[bytes]) -> tuple[exif.Tags, int | None]:
    """The image's EXIF, and for HEIF the orientation pillow-heif took out of it."""
    info = image.info
    if fmt == "TIFF":
        return exif.from_image(image, xmp=info.get("xmp") or _tiff_xmp(image)), None
    if fmt == "PNG":
        raw, xmp = _png_metadata(fp)
        return exif.load(raw, xmp=xmp or info.get("xmp")), None
    tags = exif.load(info.get("exif"), xmp=info.get("xmp"))
    if fmt in ("HEIF", "AVIF"):
        # pillow-heif resets the EXIF orientation to 1 because libheif already applied the
        # container's rotation; the stored value is kept aside for us.
        return tags, info.get("original_orientation")
    return tags, None


def _tiff_xmp(image: Image.Image) -> bytes | None:
    value = getattr(image, "tag_v2", {}).get(700)
    return value if isinstance(value, bytes) else None


def _record(image: Image.Image, fmt: str, tags: exif.Tags, stored: int | None) -> dict:
    # pillow-heif keeps only values other than 1 aside (`stored`); a 1 is still in the EXIF.
    valid = isinstance(stored, int) and 1 <= stored <= 8
    orientation = stored if valid else exif.orientation(tags)
    width, height = image.size
    # HEIF/AVIF sizes are already as displayed (libheif applies the container's rotation and
    # crop; EXIF orientation is informative there), and so are TIFF's: Pillow's TIFF plugin
    # swaps the size itself for orientations 5-8.
    if fmt not in ("HEIF", "AVIF", "TIFF") and orientation in (5, 6, 7, 8):
        width, height = height, width
    fields = {
        "taken_at": exif.taken_at(tags),
        "camera_make": exif.camera_make(tags),
        "camera_model": exif.camera_model(tags),
        "lens": exif.lens(tags),
        "exposure_time": exif.exposure_time(tags),
        "f_number": exif.f_number(tags),
        "focal_length": exif.focal_length(tags),
        "iso": exif.iso(tags),
        "gps": exif.gps(tags),
    }
    consumed = {tag for field, tag in _FIELD_TAGS.items() if fields.get(field) is not None}
    if orientation is not None:
        consumed.add(exif.ORIENTATION)
    if fields["taken_at"] is not None:
        consumed |= {exif.DATE_TIME_ORIGINAL, exif.SUBSEC_TIME_ORIGINAL, exif.OFFSET_TIME_ORIGINAL}
    return {
        "ok": True,
        "error": None,
        "width": width,
        "height": height,
        "orientation": orientation,
        **fields,
        "exif": exif.readable(
            tags, consumed=frozenset(consumed), gps_consumed=fields["gps"] is not None
        ),
    }


_FIELD_TAGS = {
    "camera_make": exif.MAKE,
    "camera_model": exif.MODEL,
    "lens": exif.LENS_MODEL,
    "exposure_time": exif.EXPOSURE_TIME,
    "f_number": exif.F_NUMBER,
    "focal_length": exif.FOCAL_LENGTH,
    "iso": exif.ISO,
}


# ---------------------------------------------------------------------------- PNG


def _png_metadata(fp: IO[bytes]) -> tuple[bytes | None, bytes | None]:
    """(EXIF, XMP) from a PNG's chunks, wherever they are; IDAT is skipped, not read.

    Pillow only sees chunks before the image data without decoding it; eXIf after IDAT
    (allowed, and common) and ImageMagick's "Raw profile type exif" text need this walk.
    A text chunk's keyword is read before anything is inflated, and only the first chunk
    of each kind used is: 200 zTXt chunks of 8 MiB each cost the reads, not 1.6 GB of
    inflating. The walk stops after `_MAX_PNG_CHUNKS` chunks.
    """
    raw_exif = profile_exif = xmp = None
    fp.seek(8)
    for _ in range(_MAX_PNG_CHUNKS):
        header = fp.read(8)
        if len(header) < 8:
            break
        length, kind = struct.unpack(">I4s", header)
        if kind == b"IEND":
            break
        end = fp.tell() + length + 4  # data, then CRC
        if kind == b"eXIf" and raw_exif is None and length <= _MAX_PNG_TEXT:
            raw_exif = fp.read(length)
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            keyword = fp.read(min(length, 80)).partition(b"\x00")[0]
            wanted = (
                profile_exif is None
                and keyword in (b"Raw profile type exif", b"Raw profile type APP1")
            ) or (xmp is None and keyword == b"XML:com.adobe.xmp")
            if wanted and length <= _MAX_PNG_TEXT:
                fp.seek(end - length - 4)
                data = fp.read(length)
                if len(data) < length:
                    break
                _keyword, text = _png_text(kind, data)
                if keyword == b"XML:com.adobe.xmp":
                    xmp = text or None
                elif text:
                    profile_exif = _raw_profile(text)
        fp.seek(end)
    return raw_exif or profile_exif, xmp


def _png_text(kind: bytes, data: bytes) -> tuple[bytes, bytes | None]:
    keyword, _, rest = data.partition(b"\x00")
    try:
        if kind == b"tEXt":
            return keyword, rest
        if kind == b"zTXt":
            return keyword, _inflate(rest[1:])
        compressed, rest = rest[:1] == b"\x01", rest[2:]
        _language, _, rest = rest.partition(b"\x00")
        _translated, _, text = rest.partition(b"\x00")
        return keyword, _inflate(text) if compressed else text
    except zlib.error:
        return keyword, None


def _inflate(data: bytes) -> bytes | None:
    # Bounded: a text chunk must not become a decompression bomb. Past the bound the text
    # is cut, and a cut hex dump or XMP packet is worth nothing: None.
    inflater = zlib.decompressobj()
    text = inflater.decompress(data, _MAX_PNG_TEXT)
    return None if inflater.unconsumed_tail else text


def _raw_profile(text: bytes) -> bytes | None:
    """ImageMagick's hex dump: "\\nexif\\n   LENGTH\\nHEX..."."""
    parts = text.split(None, 2)
    if len(parts) < 3:
        return None
    try:
        data = bytes.fromhex(parts[2].decode("ascii"))
    except ValueError:
        return None
    start = data.find(b"Exif\x00\x00")
    return data[start:] if start >= 0 else data


# ---------------------------------------------------------------------------- bytes


@contextmanager
def _seekable(source: Any):
    if isinstance(source, (str, os.PathLike)):
        try:
            fp = open(Path(source), "rb")  # noqa: SIM115 - closed below
        except IsADirectoryError:
            raise NotAnImage("not an image: a directory") from None
        with fp:
            yield fp
        return
    if getattr(source, "seekable", lambda: False)() and source.tell() == 0:
        try:
            yield source
        finally:
            source.seek(0)
        return
    # A stream (HTTP body, pipe) or one already read into: spool the rest, to disk past 8 MB.
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        shutil.copyfileobj(source, spool, _CHUNK)
        spool.seek(0)
        yield spool


def _sha256(fp: IO[bytes]) -> str:
    fp.seek(0)
    digest = hashlib.sha256()
    while chunk := fp.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()
