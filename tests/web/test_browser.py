"""The issue's flow in a real headless Chromium against a live server: sign up, upload a
rotated JPEG, an iPhone HEIC and a corrupt file through the page, watch two become photos
and one fail with its reason, read the camera on the photo page, find the photo in the admin
by that camera, delete the failed one. Screenshots (desktop and phone) go to test-artifacts/.
"""

import os
import re
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


def _all_images_loaded(page, selector: str) -> bool:
    return page.eval_on_selector_all(
        selector, "imgs => imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)"
    )


@pytest.mark.timeout(240)
def test_upload_to_admin_flow(
    browser, page_errors, live_server, transactional_db, threaded_jobs, photos_dir
):
    from django.contrib.auth import get_user_model

    page = _new_page(browser, page_errors)
    base = live_server.url

    # Sign up through the page: it lands signed in on the upload page.
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(f"{base}/upload/")
    expect(page.get_by_role("heading", name="Upload photos")).to_be_visible()

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
    page.wait_for_function(
        "() => [...document.querySelectorAll('.upload__img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    expect(page.locator("#uploads-summary")).to_have_text("3 files: 2 ready, 1 failed")
    expect(page.locator("#live-status")).to_contain_text("failed")
    _screenshots(page, "upload")

    # The gallery: two thumbnails and the failure with its reason.
    page.get_by_role("link", name="Gallery", exact=True).click()
    cards = page.locator(".photo-card")
    expect(cards).to_have_count(3)
    expect(page.locator(".photo-card--ready img")).to_have_count(2)
    expect(page.locator(".photo-card--failed .photo-card__error")).to_contain_text("corrupt JPEG")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.photo-card__img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert _all_images_loaded(page, ".photo-card__img")
    _screenshots(page, "gallery")

    # The photo page of the iPhone HEIC shows its camera, read from the metadata job.
    page.locator(".photo-card", has_text="heif_pug.heic").get_by_role("link").click()
    expect(page.get_by_role("heading", name="heif_pug.heic")).to_be_visible()
    camera = page.get_by_role("row", name=re.compile("^Camera"))
    expect(camera).to_contain_text("Apple iPhone 13 Pro")
    expect(page.get_by_role("row", name=re.compile("^Taken"))).to_contain_text("(UTC+03:00)")
    expect(page.get_by_role("link", name=re.compile("OpenStreetMap"))).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=44\.850")
    )
    expect(page.get_by_role("link", name="Download original")).to_be_visible()
    page.wait_for_function("() => document.querySelector('.photo-page__img')?.naturalWidth > 0")
    _screenshots(page, "photo")

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
