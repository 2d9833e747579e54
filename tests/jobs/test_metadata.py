"""jobs.metadata.extract on real photos and on EXIF built in memory.

Expected values for real photos were read once with `exiftool -j -n` (the reference), not
copied from our own output.
"""

import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image, TiffImagePlugin

from jobs.config import Limits
from jobs.decoding import SNIFF_BYTES, open_image, sniff
from jobs.errors import NotAnImage, TooLarge
from jobs.metadata import FIELDS, extract
from jobs.renditions import render

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def jpeg_with_exif(exif: Image.Exif, size=(32, 24)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(buffer, "JPEG", exif=exif)
    buffer.seek(0)
    return buffer


def rational(numerator: int, denominator: int) -> TiffImagePlugin.IFDRational:
    return TiffImagePlugin.IFDRational(numerator, denominator)


# ---------------------------------------------------------------------------- real photos


def test_record_has_exactly_the_contract_fields(photos_dir):
    record = extract(photos_dir / "hopper.jpg")

    assert tuple(record) == FIELDS
    assert "path" not in record
    assert record["ok"] is True and record["error"] is None


def test_phone_heic_matches_exiftool(photos_dir):
    record = extract(photos_dir / "heif_pug.heic")

    assert record["format"] == "HEIF" and record["mime"] == "image/heic"
    assert (record["width"], record["height"]) == (4032, 3024)
    assert record["orientation"] == 1
    assert record["taken_at"] == "2023-02-21T14:33:08.302+03:00"
    assert (record["camera_make"], record["camera_model"]) == ("Apple", "iPhone 13 Pro")
    assert record["lens"] == "iPhone 13 Pro back dual wide camera 5.7mm f/1.5"
    assert record["exposure_time"] == pytest.approx(0.00826446281)
    assert record["f_number"] == pytest.approx(1.5)
    assert record["focal_length"] == pytest.approx(5.7)
    assert record["iso"] == 125
    assert record["gps"]["lat"] == pytest.approx(44.8504777777778, abs=1e-6)
    assert record["gps"]["lon"] == pytest.approx(34.9766472222222, abs=1e-6)
    assert record["gps"]["alt"] == pytest.approx(29.13553239, abs=1e-3)


def test_rotated_heic_is_not_rotated_twice():
    # iPhone 8 Plus: stored 4032x3024, container rotation 270 and EXIF orientation 6 agree;
    # libheif already applies the rotation, so the EXIF value must not swap it back.
    record = extract(CORPUS / "arrow.heic")

    assert (record["width"], record["height"]) == (3024, 4032)
    assert record["orientation"] == 6
    assert record["iso"] == 25


def test_avif_with_container_rotation_reports_displayed_size():
    record = extract(CORPUS / "synthetic_rotated.avif")

    assert record["format"] == "AVIF" and record["mime"] == "image/avif"
    assert (record["width"], record["height"]) == (48, 64)
    assert record["taken_at"] == "2023-12-31T23:59:59.123-03:00"


def test_avif_and_heif_exif(photos_dir):
    avif = extract(photos_dir / "avif_exif.avif")
    heif = extract(photos_dir / "heif_L_exif_xmp_iptc.heic")

    assert avif["orientation"] == 1 and (avif["width"], avif["height"]) == (512, 512)
    assert heif["lens"] == "FE 24-70mm F2.8 GM"
    assert heif["taken_at"] == "2020-09-14T11:09:34.641-05:00"
    assert heif["iso"] == 80


def test_exif_gps_jpg_matches_exiftool(photos_dir):
    record = extract(photos_dir / "exif_gps.jpg")

    assert record["taken_at"] == "2099-09-29T10:10:10"
    assert (record["camera_make"], record["camera_model"]) == ("Make", "XXX-XXX")
    assert record["exposure_time"] == 4294967295.0
    # GPSLatitude 4294967295 degrees with no reference: ExifTool gives no position either.
    assert record["gps"] is None
    assert record["exif"]["LensMake"] == "LensMake"


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
def test_orientations_swap_width_and_height_for_5_to_8(photos_dir, orientation):
    record = extract(photos_dir / f"hopper_orientation_{orientation}.jpg")

    assert record["orientation"] == orientation
    assert (record["width"], record["height"]) == (128, 128)  # square: check a wide one below


def test_orientation_6_portrait_reported_as_displayed():
    jpeg = extract(CORPUS / "synthetic_south_west.jpg")
    webp = extract(CORPUS / "synthetic_south_west.webp")
    tiff = extract(CORPUS / "g4_orientation_6.tif")

    assert (jpeg["orientation"], jpeg["width"], jpeg["height"]) == (6, 48, 64)
    assert (webp["orientation"], webp["width"], webp["height"]) == (6, 48, 64)
    # exiftool: ImageWidth 88, ImageHeight 590, Orientation 6.
    assert (tiff["orientation"], tiff["width"], tiff["height"]) == (6, 590, 88)


def test_png_exif_chunk_after_image_data(photos_dir):
    record = extract(photos_dir / "exif.png")

    assert record["format"] == "PNG"
    assert record["orientation"] == 1


def test_png_imagemagick_raw_profile_exif():
    record = extract(CORPUS / "exif_imagemagick_orientation.png")

    assert record["orientation"] == 3


def test_mpo_is_a_jpeg_to_browsers(photos_dir):
    record = extract(photos_dir / "sugarshack.mpo")

    assert record["format"] == "MPO" and record["mime"] == "image/jpeg"
    assert record["camera_model"] == "Nintendo 3DS"


def test_canon_iso_only_in_maker_note():
    # r_canon.jpg with ExifIFD:ISO deleted by exiftool; exiftool still reports ISO 100 from
    # the maker note's CameraSettings.
    record = extract(CORPUS / "canon_makernote_iso.jpg")

    assert record["iso"] == 100
    assert "ISOSpeedRatings" not in record["exif"]


def test_maker_note_lens_and_xmp_date(photos_dir):
    assert extract(CORPUS / "r_pana.jpg")["lens"] == "LEICA D VARIO-ELMARIT 14-50mm"
    assert extract(CORPUS / "r_pen.jpg")["lens"] == "OLYMPUS M.14-42mm F3.5-5.6 II R"
    assert extract(photos_dir / "exif_gps_typeerror.jpg")["taken_at"] == (
        "2010-07-11T13:53:00+02:00"
    )


def test_tiff_keeps_its_tags_in_the_ifd():
    record = extract(CORPUS / "ifd_tag_type.tiff")

    assert record["format"] == "TIFF"
    assert record["camera_make"] == "FLIR"
    assert record["gps"]["lon"] == pytest.approx(-111.66182722222223, abs=1e-6)


@pytest.mark.parametrize(
    "name", ["hopper_bad_exif.jpg", "invalid-exif.jpg", "multiple_exif.jpg", "empty_gps_ifd.jpg"]
)
def test_broken_exif_degrades_to_nulls(photos_dir, name):
    record = extract(photos_dir / name)

    assert record["ok"] is True
    assert record["gps"] is None
    json.dumps(record, allow_nan=False)


def test_gps_of_wrong_type_is_null(photos_dir):
    record = extract(photos_dir / "exif_gps_typeerror.jpg")

    assert record["ok"] is True and record["gps"] is None


def test_empty_gps_ifd_keeps_the_camera_fields(photos_dir):
    record = extract(photos_dir / "empty_gps_ifd.jpg")

    assert (record["width"], record["height"], record["orientation"]) == (10, 10, 6)
    assert record["camera_model"] == "Redmi Note 9S"
    assert record["iso"] == 25600
    assert record["taken_at"] == "2020-07-27T14:46:48.780"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("broken.png", "corrupt PNG"),
        ("heif_corrupted.heic", "corrupt HEIF: truncated"),  # a box claims 7 MB of 5 KB
        ("heif_truncated.heic", "corrupt HEIF: truncated"),
        ("heif_empty.heic", "empty file"),
    ],
)
def test_corrupt_files_are_not_images(photos_dir, name, reason):
    with pytest.raises(NotAnImage) as caught:
        extract(photos_dir / name)

    assert caught.value.reason == reason


def test_truncated_jpeg_with_a_good_header_is_still_described(photos_dir):
    # The pixels are cut short; that is the renditions job's failure. The header is fine.
    record = extract(photos_dir / "truncated_jpeg.jpg")

    assert (record["format"], record["width"], record["height"]) == ("JPEG", 100, 100)


def test_text_and_empty_files_are_not_images(tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("definitely not a photo\n")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")

    with pytest.raises(NotAnImage, match="not an image"):
        extract(text)
    with pytest.raises(NotAnImage, match="empty file"):
        extract(empty)


def test_unsupported_image_format_is_named():
    bmp = io.BytesIO()
    Image.new("RGB", (4, 4)).save(bmp, "BMP")
    bmp.seek(0)

    with pytest.raises(NotAnImage, match="unsupported image format: BMP"):
        extract(bmp)


def test_decompression_bomb_refused_from_header(photos_dir):
    with pytest.raises(TooLarge):
        extract(photos_dir / "decompression_bomb.gif")


def test_limits_on_bytes_and_pixels(photos_dir):
    with pytest.raises(TooLarge, match="too large: 6.4 KB, limit 1 KB"):
        extract(photos_dir / "hopper.jpg", limits=Limits(max_bytes=1000))
    # heif_pug.heic is 4032 x 3024: over a 10 MP limit without decoding a pixel.
    with pytest.raises(TooLarge, match="too large: 12.2 MP, limit 10 MP"):
        extract(photos_dir / "heif_pug.heic", limits=Limits(max_pixels=10_000_000))


def test_every_testdata_file_is_json_safe_or_refused(photos_dir):
    answered = 0
    for path in sorted(photos_dir.iterdir()) + sorted(CORPUS.glob("*.*")):
        if path.suffix == ".py" or path.suffix == ".md":
            continue
        try:
            record = extract(path)
        except NotAnImage as exc:
            assert exc.reason
            continue
        json.dumps(record, allow_nan=False)
        answered += 1
    assert answered > 50


def test_sha256_and_size_match_the_file(photos_dir):
    path = photos_dir / "heif_xiaomi.heic"
    data = path.read_bytes()

    record = extract(path)

    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["bytes"] == len(data)


def test_file_object_and_stream_give_the_same_record(photos_dir):
    path = photos_dir / "ultrahdr.jpg"

    class Stream(io.RawIOBase):  # not seekable, like an HTTP body
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            return self._data.readinto(buffer)

    with path.open("rb") as fp:
        from_file = extract(fp)

    assert from_file == extract(path) == extract(Stream(path.read_bytes()))


# ---------------------------------------------------------------------------- EXIF in memory


def test_taken_at_with_subseconds_and_offset():
    exif = Image.Exif()
    ifd = exif.get_ifd(EXIF_IFD)
    ifd[0x9003] = "2021:06:05 04:03:02"
    ifd[0x9291] = "7"
    ifd[0x9011] = "+05:30"

    record = extract(jpeg_with_exif(exif))

    assert record["taken_at"] == "2021-06-05T04:03:02.700+05:30"
    assert "DateTimeOriginal" not in record["exif"]


@pytest.mark.parametrize("raw", ["0000:00:00 00:00:00", "    :  :     :  :  ", "yesterday"])
def test_invalid_dates_are_null_and_kept_in_exif(raw):
    exif = Image.Exif()
    exif.get_ifd(EXIF_IFD)[0x9003] = raw

    record = extract(jpeg_with_exif(exif))

    assert record["taken_at"] is None


def test_zero_denominators_are_null():
    exif = Image.Exif()
    ifd = exif.get_ifd(EXIF_IFD)
    ifd[0x829A] = rational(1, 0)  # ExposureTime
    ifd[0x829D] = rational(0, 0)  # FNumber
    ifd[0x920A] = rational(50, 0)  # FocalLength
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (rational(10, 0), rational(0, 1), rational(0, 1))
    gps[3], gps[4] = "E", (rational(10, 1), rational(0, 1), rational(0, 1))

    record = extract(jpeg_with_exif(exif))

    assert record["exposure_time"] is None
    assert record["f_number"] is None
    assert record["focal_length"] is None
    assert record["gps"] is None
    json.dumps(record, allow_nan=False)


def test_gps_south_west_and_below_sea_level_are_negative():
    south_west = extract(CORPUS / "synthetic_south_west.jpg")["gps"]
    below = extract(CORPUS / "synthetic_below_sea_level.jpg")["gps"]

    # exiftool -n Composite:GPSLatitude/GPSLongitude/GPSAltitude
    assert south_west == pytest.approx({"lat": -22.951916, "lon": -43.210487, "alt": 710.0})
    assert below == pytest.approx({"lat": 36.2299, "lon": -116.7677, "alt": -85.9})


def test_strings_are_trimmed_and_bytes_made_json_safe():
    exif = Image.Exif()
    exif[0x010F] = "  Canon\x00\x00"
    exif[0x0110] = "   "
    ifd = exif.get_ifd(EXIF_IFD)
    ifd[0x9000] = b"0232"  # ExifVersion
    ifd[0x9101] = b"\x01\x02\x03\x00"  # ComponentsConfiguration
    ifd[0x8827] = 400

    record = extract(jpeg_with_exif(exif))

    assert record["camera_make"] == "Canon"
    assert record["camera_model"] is None
    assert record["iso"] == 400
    assert record["exif"]["ExifVersion"] == "0232"
    assert record["exif"]["ComponentsConfiguration"] == "01020300"


def test_invalid_orientation_is_null():
    exif = Image.Exif()
    exif[0x0112] = 9

    record = extract(jpeg_with_exif(exif, size=(40, 30)))

    assert record["orientation"] is None
    assert (record["width"], record["height"]) == (40, 30)


# ---------------------------------------------------------------------------- one door


def answer(job, path: Path):
    try:
        return job(path)
    except NotAnImage as exc:
        return exc.reason


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # renditions reads the orientation
def test_metadata_and_renditions_name_and_refuse_every_file_alike(photos_dir):
    # Both jobs open originals through jobs.decoding; only decoding pixels is renditions' own.
    disagreements = []
    checked = 0
    for path in sorted(photos_dir.iterdir()) + sorted(CORPUS.glob("*.*")):
        if path.suffix in (".py", ".md"):
            continue
        record, rendered = answer(extract, path), answer(render, path)
        if path.name == "decompression_bomb_extents.gif":
            # Its frames grow the canvas past the limit: a danger to a player only, and
            # metadata plays nothing; renditions refuses it.
            assert not isinstance(record, str) and rendered.startswith("too large: ")
            continue
        if isinstance(record, str):
            same = rendered == record
        else:
            with open_image(path) as image:
                opened = image.format
            head = path.read_bytes()[:SNIFF_BYTES]
            pixels_broken = isinstance(rendered, str) and rendered.startswith("corrupt ")
            same = (
                record["format"] == opened
                and record["mime"] == sniff(head)[1]
                and (not isinstance(rendered, str) or pixels_broken)
            )
        if not same:
            disagreements.append((path.name, record, rendered))
        checked += 1

    assert disagreements == []
    assert checked > 60


def test_limits_are_refused_in_the_same_words_as_renditions(photos_dir):
    path = photos_dir / "heif_pug.heic"
    for limits in (Limits(max_pixels=10_000_000), Limits(max_bytes=1000)):
        with pytest.raises(TooLarge) as by_metadata:
            extract(path, limits=limits)
        with pytest.raises(TooLarge) as by_renditions:
            render(path, limits=limits)

        assert by_metadata.value.reason == by_renditions.value.reason


def test_a_callers_file_object_is_left_open_and_rewound(photos_dir):
    with (photos_dir / "heif_zPug_3.heic").open("rb") as fp:
        first = extract(fp)

        assert not fp.closed and fp.tell() == 0
        assert extract(fp) == first
