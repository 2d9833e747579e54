"""What a render will really hold in memory, worked out from the header before decoding.

A pixel count says little: a 387 KB PNG of 14,100 x 14,100 16-bit grey samples decodes to
400 MB, and its conversion to 8 bits used to hold two more 32-bit copies (1.9 GB at the
peak). `render_peak` adds up what `jobs.renditions.render` holds at once for an opened,
not yet decoded image: the decoded pixels as Pillow stores them, the codec's own output
buffer where there is one, the conversion to a working mode, the premultiplied copy an
alpha channel needs for resampling, and the resampler's intermediates. `check_decode`
refuses, in words, what does not fit the function's memory (`Limits.decode_budget`).

Pure arithmetic on (mode, size, format): no decoding, no I/O.
"""

from PIL import Image

from jobs.config import Limits
from jobs.errors import TooLarge, human_bytes

# Bytes per pixel as Pillow stores an image in memory: every multi-band mode takes four
# (RGB is stored as RGBX), 16-bit grey two, 32-bit integer and float four.
_ONE_BYTE = ("1", "L", "P")
_TWO_BYTES = ("I;16", "I;16B", "I;16L", "I;16N")

# Modes `imaging.to_working_mode` converts through 32-bit copies (I;16 -> I -> point -> L,
# F -> point -> L): two 4-byte copies alive at once, on top of the decoded image.
_WIDE_MODES = ("I", "F", *_TWO_BYTES)

# Containers whose native decoder hands Pillow a full decoded buffer that Pillow then
# copies: both exist at once (libheif for HEIF, libavif for AVIF).
_BUFFERED_FORMATS = ("HEIF", "AVIF")


# What reading a HEIF or AVIF header holds, per byte of the file: pillow-heif and Pillow's
# AVIF reader take the whole file into memory, libheif keeps its own copy, and the EXIF and
# XMP items come back as Python bytes (a 45 MB EXIF box peaked at 4x here).
HEADER_COPIES = 4


def header_read_cost(fmt: str, file_bytes: int) -> int:
    """Bytes held while the header of a `fmt` file of `file_bytes` is read (not decoded).

    Other containers are read in small pieces from the file, whatever its size.
    """
    return HEADER_COPIES * file_bytes if fmt in _BUFFERED_FORMATS else 0


def check_header_read(fmt: str, file_bytes: int, limits: Limits) -> None:
    """Refuse a file whose header read alone would not fit (the metadata job's 256 MB)."""
    needed = header_read_cost(fmt, file_bytes)
    if needed > limits.decode_budget:
        raise TooLarge(
            f"too large to read: {human_bytes(needed)} needed, "
            f"limit {human_bytes(limits.decode_budget)}"
        )


def pixel_bytes(mode: str) -> int:
    if mode in _ONE_BYTE:
        return 1
    if mode in _TWO_BYTES:
        return 2
    return 4


def render_peak(mode: str, size: tuple[int, int], fmt: str, target: tuple[int, int]) -> int:
    """Bytes held at the peak of rendering an image of `mode` and `size` (as it will be
    decoded: after any draft) down to `target`, the largest rendition, in stored orientation.
    """
    width, height = size
    pixels = width * height
    decoded = pixels * pixel_bytes(mode)
    peak = decoded
    if fmt in _BUFFERED_FORMATS:
        # The codec's RGB(A) output, 8 or 16 bits a sample; 4 bytes is what an 8-bit
        # RGBA buffer takes and what pillow-heif's HDR-to-8-bit conversion leaves.
        peak += pixels * 4
    working_bytes = 1 if mode in _WIDE_MODES else pixel_bytes(mode)
    if mode in _WIDE_MODES:
        peak += pixels * 8
    elif mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        peak += pixels * 4  # P, PA, 1, La, RGBa, YCbCr, LAB...: one converted copy
        working_bytes = 4
    if (width, height) == target:
        return peak
    if mode in ("RGBA", "LA", "PA", "P", "La", "RGBa"):
        # Resampling premultiplies alpha on a full-size copy (a palette may carry alpha).
        peak += pixels * 4
    # Pillow's reducing gap box-reduces large steps first (one reduced copy), then
    # resamples in two passes whose intermediate is target width x source height.
    longest, target_longest = max(width, height), max(target)
    factor = max(1, int(longest / target_longest / 3.0))
    if factor > 1:
        peak += pixels * working_bytes // (factor * factor)
    peak += target[0] * (height // factor) * working_bytes
    return peak


def check_decode(image: Image.Image, target: tuple[int, int], limits: Limits) -> None:
    """Refuse `image` (opened, drafted, not decoded) when rendering it would not fit."""
    needed = render_peak(image.mode, image.size, image.format or "", target)
    if needed > limits.decode_budget:
        raise TooLarge(
            f"too large to decode: {human_bytes(needed)} needed, "
            f"limit {human_bytes(limits.decode_budget)}"
        )
