"""What every browser test shares: the Chromium it launches, a page that collects JavaScript
errors, logging in through the form, and screenshots into test-artifacts/.

A plain module (tests/web is on sys.path): the test modules import these helpers, and the
`browser` and `page_errors` fixtures in conftest.py build on them. Importing it skips the
importing module when Playwright is not installed.
"""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

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


@contextlib.contextmanager
def chromium() -> Iterator:
    """Headless Chromium, for as long as the block runs."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made from
    # the tests meanwhile (creating users, reading photos) would otherwise be refused as
    # "async unsafe". Only while the loop runs: other tests keep Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_sync.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def new_page(browser, page_errors: list[str], **context_options):
    """A page in a fresh context (no cookies), desktop-sized unless `viewport` says otherwise,
    whose JavaScript errors land in `page_errors`."""
    context_options.setdefault("viewport", DESKTOP)
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.set_default_timeout(WAIT)
    return page


def log_in(page, base: str, username: str, password: str, next_url: str) -> None:
    """Through the login form, until the browser is at `next_url`."""
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}{next_url}")


def screenshot(page, filename: str, *, full_page: bool = False) -> None:
    """The page as it is now, as test-artifacts/<filename>."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / filename, full_page=full_page)


def screenshots(page, name: str) -> None:
    """The whole page as it is, on a desktop and on a phone."""
    screenshot(page, f"{name}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def wait_for_images(page, selector: str, count: int) -> None:
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


def csp_violations(page) -> list[str]:
    """The Content-Security-Policy complaints the page logs from now on (Chromium reports
    them on the console, not as page errors)."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen
