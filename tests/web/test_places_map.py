"""Place names on the web side (columns, photo page, the place filter) and the map (its page
and its points API): recorded from the metadata record, scoped to the owner, bounded."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import ETAG, PhotoFactory  # tests/web/factories.py

from webapp.photos import selectors, services
from webapp.photos.models import Photo

pytestmark = pytest.mark.django_db

PARIS = {"city": "Paris", "country": "France", "country_code": "FR"}


def metadata_outcome(**overrides) -> dict:
    record = {
        "ok": True,
        "error": None,
        "format": "JPEG",
        "mime": "image/jpeg",
        "bytes": 1000,
        "sha256": "b" * 64,
        "width": 128,
        "height": 96,
        "gps": {"lat": 48.8566, "lon": 2.3522, "alt": None},
        "place": PARIS,
        "exif": {},
    }
    record.update(overrides)
    return {
        "status": "done",
        "result": record,
        "source_etag": ETAG,
        "finished_at": "2026-12-01T10:00:00.000Z",
        "duration_ms": 5,
    }


def placed(owner, city, country, code, *, lat=48.85, lon=2.35, **kwargs) -> Photo:
    return PhotoFactory(
        owner=owner,
        ready=True,
        gps_lat=lat,
        gps_lon=lon,
        place_city=city,
        place_country=country,
        place_country_code=code,
        **kwargs,
    )


# --- recording ----------------------------------------------------------------------------


def test_the_records_place_fills_the_columns(alice):
    photo = PhotoFactory(owner=alice, processing=True)

    services.photo_results_record(photo_id=photo.pk, job="metadata", outcome=metadata_outcome())

    photo.refresh_from_db()
    assert (photo.place_city, photo.place_country, photo.place_country_code) == (
        "Paris",
        "France",
        "FR",
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"place": None},
        {"place": "Paris"},  # not the record's shape
        {"place": {"city": 7, "country": ["France"], "country_code": None}},
        # A place without a usable position is not believed.
        {"gps": None},
        {"gps": {"lat": 123.0, "lon": 2.0, "alt": None}},
    ],
)
def test_no_place_or_a_malformed_one_leaves_the_columns_empty(alice, overrides):
    photo = PhotoFactory(owner=alice, processing=True)

    services.photo_results_record(
        photo_id=photo.pk, job="metadata", outcome=metadata_outcome(**overrides)
    )

    photo.refresh_from_db()
    assert (photo.place_city, photo.place_country, photo.place_country_code) == ("", "", "")


def test_overlong_place_names_are_cut_to_their_columns(alice):
    photo = PhotoFactory(owner=alice, processing=True)
    place = {"city": "C" * 500, "country": "K" * 500, "country_code": "FRA"}

    services.photo_results_record(
        photo_id=photo.pk, job="metadata", outcome=metadata_outcome(place=place)
    )

    photo.refresh_from_db()
    assert len(photo.place_city) == 200 and len(photo.place_country) == 100
    assert photo.place_country_code == "FR"


def test_reprocessing_without_a_place_clears_the_old_one(alice):
    photo = placed(alice, "Paris", "France", "FR", processing=True, status="processing")

    services.photo_results_record(
        photo_id=photo.pk, job="metadata", outcome=metadata_outcome(gps=None, place=None)
    )

    photo.refresh_from_db()
    assert photo.place_city == "" and photo.place_country == ""


def test_an_uploaded_geotagged_heic_gets_its_place_from_the_job(alice_client, upload):
    # The whole path: upload, the metadata job on the inline runner, the recorder.
    photo_id = upload(alice_client, "heif_pug.heic")

    photo = Photo.objects.get(pk=photo_id)
    assert (photo.place_city, photo.place_country_code) == ("Sudak", "UA")
    assert photo.metadata["place"] == {
        "city": "Sudak",
        "country": "Ukraine",
        "country_code": "UA",
    }


def test_the_place_index_is_on_owner_country_city():
    indexes = {index.name: index.fields for index in Photo._meta.indexes}

    assert indexes["photo_owner_place"] == ["owner", "place_country", "place_city"]


# --- the photo page -----------------------------------------------------------------------


def test_the_photo_page_shows_the_place_with_links_to_the_gallery(alice, alice_client):
    photo = placed(alice, "Saint-Malo", "France", "FR")

    html = alice_client.get(reverse("photos:detail", kwargs={"photo_id": photo.pk})).content
    html = html.decode()

    assert '<th scope="row">Place</th>' in html
    assert '<a href="/?place=Saint-Malo%2C%20France"' in html
    assert '<a href="/?place=France"' in html
    assert ">Saint-Malo</a>, <a" in html


def test_the_photo_page_has_no_place_row_without_a_place(alice, alice_client):
    photo = PhotoFactory(owner=alice, ready=True, gps_lat=1.0, gps_lon=2.0)

    html = alice_client.get(reverse("photos:detail", kwargs={"photo_id": photo.pk})).content

    assert b">Place</th>" not in html


# --- the place filter ---------------------------------------------------------------------


@pytest.fixture
def places(alice, bob):
    return {
        "paris": placed(alice, "Paris", "France", "FR"),
        "lyon": placed(alice, "Lyon", "France", "FR", lat=45.76, lon=4.83),
        "paris_tx": placed(alice, "Paris", "United States", "US", lat=33.66, lon=-95.55),
        "rome": placed(alice, "Rome", "Italy", "IT", lat=41.9, lon=12.5),
        "nowhere": PhotoFactory(owner=alice, ready=True),
        "bobs_paris": placed(bob, "Paris", "France", "FR"),
    }


@pytest.mark.parametrize(
    "place, expected",
    [
        ("Paris", {"paris", "paris_tx"}),
        ("paris, france", {"paris"}),
        ("Paris,United States", {"paris_tx"}),
        ("France", {"paris", "lyon"}),
        ("fr", {"paris", "lyon"}),
        ("  Italy ", {"rome"}),
        ("Atlantis", set()),
        ("", {"paris", "lyon", "paris_tx", "rome", "nowhere"}),
    ],
)
def test_photos_in_place_matches_town_country_or_code(alice, places, place, expected):
    found = selectors.photos_in_place(Photo.objects.filter(owner=alice), place)

    names = {name for name, photo in places.items() if photo in set(found)}
    assert names == expected


def test_the_gallery_filters_by_place(alice_client, places):
    response = alice_client.get(reverse("photos:gallery"), {"place": "France"})

    shown = {photo.pk for photo in response.context["photos"]}
    assert shown == {places["paris"].pk, places["lyon"].pk}
    assert b"Photos in or near <strong>France</strong>" in response.content


def test_the_gallery_says_when_no_photo_is_in_the_place(alice_client, places):
    response = alice_client.get(reverse("photos:gallery"), {"place": "Atlantis"})

    assert b"None of your photos were taken in or near Atlantis." in response.content
    assert b"No photos yet" not in response.content


def test_another_users_places_never_show(bob_client, places):
    response = bob_client.get(reverse("photos:gallery"), {"place": "Paris"})

    assert [photo.pk for photo in response.context["photos"]] == [places["bobs_paris"].pk]


def test_an_absurd_place_is_no_error(alice_client, places):
    response = alice_client.get(reverse("photos:gallery"), {"place": "x" * 10_000 + "\x00"})

    assert response.status_code == 200


def test_place_choices_are_the_owners_with_counts(alice, places):
    assert selectors.place_choices(owner=alice) == [
        {"country": "France", "city": "Lyon", "count": 1},
        {"country": "France", "city": "Paris", "count": 1},
        {"country": "Italy", "city": "Rome", "count": 1},
        {"country": "United States", "city": "Paris", "count": 1},
    ]


# --- the map API --------------------------------------------------------------------------


def test_map_points_are_the_owners_geotagged_ready_photos(alice, alice_client, places):
    PhotoFactory(owner=alice, processing=True, gps_lat=1.0, gps_lon=1.0)  # not ready yet
    PhotoFactory(owner=alice, failed=True, gps_lat=1.0, gps_lon=1.0)

    data = alice_client.get(reverse("api:map")).json()

    ids = {point["id"] for point in data["points"]}
    expected = {str(places[name].pk) for name in ("paris", "lyon", "paris_tx", "rome")}
    assert ids == expected
    assert data["truncated"] is False
    rome = next(p for p in data["points"] if p["id"] == str(places["rome"].pk))
    assert (rome["lat"], rome["lon"]) == (41.9, 12.5)
    assert rome["url"] == f"/photos/{places['rome'].pk}/"
    assert rome["thumb"].startswith(f"/media/photos/{places['rome'].pk}/thumb")
    assert rome["title"] == places["rome"].display_name
    assert rome["alt"] == places["rome"].alt
    assert rome["place"] == "Rome, Italy"


def test_bob_never_sees_alices_points(bob, bob_client, places):
    data = bob_client.get(reverse("api:map")).json()

    assert [point["id"] for point in data["points"]] == [str(places["bobs_paris"].pk)]


def test_the_gallery_filters_apply_to_the_map(alice_client, places):
    data = alice_client.get(reverse("api:map"), {"place": "Paris"}).json()

    assert {p["id"] for p in data["points"]} == {
        str(places["paris"].pk),
        str(places["paris_tx"].pk),
    }


def test_map_points_are_bounded_newest_first(alice, alice_client, settings):
    settings.PHOTOS_MAP_MAX_POINTS = 3
    photos = [placed(alice, "Paris", "France", "FR") for _ in range(5)]

    data = alice_client.get(reverse("api:map")).json()

    newest = sorted(photos, key=lambda p: (p.created_at, p.pk), reverse=True)[:3]
    assert [p["id"] for p in data["points"]] == [str(p.pk) for p in newest]
    assert data["truncated"] is True and data["limit"] == 3


def test_map_api_wants_a_session(client):
    response = client.get(reverse("api:map"))

    assert response.status_code == 401
    assert response.json() == {"error": "log in first"}


def test_map_api_costs_the_same_queries_for_10_or_200_photos(alice, alice_client, bob):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = alice_client.get(reverse("api:map"))
        assert response.status_code == 200
        return len(captured)

    Photo.objects.bulk_create(_many(alice, 10) + _many(bob, 10))
    few = queries()
    Photo.objects.bulk_create(_many(alice, 190) + _many(bob, 190))
    many = queries()

    assert len(alice_client.get(reverse("api:map")).json()["points"]) == 200
    assert many == few


def _many(owner, count: int) -> list[Photo]:
    photos = []
    for i in range(count):
        photo = PhotoFactory.build(owner=owner, ready=True, gps_lat=i / 10, gps_lon=i / 10)
        photo.id = uuid.uuid4()
        photo.original_key = f"uploads/{photo.id}/x{i}.jpg"
        photo.place_city, photo.place_country, photo.place_country_code = "Paris", "France", "FR"
        photos.append(photo)
    return photos


# --- the map page -------------------------------------------------------------------------


def test_the_map_page_hands_the_script_its_config(alice_client, places):
    response = alice_client.get(reverse("photos:map"), {"place": "France"})

    assert response.status_code == 200
    html = response.content.decode()
    config = response.context["map_config"]
    assert config["pointsUrl"] == "/api/map?place=France"
    assert config["tileUrl"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "https://www.openstreetmap.org/copyright" in config["attribution"]
    assert "OpenStreetMap</a> contributors" in config["attribution"]
    assert 'id="map-config" type="application/json"' in html
    assert "vendor/leaflet/leaflet.js" in html
    assert "vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    # the place selector lists the owner's places, the current one chosen
    assert '<option value="France" selected>All of France</option>' in html
    assert '<option value="Rome, Italy">Rome (1)</option>' in html


def test_the_map_page_has_no_inline_script_or_style(alice_client, places):
    # A strict Content-Security-Policy is coming: data goes through json_script only.
    html = alice_client.get(reverse("photos:map")).content.decode()

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    for tag in scripts:
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert "<style" not in html and " style=" not in html


def test_the_map_is_in_the_site_navigation(alice_client):
    html = alice_client.get(reverse("photos:gallery")).content.decode()

    assert '<a href="/map/">Map</a>' in html


def test_the_map_page_wants_a_login(client):
    response = client.get(reverse("photos:map"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_tile_url_is_a_setting(alice_client, settings):
    settings.PHOTOS_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"

    response = alice_client.get(reverse("photos:map"))

    assert response.context["map_config"]["tileUrl"] == settings.PHOTOS_MAP_TILE_URL


def test_the_place_shown_is_the_place_filtered_on(alice_client, places):
    response = alice_client.get(
        reverse("photos:gallery"), {"place": "  paris,\n  FRANCE " + "x" * 500}
    )

    # (too long to be a place: left out, with the reason, like every filter of the gallery)
    assert response.context["place"] == ""
    assert "place is too long: at most 200 characters" in response.content.decode()
