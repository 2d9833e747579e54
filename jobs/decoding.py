"""Open an upload as a Pillow image, refusing what is not a photo before memory is spent on it.

The one door every job uses to look at an original:

- `sniff_format(head)` names the container from its first bytes (never from the file name).
- `open_image(source, *, limits)` checks the byte limit, sniffs, opens the header with only
  the matching Pillow plugin, checks the pixel limit (decompression bombs included) and
  returns the image *not yet decoded*, so the caller can still ask for a reduced decode
  (`Image.draft`) before paying for the pixels.
- `load_pixels(image)` decodes, turning every decoder failure into a short `NotAnImage`.

Every failure caused by the bytes themselves is a `NotAnImage` (or `TooLarge`) with a short
human reason; Pillow's own messages never reach the uploader. Failures reading the file
(a missing path, a dead disk) are not the photo's fault and propagate unchanged.
"""

import io
import os
import re
import struct
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from jobs.config import Limits
from jobs.errors import NotAnImage, TooLarge, human_bytes

# The containers Darkroom accepts, as DESIGN.md names them (and as `Image.format` reports them).
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "HEIF", "AVIF", "MPO")

MIME_TYPES = {
    "JPEG": "image/jpeg",
    "MPO": "image/mpo",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
    "HEIF": "image/heic",
    "AVIF": "image/avif",
}

# Enough for every signature below, including a long ISOBMFF `ftyp` brand list.
SNIFF_BYTES = 64

# Only the plugin for the sniffed container may parse the file: a JPEG-named PSD, or a
# "photo" that is really an EPS, never reaches a parser we did not choose.
_PLUGINS = {
    "JPEG": ["JPEG"],  # the JPEG plugin answers MPO itself
    "PNG": ["PNG"],
    "WEBP": ["WEBP"],
    "GIF": ["GIF"],
    "TIFF": ["TIFF"],
    "HEIF": ["HEIF"],
    "AVIF": ["AVIF"],
}

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_AVIF_BRANDS = {b"avif", b"avis"}
_GENERIC_HEIF_BRANDS = {b"mif1", b"msf1", b"mif2"}

# What Pillow and its plugins raise for bytes they cannot make sense of (libavif reports
# "Decoding of color planes failed" as a RuntimeError, libheif's errors arrive as
# ValueError, Pillow's own as OSError / SyntaxError / struct.error).
_DECODER_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    RuntimeError,
    struct.error,
)

# Images we recognise but do not take, so the uploader hears what it is rather than
# "not an image".
_OTHER_IMAGES = (
    (b"BM", "BMP"),
    (b"8BPS", "PSD"),
    (b"\xff\x0a", "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
)


def sniff_format(head: bytes) -> str | None:
    """The container format of a file from its first bytes (`SNIFF_BYTES` is plenty).

    Returns one of `FORMATS` except "MPO": a multi-picture JPEG starts exactly like a JPEG,
    so it sniffs as "JPEG" and `open_image(...).format` tells the two apart. Returns None
    for anything else.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[4:8] == b"ftyp":
        return _sniff_isobmff(head)
    return None


def _sniff_isobmff(head: bytes) -> str | None:
    box_size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    # Compatible brands follow the major brand and minor version, up to the box's end.
    compatible = {
        head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4) if box_size >= 16
    }
    if major in _AVIF_BRANDS:
        return "AVIF"
    if major in _HEIF_BRANDS:
        return "HEIF"
    if compatible & _HEIF_BRANDS:
        return "HEIF"
    if compatible & _AVIF_BRANDS:
        return "AVIF"
    if major in _GENERIC_HEIF_BRANDS or compatible & _GENERIC_HEIF_BRANDS:
        return "HEIF"
    return None  # MP4, QuickTime, camera raw containers...


def open_image(
    source: str | os.PathLike | BinaryIO, *, limits: Limits | None = None
) -> Image.Image:
    """Open `source` (a path or a seekable binary file) as a validated, not yet decoded image.

    Checks, in order and before any pixel is decoded: the byte size against
    `limits.max_bytes`, the sniffed container (`FORMATS`), the header, and width x height
    against `limits.max_pixels` (GIF frames that would grow the canvas included). The
    returned image's `.format` is one of `FORMATS`; decode it with `load_pixels`, after an
    optional `draft()`. Use it as a context manager (or close it) to release the file.

    Raises `TooLarge` or `NotAnImage` with a short human reason; I/O errors propagate.
    """
    limits = limits or Limits()
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        size = path.stat().st_size
        _check_bytes(size, limits)
        with path.open("rb") as fp:
            fmt = _sniff_and_check(fp, size, limits)
        opened = path
    else:
        start = source.tell()
        size = source.seek(0, io.SEEK_END) - start
        source.seek(start)
        _check_bytes(size, limits)
        fmt = _sniff_and_check(source, size, limits)
        opened = source
    if fmt == "HEIF":
        _register_heif()
    image = _open_header(opened, fmt, limits)
    try:
        _check_pixels(image.size, limits)
        if image.width < 1 or image.height < 1:
            raise NotAnImage(f"corrupt {fmt}: no pixels")
    except BaseException:
        image.close()
        raise
    return image


def load_pixels(image: Image.Image) -> Image.Image:
    """Decode `image` in place (honouring any `draft()`), and return it.

    Truncated or corrupt pixel data raises `NotAnImage` ("corrupt JPEG: truncated"): a half
    grey thumbnail would hide a broken upload, so truncated images are never padded.
    """
    fmt = image.format or "image"
    try:
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(exc) from None
    except _DECODER_ERRORS as exc:
        raise NotAnImage(_corrupt_reason(fmt, exc)) from None
    return image


def _check_bytes(size: int, limits: Limits) -> None:
    if size == 0:
        raise NotAnImage("empty file")
    if size > limits.max_bytes:
        raise TooLarge(f"too large: {human_bytes(size)}, limit {human_bytes(limits.max_bytes)}")


def _check_pixels(size: tuple[int, int], limits: Limits) -> None:
    pixels = size[0] * size[1]
    if pixels > limits.max_pixels:
        raise TooLarge(
            f"too large: {_megapixels(pixels)} MP, limit {_megapixels(limits.max_pixels)} MP"
        )


def _megapixels(pixels: int) -> str:
    mp = pixels / 1_000_000
    if mp >= 100 or mp.is_integer():
        return f"{mp:.0f}"
    return f"{mp:.1f}" if mp >= 1 else f"{mp:.2g}"


def _sniff_and_check(fp: BinaryIO, size: int, limits: Limits) -> str:
    """Sniff the container and run the structural checks Pillow does not do before decoding."""
    start = fp.tell()
    head = fp.read(SNIFF_BYTES)
    fmt = sniff_format(head)
    if fmt is None:
        other = next((name for magic, name in _OTHER_IMAGES if head.startswith(magic)), None)
        raise NotAnImage(f"unsupported image format: {other}" if other else "not an image")
    fp.seek(start)
    if fmt in ("HEIF", "AVIF"):
        _check_isobmff_complete(fp, size, fmt)
    elif fmt == "GIF":
        _check_gif_canvas(fp, limits)
    fp.seek(start)
    return fmt


def _check_isobmff_complete(fp: BinaryIO, size: int, fmt: str) -> None:
    """Refuse an upload cut short: a top-level box that runs past the end of the file.

    libheif happily decodes the primary image of such a file when its bytes happen to come
    first, leaving the photo's other items (or the rest of a sequence) silently missing.
    """
    start = fp.tell()
    offset = 0
    for _ in range(10_000):
        if offset == size:
            return
        header = fp.read(16)
        if len(header) < 8:
            raise NotAnImage(f"corrupt {fmt}: truncated")
        box_size = int.from_bytes(header[:4], "big")
        if box_size == 1:
            if len(header) < 16:
                raise NotAnImage(f"corrupt {fmt}: truncated")
            box_size = int.from_bytes(header[8:16], "big")
        elif box_size == 0:  # "extends to the end of the file"
            return
        if box_size < 8:
            raise NotAnImage(f"corrupt {fmt}")
        offset += box_size
        if offset > size:
            raise NotAnImage(f"corrupt {fmt}: truncated")
        fp.seek(start + offset)
    raise NotAnImage(f"corrupt {fmt}")


def _check_gif_canvas(fp: BinaryIO, limits: Limits) -> None:
    """Refuse a GIF whose frames would grow the canvas past the pixel limit.

    A GIF's logical screen can be 100 x 100 while a later frame claims 65535 x 65535: every
    decoder that plays the animation (Pillow when it seeks, the uploader's own browser when
    it shows the original) allocates that canvas. Walking the block structure costs a few
    reads and no decoding.
    """
    data = fp.read(13)
    if len(data) < 13:
        return  # Pillow reports the corrupt header
    width, height = struct.unpack("<HH", data[6:10])
    flags = data[10]
    if flags & 0x80:
        fp.seek(3 << ((flags & 7) + 1), io.SEEK_CUR)
    while True:
        block = fp.read(1)
        if block == b"!":  # extension: label, then data sub-blocks
            fp.read(1)
            _skip_gif_sub_blocks(fp)
        elif block == b",":  # image descriptor
            descriptor = fp.read(9)
            if len(descriptor) < 9:
                break
            left, top, frame_w, frame_h = struct.unpack("<HHHH", descriptor[:8])
            width, height = max(width, left + frame_w), max(height, top + frame_h)
            if descriptor[8] & 0x80:
                fp.seek(3 << ((descriptor[8] & 7) + 1), io.SEEK_CUR)
            fp.read(1)  # LZW minimum code size
            _skip_gif_sub_blocks(fp)
        else:  # trailer, garbage or end of file: what follows is never shown
            break
    _check_pixels((width, height), limits)


def _skip_gif_sub_blocks(fp: BinaryIO) -> None:
    while True:
        length = fp.read(1)
        if not length or length == b"\x00":
            return
        fp.seek(length[0], io.SEEK_CUR)


def _open_header(source: Path | BinaryIO, fmt: str, limits: Limits) -> Image.Image:
    try:
        image = Image.open(source, formats=_PLUGINS[fmt])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(exc, limits) from None
    except UnidentifiedImageError:
        raise NotAnImage(f"corrupt {fmt}") from None
    except _DECODER_ERRORS as exc:
        # The file was readable a moment ago (it was sniffed), so this is the parser's verdict.
        raise NotAnImage(_corrupt_reason(fmt, exc)) from None
    if image.format not in FORMATS:  # a plugin answering for a sibling format
        image.close()
        raise NotAnImage(f"unsupported image format: {image.format}")
    return image


def _bomb(exc: Exception, limits: Limits | None = None) -> TooLarge:
    # Pillow's own guard (Image.MAX_IMAGE_PIXELS, left at its process-wide default of 179 MP
    # to warn, twice that to refuse) fires inside Image.open, before our header check, for
    # the largest headers; its verdict is reported in our words.
    match = re.search(r"\((\d+) pixels\)", str(exc))
    size = f"{_megapixels(int(match[1]))} MP" if match else "decompression bomb"
    limit = f", limit {_megapixels(limits.max_pixels)} MP" if limits else ""
    return TooLarge(f"too large: {size}{limit}")


def _corrupt_reason(fmt: str, exc: Exception) -> str:
    message = str(exc).lower()
    if isinstance(exc, EOFError) or "truncated" in message or "end of file" in message:
        return f"corrupt {fmt}: truncated"
    return f"corrupt {fmt}"


_heif_registered = False


def _register_heif() -> None:
    # pillow-heif (libheif, libde265) costs tens of milliseconds to import and is only needed
    # for iPhone-style uploads: loaded on the first HEIF, never at cold start. AVIF needs
    # nothing: Pillow 13 reads it natively (pillow-heif 1.x dropped its AVIF opener).
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True
