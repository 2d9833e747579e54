"""EXIF values that mean nothing are not stated on the photo page (facts.py); the metadata
record keeps them as read."""

import math
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from webapp.photos import facts
from webapp.photos.models import Photo

UPLOADED = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "XXX-XXX",  # exif_gps.jpg's model: one letter over and over
        "xxxxxx",
        "0000",
        "----",
        "????",
        "Make",  # the tag's own name: a template nobody filled in
        "Model",
        "Unknown",
        "unknown camera",
        "N/A",
        "n.a.",
        "NONE",
        "null",
        "Default",
        "Digital Camera",
        "OEM",
    ],
)
def test_placeholders_say_nothing(text):
    assert facts.says_nothing(text)


@pytest.mark.parametrize(
    "text",
    [
        "Canon",
        "NIKON CORPORATION",  # Nikon's real make string, however corporate
        "NIKON D800",
        "Apple",
        "iPhone 13 Pro",
        "ILCE-7SM3",
        "M",  # a lone letter can be a camera's name (Leica M, Pentax Q)
        "Q",
        "GR",
        "X-T1",
        "Nintendo 3DS",
        "FLIR",
    ],
)
def test_real_names_say_something(text):
    assert not facts.says_nothing(text)


@pytest.mark.parametrize(
    "lens", ["0.0 mm f/0.0", "0-0mm", "----", "0mm f/0", "Lens", "Unknown lens"]
)
def test_a_lens_the_body_could_not_identify_says_nothing(lens):
    assert facts.says_nothing(lens, lens=True)


@pytest.mark.parametrize(
    "lens", ["EF 50mm f/1.8", "14.0-24.0 mm f/2.8", "FE 24-70mm F2.8 GM", "GR LENS", "10mm"]
)
def test_real_lenses_say_something(lens):
    assert not facts.says_nothing(lens, lens=True)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1 / 250, 1 / 250),
        (30.0, 30.0),
        (1800.0, 1800.0),  # a half-hour bulb exposure is real
        (0.0, None),
        (-1.0, None),
        (4294967295.0, None),  # the LONG sentinel as a rational n/1
        (2147483647.0, None),
        (65535.0, None),
        (100_000.0, None),  # beyond any camera's timer
        (math.inf, None),
        (math.nan, None),
        (None, None),
    ],
)
def test_exposure(value, shown):
    assert facts.plausible_exposure(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(2.8, 2.8), (0.95, 0.95), (64.0, 64.0), (0.0, None), (4294967295.0, None), (None, None)],
)
def test_f_number(value, shown):
    assert facts.plausible_f_number(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(35.0, 35.0), (5.7, 5.7), (800.0, 800.0), (0.0, None), (4294967295.0, None), (None, None)],
)
def test_focal_length(value, shown):
    assert facts.plausible_focal_length(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (100, 100),
        (25600, 25600),
        (409600, 409600),  # real, from the tags that hold more than 16 bits
        (0, None),
        (65535, None),  # a SHORT's ceiling: "at least this", not the speed
        (4294967295, None),
        (None, None),
    ],
)
def test_iso(value, shown):
    assert facts.plausible_iso(value) == shown


@pytest.mark.parametrize(
    ("taken_at", "shown"),
    [
        (datetime(2024, 5, 3, 18, 30, tzinfo=UTC), True),
        # up to the widest UTC offset after the upload: a camera east of UTC, on local time
        (datetime(2026, 12, 2, 23, 0, tzinfo=UTC), True),
        (datetime(2026, 12, 3, 0, 0, tzinfo=UTC), False),
        (datetime(2099, 9, 29, 10, 10, tzinfo=UTC), False),  # exif_gps.jpg's clock
        (datetime(2099, 9, 29, 10, 10), False),  # naive values compare as wall-clock time
        (None, False),
    ],
)
def test_taken_at_after_the_upload_is_no_date(taken_at, shown):
    assert (facts.plausible_taken_at(taken_at, UPLOADED) is not None) == shown


@pytest.mark.parametrize(
    ("lat", "lon", "shown"),
    [
        (44.85, 34.97, True),
        (0.0, 34.97, True),  # the equator is a real place
        (0.0, 0.0, False),  # a receiver without a fix
        (91.0, 10.0, False),
        (None, 10.0, False),
    ],
)
def test_position(lat, lon, shown):
    assert (facts.plausible_position(lat, lon) is not None) == shown


def test_facts_of_keeps_what_is_real_and_drops_the_rest():
    photo = SimpleNamespace(
        camera_make="Make",
        camera_model="XXX-XXX",
        lens="EF 50mm f/1.8",
        exposure_time=4294967295.0,
        f_number=0.0,
        focal_length=50.0,
        iso=65535,
        taken_at=datetime(2099, 9, 29, 10, 10, tzinfo=UTC),
        taken_at_offset="+02:00",
        created_at=UPLOADED,
        gps_lat=0.0,
        gps_lon=0.0,
        gps_alt=12.0,
    )

    found = facts.facts_of(photo)

    assert found == facts.Facts(lens="EF 50mm f/1.8", focal_length=50.0)
    assert not found.has_gps


# --- on the page, with the real photo whose camera wrote placeholders ----------------------


@pytest.mark.django_db
def test_the_photo_page_states_no_placeholder_as_a_fact(alice_client, upload):
    photo_id = upload(alice_client, "exif_gps.jpg")

    html = alice_client.get(reverse("photos:detail", kwargs={"photo_id": photo_id})).content
    html = html.decode()

    table = html.split('<table class="meta">')[1].split("</table>")[0]
    for placeholder in ["4294967295", "XXX-XXX", "Make", "2099"]:
        assert placeholder not in table
    for label in ["Camera", "Exposure", "Taken"]:
        assert f'<th scope="row">{label}</th>' not in table
    assert '<th scope="row">Dimensions</th>' in table  # the real facts stay
    # the record itself is kept exactly as read
    photo = Photo.objects.get(pk=photo_id)
    assert photo.metadata["exposure_time"] == 4294967295.0
    assert photo.metadata["camera_model"] == "XXX-XXX"
    assert (photo.camera_make, photo.camera_model) == ("Make", "XXX-XXX")
    assert photo.exposure_time == 4294967295.0


@pytest.mark.django_db
def test_the_photo_page_still_states_real_values(alice_client, upload, photos_dir):
    photo_id = upload(alice_client, "heif_pug.heic")

    html = alice_client.get(reverse("photos:detail", kwargs={"photo_id": photo_id})).content
    table = html.decode().split('<table class="meta">')[1].split("</table>")[0]

    for text in ["Apple iPhone 13 Pro", "1/121 s", "ƒ/1.5", "ISO 125", "5.7 mm", "21 Feb 2023"]:
        assert text in table
    assert "View on OpenStreetMap" in table
