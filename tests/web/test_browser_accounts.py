"""A forgotten password, recovered in a real headless Chromium against a live server: "Forgot
password?" on the login page, the address submitted, the link opened from the mail file the
laptop mailer wrote, a new password set and used to log in. Screenshots go to test-artifacts/.
"""

import email
import re
from email import policy
from pathlib import Path

import pytest
from browser_support import expect, new_page, screenshots

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-brand-new-and-long-passphrase"


@pytest.fixture
def mail_folder(settings, tmp_path) -> Path:
    """The laptop mailer (console and files), writing into a folder of the test's own."""
    folder = tmp_path / "mail"
    settings.MAILERS = {
        "default": {
            "BACKEND": "webapp.accounts.mail.ConsoleAndFilesBackend",
            "OPTIONS": {"file_path": str(folder)},
        }
    }
    return folder


def _link_in_the_only_mail(folder: Path) -> str:
    (saved,) = folder.glob("*.eml")
    message = email.message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert message["To"] == "alice@example.com"
    match = re.search(r"https?://\S+/accounts/reset/\S+/", message.get_content())
    assert match, message.get_content()
    return match.group(0)


@pytest.mark.timeout(120)
def test_forgotten_password_is_reset_from_the_mail_and_logs_in(
    browser, page_errors, live_server, transactional_db, alice, mail_folder
):
    page = new_page(browser, page_errors)
    base = live_server.url

    # given: alice on the login page, her password forgotten
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page).to_have_url(f"{base}/accounts/password_reset/")
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    screenshots(page, "password-reset")

    # when: she asks for a link
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_role("button", name="Send the reset link").click()

    # then: the page says to look in the mail, and the mail is in the folder with a link
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    screenshots(page, "password-reset-done")
    link = _link_in_the_only_mail(mail_folder)
    assert link.startswith(f"{base}/accounts/reset/")

    # when: she opens the link and chooses a new password
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert "/set-password/" in page.url  # the token left the address bar (no Referer leak)
    screenshots(page, "password-reset-confirm")
    page.get_by_label("New password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", name="Your new password is set")).to_be_visible()

    # then: the new password logs her in
    page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator(".site-user__name")).to_have_text("alice")

    # and the link, used once, no longer works
    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()

    # The account page, reached from the navigation, in the site's look.
    page.get_by_role("link", name="Account", exact=True).click()
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()
    expect(page.get_by_text("Password resets go to alice@example.com")).to_be_visible()
    screenshots(page, "account")

    # Deleting asks for the username typed out and the password, and says what goes.
    page.get_by_role("link", name="Delete account…").click()
    expect(page.get_by_role("heading", name="Delete your account?")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("0 photos will be deleted")
    page.get_by_label("Type your username to confirm").fill("alicia")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete account and photos").click()
    expect(page.get_by_text("Type your username, alice, exactly as shown.")).to_be_visible()
    screenshots(page, "account-delete")
    page.get_by_role("link", name="Keep my account").click()
    expect(page).to_have_url(f"{base}/accounts/")
    page.context.close()
    assert page_errors == []
