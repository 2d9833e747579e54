"""jobs.renditions.render: real photos in, upright sRGB WebP renditions and a BlurHash out."""

import io
import random

import blurhash
import pytest
from PIL import Image, ImageChops, ImageCms, ImageFile, ImageStat
from PIL.JpegImagePlugin import JpegImageFile

from jobs.config import Limits
from jobs.decoding import open_image
from jobs.errors import NotAnImage, TooLarge
from jobs.renditions import Rendition, RenditionSet, render

NAMES = ["thumb", "medium", "large"]


def decoded(rendition: Rendition) -> Image.Image:
    image = Image.open(io.BytesIO(rendition.data))
    image.load()
    return image


def by_name(result: RenditionSet) -> dict[str, Rendition]:
    return {rendition.name: rendition for rendition in result.renditions}


def encoded(image: Image.Image, fmt: str, **params) -> io.BytesIO:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    out.seek(0)
    return out


def riff_chunks(webp: bytes) -> list[bytes]:
    assert webp[:4] == b"RIFF" and webp[8:12] == b"WEBP"
    chunks, offset = [], 12
    while offset + 8 <= len(webp):
        chunks.append(webp[offset : offset + 4])
        size = int.from_bytes(webp[offset + 4 : offset + 8], "little")
        offset += 8 + size + (size & 1)
    return chunks


# --- every input format --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("hopper.jpg", (128, 128)),
        ("hopper.png", (128, 128)),
        ("hopper.webp", (128, 128)),
        ("hopper.gif", (128, 128)),
        ("hopper.tif", (128, 128)),
        ("sugarshack.mpo", (640, 480)),
        ("heif_pug.heic", (4032, 3024)),
        ("heif_xiaomi.heic", (2592, 1944)),
        ("heif_zPug_3.heic", (64, 64)),
        ("heif_RGBA_10__128x128.heif", (128, 128)),
        ("heif_L_exif_xmp_iptc.heic", (64, 64)),
        ("avif_hopper.avif", (128, 128)),
        ("avif_exif.avif", (512, 512)),
        ("avif_hopper.heif", (128, 128)),
        ("pil_sample_cmyk.jpg", (100, 100)),
        ("pil123rgba.png", (162, 150)),
        ("apng_delay.png", (128, 64)),
        ("apng_mode_16bit.png", (128, 64)),
        ("dispose_bgnd.gif", (100, 100)),
        ("exif.png", (512, 512)),
        ("iptc.jpg", (640, 480)),
        ("hopper_bad_exif.jpg", (500, 500)),  # broken EXIF costs the metadata, not the photo
        ("invalid-exif.jpg", (200, 200)),
        ("multiple_exif.jpg", (1, 1)),
    ],
)
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_every_input_format_renders_every_size(photos_dir, name, size):
    # when
    result = render(photos_dir / name)

    # then
    assert [r.name for r in result.renditions] == NAMES
    for rendition in result.renditions:
        longest = Limits().sizes[rendition.name]
        scale = min(1, longest / max(size))
        assert (rendition.width, rendition.height) == (
            max(1, round(size[0] * scale)),
            max(1, round(size[1] * scale)),
        )
        assert rendition.content_type == "image/webp" and rendition.ext == "webp"
        image = decoded(rendition)
        assert image.format == "WEBP"
        assert image.size == (rendition.width, rendition.height)


# --- upright -------------------------------------------------------------------------------


def grey_sample(image: Image.Image) -> Image.Image:
    return image.convert("L").resize((32, 32), Image.Resampling.BOX)


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


@pytest.fixture(scope="module")
def hopper_upright(photos_dir) -> Image.Image:
    return grey_sample(decoded(by_name(render(photos_dir / "hopper.jpg"))["large"]))


def assert_upright(rendition: Rendition, reference: Image.Image) -> None:
    sample = grey_sample(decoded(rendition))
    # The right picture is within JPEG/WebP noise of the reference...
    assert mean_difference(sample, reference) < 6
    # ...and every wrong flip or turn of it is far away (hopper is not symmetric).
    for transpose in Image.Transpose:
        assert mean_difference(sample.transpose(transpose), reference) > 25, transpose


@pytest.mark.parametrize(
    "name", [f"hopper_orientation_{n}.jpg" for n in range(2, 9)] + ["hopper_orientation_6.webp"]
)
def test_exif_orientation_comes_out_upright(photos_dir, hopper_upright, name):
    result = render(photos_dir / name)

    for rendition in result.renditions:
        assert_upright(rendition, hopper_upright)


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_container_rotation_is_applied_once(photos_dir, hopper_upright, fmt):
    # given the pixels a phone stores for a photo taken turned (orientation 6), in a HEIF/AVIF
    # whose EXIF also says 6: the container's irot box is what rotates, the EXIF tag must
    # not turn it a second time
    stored = Image.open(photos_dir / "hopper.jpg").transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    upload = encoded(stored, fmt, exif=exif.tobytes(), quality=90)

    # when
    result = render(upload)

    # then
    assert_upright(by_name(result)["large"], hopper_upright)


def test_orientation_swaps_width_and_height_of_a_non_square_photo():
    # given a 60 x 40 stored image tagged "rotate 90 clockwise to view"
    exif = Image.Exif()
    exif[0x0112] = 6
    upload = encoded(Image.new("RGB", (60, 40), (90, 120, 150)), "JPEG", exif=exif.tobytes())

    result = render(upload)

    assert {(r.width, r.height) for r in result.renditions} == {(40, 60)}
    assert decoded(result.renditions[0]).size == (40, 60)


# --- sizes ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def photo_24mp() -> bytes:
    """6000 x 4000, the size of a 24 MP camera photo (content: a cheap gradient)."""
    gradient = Image.linear_gradient("L").resize((6000, 4000))
    image = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_180), gradient))
    return encoded(image, "JPEG", quality=80).getvalue()


def test_sizes_of_a_3_2_photo(photo_24mp):
    result = render(io.BytesIO(photo_24mp))

    assert [(r.name, r.width, r.height) for r in result.renditions] == [
        ("thumb", 256, 171),
        ("medium", 1024, 683),
        ("large", 2048, 1365),
    ]


def test_portrait_by_orientation_gets_portrait_sizes():
    exif = Image.Exif()
    exif[0x0112] = 8
    upload = encoded(Image.new("RGB", (6000, 4000), (10, 20, 30)), "JPEG", exif=exif.tobytes())

    result = render(upload)

    assert [(r.width, r.height) for r in result.renditions] == [
        (171, 256),
        (683, 1024),
        (1365, 2048),
    ]
    assert decoded(by_name(result)["large"]).size == (1365, 2048)


def test_jpeg_is_decoded_at_reduced_scale_for_the_largest_rendition(photo_24mp, monkeypatch):
    # given a spy on libjpeg's shrink-on-load
    requests = []
    original_draft = JpegImageFile.draft

    def spy(self, mode, size):
        answer = original_draft(self, mode, size)
        requests.append((size, self.size))
        return answer

    monkeypatch.setattr(JpegImageFile, "draft", spy)

    # when
    render(io.BytesIO(photo_24mp))

    # then it asked for the real 2048 x 1365 (not 2048 x 2048, which allows no reduction)
    # and libjpeg decoded 3000 x 2000 instead of 6000 x 4000
    assert requests == [((2048, 1365), (3000, 2000))]


def test_small_images_are_never_upscaled_and_every_name_exists():
    upload = encoded(Image.new("RGB", (200, 120), (255, 128, 0)), "PNG")

    result = render(upload)

    assert [(r.name, r.width, r.height) for r in result.renditions] == [
        ("thumb", 200, 120),
        ("medium", 200, 120),
        ("large", 200, 120),
    ]
    assert result.renditions[0].data == result.renditions[2].data  # encoded once


def test_sizes_come_from_the_limits():
    upload = encoded(Image.new("RGB", (1000, 500), (255, 128, 0)), "PNG")

    result = render(upload, limits=Limits(sizes={"small": 100, "big": 400}))

    assert [(r.name, r.width, r.height) for r in result.renditions] == [
        ("small", 100, 50),
        ("big", 400, 200),
    ]


# --- colour and modes ----------------------------------------------------------------------


def test_cmyk_jpeg_keeps_its_colours(photos_dir):
    # pil_sample_cmyk.jpg is red lettering on black; inverted CMYK would be cyan on white.
    image = decoded(by_name(render(photos_dir / "pil_sample_cmyk.jpg"))["large"]).convert("RGB")
    pixels = list(image.get_flattened_data())

    red = sum(1 for r, g, b in pixels if r > 150 and g < 90 and b < 90)
    dark = sum(1 for r, g, b in pixels if max(r, g, b) < 60)
    assert red > 0.05 * len(pixels)
    assert dark > 0.6 * len(pixels)


def test_sixteen_bit_png_keeps_its_tones():
    # given a 16-bit greyscale PNG at half brightness (Pillow's plain conversion clips to white)
    upload = encoded(Image.new("I;16", (300, 200), 32768), "PNG")

    image = decoded(render(upload).renditions[0]).convert("L")

    assert 120 <= ImageStat.Stat(image).mean[0] <= 136


def test_alpha_is_kept(photos_dir):
    for name in ("pil123rgba.png", "heif_RGBA_10__128x128.heif"):
        image = decoded(render(photos_dir / name).renditions[0])

        assert image.mode == "RGBA", name
        assert image.getchannel("A").getextrema()[0] < 128, name


def test_opaque_alpha_is_dropped():
    upload = encoded(Image.new("RGBA", (50, 50), (1, 2, 3, 255)), "PNG")

    assert decoded(render(upload).renditions[0]).mode == "RGB"


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
def test_animations_render_their_first_frame(fmt):
    # given a two-frame animation: red, then blue
    red, blue = Image.new("RGB", (80, 60), (255, 0, 0)), Image.new("RGB", (80, 60), (0, 0, 255))
    upload = encoded(red, fmt, save_all=True, append_images=[blue], duration=100, loop=0)

    image = decoded(render(upload).renditions[0]).convert("RGB")

    r, g, b = ImageStat.Stat(image).mean
    assert r > 200 and b < 40


def test_mpo_renders_its_primary_picture(photos_dir):
    with Image.open(photos_dir / "sugarshack.mpo") as mpo:
        primary = grey_sample(mpo.convert("RGB"))

    image = decoded(by_name(render(photos_dir / "sugarshack.mpo"))["large"])

    assert mean_difference(grey_sample(image), primary) < 4


def test_embedded_wide_gamut_profile_is_converted_to_srgb(photos_dir):
    # given a Display P3 orange JPEG (the profile an iPhone embeds, taken from a real HEIC)
    with open_image(photos_dir / "heif_pug.heic") as iphone:
        p3_icc = iphone.info["icc_profile"]
    orange = Image.new("RGB", (300, 200), (200, 120, 60))
    tagged = encoded(orange, "JPEG", quality=95, icc_profile=p3_icc)
    untagged = encoded(orange, "JPEG", quality=95)

    # when
    converted = decoded(render(tagged).renditions[0]).getpixel((150, 100))
    as_is = decoded(render(untagged).renditions[0]).getpixel((150, 100))

    # then the P3 orange became the more saturated sRGB numbers lcms gives for it
    expected = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), (200, 120, 60)),
        ImageCms.ImageCmsProfile(io.BytesIO(p3_icc)),
        ImageCms.createProfile("sRGB"),
    ).getpixel((0, 0))
    assert all(abs(a - b) <= 4 for a, b in zip(converted, expected, strict=True)), converted
    assert all(abs(a - b) <= 4 for a, b in zip(as_is, (200, 120, 60), strict=True)), as_is
    assert converted[0] - as_is[0] >= 8 and as_is[2] - converted[2] >= 10


# --- privacy -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["exif_gps.jpg", "heif_pug.heic", "exif.png", "avif_exif.avif"])
def test_renditions_carry_no_exif_xmp_or_icc(photos_dir, name):
    for rendition in render(photos_dir / name).renditions:
        assert set(riff_chunks(rendition.data)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
        image = decoded(rendition)
        assert not image.getexif()
        assert "icc_profile" not in image.info and "exif" not in image.info


# --- limits and bad files ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["decompression_bomb.gif", "decompression_bomb_extents.gif"])
def test_decompression_bombs_are_too_large(photos_dir, name):
    with pytest.raises(TooLarge) as caught:
        render(photos_dir / name)

    assert caught.value.reason.startswith("too large: ")


def test_pixel_limit_refuses_before_decoding(photos_dir, monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))

    with pytest.raises(TooLarge) as caught:
        render(photos_dir / "heif_pug.heic", limits=Limits(max_pixels=12_000_000))

    assert caught.value.reason == "too large: 12.2 MP, limit 12 MP"


def test_byte_limit_refuses_before_reading(photos_dir):
    with pytest.raises(TooLarge) as caught:
        render(photos_dir / "heif_pug.heic", limits=Limits(max_bytes=1_000_000))

    assert caught.value.reason == "too large: 1.3 MB, limit 1 MB"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("truncated_jpeg.jpg", "corrupt JPEG: truncated"),
        # The Pillow test-suite copy of this Ultra HDR photo keeps its headers (EXIF, XMP,
        # ICC, MPF) but none of its scan data: truncated, not a half-grey thumbnail.
        ("ultrahdr.jpg", "corrupt JPEG: truncated"),
        ("broken.png", "corrupt PNG"),
        ("heif_corrupted.heic", "corrupt HEIF: truncated"),
        ("heif_truncated.heic", "corrupt HEIF: truncated"),
        ("heif_empty.heic", "empty file"),
    ],
)
def test_corrupt_files_are_not_an_image_with_a_clear_reason(photos_dir, name, reason):
    with pytest.raises(NotAnImage) as caught:
        render(photos_dir / name)

    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"Dear uploader,\nthis is a letter.\n", "not an image"),
        (b"%PDF-1.7\n" + bytes(100), "not an image"),
    ],
)
def test_non_images_are_not_an_image(tmp_path, data, reason):
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)

    with pytest.raises(NotAnImage) as caught:
        render(path)

    assert caught.value.reason == reason


@pytest.mark.parametrize(
    "name",
    [
        "hopper.jpg",
        "hopper.png",
        "hopper.webp",
        "hopper.gif",
        "hopper.tif",
        "sugarshack.mpo",
        "avif_hopper.avif",
        "heif_zPug_3.heic",
        "heif_RGBA_10__128x128.heif",
    ],
)
@pytest.mark.filterwarnings("ignore")
def test_damaged_uploads_render_or_are_refused_never_crash(photos_dir, name):
    # given uploads cut short and bytes flipped anywhere (seeded: the same cases every run)
    data = (photos_dir / name).read_bytes()
    rnd = random.Random(name)
    damaged = [data[: rnd.randrange(len(data))] for _ in range(15)]
    for _ in range(25):
        flipped = bytearray(data)
        for _ in range(rnd.randrange(1, 20)):
            flipped[rnd.randrange(len(flipped))] = rnd.randrange(256)
        damaged.append(bytes(flipped))

    for upload in damaged:
        # when / then: a rendition set or a short NotAnImage, and nothing else
        try:
            result = render(io.BytesIO(upload))
        except NotAnImage as exc:
            assert 0 < len(exc.reason) < 40
        else:
            assert [r.name for r in result.renditions] == NAMES


# --- placeholder ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "components"), [((300, 200), (4, 3)), ((200, 300), (3, 4)), ((250, 250), (4, 4))]
)
def test_placeholder_is_a_short_decodable_blurhash(size, components):
    upload = encoded(Image.linear_gradient("L").convert("RGB").resize(size), "PNG")

    placeholder = render(upload).placeholder

    assert len(placeholder) < 40
    assert blurhash.components(placeholder) == components
    pixels = blurhash.decode(placeholder, 8, 8)
    assert len(pixels) == 8 and len(pixels[0]) == 8


def test_placeholder_follows_the_picture():
    red = render(encoded(Image.new("RGB", (120, 80), (230, 20, 20)), "PNG")).placeholder
    blue = render(encoded(Image.new("RGB", (120, 80), (20, 20, 230)), "PNG")).placeholder

    (r1, _, b1), (r2, _, b2) = blurhash.decode(red, 1, 1)[0][0], blurhash.decode(blue, 1, 1)[0][0]
    assert r1 > 200 > b1 and b2 > 200 > r2


def test_placeholder_of_a_transparent_image_is_neutral_grey():
    clear = encoded(Image.new("RGBA", (120, 80), (255, 0, 0, 0)), "PNG")

    r, g, b = blurhash.decode(render(clear).placeholder, 1, 1)[0][0][:3]

    assert abs(r - g) <= 3 and abs(g - b) <= 3 and 150 < r < 230


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "CMYK", "YCbCr", "LAB", "I;16", "I", "F"])
def test_tiff_colour_modes_keep_their_tones(photos_dir, mode):
    # given hopper as a TIFF in `mode` (16-bit and float samples spread over their range)
    grey = Image.open(photos_dir / "hopper.png").convert("L")
    if mode in ("I;16", "I"):
        source = grey.convert("I").point(lambda v: v * 256).convert(mode)
    elif mode == "F":
        source = grey.convert("F").point(lambda v: v / 255)
    elif mode == "LAB":
        rgb = grey.convert("RGB")
        srgb, lab = ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB")
        source = ImageCms.profileToProfile(rgb, srgb, lab, outputMode="LAB")
    else:
        source = grey.convert(mode)

    image = decoded(render(encoded(source, "TIFF")).renditions[0]).convert("L")

    assert abs(ImageStat.Stat(image).mean[0] - ImageStat.Stat(grey).mean[0]) < 4
