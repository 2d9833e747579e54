"""jobs.decoding: the one door to an original: sniff, limits, header, decode, clear errors."""

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from jobs.config import Limits
from jobs.decoding import (
    load_pixels,
    open_image,
    read_header,
    sniff,
    sniff_format,
)
from jobs.errors import NotAnImage, TooLarge
from jobs.formats import FORMATS, MIME_TYPES


def png_bytes(size=(64, 48), mode="RGB", color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, "PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A real 1 x 1 PNG whose header claims another size (with a valid CRC)."""
    data = bytearray(png_bytes((1, 1)))
    ihdr = bytearray(data[12:29])  # b"IHDR" + 13 bytes of fields
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hopper.jpg", "JPEG"),
        ("hopper.png", "PNG"),
        ("hopper.webp", "WEBP"),
        ("hopper.gif", "GIF"),
        ("hopper.tif", "TIFF"),
        ("heif_pug.heic", "HEIF"),
        ("heif_RGBA_10__128x128.heif", "HEIF"),
        ("avif_hopper.avif", "AVIF"),
        ("avif_exif.avif", "AVIF"),
        ("avif_hopper.heif", "HEIF"),  # brand heic: the name lies in the other direction
        ("sugarshack.mpo", "JPEG"),  # MPO starts like JPEG; open_image tells them apart
        ("apng_delay.png", "PNG"),
    ],
)
def test_sniff_format_names_the_container_from_its_bytes(photos_dir, name, expected):
    head = (photos_dir / name).read_bytes()[:64]

    assert sniff_format(head) == expected


@pytest.mark.parametrize(
    "head",
    [b"", b"hello, world\n", b"%PDF-1.7\n", b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"],
)
def test_sniff_format_is_none_for_anything_else(head):
    assert sniff_format(head) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hopper.jpg", "JPEG"),
        ("sugarshack.mpo", "MPO"),
        ("hopper.png", "PNG"),
        ("hopper.webp", "WEBP"),
        ("hopper.gif", "GIF"),
        ("hopper.tif", "TIFF"),
        ("heif_pug.heic", "HEIF"),
        ("avif_hopper.avif", "AVIF"),
    ],
)
def test_open_image_reports_one_of_the_design_formats(photos_dir, name, expected):
    with open_image(photos_dir / name) as image:
        assert image.format == expected
        assert image.format in FORMATS
        assert expected in MIME_TYPES


def test_format_comes_from_the_bytes_not_the_name(tmp_path, photos_dir):
    # given a PNG uploaded as "photo.jpg"
    lying = tmp_path / "photo.jpg"
    lying.write_bytes((photos_dir / "hopper.png").read_bytes())

    # when / then
    with open_image(lying) as image:
        assert image.format == "PNG"


def test_open_image_does_not_decode_and_load_pixels_does(photos_dir, monkeypatch):
    decoded = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: decoded.append(1) or original_load(self)
    )

    with open_image(photos_dir / "hopper.jpg") as image:
        assert decoded == []
        assert load_pixels(image) is image
        assert decoded == [1]
        assert image.getpixel((64, 64)) is not None


def test_open_image_accepts_a_binary_file_and_leaves_it_usable(photos_dir):
    data = (photos_dir / "hopper.webp").read_bytes()
    fp = io.BytesIO(data)

    with open_image(fp) as image:
        load_pixels(image)
        assert image.size == (128, 128)


def test_byte_limit_is_checked_from_the_size_before_anything_else(photos_dir):
    with pytest.raises(TooLarge) as caught:
        open_image(photos_dir / "hopper.png", limits=Limits(max_bytes=10_000))

    assert caught.value.reason == "too large: 31 KB, limit 10 KB"


def test_pixel_limit_is_checked_from_the_header_before_decoding(monkeypatch):
    # given a 16000 x 14000 (224 MP) PNG header over a 1-pixel body, and a decoder that
    # must never run
    def no_decoding(self):
        raise AssertionError("pixels decoded before the limit was checked")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    bomb = io.BytesIO(png_claiming(16_000, 14_000))

    # when / then
    with pytest.raises(TooLarge) as caught:
        open_image(bomb)
    assert caught.value.reason == "too large: 224 MP, limit 200 MP"


def test_pixel_limit_follows_the_configured_limit(photos_dir):
    with pytest.raises(TooLarge) as caught:
        open_image(photos_dir / "hopper.jpg", limits=Limits(max_pixels=10_000))

    assert caught.value.reason == "too large: 0.016 MP, limit 0.01 MP"


def test_headers_past_pillows_own_bomb_guard_are_too_large_in_our_words():
    # 30000 x 20000 = 600 MP: Pillow refuses it inside Image.open, before our own check.
    with pytest.raises(TooLarge) as caught:
        open_image(io.BytesIO(png_claiming(30_000, 20_000)))

    assert caught.value.reason == "too large: 600 MP, limit 200 MP"


@pytest.mark.parametrize("name", ["decompression_bomb.gif", "decompression_bomb_extents.gif"])
def test_gif_decompression_bombs_are_refused_before_decoding(photos_dir, name, monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded a bomb"))

    with pytest.raises(TooLarge) as caught:
        open_image(photos_dir / name)

    assert caught.value.reason.startswith("too large: ")
    assert caught.value.reason.endswith(" MP, limit 200 MP")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"just some text, not a photo\n" * 4, "not an image"),
        (b"BM" + bytes(60), "unsupported image format: BMP"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(64), "not an image"),
        (b"\x89PNG\r\n\x1a\n" + bytes(40), "corrupt PNG"),
        (b"\xff\xd8\xff\xe0" + bytes(40), "corrupt JPEG"),
    ],
)
def test_bytes_that_are_not_a_photo_get_a_short_reason(data, reason):
    with pytest.raises(NotAnImage) as caught:
        open_image(io.BytesIO(data))

    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("broken.png", "corrupt PNG"),
        ("heif_corrupted.heic", "corrupt HEIF: truncated"),  # a box claims 7 MB of a 5 KB file
        ("heif_truncated.heic", "corrupt HEIF: truncated"),
        ("heif_empty.heic", "empty file"),
    ],
)
def test_corrupt_files_are_refused_when_opened(photos_dir, name, reason):
    with pytest.raises(NotAnImage) as caught:
        open_image(photos_dir / name)

    assert caught.value.reason == reason


def test_truncated_pixel_data_is_refused_when_decoded_not_padded(photos_dir):
    with (
        open_image(photos_dir / "truncated_jpeg.jpg") as image,
        pytest.raises(NotAnImage) as caught,
    ):
        load_pixels(image)

    assert caught.value.reason == "corrupt JPEG: truncated"


def test_a_missing_file_is_an_io_error_not_a_verdict_on_the_photo(tmp_path):
    # Transient: the caller retries instead of marking the photo failed forever.
    with pytest.raises(FileNotFoundError):
        open_image(tmp_path / "gone.jpg")


def test_pillow_heif_is_imported_only_for_heif(photos_dir):
    script = (
        "import sys\n"
        "from jobs.decoding import open_image, load_pixels\n"
        f"load_pixels(open_image({str(photos_dir / 'hopper.jpg')!r}))\n"
        f"load_pixels(open_image({str(photos_dir / 'avif_hopper.avif')!r}))\n"
        "print('pillow_heif' in sys.modules)\n"
        f"load_pixels(open_image({str(photos_dir / 'heif_zPug_3.heic')!r}))\n"
        "print('pillow_heif' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == ["False", "True"]


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    brands = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(brands)).to_bytes(4, "big") + b"ftyp" + brands


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (ftyp(b"heic", b"mif1", b"heic"), ("HEIF", "image/heic")),
        (ftyp(b"heix", b"mif1", b"heix"), ("HEIF", "image/heic")),  # 10-bit iPhone HEIC
        (ftyp(b"mif1", b"mif1", b"miaf"), ("HEIF", "image/heif")),  # no HEVC brand
        (ftyp(b"mif1", b"heic", b"avif"), ("HEIF", "image/heif")),
        (ftyp(b"mif1", b"miaf", b"avif"), ("AVIF", "image/avif")),
        (ftyp(b"avif", b"mif1", b"heic"), ("AVIF", "image/avif")),
        (b"\xff\xd8\xff\xe1" + bytes(60), ("JPEG", "image/jpeg")),
        (b"II+\x00" + bytes(60), ("TIFF", "image/tiff")),  # BigTIFF
    ],
)
def test_sniff_names_the_mime_type_too(head, expected):
    assert sniff(head) == expected


def test_an_mpo_is_image_jpeg_everywhere(photos_dir):
    header = read_header(photos_dir / "sugarshack.mpo")

    assert (header.format, header.mime) == ("MPO", "image/jpeg")
    assert MIME_TYPES["MPO"] == MIME_TYPES["JPEG"] == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "fmt", "mime", "size"),
    [
        ("hopper.jpg", "JPEG", "image/jpeg", (128, 128)),
        ("hopper.gif", "GIF", "image/gif", (128, 128)),
        ("hopper.tif", "TIFF", "image/tiff", (128, 128)),
        ("heif_pug.heic", "HEIF", "image/heic", (4032, 3024)),
        ("avif_exif.avif", "AVIF", "image/avif", (512, 512)),
    ],
)
def test_read_header_never_decodes(photos_dir, monkeypatch, name, fmt, mime, size):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))

    header = read_header(photos_dir / name)

    assert (header.format, header.mime, header.image.size) == (fmt, mime, size)


def test_read_header_gives_avif_as_displayed_and_open_image_as_stored():
    # given an AVIF stored 64 x 48 with a container rotation of 270 degrees
    path = Path(__file__).resolve().parents[1] / "data" / "corpus" / "synthetic_rotated.avif"

    # when / then: libheif applies irot for the header; Pillow's decoder folds it into EXIF
    assert read_header(path).image.size == (48, 64)
    with open_image(path) as image:
        assert image.size == (64, 48)
        assert image.getexif()[0x0112] == 6


@pytest.mark.parametrize("name", ["hopper.png", "heif_truncated.heic", "broken.png"])
def test_read_header_leaves_a_callers_file_open_when_it_refuses(photos_dir, name):
    fp = io.BytesIO((photos_dir / name).read_bytes())

    with pytest.raises(NotAnImage):  # TooLarge for hopper.png
        read_header(fp, limits=Limits(max_pixels=100))

    assert not fp.closed
    assert fp.read(4)  # still readable


def test_first_heif_in_two_threads_at_once_loads_pillow_heif_safely(photos_dir):
    # The web app runs both jobs of an upload side by side; before the lock, the first HEIF
    # in a fresh process failed about one time in two with a half-initialised pillow_heif.
    heic = str(photos_dir / "heif_zPug_3.heic")
    script = (
        "import threading\n"
        "from jobs.decoding import load_pixels, open_image, read_header\n"
        "start = threading.Barrier(2)\n"
        "def run(job):\n"
        "    start.wait()\n"
        "    job()\n"
        f"jobs = [lambda: read_header({heic!r}), lambda: load_pixels(open_image({heic!r}))]\n"
        "threads = [threading.Thread(target=run, args=(job,)) for job in jobs]\n"
        "[thread.start() for thread in threads]\n"
        "[thread.join() for thread in threads]\n"
    )
    root = Path(__file__).resolve().parents[2]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script], cwd=root, stderr=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]

    errors = [run.communicate()[1] for run in runs]

    assert errors == [""] * len(runs)
