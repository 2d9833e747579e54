"""Memory by decoded bytes, not pixels: what a render really holds, refused before decoding
when it does not fit the function's memory (issue 10)."""

import io
import subprocess
import sys
import textwrap

import pytest
from hostile_files import flat_png
from PIL import Image

from jobs.budget import render_peak
from jobs.config import Limits
from jobs.decoding import decode_8bit, load_pixels, open_image
from jobs.errors import TooLarge, human_bytes
from jobs.metadata import extract
from jobs.renditions import render


def test_the_budget_follows_the_functions_memory(monkeypatch):
    monkeypatch.setenv("PHOTOS_JOB_MEMORY_MB", "256")

    limits = Limits.from_env()

    assert limits.memory_mb == 256
    assert limits.decode_budget == int(256 * 2**20 * 0.7)
    assert Limits().memory_mb == 1769  # the thumbnails function's, when nothing says


def test_on_lambda_the_budget_is_the_functions_own_memory(monkeypatch):
    monkeypatch.delenv("PHOTOS_JOB_MEMORY_MB", raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")  # what Lambda sets

    assert Limits.from_env().memory_mb == 256

    monkeypatch.setenv("PHOTOS_JOB_MEMORY_MB", "1024")  # an explicit setting still wins
    assert Limits.from_env().memory_mb == 1024


def test_a_16_bit_grey_png_decodes_straight_to_8_bits():
    # given 16-bit grey samples whose high and low bytes differ
    source = Image.new("I;16", (300, 2))
    source.putdata([x * 217 for x in range(300)] * 2)
    data = io.BytesIO()
    source.save(data, "PNG")
    data.seek(0)

    # when
    with open_image(data) as image:
        decode_8bit(image)
        load_pixels(image)

        # then: the high byte of each sample, as the old 32-bit detour gave
        assert image.mode == "L"
        assert list(image.get_flattened_data())[:300] == [(x * 217) >> 8 for x in range(300)]


@pytest.mark.parametrize("compression", [None, "tiff_deflate", "tiff_lzw", "packbits"])
def test_a_16_bit_grey_tiff_decodes_straight_to_8_bits(compression):
    source = Image.new("I;16", (300, 20))
    source.putdata([(x * 217) % 65536 for x in range(6000)])
    data = io.BytesIO()
    source.save(data, "TIFF", compression=compression)
    data.seek(0)

    with open_image(data) as image:
        decode_8bit(image)
        load_pixels(image)

        assert image.mode == "L"
        assert list(image.get_flattened_data()) == [v >> 8 for v in source.get_flattened_data()]


def test_other_images_keep_their_decoder(photos_dir):
    with open_image(photos_dir / "apng_mode_16bit.png") as image:  # 16-bit RGBA: already 8
        mode, tile = image.mode, list(image.tile)
        assert decode_8bit(image) is image
        assert (image.mode, image.tile) == (mode, tile)


def test_a_16_bit_rgba_bomb_is_refused_in_words_before_decoding(tmp_path):
    # given the issue's 14,100 x 14,100 16-bit RGBA PNG (1.5 MB; 1.7 GB when rendered)
    path = tmp_path / "rgba16.png"
    path.write_bytes(flat_png(14_100, 14_100, bit_depth=16, color_type=6))

    # when / then
    with pytest.raises(TooLarge) as refused:
        render(path)
    assert refused.value.reason == "too large to decode: 1.8 GB needed, limit 1.3 GB"


def test_the_same_image_fits_a_bigger_function():
    needed = render_peak("RGBA", (14_100, 14_100), "PNG", (2048, 2048))
    assert Limits(memory_mb=4096).decode_budget > needed > Limits().decode_budget


@pytest.mark.parametrize(
    ("mode", "size", "fmt", "floor"),
    [
        ("RGB", (6000, 4000), "PNG", 6000 * 4000 * 4),  # RGB is stored as RGBX
        ("RGBA", (6000, 4000), "PNG", 6000 * 4000 * 8),  # plus the premultiplied copy
        ("I;16", (6000, 4000), "TIFF", 6000 * 4000 * 10),  # I;16 -> I -> point -> L
        ("RGB", (6000, 4000), "HEIF", 6000 * 4000 * 8),  # libheif's buffer and Pillow's
        ("CMYK", (6000, 4000), "TIFF", 6000 * 4000 * 4),
    ],
)
def test_the_estimate_counts_bands_depth_alpha_and_copies(mode, size, fmt, floor):
    assert floor <= render_peak(mode, size, fmt, (2048, 1365)) <= floor * 1.5


def test_rendering_nothing_smaller_costs_only_the_pixels():
    assert render_peak("L", (200, 100), "PNG", (200, 100)) == 200 * 100


def measured_peak(path, memory_mb: int = 100_000) -> tuple[int, int]:
    """(estimate, measured growth of the peak RSS) for rendering `path`, in a fresh process."""
    code = textwrap.dedent(
        f"""
        import resource
        from jobs import imaging
        from jobs.budget import render_peak
        from jobs.config import Limits
        from jobs.decoding import decode_8bit, open_image
        from jobs.renditions import render
        with open_image({str(path)!r}) as image:
            decode_8bit(image)
            estimate = render_peak(image.mode, image.size, image.format,
                                   imaging.fit(image.size, 2048))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        render({str(path)!r}, limits=Limits(memory_mb={memory_mb}))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(estimate, after - before)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    estimate, measured = map(int, out.stdout.split())
    return estimate, measured


def test_the_estimate_is_what_a_render_really_takes(tmp_path):
    # given 100 MP of RGBA: decoded, premultiplied, reduced and resampled
    path = tmp_path / "rgba.png"
    path.write_bytes(flat_png(10_000, 10_000, bit_depth=8, color_type=6))

    estimate, measured = measured_peak(path)

    # never under (the budget must hold), and not so far over that photos are refused
    assert measured <= estimate * 1.1
    assert estimate <= measured * 1.25


def test_the_16_bit_grey_bomb_of_the_issue_now_renders_in_a_fraction(tmp_path):
    # given the issue's 387 KB 16-bit grey PNG of 14,100 x 14,100 (1.9 GB peak before)
    path = tmp_path / "grey16.png"
    path.write_bytes(flat_png(14_100, 14_100, bit_depth=16, color_type=0))
    assert path.stat().st_size < 400_000

    estimate, measured = measured_peak(path, memory_mb=1769)

    assert measured < 400 * 2**20
    assert estimate < Limits().decode_budget


def test_a_heif_whose_header_read_would_not_fit_is_refused_before_reading(photos_dir):
    # given a function so small that 4 copies of this 1.3 MB HEIC do not fit
    small = Limits(memory_mb=2)
    needed = 4 * (photos_dir / "heif_pug.heic").stat().st_size

    # when / then: refused in words, by the metadata job too (headers only)
    with pytest.raises(TooLarge) as refused:
        extract(photos_dir / "heif_pug.heic", limits=small)
    assert refused.value.reason == (
        f"too large to read: {human_bytes(needed)} needed, limit {human_bytes(small.decode_budget)}"
    )
    # while a JPEG's header is read in small pieces, whatever the file's size
    assert extract(photos_dir / "hopper.jpg", limits=small)["ok"]
