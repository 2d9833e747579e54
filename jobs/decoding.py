"""Open an upload as a Pillow image, refusing what is not a photo before memory is spent on it.

The one door every job uses to look at an original:

- `sniff_format(head)` names the container from its first bytes (never from the file name),
  and `sniff(head)` adds its MIME type.
- `open_image(source, *, limits)` checks the byte limit, sniffs, opens the header with only
  the matching Pillow plugin, checks the pixel limit (decompression bombs included) and
  returns the image *not yet decoded*, so the caller can still ask for a reduced decode
  (`Image.draft`) before paying for the pixels.
- `read_header(source, *, limits)` runs the same checks for a caller that never decodes (the
  metadata job) and returns the format, MIME type and opened image together.
- `load_pixels(image)` decodes, turning every decoder failure into a short `NotAnImage`.

Every failure caused by the bytes themselves is a `NotAnImage` (or `TooLarge`) with a short
human reason; Pillow's own messages never reach the uploader. Failures reading the file
(a missing path, a dead disk) are not the photo's fault and propagate unchanged.
"""

import io
import os
import re
import struct
import sys
import threading
import types
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import (
    AvifImagePlugin,
    GifImagePlugin,
    Image,
    ImageFile,
    JpegImagePlugin,
    MpoImagePlugin,  # noqa: F401 - jpeg_factory imports it on the first MPO; never in a race
    PngImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,
)

from jobs.budget import check_header_read
from jobs.config import Limits
from jobs.errors import NotAnImage, TooLarge, human_bytes

# The containers Darkroom accepts, as DESIGN.md names them (and as `Image.format` reports them).
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "HEIF", "AVIF", "MPO")

MIME_TYPES = {
    "JPEG": "image/jpeg",
    # An MPO is a JPEG with more frames after the first (3D cameras, iPhone HDR gain maps):
    # image/mpo is unregistered and browsers would download it rather than show it.
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
    "HEIF": "image/heic",  # image/heif when no brand says HEVC: see `sniff`
    "AVIF": "image/avif",
}

# Enough for every signature below, including a long ISOBMFF `ftyp` brand list.
SNIFF_BYTES = 512

# ISO/IEC 23008-12 Annex: HEVC-coded brands are image/heic, the generic ones image/heif.
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"mif2", b"miaf", b"MiHE", b"MiHB"}
_AVIF_BRANDS = {b"avif", b"avis"}

# What Pillow and its plugins raise for bytes they cannot make sense of (libavif reports
# "Decoding of color planes failed" as a RuntimeError, libheif's errors arrive as
# ValueError, Pillow's own as OSError / SyntaxError / struct.error).
_DECODER_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
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


@dataclass(frozen=True)
class Header:
    """An original opened for its header only: what it is, and the image (no pixels yet)."""

    format: str  # one of FORMATS, MPO told apart from JPEG
    mime: str
    image: Image.Image


def sniff_format(head: bytes) -> str | None:
    """The container format of a file from its first bytes (`SNIFF_BYTES` is plenty).

    Returns one of `FORMATS` except "MPO": a multi-picture JPEG starts exactly like a JPEG,
    so it sniffs as "JPEG" and `open_image(...).format` tells the two apart. Returns None
    for anything else.
    """
    sniffed = sniff(head)
    return sniffed[0] if sniffed else None


def sniff(head: bytes) -> tuple[str, str] | None:
    """(format, MIME type) of a file from its first bytes, as `sniff_format`; None if no photo."""
    if head.startswith(b"\xff\xd8\xff"):
        fmt = "JPEG"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        fmt = "PNG"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        fmt = "WEBP"
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        fmt = "GIF"
    elif head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):  # classic and BigTIFF
        fmt = "TIFF"
    elif head[4:8] == b"ftyp":
        return _sniff_isobmff(head)
    else:
        return None
    return fmt, MIME_TYPES[fmt]


def _sniff_isobmff(head: bytes) -> tuple[str, str] | None:
    box_size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    # Compatible brands follow the major brand and minor version, up to the box's end.
    brands = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)} | {major}
    if major in _AVIF_BRANDS or (brands & _AVIF_BRANDS and not brands & _HEIC_BRANDS):
        return "AVIF", MIME_TYPES["AVIF"]
    if brands & (_HEIC_BRANDS | _HEIF_BRANDS):
        return "HEIF", "image/heic" if major in _HEIC_BRANDS else "image/heif"
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
    return _open(source, limits or Limits(), header_only=False).image


def read_header(source: str | os.PathLike | BinaryIO, *, limits: Limits | None = None) -> Header:
    """`open_image`'s checks for a reader that never decodes: format, MIME type and image.

    The image's size is as displayed for HEIF and AVIF (libheif applies the container's
    rotation, mirror and crop; EXIF orientation is informative there) and as stored for the
    rest. A file object passed in stays open: don't close the image, which would close it.
    """
    return _open(source, limits or Limits(), header_only=True)


# 16-bit grey raw modes -> the unpacker that keeps each sample's high byte, per decoder.
# libtiff hands Pillow native-order samples.
_NATIVE_HIGH_BYTE = "L;16" if sys.byteorder == "little" else "L;16B"
_HIGH_BYTE_UNPACKERS = {
    ("PNG", "zip", "I;16B"): "L;16B",
    ("TIFF", "raw", "I;16"): "L;16",
    ("TIFF", "raw", "I;16B"): "L;16B",
    ("TIFF", "raw", "I;16N"): _NATIVE_HIGH_BYTE,
    ("TIFF", "libtiff", "I;16N"): _NATIVE_HIGH_BYTE,
}


def decode_8bit(image: Image.Image) -> Image.Image:
    """Have a 16-bit greyscale PNG or TIFF decode straight to 8 bits (each sample's high byte).

    Pillow decodes 16-bit RGB(A) to 8 bits already, but 16-bit grey to I;16, which the
    renditions then widen to 32 bits to scale down: three copies of the largest thing in
    memory where one 8-bit one does. Call before `load_pixels`; other images are unchanged.
    """
    if image.mode != "I;16" or not image.tile:
        return image
    if image.format == "PNG" and getattr(image, "n_frames", 1) != 1:
        return image  # APNG frames are composited in the image's own mode
    tiles = []
    for tile in image.tile:
        args = tile.args if isinstance(tile.args, tuple) else (tile.args,)
        unpacker = _HIGH_BYTE_UNPACKERS.get((image.format, tile.codec_name, args[0]))
        if unpacker is None:
            return image
        tiles.append(tile._replace(args=(unpacker, *args[1:]) if args is tile.args else unpacker))
    image.tile = tiles
    image._mode = "L"
    image.info.pop("transparency", None)  # a 16-bit sample value, meaningless in L
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


def _open(source: str | os.PathLike | BinaryIO, limits: Limits, *, header_only: bool) -> Header:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        size = path.stat().st_size
        _check_bytes(size, limits)
        with path.open("rb") as fp:
            fmt, mime = _sniff_and_check(fp, size, limits, header_only=header_only)
        opened = path
    else:
        start = source.tell()
        size = source.seek(0, io.SEEK_END) - start
        source.seek(start)
        _check_bytes(size, limits)
        fmt, mime = _sniff_and_check(source, size, limits, header_only=header_only)
        opened = source
    image = _open_header(opened, fmt, limits, header_only=header_only)
    try:
        if image.width < 1 or image.height < 1:
            raise NotAnImage(f"corrupt {fmt}: no pixels")
        _check_pixels(image.size, limits)
    except BaseException:
        if isinstance(source, (str, os.PathLike)):  # never close the caller's file
            image.close()
        raise
    return Header("MPO" if image.format == "MPO" else fmt, mime, image)


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


def _sniff_and_check(
    fp: BinaryIO, size: int, limits: Limits, *, header_only: bool
) -> tuple[str, str]:
    """Sniff (format, MIME type) and run the structural checks Pillow does not do first."""
    start = fp.tell()
    head = fp.read(SNIFF_BYTES)
    sniffed = sniff(head)
    if sniffed is None:
        other = next((name for magic, name in _OTHER_IMAGES if head.startswith(magic)), None)
        raise NotAnImage(f"unsupported image format: {other}" if other else "not an image")
    fmt = sniffed[0]
    fp.seek(start)
    check_header_read(fmt, size, limits)
    if fmt in ("HEIF", "AVIF"):
        _check_isobmff_complete(fp, size, fmt)
    elif fmt == "GIF" and not header_only:  # the canvas is a danger only to a player
        _check_gif_canvas(fp, limits)
    fp.seek(start)
    return sniffed


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


def _open_header(
    source: Path | BinaryIO, fmt: str, limits: Limits, *, header_only: bool
) -> Image.Image:
    # The plugin class itself, not Image.open: only the parser for the sniffed container may
    # read the file (a JPEG-named PSD, or a "photo" that is really an EPS, never reaches a
    # parser we did not choose), and `limits.max_pixels` decides, not Pillow's process-wide
    # decompression-bomb setting.
    try:
        image = _plugin(fmt, header_only=header_only)(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(exc, limits) from None
    except SyntaxError:  # Pillow's "not identified by this driver", whatever the cause
        raise NotAnImage(f"corrupt {fmt}") from None
    except _DECODER_ERRORS as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # a read failure, not a bad file: the caller retries
        raise NotAnImage(_corrupt_reason(fmt, exc)) from None
    return image


def _plugin(fmt: str, *, header_only: bool):
    if fmt == "HEIF" or (fmt == "AVIF" and header_only):
        # libheif parses AVIF containers too, without an AV1 decoder, and like for HEIF
        # reports the size as displayed and the EXIF as stored; Pillow's AVIF reader reads
        # the whole file and folds irot/imir into the EXIF orientation instead. Its pixels
        # are Pillow's to decode: pillow-heif 1.x decodes no AV1.
        return _heif_plugin()
    return {
        "JPEG": JpegImagePlugin.jpeg_factory,  # answers MPO itself
        "PNG": _PngHeader if header_only else _PngImageFile,
        "WEBP": WebPImagePlugin.WebPImageFile,
        "GIF": GifImagePlugin.GifImageFile,
        "TIFF": TiffImagePlugin.TiffImageFile,
        "AVIF": AvifImagePlugin.AvifImageFile,
    }[fmt]


# ------------------------------------------------------------------ PNG text chunks

# Text a job reads from Pillow: the orientation Pillow's getexif() finds in ImageMagick's
# hex EXIF dump or in XMP. The metadata job walks the chunks itself (`jobs.metadata`).
_PNG_TEXT_KEPT = (b"Raw profile type exif", b"Raw profile type APP1", b"XML:com.adobe.xmp")
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
# Pillow inflates every tEXt/zTXt/iTXt chunk up to 1 MB each and 64 MB in all; a PNG can
# carry thousands. Past these many kept chunks, the rest are read past, never inflated.
MAX_PNG_TEXT_KEPT = 4


class _PngTextSkippingStream(PngImagePlugin.PngStream):
    """Pillow's PNG chunk reader, reading past text chunks nobody uses instead of
    inflating them: a 1.6 MB PNG can hold 200 zTXt chunks of 8 MiB each."""

    kept = _PNG_TEXT_KEPT

    def __init__(self, fp):
        super().__init__(fp)
        self.kept_text = 0

    def call(self, cid: bytes, pos: int, length: int) -> bytes:
        if cid not in _PNG_TEXT_CHUNKS:
            return super().call(cid, pos, length)
        # The keyword is at most 79 bytes and comes first: read it before deciding.
        start = self.fp.tell()
        keyword = self.fp.read(min(length, 80)).partition(b"\x00")[0]
        self.fp.seek(start)
        if keyword in self.kept and self.kept_text < MAX_PNG_TEXT_KEPT:
            self.kept_text += 1
            try:
                return super().call(cid, pos, length)
            except ValueError:  # over Pillow's MAX_TEXT_CHUNK: the tag is lost, not the photo
                self.fp.seek(start)
        # Read (its CRC is still checked), never inflated.
        return ImageFile._safe_read(self.fp, length)


class _PngHeaderStream(_PngTextSkippingStream):
    """For a header-only reader (the metadata job walks the text chunks itself): no text
    chunk is inflated at all."""

    kept = ()


def _png_reader(name: str, stream: type) -> type:
    # PngImageFile._open builds its chunk reader as `PngStream(self.fp)`, with no hook to
    # pass another. Its own code, run with that one name bound to ours, keeps every other
    # line Pillow's (tests/jobs/test_png_text.py fails if a Pillow upgrade moves it).
    _open = types.FunctionType(
        PngImagePlugin.PngImageFile._open.__code__,
        {**vars(PngImagePlugin), "PngStream": stream},
        "_open",
    )
    return type(name, (PngImagePlugin.PngImageFile,), {"_open": _open, "__module__": __name__})


# Pillow's PNG reader on `_PngTextSkippingStream`, at open and after the pixel data.
_PngImageFile = _png_reader("_PngImageFile", _PngTextSkippingStream)
_PngHeader = _png_reader("_PngHeader", _PngHeaderStream)


def _bomb(exc: Exception, limits: Limits | None = None) -> TooLarge:
    # Pillow's own guard (Image.MAX_IMAGE_PIXELS, left at its process-wide default) still
    # fires inside a few plugins, the GIF reader's frame check among them, before our header
    # check; its verdict is reported in our words.
    match = re.search(r"\((\d+) pixels\)", str(exc))
    size = f"{_megapixels(int(match[1]))} MP" if match else "decompression bomb"
    limit = f", limit {_megapixels(limits.max_pixels)} MP" if limits else ""
    return TooLarge(f"too large: {size}{limit}")


def _corrupt_reason(fmt: str, exc: Exception) -> str:
    message = str(exc).lower()
    if isinstance(exc, EOFError) or "truncated" in message or "end of file" in message:
        return f"corrupt {fmt}: truncated"
    return f"corrupt {fmt}"


_heif_lock = threading.Lock()
_heif_image_file = None


def _heif_plugin():
    # pillow-heif (libheif, libde265) costs tens of milliseconds to import and is only needed
    # for iPhone-style uploads: loaded on the first HEIF, never at cold start. Under a lock:
    # two threads importing it for the first time at once (the web app's job pool runs
    # renditions and metadata side by side) can hand one a half-initialised module.
    global _heif_image_file
    with _heif_lock:
        if _heif_image_file is None:
            import pillow_heif

            pillow_heif.register_heif_opener()  # Image.open elsewhere in the process too
            _heif_image_file = pillow_heif.HeifImageFile
        return _heif_image_file
