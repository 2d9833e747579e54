"""jobs.places: the nearest town or city and its country, offline, from the package's data.

Expected places were checked by hand against a map, not copied from our own output.
"""

import math
import subprocess
import sys
from pathlib import Path

import pytest

from jobs import places
from jobs.metadata import extract

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "corpus"


@pytest.mark.parametrize(
    "lat, lon, city, country, code",
    [
        (48.8566, 2.3522, "Paris", "France", "FR"),  # Notre-Dame
        (-37.81, 144.96, "Melbourne", "Australia", "AU"),
        (40.7128, -74.006, "New York City", "United States", "US"),
        (35.6895, 139.6917, "Tokyo", "Japan", "JP"),  # Shinjuku
        (64.1466, -21.9426, "Reykjavík", "Iceland", "IS"),  # names keep their accents
        (78.2232, 15.6267, "Longyearbyen", "Svalbard and Jan Mayen", "SJ"),
    ],
)
def test_known_positions_name_their_city_and_country(lat, lon, city, country, code):
    assert places.place(lat, lon) == {"city": city, "country": country, "country_code": code}


@pytest.mark.parametrize(
    "name, city, code",
    [
        ("photos/heif_pug.heic", "Sudak", "UA"),  # iPhone 13 Pro, on the Crimean coast
        ("photos/heif_xiaomi.heic", "Rostov-na-Donu", "RU"),
        ("photos/ultrahdr.jpg", "Deqing", "CN"),  # Zhejiang, between Hangzhou and Huzhou
        ("corpus/ifd_tag_type.tiff", "Flagstaff", "US"),  # a FLIR drone north of Flagstaff
        ("corpus/synthetic_south_west.jpg", "Rocinha", "BR"),  # Corcovado, Rio de Janeiro
    ],
)
def test_metadata_record_carries_the_place_of_its_gps(name, city, code):
    record = extract(ROOT / "tests" / "data" / name)

    assert record["gps"] is not None
    assert record["place"]["city"] == city
    assert record["place"]["country_code"] == code
    assert record["place"]["country"]


@pytest.mark.parametrize("name", ["hopper.jpg", "exif_gps.jpg", "empty_gps_ifd.jpg"])
def test_no_gps_or_unusable_gps_has_no_place(photos_dir, name):
    # exif_gps.jpg's GPSLatitude is 4294967295 degrees: no position, so no place either.
    record = extract(photos_dir / name)

    assert record["gps"] is None and record["place"] is None


@pytest.mark.parametrize(
    "lat, lon",
    [
        (None, None),
        (None, 2.29),
        (48.85, None),
        (90.5, 0.0),
        (-91, 0),
        (0.0, 180.01),
        (0.0, -200),
        (math.nan, 2.29),
        (48.85, math.inf),
        ("48.85", "2.29"),
        (True, False),
    ],
)
def test_missing_or_invalid_positions_have_no_place(lat, lon):
    assert places.place(lat, lon) is None


def test_place_of_gps_reads_the_record_shape():
    assert places.place_of_gps({"lat": 48.8566, "lon": 2.3522, "alt": None})["city"] == "Paris"
    assert places.place_of_gps(None) is None
    assert places.place_of_gps({"lat": 48.8584}) is None
    assert places.place_of_gps([48.8584, 2.2945]) is None


def test_far_from_any_place_there_is_no_name():
    # Mid-Pacific and the middle of Antarctica: the nearest place is thousands of km away.
    assert places.place(0.0, -150.0) is None
    assert places.place(-85.0, 0.0) is None


def test_the_antimeridian_is_no_wall():
    # Just west of 180 in Fiji's Vanua Levu: the nearest town, Labasa, is at 179.38 E.
    found = places.place(-16.45, -179.95)

    assert found is not None and found["country_code"] == "FJ"
    assert found["city"] == "Labasa"


def test_distance_is_great_circle():
    # One degree of longitude is ~111 km at the equator and half that at 60 degrees.
    assert places.distance_km(0, 0, 0, 1) == pytest.approx(111.2, abs=0.1)
    assert places.distance_km(60, 0, 60, 1) == pytest.approx(55.6, abs=0.1)
    assert places.distance_km(0, 179.9, 0, -179.9) == pytest.approx(22.2, abs=0.1)


def test_never_farther_than_the_packages_own_lookup():
    # The package's k-d tree (SciPy) measures in raw degrees; ours on the sphere, so ours is
    # never farther, and both read the same data. Spread points over the inhabited world.
    reverse_geocode = pytest.importorskip("reverse_geocode")
    points = [(lat, lon) for lat in range(-45, 71, 7) for lon in range(-170, 180, 13)]

    theirs = reverse_geocode.search(points)

    compared = 0
    for (lat, lon), their in zip(points, theirs, strict=True):
        their_km = places.distance_km(lat, lon, their["latitude"], their["longitude"])
        if their_km > places.MAX_DISTANCE_KM:
            continue
        ours = places.place(lat, lon)
        assert ours is not None, (lat, lon, their)
        _index, our_km = places._places().nearest(lat, lon)
        assert our_km <= their_km + 1e-6, (lat, lon, ours, their)
        compared += 1
    assert compared >= 50


DATASET_STAYS_UNREAD = """
import sys
import jobs.handlers
from jobs import places
from jobs.metadata import extract
extract({photo!r})
assert not places.loaded(), "a photo without GPS read the dataset"
assert not {{"scipy", "numpy", "reverse_geocode"}} & set(sys.modules), "heavy imports"
extract({geotagged!r})
assert places.loaded()
assert not {{"scipy", "numpy", "reverse_geocode"}} & set(sys.modules), "heavy imports"
"""


def test_the_dataset_is_read_only_for_a_photo_with_gps_and_never_pulls_scipy(photos_dir):
    # given a fresh interpreter, as a Lambda container starts
    code = DATASET_STAYS_UNREAD.format(
        photo=str(photos_dir / "hopper.jpg"), geotagged=str(photos_dir / "heif_pug.heic")
    )

    # when
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    # then
    assert done.returncode == 0, done.stderr
