"""The map in real headless Chromium against a live server: the owner's geotagged photos are
clustered markers (tiles are blocked: the test needs no network, and the markers must not
either), a marker opens its photo, the photo page names the place, the place filter narrows
the map. Screenshots go to test-artifacts/."""

import re
from pathlib import Path

import pytest
from test_browser import (  # the same Chromium, page and screenshot setup
    _new_page,
    _screenshots,
    browser,  # noqa: F401 (fixture)
    expect,
    page_errors,  # noqa: F401 (fixture)
)
from test_browser_words import _log_in

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
TILES = "https://tile.openstreetmap.org/**"


@pytest.mark.timeout(180)
def test_geotagged_photos_are_markers_that_open_the_photo(
    browser,  # noqa: F811
    page_errors,  # noqa: F811
    live_server,
    transactional_db,
    alice,
    alice_client,
    bob,
    bob_client,
    upload,
):
    # given: four geotagged photos (Sudak and Rostov-on-Don, 450 km apart, Death Valley, Rio
    # de Janeiro), one without GPS, and bob's geotagged photo
    from webapp.photos.models import Photo

    ids = {
        name: upload(alice_client, name)
        for name in ("heif_pug.heic", "heif_xiaomi.heic", "hopper.jpg")
    }
    for name in ("synthetic_south_west.jpg", "synthetic_below_sea_level.jpg"):
        ids[name] = upload(alice_client, name, path=CORPUS / name)
    bobs = upload(bob_client, "heif_pug.heic")
    assert Photo.objects.filter(owner=alice, status="ready").count() == 5

    page = _new_page(browser, page_errors)
    tile_requests = []

    def no_tiles(route):
        tile_requests.append(route.request.url)
        route.abort()

    page.context.route(TILES, no_tiles)
    base = live_server.url
    _log_in(page, base, "alice", "pw-alice-123", "/")

    # when: the owner opens the map from the site navigation
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Map").click()
    expect(page).to_have_url(f"{base}/map/")

    # then: the four geotagged photos are on it, Sudak and Rostov in one cluster at this zoom
    the_map = page.locator("#photo-map")
    expect(the_map).to_have_attribute("data-loaded", "4")
    expect(page.locator("#map-status")).to_have_text(re.compile(r"^4 photos with a location"))
    markers = page.locator(".map-marker[data-photo-id]")
    clusters = page.locator(".marker-cluster")
    expect(clusters.first).to_be_visible()
    expect(clusters.first).to_contain_text("2")
    shown = set(markers.evaluate_all("els => els.map(e => e.dataset.photoId)"))
    assert shown == {ids["synthetic_south_west.jpg"], ids["synthetic_below_sea_level.jpg"]}
    assert bobs not in shown
    # the markers are the photos' own thumbnails, served by the app
    expect(markers.first.locator("img")).to_have_attribute("src", re.compile(r"/thumb"))
    # the tiles were asked of OpenStreetMap by the browser, and credited as OSM requires
    assert tile_requests
    assert all(url.startswith("https://tile.openstreetmap.org/") for url in tile_requests)
    credit = page.locator(".leaflet-control-attribution").get_by_role("link", name="OpenStreetMap")
    expect(credit).to_have_attribute("href", "https://www.openstreetmap.org/copyright")
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("contributors")
    _screenshots(page, "map")

    # when: the cluster is chosen, the map zooms in until both photos are markers
    clusters.first.click()
    expect(page.locator(f'.map-marker[data-photo-id="{ids["heif_pug.heic"]}"]')).to_be_visible()
    expect(page.locator(f'.map-marker[data-photo-id="{ids["heif_xiaomi.heic"]}"]')).to_be_visible()

    # when: a marker is chosen, its photo opens, and its page names the place
    page.locator(f'.map-marker[data-photo-id="{ids["heif_pug.heic"]}"]').click()
    expect(page).to_have_url(f"{base}/photos/{ids['heif_pug.heic']}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("heif_pug.heic")
    place = page.get_by_role("row", name=re.compile("^Place"))
    expect(place).to_contain_text("Sudak, Ukraine")

    # when: the town's link is followed, the gallery shows the photos taken there
    place.get_by_role("link", name="Sudak").click()
    expect(page).to_have_url(re.compile(r"/\?place=Sudak%2C%20Ukraine$"))
    expect(page.locator(".photo-card")).to_have_count(1)
    expect(page.locator(".photo-card")).to_contain_text("heif_pug.heic")

    # and the map with the same filter shows that one photo only
    page.get_by_role("link", name="On the map").click()
    expect(the_map).to_have_attribute("data-loaded", "1")
    expect(page.locator(".map-marker[data-photo-id]")).to_have_count(1)
    expect(page.get_by_label("Place")).to_have_value("Sudak, Ukraine")

    # a keyboard user reaches a marker and opens it with Enter
    marker = page.locator(f'.map-marker[data-photo-id="{ids["heif_pug.heic"]}"]')
    expect(marker).to_have_attribute("role", "link")
    marker.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/photos/{ids['heif_pug.heic']}/")

    page.context.close()
    assert page_errors == []
