"""jobs.imaging: the pure Image -> Image processors the renditions job chains."""

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image, ImageChops, ImageCms, ImageOps, ImageStat

from jobs import imaging
from jobs.decoding import open_image


@pytest.mark.parametrize(
    ("size", "longest", "expected"),
    [
        ((6000, 4000), 2048, (2048, 1365)),
        ((6000, 4000), 1024, (1024, 683)),
        ((6000, 4000), 256, (256, 171)),
        ((4000, 6000), 2048, (1365, 2048)),
        ((4032, 3024), 2048, (2048, 1536)),
        ((200, 100), 256, (200, 100)),  # never upscaled
        ((256, 100), 256, (256, 100)),
        ((10_000, 10), 256, (256, 1)),  # at least one pixel
    ],
)
def test_fit_scales_the_longest_side_and_rounds_to_nearest(size, longest, expected):
    assert imaging.fit(size, longest) == expected


def test_fit_is_symmetric_so_stored_and_upright_sizes_agree():
    for width, height in [(6000, 4000), (4032, 3024), (3001, 1999), (17, 5000)]:
        for longest in (256, 1024, 2048):
            w, h = imaging.fit((width, height), longest)
            assert imaging.fit((height, width), longest) == (h, w)


def asymmetric() -> Image.Image:
    """3 x 2 pixels, all different: any wrong flip or turn shows."""
    image = Image.new("L", (3, 2))
    image.putdata([10, 20, 30, 40, 50, 60])
    return image


@pytest.mark.parametrize("orientation", range(1, 9))
def test_upright_matches_pillows_exif_transpose(orientation):
    # given the same pixels tagged with an orientation, as a camera writes them
    tagged = asymmetric()
    tagged.getexif()[0x0112] = orientation

    # when
    ours = imaging.upright(asymmetric(), orientation)

    # then
    reference = ImageOps.exif_transpose(tagged)
    assert ours.size == reference.size == imaging.displayed_size((3, 2), orientation)
    assert ours.tobytes() == reference.tobytes()


@pytest.mark.parametrize(("value", "expected"), [(6, 6), (1, 1), (0, 1), (9, 1), (None, 1)])
def test_orientation_reads_the_exif_tag_and_ignores_nonsense(value, expected):
    image = asymmetric()
    if value is not None:
        image.getexif()[0x0112] = value

    assert imaging.orientation(image) == expected


def test_sixteen_bit_grey_is_scaled_not_clipped():
    image = Image.new("I;16", (4, 1))
    image.putdata([0, 256, 32768, 65535])

    working = imaging.to_working_mode(image)

    assert working.mode == "L"
    assert [working.getpixel((x, 0)) for x in range(4)] == [0, 1, 128, 255]


def test_palette_with_a_transparent_colour_becomes_rgba():
    image = Image.new("P", (2, 1))
    image.putpalette([255, 0, 0, 0, 0, 255])
    image.putpixel((1, 0), 1)
    image.info["transparency"] = 1

    working = imaging.to_working_mode(image)

    assert working.mode == "RGBA"
    assert working.getpixel((0, 0)) == (255, 0, 0, 255)
    assert working.getpixel((1, 0))[3] == 0


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA", "CMYK"])
def test_working_modes_pass_through_untouched(mode):
    image = Image.new(mode, (2, 2))

    assert imaging.to_working_mode(image) is image


@pytest.fixture(scope="module")
def display_p3(photos_dir) -> bytes:
    """The Display P3 profile an iPhone embeds (taken from a real iPhone-style HEIC)."""
    with open_image(photos_dir / "heif_pug.heic") as image:
        return image.info["icc_profile"]


def test_to_srgb_converts_from_an_embedded_wide_gamut_profile(display_p3):
    # given an orange as Display P3 numbers
    p3_orange = Image.new("RGB", (4, 4), (200, 120, 60))

    # when
    srgb = imaging.to_srgb(p3_orange, display_p3)

    # then the same colour needs more saturated sRGB numbers (P3's primaries are wider)
    r, g, b = srgb.getpixel((0, 0))
    assert r > 205 and b < 50 and 110 <= g <= 120
    # and the result is what lcms itself says
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(display_p3))
    expected = ImageCms.profileToProfile(p3_orange, p3, ImageCms.createProfile("sRGB"))
    assert srgb.getpixel((0, 0)) == expected.getpixel((0, 0))


def test_to_srgb_keeps_alpha(display_p3):
    translucent = Image.new("RGBA", (2, 2), (200, 120, 60, 100))

    srgb = imaging.to_srgb(translucent, display_p3)

    assert srgb.mode == "RGBA"
    assert srgb.getpixel((0, 0))[3] == 100


def test_to_srgb_leaves_srgb_and_unreadable_profiles_alone():
    image = Image.new("RGB", (2, 2), (200, 120, 60))
    srgb_icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

    assert imaging.to_srgb(image, srgb_icc) is image
    assert imaging.to_srgb(image, b"not a profile") is image
    assert imaging.to_srgb(image, None) is image


def test_cmyk_without_a_profile_is_converted_naively():
    cyan = Image.new("CMYK", (2, 2), (255, 0, 0, 0))

    rgb = imaging.to_srgb(cyan, None)

    assert rgb.mode == "RGB"
    assert rgb.getpixel((0, 0)) == (0, 255, 255)


def test_drop_opaque_alpha_only_drops_what_nobody_can_see():
    opaque = Image.new("RGBA", (2, 2), (1, 2, 3, 255))
    translucent = Image.new("RGBA", (2, 2), (1, 2, 3, 254))

    assert imaging.drop_opaque_alpha(opaque).mode == "RGB"
    assert imaging.drop_opaque_alpha(translucent) is translucent


def test_flatten_composites_transparency_over_the_background():
    image = Image.new("RGBA", (2, 1), (255, 0, 0, 255))
    image.putpixel((1, 0), (255, 0, 0, 0))

    flat = imaging.flatten(image, (10, 20, 30))

    assert flat.mode == "RGB"
    assert flat.getpixel((0, 0)) == (255, 0, 0)
    assert flat.getpixel((1, 0)) == (10, 20, 30)


def test_resize_returns_the_same_image_when_there_is_nothing_to_do():
    image = Image.new("RGB", (30, 20))

    assert imaging.resize(image, (30, 20)) is image
    assert imaging.resize(image, (15, 10)).size == (15, 10)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L"])
def test_resize_in_parallel_bands_matches_one_resize(mode):
    # given a detailed image big enough to be split (edges make any seam show)
    detail = Image.effect_mandelbrot((2400, 1000), (-2, -1.2, 1, 1.2), 100)
    source = Image.merge("RGBA", (detail, detail.rotate(180), detail, detail.transpose(0)))
    source = source.convert(mode) if mode != "RGBA" else source

    # when
    with ThreadPoolExecutor(2) as workers:
        banded = imaging.resize(source, (1023, 426), workers=workers)
    whole = source.resize((1023, 426), imaging.RESAMPLE)

    # then: no seam, only the odd rounding step
    assert banded.mode == whole.mode and banded.size == whole.size
    assert max(high for _, high in _extrema(ImageChops.difference(banded, whole))) <= 1


def _extrema(image: Image.Image) -> list[tuple[int, int]]:
    extrema = image.getextrema()
    return [extrema] if image.mode == "L" else list(extrema)


def test_resize_in_bands_box_reduces_big_steps_first_like_pillow():
    # given a 6x step: the reducing gap box-reduces before resampling, once for all bands
    source = ImageChops.add(
        Image.linear_gradient("L").resize((4800, 2400)), Image.effect_noise((4800, 2400), 20)
    )

    with ThreadPoolExecutor(2) as workers:
        banded = imaging.resize(source, (800, 400), workers=workers)
    whole = source.resize((800, 400), imaging.RESAMPLE, reducing_gap=imaging.REDUCING_GAP)

    assert banded.size == whole.size
    assert ImageStat.Stat(ImageChops.difference(banded, whole)).mean[0] < 1
