"""Browsing like a photo app (issue 12) in real headless Chromium against a live server: the
full-screen viewer (keys, buttons, Back, a shared address, zoom, swipe on a phone), selecting
photos (click, Shift-click, Space, select all; delete with a confirmation; download a zip
built in the browser), the timeline's headings and the search filters in the URL.
Screenshots of the viewer, the selection bar and the timeline go to test-artifacts/."""

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from browser_support import (
    PHONE,
    expect,
    log_in,
    new_page,
    screenshot,
    wait_for_images,
)
from PIL import Image, ImageDraw

pytestmark = pytest.mark.browser

BIG = (3000, 2000)  # larger than the 2048 px "large" rendition, so each zoom step differs


@pytest.fixture
def big_jpeg(tmp_path):
    image = Image.new("RGB", BIG, (40, 90, 140))
    draw = ImageDraw.Draw(image)
    for i in range(0, BIG[0], 150):
        draw.rectangle([i, 0, i + 70, BIG[1]], fill=(200, 120 + i % 100, 60))
    draw.ellipse([900, 500, 2100, 1500], fill=(240, 230, 200))
    path = tmp_path / "big-harbour.jpg"
    image.save(path, quality=80)
    return path


def _set(photo_id, **fields):
    from webapp.photos.models import Photo

    Photo.objects.filter(pk=photo_id).update(**fields)


def _ready(page):
    """Until the page's scripts listen (module scripts run after the page has loaded)."""
    expect(page.locator("#viewer[data-ready]")).to_be_attached()


def _viewer_on(page, photo_id):
    """Until the viewer shows `photo_id` with its neighbours loaded."""
    expect(page.locator(f'#viewer[data-loaded="{photo_id}"]')).to_be_attached()


@pytest.fixture
def four(alice_client, upload, big_jpeg):
    """Four of Alice's photos, in "date taken" order: big, jpg, png, heic (undated)."""
    ids = {
        "big": upload(alice_client, "big-harbour.jpg", path=big_jpeg),
        "jpg": upload(alice_client, "hopper.jpg"),
        "png": upload(alice_client, "hopper.png"),
        "heic": upload(alice_client, "heif_pug.heic"),
    }
    _set(ids["big"], title="Big harbour", taken_at=datetime(2024, 3, 9, 18, 0, tzinfo=UTC))
    _set(ids["jpg"], title="Hopper in March", taken_at=datetime(2024, 3, 2, 9, 0, tzinfo=UTC))
    _set(ids["png"], title="Hopper in January", taken_at=datetime(2024, 1, 20, tzinfo=UTC))
    _set(ids["heic"], title="Pug", taken_at=None)
    return ids


@pytest.mark.timeout(180)
def test_viewer_keys_buttons_back_shared_url_and_zoom(
    browser,
    page_errors,
    live_server,
    transactional_db,
    alice,
    four,
):
    base = live_server.url
    page = new_page(browser, page_errors)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, base, "alice", "pw-alice-123", "/?order=taken")
    _ready(page)
    viewer = page.get_by_role("dialog", name="Photo viewer")
    name = page.locator("#viewer-name")
    big, jpg, png, heic = four["big"], four["jpg"], four["png"], four["heic"]

    # Open from the gallery: the photo's own address, the gallery's order riding along.
    page.locator(f'.photo-card[data-photo-id="{big}"] .photo-card__link').click()
    expect(viewer).to_be_visible()
    _viewer_on(page, big)
    expect(page).to_have_url(f"{base}/photos/{big}/?order=taken")
    expect(name).to_have_text("Big harbour")
    expect(page.get_by_role("button", name="Previous photo")).to_be_disabled()
    # The next photo's image was fetched before anyone asked for it.
    page.wait_for_function(
        "id => performance.getEntriesByType('resource').some(e => e.name.includes(id))",
        arg=f"/{jpg}/large",
    )
    wait_for_images(page, "#viewer-img", 1)
    screenshot(page, "viewer-desktop.png")

    # Zoom: fit -> the large rendition pixel for pixel -> the original (a JPEG) -> fit.
    img = page.locator("#viewer-img")
    fit_width = img.evaluate("i => i.getBoundingClientRect().width")
    assert fit_width <= 1280
    page.get_by_role("button", name="Zoom: actual size (large rendition)").click()
    expect(viewer).to_have_attribute("data-zoom", "actual")
    page.wait_for_function("() => document.querySelector('#viewer-img').naturalWidth === 2048")
    assert img.evaluate("i => i.getBoundingClientRect().width") == 2048
    page.get_by_role("button", name="Zoom: original").click()
    expect(viewer).to_have_attribute("data-zoom", "original")
    expect(img).to_have_attribute("src", re.compile(rf"/media/photos/{big}/original"))
    page.wait_for_function("() => document.querySelector('#viewer-img').naturalWidth === 3000")
    page.get_by_role("button", name="Zoom: fit to screen").click()
    expect(viewer).to_have_attribute("data-zoom", "fit")

    # Keys and buttons walk the gallery's order; the address follows.
    page.keyboard.press("ArrowRight")
    _viewer_on(page, jpg)
    expect(name).to_have_text("Hopper in March")
    expect(page).to_have_url(f"{base}/photos/{jpg}/?order=taken")
    page.get_by_role("button", name="Next photo").click()
    _viewer_on(page, png)
    page.keyboard.press("ArrowRight")
    _viewer_on(page, heic)
    expect(name).to_have_text("Pug")
    expect(page.get_by_role("button", name="Next photo")).to_be_disabled()
    # The HEIC original is no image a browser draws: zoom stops at the large rendition.
    page.get_by_role("button", name="Zoom: actual size (large rendition)").click()
    expect(page.get_by_role("button", name="Zoom: fit to screen")).to_be_visible()
    page.get_by_role("button", name="Zoom: fit to screen").click()
    page.keyboard.press("ArrowLeft")
    _viewer_on(page, png)
    page.get_by_role("button", name="Previous photo").click()
    _viewer_on(page, jpg)

    # Esc closes, back to the gallery's address; so does the browser's Back.
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(page).to_have_url(f"{base}/?order=taken")
    page.locator(f'.photo-card[data-photo-id="{png}"] .photo-card__link').click()
    _viewer_on(page, png)
    page.keyboard.press("ArrowRight")
    _viewer_on(page, heic)
    page.go_back()
    expect(viewer).to_be_hidden()
    expect(page).to_have_url(f"{base}/?order=taken")
    page.go_forward()  # and Forward reopens it where it was
    _viewer_on(page, heic)
    page.get_by_role("button", name="Close viewer").click()
    expect(viewer).to_be_hidden()
    # Focus lands on the card of the photo last shown, for the keyboard to carry on from.
    expect(page.locator(f'.photo-card[data-photo-id="{heic}"] .photo-card__link')).to_be_focused()

    # A shared address is the photo's page, in the same order; the arrows walk the pages.
    page.goto(f"{base}/photos/{jpg}/?order=taken")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hopper in March")
    page.wait_for_load_state()
    expect(page.locator("#photo-view")).to_be_visible()  # viewer.js is listening
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(f"{base}/photos/{png}/?order=taken")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hopper in January")
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(f"{base}/photos/{jpg}/?order=taken")
    # ... and the photo page opens the viewer too.
    page.get_by_role("button", name="View full screen").click()
    _viewer_on(page, jpg)
    page.keyboard.press("ArrowRight")
    _viewer_on(page, png)
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(page).to_have_url(f"{base}/photos/{jpg}/?order=taken")

    # Search and filters live in the URL, and the viewer walks only what they found.
    page.goto(f"{base}/?order=taken")
    _ready(page)
    page.get_by_role("searchbox", name="Search").fill("hopper")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{base}/?order=taken&q=hopper")
    expect(page.locator(".photo-card")).to_have_count(2)
    # (the other filters are folded away until asked for, and stay open while in use)
    expect(page.get_by_label("Location")).to_be_hidden()
    page.get_by_text("More filters").click()
    page.get_by_label("Location").select_option("no")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=hopper.*gps=no|gps=no.*q=hopper"))
    _ready(page)
    page.locator(f'.photo-card[data-photo-id="{jpg}"] .photo-card__link').click()
    _viewer_on(page, jpg)
    expect(page).to_have_url(re.compile(rf"/photos/{jpg}/\?q=hopper&gps=no&order=taken$"))
    page.keyboard.press("ArrowRight")
    _viewer_on(page, png)
    expect(page.get_by_role("button", name="Next photo")).to_be_disabled()  # the Pug is out

    page.context.close()
    assert page_errors == []


@pytest.mark.timeout(120)
def test_details_leads_to_the_photo_page_before_the_viewer_has_its_data(
    browser,
    page_errors,
    live_server,
    transactional_db,
    alice,
    four,
):
    # given: the gallery, and a server slow to answer the viewer's request for the photo
    base = live_server.url
    page = new_page(browser, page_errors)
    log_in(page, base, "alice", "pw-alice-123", "/?order=taken")
    _ready(page)
    held = []
    page.route(re.compile(r"/api/photos/[0-9a-f-]+/neighbours"), lambda route: held.append(route))
    # when: a photo is opened and Details chosen at once
    page.locator(f'.photo-card[data-photo-id="{four["jpg"]}"] .photo-card__link').click()
    viewer = page.get_by_role("dialog", name="Photo viewer")
    expect(viewer).to_be_visible()
    viewer.get_by_role("link", name="Details").click()
    # then: that photo's page, not the gallery's "#"
    expect(page).to_have_url(f"{base}/photos/{four['jpg']}/?order=taken")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert held, "the viewer asked for the photo's data"
    page.context.close()
    assert page_errors == []


@pytest.mark.timeout(120)
def test_swipe_moves_through_the_viewer_on_a_phone(
    browser,
    page_errors,
    live_server,
    transactional_db,
    alice,
    four,
):
    base = live_server.url
    page = new_page(browser, page_errors, viewport=PHONE, has_touch=True, is_mobile=True)
    log_in(page, base, "alice", "pw-alice-123", "/?order=taken")
    _ready(page)

    page.locator(f'.photo-card[data-photo-id="{four["jpg"]}"] .photo-card__link').tap()
    _viewer_on(page, four["jpg"])
    wait_for_images(page, "#viewer-img", 1)
    screenshot(page, "viewer-phone.png")

    def swipe(dx):
        page.evaluate(
            """dx => {
                const stage = document.getElementById('viewer-stage');
                const touch = (x) =>
                    new Touch({identifier: 1, target: stage, clientX: x, clientY: 400});
                const start = touch(200), end = touch(200 + dx);
                stage.dispatchEvent(new TouchEvent('touchstart',
                    {touches: [start], changedTouches: [start], bubbles: true}));
                stage.dispatchEvent(new TouchEvent('touchend',
                    {touches: [], changedTouches: [end], bubbles: true}));
            }""",
            dx,
        )

    swipe(-150)  # right to left: the next photo
    _viewer_on(page, four["png"])
    expect(page).to_have_url(f"{base}/photos/{four['png']}/?order=taken")
    swipe(150)  # left to right: back again
    _viewer_on(page, four["jpg"])
    swipe(150)
    _viewer_on(page, four["big"])
    swipe(20)  # a twitch is no swipe
    page.wait_for_timeout(300)
    _viewer_on(page, four["big"])
    page.get_by_role("button", name="Close viewer").tap()
    expect(page.get_by_role("dialog", name="Photo viewer")).to_be_hidden()
    page.context.close()
    assert page_errors == []


@pytest.mark.timeout(180)
def test_select_download_a_zip_and_delete(
    browser,
    page_errors,
    live_server,
    transactional_db,
    alice,
    alice_client,
    upload,
    photos_dir,
    media_root,
):
    from webapp.photos.models import Photo

    names = ["hopper.jpg", "hopper.png", "hopper.webp", "hopper.gif", "hopper_orientation_6.jpg"]
    ids = [upload(alice_client, name) for name in names]  # the newest is shown first
    shown = list(reversed(names))
    base = live_server.url
    page = new_page(browser, page_errors, accept_downloads=True)
    log_in(page, base, "alice", "pw-alice-123", "/")
    _ready(page)
    expect(page.locator("#selection-bar[data-ready]")).to_be_attached()
    wait_for_images(page, ".photo-card__img", 5)
    bar = page.get_by_role("region", name="Selected photos")
    count = page.locator("#selection-count")
    boxes = page.locator(".photo-card__check")
    expect(bar).to_be_hidden()

    # Click one box, Shift-click a fourth: the four between are selected.
    boxes.nth(0).click()
    expect(bar).to_be_visible()
    expect(count).to_have_text("1 selected")
    boxes.nth(3).click(modifiers=["Shift"])
    expect(count).to_have_text("4 selected")
    expect(page.locator(".photo-card.is-selected")).to_have_count(4)
    # Space on a focused card selects it without opening it.
    page.locator(".photo-card__link").nth(4).focus()
    page.keyboard.press("Space")
    expect(count).to_have_text("5 selected")
    expect(page.get_by_role("dialog", name="Photo viewer")).to_be_hidden()
    page.keyboard.press("Space")
    expect(count).to_have_text("4 selected")
    page.get_by_role("button", name="Clear").click()
    expect(bar).to_be_hidden()
    # The box has a name a screen reader can say.
    expect(page.get_by_role("checkbox", name=f"Select {shown[0]}")).to_be_visible()

    # Select all on this page, then Download: a zip of the originals, built in the page.
    page.get_by_role("button", name="Select all on this page").click()
    expect(count).to_have_text("5 selected")
    screenshot(page, "selection-bar-desktop.png")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "darkroom-5-photos.zip"
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as archive:
        assert sorted(archive.namelist()) == sorted(names)
        for name in names:
            assert archive.read(name) == (photos_dir / name).read_bytes()
    expect(page.locator("#gallery-message")).to_have_text("Downloaded 5 photos as a zip.")

    # Delete two: one confirmation with the count, then what was deleted.
    page.get_by_role("button", name="Clear").click()
    boxes.nth(0).click()
    boxes.nth(1).click()
    page.get_by_role("button", name="Delete", exact=True).click()
    dialog = page.get_by_role("dialog", name="Delete 2 photos?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("All 2 photos and all their sizes will be deleted.")
    dialog.get_by_role("button", name="Delete 2 photos").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#gallery-message")).to_have_text(
        f"Deleted 2 photos: {shown[0]} and {shown[1]}."
    )
    expect(page.locator(".photo-card")).to_have_count(3)
    expect(bar).to_be_hidden()
    assert Photo.objects.filter(pk__in=ids).count() == 3
    gone = [ids[-1], ids[-2]]
    assert not Photo.objects.filter(pk__in=gone).exists()
    for photo_id in gone:
        assert not (media_root / "uploads" / photo_id).exists()
    page.context.close()
    assert page_errors == []


@pytest.mark.timeout(120)
def test_timeline_headings_both_ways_and_the_months(
    browser,
    page_errors,
    live_server,
    transactional_db,
    alice,
    alice_client,
    upload,
):
    dates = {
        "hopper.jpg": datetime(2024, 3, 9, 18, 0, tzinfo=UTC),
        "hopper.png": datetime(2024, 3, 9, 8, 0, tzinfo=UTC),
        "hopper.webp": datetime(2024, 3, 2, tzinfo=UTC),
        "hopper.gif": datetime(2023, 12, 25, tzinfo=UTC),
    }
    for name, taken in dates.items():
        _set(upload(alice_client, name), taken_at=taken)
    # Its camera's clock says 2099: recorded as no date, filed last, not first.
    future = upload(alice_client, "exif_gps.jpg")
    base = live_server.url
    page = new_page(browser, page_errors)
    log_in(page, base, "alice", "pw-alice-123", "/")

    page.get_by_role("navigation", name="Order").get_by_role("link", name="Date taken").click()
    expect(page).to_have_url(f"{base}/?order=taken")
    months = page.locator(".timeline__month")
    expect(months).to_have_text(["March 2024", "December 2023", "Date unknown"])
    expect(page.locator(".timeline__day-title")).to_have_text(
        ["Saturday 9 March 2024", "Saturday 2 March 2024", "Monday 25 December 2023"]
    )
    expect(page.locator(".photo-card__date").first).to_have_text("9 Mar 2024")
    expect(page.locator(".photo-card").last).to_have_attribute("data-photo-id", future)
    expect(page.locator(".photo-card").last.locator(".photo-card__date")).to_have_text(
        "No date taken"
    )
    scrubber = page.get_by_role("navigation", name="Months")
    expect(scrubber).to_contain_text("5 photos")
    expect(scrubber.get_by_role("link", name="Mar 2024 3")).to_have_attribute(
        "aria-current", "true"
    )
    wait_for_images(page, ".photo-card__img", 5)
    screenshot(page, "timeline-desktop.png", full_page=True)

    page.get_by_role("link", name="Oldest first").click()
    expect(page).to_have_url(f"{base}/?order=taken_asc")
    expect(months).to_have_text(["December 2023", "March 2024", "Date unknown"])
    scrubber.get_by_role("link", name="Mar 2024 3").click()
    expect(page).to_have_url(f"{base}/?order=taken_asc&month=2024-03")
    expect(page.locator(".timeline__day-title").first).to_have_text("Saturday 2 March 2024")
    expect(page.get_by_role("link", name="← Older")).to_be_visible()  # December is before
    page.context.close()
    assert page_errors == []
