"""In Chromium: the Content-Security-Policy (no inline script or style) breaks nothing, the
placeholders are painted from their data attributes, and a quota refusal reaches the page."""

import pytest
from factories import PhotoFactory  # tests/web/factories.py
from test_browser import _new_page, browser, expect, page_errors  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def _csp_violations(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def _log_in(page, base: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("pw-alice-123")
    page.get_by_role("button", name="Log in").click()


@pytest.mark.timeout(60)
def test_a_quota_refusal_is_shown_on_the_upload_page(
    browser,  # noqa: F811
    page_errors,  # noqa: F811
    live_server,
    transactional_db,
    alice,
    settings,
    photos_dir,
):
    from webapp.photos.models import Photo

    settings.PHOTOS_QUOTA_BYTES = 1_000  # smaller than any photo
    page = _new_page(browser, page_errors)
    violations = _csp_violations(page)
    _log_in(page, live_server.url, "/upload/")
    expect(page.locator("#dropzone[data-ready]")).to_be_attached()

    page.set_input_files("#file-input", photos_dir / "hopper.jpg")

    item = page.locator(".upload")
    expect(item).to_have_attribute("data-state", "failed")
    expect(item.locator(".upload__status")).to_contain_text("storage quota reached")
    assert not Photo.objects.exists()
    page.context.close()
    assert page_errors == []
    assert violations == []


@pytest.mark.timeout(60)
def test_pages_run_under_the_policy_and_placeholders_are_painted(
    browser,  # noqa: F811
    page_errors,  # noqa: F811
    live_server,
    transactional_db,
    alice,
):
    photo = PhotoFactory(owner=alice, ready=True)
    alice.is_staff = alice.is_superuser = True  # the admin's pages run under the policy too
    alice.save()
    page = _new_page(browser, page_errors)
    violations = _csp_violations(page)
    _log_in(page, live_server.url, "/")

    response = page.goto(f"{live_server.url}/")
    img = page.locator("img.photo-img").first
    expect(img).to_have_attribute("data-placeholder", photo.placeholder_data_url)
    painted = img.evaluate("img => img.style.backgroundImage")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert painted.startswith('url("data:image/png;base64,')
    page.goto(f"{live_server.url}/photos/{photo.pk}/")
    page.goto(f"{live_server.url}/upload/")
    page.goto(f"{live_server.url}/admin/photos/photo/")
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(f"{live_server.url}/admin/photos/photo/{photo.pk}/change/")
    page.context.close()
    assert page_errors == []
    assert violations == []
