"""In Chromium: the Content-Security-Policy (no inline script or style) breaks nothing, the
placeholders are painted from their data attributes, and a quota refusal reaches the page."""

import pytest
from browser_support import csp_violations, expect, log_in, new_page
from factories import PhotoFactory  # tests/web/factories.py

pytestmark = pytest.mark.browser


@pytest.mark.timeout(60)
def test_a_quota_refusal_is_shown_on_the_upload_page(
    browser,
    page_errors,
    live_server,
    transactional_db,
    alice,
    settings,
    photos_dir,
):
    from webapp.photos.models import Photo

    settings.PHOTOS_QUOTA_BYTES = 1_000  # smaller than any photo
    page = new_page(browser, page_errors)
    violations = csp_violations(page)
    log_in(page, live_server.url, "alice", "pw-alice-123", "/upload/")
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
    browser,
    page_errors,
    live_server,
    transactional_db,
    alice,
):
    photo = PhotoFactory(owner=alice, ready=True)
    alice.is_staff = alice.is_superuser = True  # the admin's pages run under the policy too
    alice.save()
    page = new_page(browser, page_errors)
    violations = csp_violations(page)
    log_in(page, live_server.url, "alice", "pw-alice-123", "/")

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
