"""Albums and sharing links in a real headless Chromium: make an album (one photo from its
page's "Add to album", one through albums.js as the gallery's selection bar calls it),
reorder it by keyboard and by dragging, share it, open the link in a fresh browser without
a session (renditions shown, no GPS, no download, noindex), revoke it (404).
"""

import re

import pytest
from django.test import Client
from test_browser import (  # the same Chromium, pages and screenshots as the main flow
    _new_page,
    _screenshots,
    _wait_for_images,
    browser,  # noqa: F401 (a fixture)
    page_errors,  # noqa: F401 (a fixture)
)

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.browser


def _names(page) -> list[str]:
    return page.locator(".album-photo__name").all_inner_texts()


@pytest.mark.timeout(180)
def test_album_share_and_revoke(
    browser,  # noqa: F811
    page_errors,  # noqa: F811
    live_server,
    transactional_db,
    upload,
    alice,
):
    from webapp.photos.models import Album, Photo

    # given: two of alice's photos, one of them geotagged, processed to the end
    client = Client()
    client.force_login(alice)
    gps_id = upload(client, "heif_pug.heic")
    plain_id = upload(client, "hopper.jpg")
    gps_photo = Photo.objects.get(pk=gps_id)
    assert gps_photo.status == "ready" and gps_photo.has_gps
    assert Photo.objects.get(pk=plain_id).status == "ready"

    base = live_server.url
    page = _new_page(browser, page_errors)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("pw-alice-123")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")

    # An album, from the navigation's Albums page.
    page.get_by_role("link", name="Albums", exact=True).click()
    page.get_by_label("New album").fill("Road trip")
    page.get_by_role("button", name="Create album").click()
    expect(page.get_by_role("heading", name="Road trip")).to_be_visible()
    album = Album.objects.get(owner=alice)

    # The geotagged photo joins it from its page's "Add to album".
    page.goto(f"{base}/photos/{gps_id}/")
    page.get_by_label("Add to album").select_option(label="Road trip")
    page.get_by_role("button", name="Add to album").click()
    expect(page.get_by_text("Added to “Road trip”.")).to_be_visible()
    expect(page.get_by_role("link", name="Road trip")).to_be_visible()
    _screenshots(page, "photo-albums")

    # The other through albums.js, as the gallery's selection bar calls it.
    page.goto(f"{base}/")
    added = page.evaluate(
        """async ([albumId, ids]) => {
            const albums = await import("/static/photos/albums.js");
            const listed = await albums.listAlbums();
            const answer = await albums.addToAlbum(albumId, ids);
            // The other calls, on a scratch album: create with the photo, take it out.
            const scratch = await albums.createAlbum("Scratch", ids);
            const removed = await albums.removeFromAlbum(scratch.id, ids);
            let refused = "";
            try {
                await albums.addToAlbum(scratch.id, ["not-an-id"]);
            } catch (error) {
                refused = error.message;
            }
            const titles = listed.map((a) => a.title);
            return [titles, answer.added, scratch.photos, removed.removed, refused];
        }""",
        [str(album.pk), [plain_id]],
    )
    assert added == [["Road trip"], 1, [plain_id], 1, "not a photo id: not-an-id"]
    Album.objects.filter(title="Scratch").delete()

    # The album page, in date-taken order; reorder by keyboard, then by dragging.
    page.goto(f"{base}/albums/{album.pk}/")
    photos = page.locator(".album-photo")
    expect(photos).to_have_count(2)
    _wait_for_images(page, ".album-photo__img", 2)
    first, second = _names(page)
    page.locator(".album-photo").first.get_by_role("button", name=re.compile("^Later")).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".album-photo__name").first).to_have_text(second)
    assert _names(page) == [second, first]
    # The focus comes back to the moved photo (now last: on its "Earlier" button), so the
    # keyboard can go on moving it: Enter brings it back.
    expect(
        page.locator(".album-photo").last.get_by_role("button", name=re.compile("^Earlier"))
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".album-photo__name").first).to_have_text(first)
    expect(
        page.locator(".album-photo").first.get_by_role("button", name=re.compile("^Later"))
    ).to_be_focused()
    # And by dragging: the second photo onto the first.
    page.drag_and_drop(".album-photo:nth-child(2)", ".album-photo:nth-child(1)")
    expect(page.locator("#album-photos[data-saved]")).to_be_attached()
    assert _names(page) == [second, first]
    page.goto(f"{base}/albums/{album.pk}/")
    assert _names(page) == [second, first]  # saved through the API
    album.refresh_from_db()
    assert album.order == "custom"
    _screenshots(page, "album")

    # Share it, with neither location nor download.
    page.get_by_role("button", name="Create link").click()
    url = page.locator("#new-share-url").input_value()
    assert re.fullmatch(rf"{re.escape(base)}/s/[A-Za-z0-9_-]{{32}}/", url)
    expect(page.locator(".share-link")).to_have_count(1)

    # A stranger's browser: no cookies, no session.
    stranger = _new_page(browser, page_errors)
    response = stranger.goto(url)
    assert response.status == 200
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    expect(stranger.locator('meta[name="robots"]')).to_have_attribute(
        "content", "noindex, nofollow"
    )
    expect(stranger.get_by_role("heading", name="Road trip")).to_be_visible()
    expect(stranger.locator(".site-nav")).to_have_count(0)
    _wait_for_images(stranger, ".shared-card__img", 2)
    for src in stranger.locator(".shared-card__img").evaluate_all("imgs => imgs.map(i => i.src)"):
        assert src.startswith(f"{url}files/") and ".webp" in src
    assert stranger.context.cookies() == []  # nothing needed a session
    _screenshots(stranger, "shared-album")

    # The geotagged photo, bigger: no location, no download.
    stranger.locator(".shared-card", has_text="heif_pug.heic").get_by_role("link").click()
    expect(stranger.get_by_role("heading", name="heif_pug.heic")).to_be_visible()
    _wait_for_images(stranger, ".shared-photo__img", 1)
    text = stranger.locator("body").inner_text()
    assert "Location" not in text and "OpenStreetMap" not in text
    expect(stranger.get_by_role("link", name="Download original")).to_have_count(0)
    lat = f"{gps_photo.gps_lat:.4f}"
    assert lat not in stranger.content()
    _screenshots(stranger, "shared-photo")

    # The owner revokes it; the stranger's link is dead.
    page.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(page.get_by_text("Link revoked")).to_be_visible()
    expect(page.locator(".share-link")).to_have_count(0)
    response = stranger.goto(url)
    assert response.status == 404
    expect(stranger.get_by_role("heading", name="This link does not open anything")).to_be_visible()

    stranger.context.close()
    page.context.close()
    assert page_errors == []
