"""Issue 11, "Uploads never strand", in a real Chromium against a live server: leaving the
upload page mid-transfer asks first (the page's own link and beforeunload); the transfer
that stopped shows as "upload interrupted" in the gallery, with Retry (the file picked again
goes to the same photo) and Remove; the upload page shows it again after a reload; the photo
page of an interrupted upload offers Retry and promises nothing; failed photos go in one
action after a confirmation."""

import os
import re

import pytest

from webapp.photos.models import Photo, PhotoStatus

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.browser

WAIT = 30_000
UPLOAD_TARGET = re.compile(r"/api/uploads/[0-9a-f-]+/file$")


def _signed_in_page(browser, base, errors):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(WAIT)
    page.goto(f"{base}/accounts/login/?next=/upload/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("pw-alice-123")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#dropzone[data-ready]")).to_be_attached()
    return page


@pytest.mark.timeout(180)
def test_a_stopped_upload_is_never_left_spinning(
    browser, live_server, transactional_db, threaded_jobs, photos_dir, alice
):
    errors = []
    base = live_server.url
    page = _signed_in_page(browser, base, errors)
    held = []
    # The transfer never finishes: the request is held until the page goes away.
    page.route(UPLOAD_TARGET, lambda route: held.append(route))

    # given a file in flight
    page.set_input_files("#file-input", photos_dir / "hopper.jpg")
    expect(page.locator(".upload")).to_have_attribute("data-state", "uploading")
    page.wait_for_function("() => document.querySelector('.upload__status').textContent")

    # when the page's own link is followed: it asks, and "stay" stays
    asked = []

    def answer(dialog, accept):
        asked.append((dialog.type, dialog.message))
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("link", name="Go to gallery").click()
    expect(page).to_have_url(f"{base}/upload/")
    assert asked == [("confirm", "1 file is still uploading. Leave and stop it?")]

    # and closing the tab asks too (beforeunload)
    probe = page.evaluate(
        """() => {
            const event = new Event("beforeunload", { cancelable: true });
            window.dispatchEvent(event);
            return event.defaultPrevented;
        }"""
    )
    assert probe is True

    # when the user leaves anyway
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("link", name="Go to gallery").click()
    expect(page).to_have_url(f"{base}/")

    # then the gallery shows the upload as interrupted, with Retry and Remove
    card = page.locator(".photo-card", has_text="hopper.jpg")
    expect(card.locator(".photo-card__state")).to_have_text("Upload interrupted")
    expect(card.get_by_role("button", name=re.compile("^Remove"))).to_be_visible()
    photo = Photo.objects.get(owner=alice)
    assert photo.status == PhotoStatus.UPLOADING

    # the upload page, opened again, lists it with its Retry
    page.goto(f"{base}/upload/")
    restored = page.locator(f'.upload[data-photo-id="{photo.pk}"]')
    expect(restored).to_have_attribute("data-state", "interrupted")
    expect(restored.locator(".upload__status")).to_have_text("Upload interrupted")
    expect(page.locator("#uploads-summary")).to_have_text("1 file: 1 interrupted")

    # the photo page offers Retry and promises no update
    page.goto(f"{base}/photos/{photo.pk}/")
    expect(page.get_by_text("Upload interrupted")).to_be_visible()
    expect(page.get_by_text("updates by itself")).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile("^Uploaded"))).to_contain_text("Not yet")

    # Retry from the gallery: the file picked again goes to the same photo and becomes ready
    page.unroute(UPLOAD_TARGET)
    page.goto(f"{base}/")
    card = page.locator(f'.photo-card[data-photo-id="{photo.pk}"]')
    card.locator(".photo-card__retry").set_input_files(photos_dir / "hopper.jpg")
    expect(page.locator(f'.photo-card[data-photo-id="{photo.pk}"] img')).to_be_visible()
    expect(page.locator(f'.photo-card[data-photo-id="{photo.pk}"]')).to_have_attribute(
        "data-status", "ready"
    )
    assert Photo.objects.filter(owner=alice).count() == 1
    assert errors == []


@pytest.mark.timeout(180)
def test_remove_an_interrupted_upload_and_every_failed_photo(
    browser, live_server, transactional_db, threaded_jobs, photos_dir, alice
):
    from factories import PhotoFactory

    from webapp.photos import upload_state

    errors = []
    base = live_server.url
    PhotoFactory.create_batch(2, owner=alice, failed=True, error="not an image")
    cut = PhotoFactory(owner=alice, filename="cut.jpg", error=upload_state.INTERRUPTED)
    PhotoFactory(owner=alice, ready=True, filename="kept.jpg")
    page = _signed_in_page(browser, base, errors)
    page.goto(f"{base}/")
    messages = []
    page.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))

    # Remove on the interrupted card, after a confirmation
    page.locator(f'.photo-card[data-photo-id="{cut.pk}"]').get_by_role(
        "button", name=re.compile("^Remove")
    ).click()
    expect(page.locator(f'.photo-card[data-photo-id="{cut.pk}"]')).to_have_count(0)

    # Every failed photo in one action, with its count, after a confirmation
    page.get_by_role("button", name="Remove 2 failed photos").click()
    expect(page.locator(".photo-card--failed")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("failed photo"))).to_have_count(0)
    expect(page.locator(".photo-card")).to_have_count(1)

    assert messages[0].startswith("Remove “cut.jpg”?")
    assert messages[1].startswith("Remove 2 failed photos?")
    assert list(Photo.objects.values_list("filename", flat=True)) == ["kept.jpg"]
    assert errors == []


@pytest.mark.timeout(180)
def test_retry_from_the_photo_page_lands_in_the_same_photo(
    browser, live_server, transactional_db, threaded_jobs, photos_dir, alice
):
    from factories import PhotoFactory

    from webapp.photos import upload_state

    errors = []
    base = live_server.url
    path = photos_dir / "hopper.jpg"
    cut = PhotoFactory(
        owner=alice,
        filename="hopper.jpg",
        declared_size=path.stat().st_size,
        error=upload_state.INTERRUPTED,
    )
    page = _signed_in_page(browser, base, errors)
    page.goto(f"{base}/photos/{cut.pk}/")
    expect(page.get_by_text("Upload interrupted")).to_be_visible()

    page.locator("#retry-input").set_input_files(path)

    expect(page.locator(".photo-page__img")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Uploaded"))).to_contain_text("UTC")
    cut.refresh_from_db()
    assert cut.status == PhotoStatus.READY
    assert Photo.objects.filter(owner=alice).count() == 1
    assert errors == []
