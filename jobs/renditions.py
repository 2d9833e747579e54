"""The renditions job: one original in, a few upright sRGB WebP sizes and a BlurHash out.

`render(source, *, limits)` is pure work on bytes: where the original comes from and where
the renditions go is the caller's business (`jobs.work`, the CLI).

Speed and memory, in order of what they buy on a 24 MP JPEG:
- one decode, and for JPEG at a reduced scale: libjpeg's shrink-on-load (`Image.draft`)
  decodes only the DCT coefficients needed for the largest rendition (6000 x 4000 decodes
  as 3000 x 2000), so the full-size pixels never exist in memory;
- each smaller size is resampled from the previous one (large -> medium -> thumb), and the
  colour conversion and the transposition run on the largest rendition, not the original;
- the WebP encodes, the bulk of the time, run on a small thread pool: Pillow releases the
  GIL while libwebp encodes, so the large encode overlaps the medium and thumb work; the
  first (largest) resize is split into bands on the same two threads.
"""

import io
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from os import PathLike
from typing import BinaryIO

from PIL import Image

from jobs import imaging
from jobs.budget import check_decode
from jobs.config import Limits
from jobs.decoding import decode_8bit, load_pixels, open_image
from jobs.errors import NotAnImage
from jobs.placeholder import blurhash_for, data_url_for

# libwebp's effort (0 fastest .. 6 smallest); 4 is libwebp's, Pillow's and libvips' default.
WEBP_METHOD = 4
# WebP cannot hold more than 16383 px on a side.
WEBP_MAX_SIDE = 16383
# The first resize (in bands) and the three encodes release the GIL: one thread per core
# (a Lambda function has 2 vCPUs from 3,538 MB; below that the threads share what there is).
THREADS = 2


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    data: bytes
    content_type: str = "image/webp"
    ext: str = "webp"


@dataclass(frozen=True)
class RenditionSet:
    renditions: list[Rendition]
    placeholder: str  # BlurHash
    # The BlurHash painted as a small PNG data URL (what the pages show while loading).
    placeholder_data_url: str = ""


def render(source: str | PathLike | BinaryIO, *, limits: Limits | None = None) -> RenditionSet:
    """Renditions of the original at `source` (a path or a seekable binary file).

    One rendition per `limits.sizes` entry, in that order, each fitting its size on the
    longest side and never upscaled: an original smaller than a size yields that rendition
    at the original's size, so every name always exists. Upright (EXIF orientation, HEIF
    irot/imir), sRGB, transparency kept, no EXIF, GPS, XMP or ICC profile carried over.

    Raises `NotAnImage` / `TooLarge` for files that cannot become a photo.
    """
    limits = limits or Limits()
    if not limits.sizes:
        raise ValueError("no rendition sizes configured (PHOTOS_RENDITION_SIZES)")
    by_size = sorted(limits.sizes.items(), key=lambda item: item[1], reverse=True)
    with ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="renditions") as workers:
        image = open_image(source, limits=limits)
        try:
            stored = image.size
            largest = imaging.fit(stored, min(by_size[0][1], WEBP_MAX_SIDE))
            if image.format in ("JPEG", "MPO"):
                # Ask for the real target: `thumbnail((2048, 2048))` would ask for 2048 on
                # the short side too and never let a 3:2 photo decode at half scale. `fit` is
                # symmetric, so the stored (not yet upright) size is the right one to ask with.
                image.draft(image.mode, largest)
            decode_8bit(image)
            # What the decode and its copies will take, as decoded: refused before decoding.
            check_decode(image, largest, limits)
            load_pixels(image)
            turn = imaging.orientation(image)
            icc_profile = image.info.get("icc_profile")
            try:
                working = imaging.to_working_mode(image)
            except ValueError:  # a colour mode Pillow decodes but cannot convert
                raise NotAnImage(f"unsupported colour mode: {image.mode}") from None
            first = imaging.resize(working, largest, workers=workers)
            del working
            if first is image:
                first = image.copy()  # closing the original must not take these pixels along
        finally:
            # Now, not when render() returns: the decoded original is the biggest thing in
            # memory, and an ImageFile's `with` only closes the file, never the pixels.
            image.close()
        first = imaging.to_srgb(first, icc_profile)
        first = imaging.drop_opaque_alpha(first)
        first = imaging.upright(first, turn)
        first.info = {}  # nothing of the original's metadata may ride along into a rendition

        upright = imaging.displayed_size(stored, turn)
        targets = {name: imaging.fit(upright, min(px, WEBP_MAX_SIDE)) for name, px in by_size}
        encoded: dict[str, Future[bytes]] = {}
        previous, previous_name = first, None
        for name, _ in by_size:
            current = imaging.resize(previous, targets[name])
            if current is previous and previous_name is not None:
                encoded[name] = encoded[previous_name]  # same pixels: encode once
            else:
                encoded[name] = workers.submit(_webp, current, limits.webp_quality)
            previous, previous_name = current, name
        # The smallest rendition is all a 4 x 3 BlurHash needs; computed while libwebp works.
        placeholder = blurhash_for(previous)
        placeholder_data_url = data_url_for(placeholder, previous.size)
        renditions = [
            Rendition(name, *targets[name], data=encoded[name].result()) for name in limits.sizes
        ]
    return RenditionSet(
        renditions=renditions, placeholder=placeholder, placeholder_data_url=placeholder_data_url
    )


def _webp(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No exif=, icc_profile= or xmp=: renditions are sRGB (the WebP default) and private.
    image.save(out, "WEBP", quality=quality, method=WEBP_METHOD)
    return out.getvalue()
