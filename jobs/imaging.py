"""Pure image processors: Image in, Image out (the shape of easy-thumbnails' processors.py).

No I/O here: `jobs.decoding` opens files, `jobs.renditions` chains these and encodes. Each
processor returns its input unchanged when it has nothing to do, so chaining them costs
nothing for an image that is already upright, 8-bit and sRGB.
"""

import hashlib
import io
import threading
from collections import OrderedDict
from concurrent.futures import Executor
from functools import lru_cache

from PIL import Image, ImageCms

# Orientation tag value -> the transposition that makes the stored pixels upright.
_TRANSPOSES = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ORIENTATION_TAG = 0x0112

# Lanczos, like libvips' thumbnail: the sharpest of Pillow's filters without ringing that
# shows at these scales. A reducing gap of 3 box-reduces only steps of 6x or more first (a
# 100 MP scan down to 2048), which Pillow documents as indistinguishable from resampling
# all the way; a camera JPEG never gets there (libjpeg's own shrink-on-load came first).
RESAMPLE = Image.Resampling.LANCZOS
REDUCING_GAP = 3.0

# Modes the rest of the pipeline (resize, colour transforms, the WebP encoder) takes as is.
WORKING_MODES = ("L", "LA", "RGB", "RGBA", "CMYK")

_SRGB_NAMES = ("srgb", "srgb iec61966-2.1", "srgb iec61966-2-1", "srgb built-in")


def fit(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """`size` scaled so its longest side is at most `longest`: never upscaled, rounded to
    the nearest pixel, at least 1 px (6000 x 4000 at 2048 -> 2048 x 1365).

    Symmetric in width and height, so a size computed for the stored pixels and one
    computed for the upright picture are the same size, transposed.
    """
    width, height = size
    scale = longest / max(width, height)
    if scale >= 1:
        return width, height
    return max(1, int(width * scale + 0.5)), max(1, int(height * scale + 0.5))


def orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8) of an opened image; 1 when absent or nonsense.

    For HEIF, pillow-heif has already applied the container's rotation and mirroring
    (irot/imir) and reset the EXIF tag to 1, so it is never applied twice; Pillow's AVIF
    reader folds irot/imir into this tag instead, so it is applied here exactly once.
    """
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a broken EXIF block must not cost the photo: treat as upright
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def upright(image: Image.Image, orientation: int) -> Image.Image:
    """The image as it is meant to be seen, for an EXIF orientation value."""
    method = _TRANSPOSES.get(orientation)
    return image if method is None else image.transpose(method)


def displayed_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """Width and height as displayed: orientations 5-8 swap them."""
    return (size[1], size[0]) if orientation >= 5 else size


def to_working_mode(image: Image.Image) -> Image.Image:
    """An 8-bit L, LA, RGB, RGBA or CMYK version of a decoded image, transparency kept.

    16-bit greyscale is scaled down (Pillow's plain conversion would clip everything above
    255 to white); palettes with a transparent colour become RGBA.
    """
    mode = image.mode
    if mode in WORKING_MODES:
        return image
    if mode in ("P", "PA"):
        return image.convert("RGBA" if image.has_transparency_data else "RGB")
    if mode == "1":
        return image.convert("L")
    if mode.startswith("I;16") or mode == "I":
        # 16-bit samples (PNG, TIFF) arrive as I;16 or as 32-bit I holding 0..65535.
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if mode == "F":
        # Floating-point samples (scientific and HDR TIFFs) are 0..1 by convention.
        high = image.getextrema()[1]
        return (image.point(lambda value: value * 255) if high <= 1 else image).convert("L")
    if mode in ("La", "RGBa"):
        return image.convert("RGBA" if mode == "RGBa" else "LA")
    if mode == "LAB":
        lab = ImageCms.createProfile("LAB")
        return ImageCms.profileToProfile(image, lab, _srgb_profile(), outputMode="RGB")
    return image.convert("RGBA" if "A" in image.getbands() else "RGB")


# Below this many source pixels, splitting a resize across threads costs more than it saves.
PARALLEL_RESIZE_MIN_PIXELS = 2_000_000
# Bands are this many output rows or more: small enough that the in-flight bands' scratch
# memory stays a few MB (one whole-image resize holds a full-height intermediate), large
# enough that the rows re-read at each seam for the filter's support stay negligible.
BAND_ROWS = 192


def resize(
    image: Image.Image, size: tuple[int, int], *, workers: Executor | None = None
) -> Image.Image:
    """`image` resampled to exactly `size` (the caller keeps the aspect ratio).

    With `workers`, a large image is resampled in horizontal bands in parallel (Pillow
    releases the GIL while it resamples). Each band reads its source rows through `box`,
    filter support included, so there are no seams: the result is one call's, give or take
    a rounding step (+-1) in a few pixels.
    """
    if image.size == size:
        return image
    width, height = size
    if (
        workers is None
        or image.width * image.height < PARALLEL_RESIZE_MIN_PIXELS
        or height < 2 * BAND_ROWS
    ):
        return image.resize(size, RESAMPLE, reducing_gap=REDUCING_GAP)
    # Pillow premultiplies alpha inside resize(); done once here, not once per band. So is
    # the reducing-gap box reduction, which per band would not align across the seams.
    premultiplied = {"RGBA": "RGBa", "LA": "La"}.get(image.mode)
    source = image.convert(premultiplied) if premultiplied else image
    reduce_by = (
        max(1, int(source.width / width / REDUCING_GAP)),
        max(1, int(source.height / height / REDUCING_GAP)),
    )
    if reduce_by != (1, 1):
        source = source.reduce(reduce_by)
    scale = source.height / height
    bands = height // BAND_ROWS
    cuts = [height * i // bands for i in range(bands + 1)]

    def band(rows: tuple[int, int]) -> Image.Image:
        top, bottom = rows
        box = (0, top * scale, source.width, bottom * scale)
        return source.resize((width, bottom - top), RESAMPLE, box=box)

    result = Image.new(source.mode, size)
    rows = list(zip(cuts[:-1], cuts[1:], strict=True))
    # map() yields in order as bands finish; each is pasted and dropped straight away.
    for (top, _), part in zip(rows, workers.map(band, rows), strict=True):
        result.paste(part, (0, top))
    return result.convert(image.mode) if premultiplied else result


def to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """The image converted to sRGB from its embedded ICC profile (Display P3, Adobe RGB, a
    CMYK press profile...). Without a profile, RGB is taken as sRGB and CMYK is converted
    the naive way. A profile lcms cannot read is ignored rather than failing the photo.
    """
    transform = _transform_for(icc_profile, image.mode) if icc_profile else None
    if transform is not None:
        return transform.apply(image)
    if image.mode == "CMYK":
        return image.convert("RGB")
    return image


def drop_opaque_alpha(image: Image.Image) -> Image.Image:
    """RGBA/LA whose alpha is fully opaque -> RGB/L: smaller WebP files, same picture."""
    if image.mode not in ("RGBA", "LA") or image.getchannel("A").getextrema() != (255, 255):
        return image
    return image.convert(image.mode[:-1])


def flatten(image: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    """An RGB image with any transparency composited over `background`."""
    if image.mode in ("RGBA", "LA"):
        base = Image.new("RGB", image.size, background)
        base.paste(image.convert("RGBA"), mask=image.getchannel("A"))
        return base
    return image if image.mode == "RGB" else image.convert("RGB")


@lru_cache(maxsize=1)
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


# Real profiles are a few KB (sRGB, Display P3) to a few hundred (press CMYK with big
# lookup tables); anything larger is ignored as if absent. An attacker's 20 MB of noise
# would otherwise be parsed, and kept.
MAX_ICC_BYTES = 4 << 20

# A phone or camera embeds the same handful of profiles in every photo: building an lcms
# transform costs more than applying it to a thumbnail, so keep a few. Keyed by a digest,
# not the profile (the key would pin its bytes), and only verdicts on profiles lcms could
# read (a transform, or "already sRGB"): a broken profile is parsed again next time, and
# never holds memory for the life of the process.
TRANSFORM_CACHE_SIZE = 16
_transforms: OrderedDict[tuple[bytes, str], ImageCms.ImageCmsTransform | None] = OrderedDict()
_transforms_lock = threading.Lock()
_UNREADABLE = object()


def _transform_for(icc_profile: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    if len(icc_profile) > MAX_ICC_BYTES:
        return None
    key = (hashlib.sha256(icc_profile).digest(), mode)
    with _transforms_lock:
        if key in _transforms:
            _transforms.move_to_end(key)
            return _transforms[key]
    transform = _build_transform(icc_profile, mode)
    if transform is _UNREADABLE:
        return None
    with _transforms_lock:
        _transforms[key] = transform
        while len(_transforms) > TRANSFORM_CACHE_SIZE:
            _transforms.popitem(last=False)
    return transform


def _build_transform(icc_profile: bytes, mode: str):
    """A transform to sRGB, None when none is needed, `_UNREADABLE` when lcms says no."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return _UNREADABLE
    space = profile.profile.xcolor_space.strip()
    expected = {"RGB": "RGB", "RGBA": "RGB", "CMYK": "CMYK"}.get(mode)
    if space != expected:
        # A grey profile on greyscale pixels only nudges the tone curve; a profile that
        # does not match the pixels at all is a broken file: both are left alone.
        return None
    if mode != "CMYK" and _is_srgb(profile):
        return None
    out_mode = "RGBA" if mode == "RGBA" else "RGB"
    try:
        # NOCACHE: lcms's one-pixel cache lives in the transform, which threads share here.
        return ImageCms.buildTransform(
            profile,
            _srgb_profile(),
            mode,
            out_mode,
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            flags=ImageCms.Flags.NOCACHE,
        )
    except ImageCms.PyCMSError:
        return _UNREADABLE


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    description = (profile.profile.profile_description or "").strip().lower()
    return description in _SRGB_NAMES
