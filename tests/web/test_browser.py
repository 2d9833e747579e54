"""The issue's flow in a real headless Chromium against a live server: sign up, upload a
rotated JPEG, an iPhone HEIC and a corrupt file through the page, watch two become photos
and one fail with its reason, read the camera on the photo page, find the photo in the admin
by that camera, delete the failed one. Screenshots (desktop and phone) go to test-artifacts/.
"""

import os
import re
import uuid
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made from the
# test (creating the staff user) would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WAIT = 30_000  # ms: the jobs run on the live server's thread pool
PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_errors():
    """JavaScript errors seen by any page of the test: there must be none."""
    return []


def _new_page(browser, page_errors, **context_options):
    context = browser.new_context(viewport=DESKTOP, **context_options)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.set_default_timeout(WAIT)
    return page


def _screenshots(page, name: str) -> None:
    """The page as it is, on a desktop and on a phone."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def _wait_for_images(page, selector: str, count: int) -> None:
    """Until `count` images are fully loaded and decoded (naturalWidth alone is known as soon
    as the header has arrived, long before the pixels)."""
    page.wait_for_function(
        """([selector, count]) => {
            const imgs = [...document.querySelectorAll(selector)];
            return imgs.length === count && imgs.every(i => i.complete && i.naturalWidth > 0);
        }""",
        arg=[selector, count],
    )
    page.eval_on_selector_all(selector, "imgs => Promise.all(imgs.map(i => i.decode()))")


@pytest.mark.timeout(240)
def test_upload_to_admin_flow(
    browser, page_errors, live_server, transactional_db, threaded_jobs, photos_dir
):
    from django.contrib.auth import get_user_model

    page = _new_page(browser, page_errors)
    base = live_server.url

    # Sign up through the page: it lands signed in on the upload page.
    page.goto(f"{base}/accounts/signup/")
    _screenshots(page, "signup")
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(f"{base}/upload/")
    expect(page.get_by_role("heading", name="Upload photos")).to_be_visible()
    expect(page.locator("#dropzone[data-ready]")).to_be_attached()

    # Upload three files at once through the file input.
    page.set_input_files(
        "#file-input",
        [
            photos_dir / "hopper_orientation_6.jpg",
            photos_dir / "heif_pug.heic",
            photos_dir / "truncated_jpeg.jpg",
        ],
    )
    uploads = page.locator(".upload")
    expect(uploads).to_have_count(3)
    ready = page.locator('.upload[data-state="ready"]')
    failed = page.locator('.upload[data-state="failed"]')
    expect(ready).to_have_count(2, timeout=WAIT)
    expect(failed).to_have_count(1, timeout=WAIT)
    expect(failed).to_contain_text("truncated_jpeg.jpg")
    expect(failed.locator(".upload__status")).to_have_text(re.compile(r"^Failed: corrupt JPEG"))
    expect(failed.locator(".upload__retry")).to_be_hidden()  # a corrupt file stays corrupt
    for name in ("hopper_orientation_6.jpg", "heif_pug.heic"):
        item = ready.filter(has_text=name)
        expect(item.get_by_role("link", name=name)).to_be_visible()
        expect(item.locator(".upload__status")).to_have_text(re.compile(r"^Ready"))
    _wait_for_images(page, ".upload__img", 2)
    expect(page.locator("#uploads-summary")).to_have_text("3 files: 2 ready, 1 failed")
    # Screen readers heard the latest news (the region holds only the last batch).
    expect(page.locator("#live-status")).to_have_text(re.compile(r"(is ready|failed: corrupt)"))
    _screenshots(page, "upload")

    # The gallery: two thumbnails and the failure with its reason.
    page.get_by_role("link", name="Gallery", exact=True).click()
    cards = page.locator(".photo-card")
    expect(cards).to_have_count(3)
    expect(page.locator(".photo-card--ready img")).to_have_count(2)
    expect(page.locator(".photo-card--failed .photo-card__error")).to_contain_text("corrupt JPEG")
    _wait_for_images(page, ".photo-card__img", 2)
    _screenshots(page, "gallery")

    # The photo page of the iPhone HEIC shows its camera, read from the metadata job.
    # (a ready card opens the full-screen viewer; its Details link is the photo page)
    page.locator(".photo-card", has_text="heif_pug.heic").get_by_role("link").click()
    page.get_by_role("dialog", name="Photo viewer").get_by_role("link", name="Details").click()
    expect(page.get_by_role("heading", name="heif_pug.heic")).to_be_visible()
    camera = page.get_by_role("row", name=re.compile("^Camera"))
    expect(camera).to_contain_text("Apple iPhone 13 Pro")
    expect(page.get_by_role("row", name=re.compile("^Taken"))).to_contain_text("(UTC+03:00)")
    expect(page.get_by_role("link", name=re.compile("OpenStreetMap"))).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=44\.850")
    )
    expect(page.get_by_role("link", name="Download original")).to_be_visible()
    _wait_for_images(page, ".photo-page__img", 1)
    _screenshots(page, "photo")
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=ARTIFACTS / "photo-dark-desktop.png", full_page=True)
    page.emulate_media(color_scheme="light")

    # Staff find the photo in the admin by its camera model.
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    admin = _new_page(browser, page_errors)
    admin.goto(f"{base}/admin/login/?next=/admin/photos/photo/")
    admin.get_by_label("Username").fill("root")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.locator("#searchbar").fill("iPhone 13 Pro")
    admin.locator("#searchbar").press("Enter")
    expect(admin).to_have_url(re.compile(r"q=iPhone"))
    results = admin.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("heif_pug.heic")
    _screenshots(admin, "admin-search")
    admin.context.close()

    # Delete the failed upload from its page, through the confirmation dialog.
    page.goto(f"{base}/")
    page.locator(".photo-card", has_text="truncated_jpeg.jpg").get_by_role("link").click()
    expect(page.get_by_role("alert")).to_contain_text("corrupt JPEG")
    page.wait_for_load_state()  # detail.js must be listening before the Delete click
    _screenshots(page, "photo-failed")
    page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete this photo?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator(".photo-card")).to_have_count(2)

    # Log out with the header's form.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))

    page.context.close()
    assert page_errors == []


@pytest.mark.timeout(120)
def test_failed_upload_can_be_retried_and_heic_without_a_type_is_named_by_extension(
    browser, page_errors, live_server, transactional_db, threaded_jobs, photos_dir, alice
):
    # given: a signed-in user, and a network that drops the first upload of the file
    page = _new_page(browser, page_errors)
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/upload/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("pw-alice-123")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/upload/")
    expect(page.locator("#dropzone[data-ready]")).to_be_attached()

    dropped = []

    def drop_first_upload(route):
        if not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r"/api/uploads/[0-9a-f-]+/file$"), drop_first_upload)

    # when: a HEIC arrives with no type, as desktop browsers send it
    heic = photos_dir / "heif_xiaomi.heic"
    with page.expect_request(re.compile(r"/api/uploads$")) as ticket_request:
        page.set_input_files(
            "#file-input", [{"name": heic.name, "mimeType": "", "buffer": heic.read_bytes()}]
        )
    # then: the page named the type from the extension
    assert ticket_request.value.post_data_json == {
        "filename": "heif_xiaomi.heic",
        "content_type": "image/heic",
        "size": heic.stat().st_size,
    }
    item = page.locator(".upload")
    expect(item).to_have_attribute("data-state", "failed")
    expect(item.locator(".upload__status")).to_have_text(
        "Failed: network error: check the connection"
    )
    retry = item.get_by_role("button", name="Retry heif_xiaomi.heic")
    expect(retry).to_be_visible()
    _screenshots(page, "upload-retry")

    # when: the user retries
    retry.click()
    # then: the same ticket is used again, and the photo is made
    expect(item).to_have_attribute("data-state", "ready", timeout=WAIT)
    expect(retry).to_be_hidden()
    expect(item.locator(".upload__progress")).to_be_hidden()
    assert len(dropped) == 1
    from webapp.photos.models import Photo

    photos = list(Photo.objects.filter(owner=alice))
    assert [(p.filename, p.status, p.camera_make) for p in photos] == [
        ("heif_xiaomi.heic", "ready", "Xiaomi")
    ]
    page.context.close()
    assert page_errors == []


@pytest.mark.timeout(120)
def test_pending_photos_update_by_themselves(
    browser, page_errors, live_server, transactional_db, alice
):
    from webapp.photos.models import Photo, PhotoStatus

    # given: a photo still processing, as the gallery and its page first show it
    photo_id = uuid.uuid4()
    Photo.objects.create(
        id=photo_id,
        owner=alice,
        filename="scan.tif",
        original_key=f"uploads/{photo_id}/scan.tif",
        content_type="image/tiff",
        declared_size=1234,
        status=PhotoStatus.PROCESSING,
    )
    page = _new_page(browser, page_errors)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("pw-alice-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    card = page.locator(f'.photo-card[data-photo-id="{photo_id}"]')
    expect(card).to_contain_text("Processing…")

    # when: the jobs finish (here: the recorder's verdict written straight to the row)
    Photo.objects.filter(pk=photo_id).update(
        status=PhotoStatus.FAILED, error="not an image: TIFF with no pixels"
    )
    # then: the gallery's poll swaps the card and says why
    expect(card).to_have_attribute("data-status", "failed", timeout=WAIT)
    expect(card.locator(".photo-card__error")).to_have_text("not an image: TIFF with no pixels")
    # (drawn by photo-card.js like the template: the selection's box and the date line too)
    expect(card.get_by_role("checkbox", name="Select scan.tif")).to_be_attached()
    expect(card.locator(".photo-card__date")).to_have_text("No date taken")
    expect(page.locator("#live-status")).to_contain_text("scan.tif failed")

    # and the photo page of a processing photo reloads itself when the photo settles
    Photo.objects.filter(pk=photo_id).update(status=PhotoStatus.PROCESSING, error="")
    page.goto(f"{base}/photos/{photo_id}/")
    expect(page.get_by_text("The page updates by itself")).to_be_visible()
    Photo.objects.filter(pk=photo_id).update(status=PhotoStatus.FAILED, error="corrupt TIFF")
    expect(page.get_by_role("alert")).to_contain_text("corrupt TIFF", timeout=WAIT)
    page.context.close()
    assert page_errors == []


@pytest.mark.timeout(60)
def test_upload_page_works_from_the_keyboard(
    browser, page_errors, live_server, transactional_db, alice
):
    page = _new_page(browser, page_errors)
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/upload/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("pw-alice-123")
    page.get_by_label("Password").press("Enter")
    expect(page).to_have_url(f"{base}/upload/")
    page.wait_for_load_state()

    # The first Tab shows the skip link; following it lands in the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # From there, Tab reaches the file picker, and its visible button shows the focus.
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "file-input":
            break
    expect(page.locator("#file-input")).to_be_focused()
    outline = page.eval_on_selector(
        "label[for=file-input]", "label => getComputedStyle(label).outlineStyle"
    )
    assert outline == "solid"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "upload-keyboard-focus-desktop.png")

    # With nothing uploaded yet, the gallery points to the upload page.
    page.get_by_role("link", name="Gallery", exact=True).click()
    expect(page.get_by_role("heading", name="No photos yet")).to_be_visible()
    expect(page.get_by_role("link", name="Upload photos")).to_have_attribute("href", "/upload/")
    _screenshots(page, "gallery-empty")
    page.context.close()
    assert page_errors == []


@pytest.mark.timeout(60)
def test_too_large_file_is_refused_before_any_upload(
    browser, page_errors, live_server, transactional_db, alice, settings, photos_dir
):
    from webapp.photos.models import Photo

    # given: a 1 MB limit, and the 1.3 MB iPhone photo
    settings.PHOTOS_MAX_UPLOAD_BYTES = 1_000_000
    page = _new_page(browser, page_errors)
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/upload/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("pw-alice-123")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#dropzone[data-ready]")).to_be_attached()
    expect(page.locator("#dropzone-hint")).to_contain_text("up to 1 MB each")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    # when
    page.set_input_files("#file-input", photos_dir / "heif_pug.heic")
    # then: the same words the server would use, and nothing sent or created
    item = page.locator(".upload")
    expect(item).to_have_attribute("data-state", "failed")
    expect(item.locator(".upload__status")).to_have_text("Failed: too large: 1.3 MB, limit 1 MB")
    expect(item.get_by_role("button", name=re.compile("^Retry"))).to_be_hidden()
    assert not [url for url in requests if "/api/" in url]
    assert not Photo.objects.exists()
    page.context.close()
    assert page_errors == []
