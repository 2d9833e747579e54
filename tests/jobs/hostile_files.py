"""Hostile files, built byte by byte in memory: small on disk, expensive to the careless.

Each reproduces an attack from issue 10; the tests write them into tmp dirs (nothing big is
committed) and tests/jobs/test_hostile.py runs both jobs over all of them under the Lambda
functions' memory and CPU limits.
"""

import io
import random
import struct
import zlib
from pathlib import Path

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def flat_png(width: int, height: int, *, bit_depth: int = 8, color_type: int = 2) -> bytes:
    """A PNG of one flat colour: megapixels in a few hundred KB (rows compress to nothing).

    color_type: 0 grey, 2 RGB, 4 grey+alpha, 6 RGBA.
    """
    bands = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    row = b"\x00" + b"\x00" * (width * bands * bit_depth // 8)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", _repeated_zlib(row * 64, height // 64, row * (height % 64)))
        + png_chunk(b"IEND", b"")
    )


def _repeated_zlib(block: bytes, times: int, tail: bytes) -> bytes:
    """zlib(block * times + tail), compressing `block` once: a full flush resets the
    compressor, so every copy of the block compresses to the same bytes (GBs in a second)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(times):
        checksum = zlib.adler32(block, checksum)
    checksum = zlib.adler32(tail, checksum)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    ending = last.compress(tail) + last.flush()
    return b"\x78\xda" + repeated * times + ending + struct.pack(">I", checksum)


def ztxt_bomb(count: int = 200, *, inflated: int = 8 << 20, before_idat: bool = False) -> bytes:
    """A small PNG with `count` zTXt chunks each inflating to `inflated` bytes (1.6 MB on
    disk for the defaults: 200 x 8 MiB of zeros compress 1000:1)."""
    compressed = zlib.compress(b"\x00" * inflated, 9)
    texts = b"".join(
        png_chunk(b"zTXt", b"Comment%d\x00\x00" % i + compressed) for i in range(count)
    )
    png = flat_png(64, 48)
    ihdr_end = len(PNG_SIGNATURE) + 25
    if before_idat:
        return png[:ihdr_end] + texts + png[ihdr_end:]
    return png[:-12] + texts + png[-12:]  # between the image data and IEND


def png_with_text_after(png: bytes, chunks: list[bytes]) -> bytes:
    return png[:-12] + b"".join(chunks) + png[-12:]


def tiff_with_icc(profile: bytes, size=(16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 60)).save(out, "TIFF", icc_profile=profile)
    return out.getvalue()


def heic_with_exif_of(size: int, seed: int = 0) -> bytes:
    """A 64 x 64 HEIC whose EXIF box holds `size` bytes, mostly noise after a valid header."""
    import pillow_heif

    exif = Image.Exif()
    exif[0x010E] = "hostile"
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 64), (10, 20, 30))).save(
        out, format="HEIF", exif=b"Exif\x00\x00" + exif.tobytes() + random_bytes(size, seed)
    )
    return out.getvalue()


def random_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def many_frame_gif(frames: int = 10_000, size=(8, 8)) -> bytes:
    """An animated GIF of `frames` frames, written by hand (Pillow would take seconds)."""
    width, height = size
    # Screen with a 2-colour global table, then one Netscape loop block.
    head = (
        b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    )
    head += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    # One frame: graphic control (10 ms), descriptor, LZW of all-zero pixels, terminator.
    lzw = _lzw_zeros(width * height)
    frame = (
        b"\x21\xf9\x04\x00\x01\x00\x00\x00" + b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    )
    frame += b"\x02" + bytes([len(lzw)]) + lzw + b"\x00"
    return head + frame * frames + b";"


def _lzw_zeros(count: int) -> bytes:
    # Minimum code size 2: clear=4, end=5, 3-bit codes; emit clear, `count` zeros, end.
    # Emitting only literal codes is valid LZW as long as the code width keeps up with the
    # table the decoder builds (one entry per code after the first): reset with a clear
    # code before the table needs 4-bit codes.
    codes, since_clear = [4], 0
    for _ in range(count):
        if since_clear == 3:
            codes.append(4)
            since_clear = 0
        codes.append(0)
        since_clear += 1
    codes.append(5)
    bits = value = 0
    out = bytearray()
    for code in codes:
        value |= code << bits
        bits += 3
        while bits >= 8:
            out.append(value & 0xFF)
            value >>= 8
            bits -= 8
    if bits:
        out.append(value & 0xFF)
    assert len(out) < 256
    return bytes(out)


def many_page_tiff(pages: int = 1_000, size=(16, 16)) -> bytes:
    out = io.BytesIO()
    first = Image.new("L", size, 128)
    first.save(out, "TIFF", save_all=True, append_images=[first] * (pages - 1))
    return out.getvalue()


def jpeg_with_hostile_strings(strings: dict[int, str], size=(32, 24)) -> bytes:
    """A JPEG whose EXIF holds `strings` by tag (NUL, RTL and control characters...)."""
    exif = Image.Exif()
    for tag, value in strings.items():
        exif[tag] = value
    out = io.BytesIO()
    Image.new("RGB", size, (90, 120, 150)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def truncations_and_flips(photo: Path, *, seed: int, cuts: int, flips: int) -> list[bytes]:
    """`cuts` random truncations and `flips` copies with random bits flipped, of one photo."""
    rng = random.Random(seed)
    data = photo.read_bytes()
    variants = [data[: rng.randrange(1, len(data))] for _ in range(cuts)]
    for _ in range(flips):
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 16)):
            position = rng.randrange(len(flipped))
            flipped[position] ^= 1 << rng.randrange(8)
        variants.append(bytes(flipped))
    return variants
