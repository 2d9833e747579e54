"""Words on a photo and the admin's width, in real headless Chromium against a live server:
the owner edits the title and caption on the photo page (through the API, in place), and the
admin's photo list fits a 1366 x 768 laptop screen. Screenshots go to test-artifacts/."""

import re

import pytest
from browser_support import expect, log_in, new_page, screenshot, wait_for_images

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


@pytest.mark.timeout(120)
def test_the_owner_names_and_captions_a_photo_on_its_page(
    browser,
    page_errors,
    live_server,
    transactional_db,
    alice,
    alice_client,
    upload,
):
    # given: a photo whose camera wrote placeholders (make "Make", model "XXX-XXX", an
    # exposure of 4294967295 s, a date in 2099)
    from webapp.photos.models import Photo

    photo_id = upload(alice_client, "exif_gps.jpg")
    page = new_page(browser, page_errors)
    base = live_server.url
    log_in(page, base, "alice", "pw-alice-123", f"/photos/{photo_id}/")
    image = page.locator(".photo-page__img")
    wait_for_images(page, ".photo-page__img", 1)
    expect(page.get_by_role("heading", level=1)).to_have_text("exif_gps.jpg")
    # the alt is words about the photo, not its file name, and the placeholders are no facts
    expect(image).to_have_attribute("alt", re.compile(r"^Photo uploaded \d+ \w{3} \d{4}$"))
    expect(page.locator(".meta")).not_to_contain_text("4294967295")
    expect(page.locator(".meta")).not_to_contain_text("XXX-XXX")
    expect(page.get_by_role("row", name=re.compile("^(Camera|Exposure|Taken)"))).to_have_count(0)

    # when: the owner opens the form and saves a title and a two-line caption
    page.get_by_text("Edit title and caption").click()
    page.get_by_label("Title").fill("  Harbour at dusk ")
    page.get_by_label("Caption").fill("Boats coming in.\nThe last ferry.")
    page.get_by_label("Alt text").fill("Fishing boats tied up along a stone quay")
    with page.expect_response(re.compile(rf"/api/photos/{photo_id}$")) as answer:
        page.get_by_role("button", name="Save").click()

    # then: saved through the API, and the page shows the words without reloading
    assert answer.value.request.method == "PATCH"
    assert answer.value.status == 200
    expect(page.locator(".words-form__status")).to_have_text("Saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour at dusk")
    expect(page).to_have_title("Harbour at dusk · Darkroom")
    expect(page.locator("#photo-filename")).to_have_text("exif_gps.jpg")
    expect(page.locator("#photo-caption")).to_have_text("Boats coming in.\nThe last ferry.")
    expect(image).to_have_attribute("alt", "Fishing boats tied up along a stone quay")
    expect(page.get_by_label("Title")).to_have_value("Harbour at dusk")  # as stored
    screenshot(page, "photo-words-desktop.png", full_page=True)
    stored = Photo.objects.get(pk=photo_id)
    assert (stored.title, stored.caption) == (
        "Harbour at dusk",
        "Boats coming in.\nThe last ferry.",
    )

    # and: the gallery's card carries the title and the alt text
    page.goto(f"{base}/")
    card = page.locator(".photo-card")
    expect(card.locator(".photo-card__name")).to_have_text("Harbour at dusk")
    expect(card.locator("img")).to_have_attribute("alt", "Fishing boats tied up along a stone quay")

    # and: a reload draws the same page from the server
    page.goto(f"{base}/photos/{photo_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour at dusk")
    expect(page.locator("#photo-caption")).to_have_text("Boats coming in.\nThe last ferry.")
    page.context.close()
    assert page_errors == []


@pytest.mark.timeout(120)
def test_the_admin_photo_list_fits_a_1366_px_screen(
    browser,
    page_errors,
    live_server,
    transactional_db,
    staff,
    alice,
    alice_client,
    upload,
    copy_photo,
):
    from webapp.photos.models import Photo

    # given: photos with long names, a long title and cameras with long names
    long_name = "IMG_20240503_183015_HDR_panorama_stitched_final_version_2_really_final.heic"
    upload(alice_client, long_name, path=copy_photo("heif_pug.heic", long_name))
    upload(alice_client, "exif_gps.jpg")
    upload(alice_client, "hopper.jpg")
    Photo.objects.filter(filename="hopper.jpg").update(
        title="A portrait of Grace Hopper at the Harvard Mark I, with a long title",
        camera_make="OLYMPUS IMAGING CORP.",
        camera_model="OLYMPUS OM-D E-M1 Mark III with a long model name",
    )
    page = new_page(browser, page_errors, viewport=LAPTOP)

    # when: staff open the list on a 1366 x 768 screen
    page.goto(f"{live_server.url}/admin/login/?next=/admin/photos/photo/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("pw-root-123")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    expect(page).to_have_title(re.compile(r"Darkroom admin$"))

    # then: no horizontal scroll, neither of the page nor of the table's own box (the admin
    # wraps the table in an overflow-x: auto box, which would hide a wide table's scroll
    # from the page's width)
    width = page.evaluate("document.documentElement.scrollWidth")
    table = page.evaluate(
        "(() => { const box = document.querySelector('#changelist .results');"
        " return [box.scrollWidth, box.clientWidth]; })()"
    )
    screenshot(page, "admin-list-1366.png", full_page=True)
    assert width <= LAPTOP["width"], f"the page is {width} px wide"
    assert table[0] <= table[1], f"the table is {table[0]} px wide in a {table[1]} px box"

    # and: a photo's page is "View photo", with the raw job outcome folded away
    page.get_by_role("link", name=re.compile("^IMG_20240503")).click()
    expect(page.get_by_role("heading", name="View photo")).to_be_visible()
    raw = page.locator("details", has_text="Raw job outcome")
    expect(raw).not_to_have_attribute("open", "")
    expect(raw.locator("pre").first).to_be_hidden()
    expect(page.locator(".field-exposure .readonly")).to_have_text("1/121 s")
    screenshot(page, "admin-photo-1366.png", full_page=True)
    page.context.close()
    assert page_errors == []
