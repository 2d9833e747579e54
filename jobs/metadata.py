"""The metadata job: one original in, the DESIGN.md metadata record out.

Headers only. Pixels are never decoded (no `.load()`), so a 200 MP photo costs what its
header and EXIF cost; the renditions job is the one that finds out whether the pixel data
is intact. Hence a JPEG whose header parses is a JPEG here even if its scan data is cut
short. A HEIF whose boxes run past the end of the file is refused, because there the
"header" (the item locations) points at bytes that are not there.

Formats are sniffed from the bytes, never from the name, and each is opened with its own
plugin class (Pillow's, or pillow-heif's for HEIF and AVIF): that skips Pillow's process-wide
decompression-bomb setting in favour of `Limits.max_pixels`, and refuses anything outside the
formats the site accepts.
"""

import hashlib
import os
import re
import shutil
import struct
import tempfile
import warnings
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from PIL import Image

from jobs import exif
from jobs.config import Limits
from jobs.errors import NotAnImage, TooLarge, human_bytes

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
    "exif",
)

MIME = {
    "JPEG": "image/jpeg",
    # An MPO is a JPEG with more frames after the first (3D cameras, iPhone HDR gain maps):
    # image/mpo is unregistered and browsers would download it rather than show it.
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
    "AVIF": "image/avif",
}

# ISO/IEC 23008-12 Annex: HEVC-coded brands are image/heic, the generic ones image/heif.
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
HEIF_BRANDS = {b"mif1", b"msf1", b"mif2", b"miaf", b"MiHE", b"MiHB"}
AVIF_BRANDS = {b"avif", b"avis"}

# Images we recognise but do not take: a better message than "not an image".
_UNSUPPORTED = (
    (b"BM", "BMP"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"\xff\x0a", "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (b"%PDF", "PDF"),
)

_CHUNK = 1 << 20
_HEAD = 512
_MAX_PNG_TEXT = 8 << 20


def extract(source: str | os.PathLike | IO[bytes], *, limits: Limits | None = None) -> dict:
    """The metadata record of `source` (a path or a binary file object), without `path`.

    Raises NotAnImage (short human reason) when the bytes are not a usable image of a
    supported format, TooLarge when over `limits.max_bytes` or `limits.max_pixels`.
    """
    limits = limits or Limits()
    with _seekable(source) as fp:
        size = fp.seek(0, os.SEEK_END)
        if size > limits.max_bytes:
            raise TooLarge(f"too large: {human_bytes(size)}, limit {human_bytes(limits.max_bytes)}")
        if size == 0:
            raise NotAnImage("empty file")
        fp.seek(0)
        head = fp.read(_HEAD)
        fmt, mime = sniff(head)
        if fmt in ("HEIF", "AVIF"):
            _check_boxes(fp, size, fmt)
        digest = _sha256(fp)
        fp.seek(0)
        with warnings.catch_warnings():
            # Pillow warns about every malformed EXIF it meets; a broken tag is a null here.
            warnings.simplefilter("ignore")
            # Not closed: Image.close() would close the caller's file object too. Nothing was
            # decoded, and the file itself is closed below when it is ours.
            image = _open_header(fp, fmt, limits)
            fmt, mime = ("MPO", MIME["MPO"]) if image.format == "MPO" else (fmt, mime)
            _check_pixels(image, limits)
            tags, stored_orientation = _tags(image, fmt, fp)
            record = _record(image, fmt, tags, stored_orientation)
    record.update(format=fmt, mime=mime, bytes=size, sha256=digest)
    return {field: record[field] for field in FIELDS}


def sniff(head: bytes) -> tuple[str, str]:
    """(format, mime) from a file's first bytes; MPO is told apart from JPEG once opened."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG", MIME["JPEG"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG", MIME["PNG"]
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF", MIME["GIF"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP", MIME["WEBP"]
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF", MIME["TIFF"]
    if head[4:8] == b"ftyp":
        found = _isobmff_kind(head)
        if found:
            return found
        raise NotAnImage("not an image: a video or other ISO media file")
    for magic, name in _UNSUPPORTED:
        if head.startswith(magic):
            raise NotAnImage(f"unsupported format: {name}")
    raise NotAnImage("not an image")


def _isobmff_kind(head: bytes) -> tuple[str, str] | None:
    (box_size,) = struct.unpack(">I", head[:4])
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
    brands = compatible | {major}
    if major in AVIF_BRANDS or (brands & AVIF_BRANDS and not brands & HEIC_BRANDS):
        return "AVIF", MIME["AVIF"]
    if major in HEIC_BRANDS:
        return "HEIF", "image/heic"
    if brands & (HEIC_BRANDS | HEIF_BRANDS):
        return "HEIF", "image/heic" if major in HEIC_BRANDS else "image/heif"
    return None


def _check_boxes(fp: IO[bytes], size: int, fmt: str) -> None:
    """Refuse a HEIF/AVIF whose top-level boxes run past the end: an upload cut short."""
    offset = 0
    while offset + 8 <= size:
        fp.seek(offset)
        box_size, box_type = struct.unpack(">I4s", fp.read(8))
        if box_size == 1:
            (box_size,) = struct.unpack(">Q", fp.read(8))
        elif box_size == 0:
            return  # "to the end of the file"
        if box_size < 8 or not all(32 <= char < 127 for char in box_type):
            raise NotAnImage(f"corrupt {fmt}")
        if offset + box_size > size:
            raise NotAnImage(f"truncated {fmt}")
        offset += box_size


def _open_header(fp: IO[bytes], fmt: str, limits: Limits) -> Image.Image:
    try:
        return _plugin(fmt)(fp)
    except Image.DecompressionBombError as exc:
        # Some plugins (GIF frames) check Pillow's own limit while reading headers.
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = int(found.group(1)) if found else 0
        limit = min(limits.max_pixels, 2 * (Image.MAX_IMAGE_PIXELS or limits.max_pixels))
        raise TooLarge(f"too large: {pixels / 1e6:.0f} MP, limit {limit / 1e6:.0f} MP") from None
    except (SyntaxError, OSError, ValueError, EOFError, IndexError, KeyError, struct.error) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # a read failure, not a bad file: let the runner retry
        raise NotAnImage(f"corrupt {fmt}") from None


def _plugin(fmt: str):
    if fmt == "JPEG":
        from PIL import JpegImagePlugin

        return JpegImagePlugin.jpeg_factory
    if fmt == "PNG":
        from PIL import PngImagePlugin

        return PngImagePlugin.PngImageFile
    if fmt == "GIF":
        from PIL import GifImagePlugin

        return GifImagePlugin.GifImageFile
    if fmt == "WEBP":
        from PIL import WebPImagePlugin

        return WebPImagePlugin.WebPImageFile
    if fmt == "TIFF":
        from PIL import TiffImagePlugin

        return TiffImagePlugin.TiffImageFile
    # HEIF and AVIF: libheif parses both containers (no AV1 decoder needed for headers) and
    # reports the size after the container's rotation, mirror and crop, like HEIF viewers.
    # pillow-heif is imported only when an upload needs it (it loads libheif).
    from pillow_heif.as_plugin import HeifImageFile

    return HeifImageFile


def _check_pixels(image: Image.Image, limits: Limits) -> None:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise NotAnImage(f"corrupt {image.format}: no pixels")
    if width * height > limits.max_pixels:
        raise TooLarge(
            f"too large: {width} × {height} pixels, limit {limits.max_pixels / 1e6:.0f} MP"
        )


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
    """
    raw_exif = profile_exif = xmp = None
    fp.seek(8)
    while True:
        header = fp.read(8)
        if len(header) < 8:
            break
        length, kind = struct.unpack(">I4s", header)
        if kind == b"IEND":
            break
        if kind in (b"eXIf", b"tEXt", b"zTXt", b"iTXt") and length <= _MAX_PNG_TEXT:
            data = fp.read(length)
            fp.seek(4, os.SEEK_CUR)  # CRC
            if len(data) < length:
                break
            if kind == b"eXIf":
                raw_exif = raw_exif or data
                continue
            keyword, text = _png_text(kind, data)
            if keyword in (b"Raw profile type exif", b"Raw profile type APP1") and text:
                profile_exif = profile_exif or _raw_profile(text)
            elif keyword == b"XML:com.adobe.xmp" and text:
                xmp = xmp or text
        else:
            fp.seek(length + 4, os.SEEK_CUR)
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


def _inflate(data: bytes) -> bytes:
    # Bounded: a text chunk must not become a decompression bomb.
    return zlib.decompressobj().decompress(data, _MAX_PNG_TEXT)


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
