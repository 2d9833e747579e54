# ruff: noqa: F811 (the AWS fixtures are imported by name, then requested by name)
"""Accounts recover: "Forgot password?" on the login page, the reset flow in the site's own
pages, and mail really sent as the environment says (console and files on a laptop, Amazon
SES through django-ses on AWS, rehearsed against moto's server over HTTP)."""

import email
import json
import re
import runpy
import urllib.request
from email import policy
from pathlib import Path

import aws  # tests/aws.py
import pytest
from aws_fixtures import aws_env  # noqa: F401
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

SETTINGS = Path(__file__).resolve().parents[2] / "webapp" / "settings.py"
NEW_PASSWORD = "a-brand-new-and-long-passphrase"
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/[^/\s]+/[^/\s]+/)")

pytestmark = pytest.mark.django_db


def reset_path(body: str) -> str:
    match = RESET_LINK.search(body)
    assert match, f"no reset link in:\n{body}"
    return match.group(1)


def fresh_settings(monkeypatch, **environ) -> dict:
    """The settings module loaded again under `environ` (Django's were loaded once, at start)."""
    for name in ("DJANGO_EMAIL", "DJANGO_EMAIL_FILE_PATH", "DJANGO_DEFAULT_FROM_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def use_mail_settings(settings, fresh: dict) -> None:
    """Apply the mail block of freshly loaded settings to the running Django."""
    for name in ("MAILERS", "DEFAULT_FROM_EMAIL", "SERVER_EMAIL"):
        setattr(settings, name, fresh[name])
    for name, value in fresh.items():
        if name.startswith("AWS_SES_"):
            setattr(settings, name, value)


# --- Pages --------------------------------------------------------------------------------


def test_login_page_links_to_the_reset_page(client):
    html = client.get(reverse("login")).content.decode()
    assert f'<a href="{reverse("password_reset")}">Forgot password?</a>' in html


@pytest.mark.parametrize(
    ("name", "kwargs", "heading"),
    [
        ("password_reset", {}, "Reset your password"),
        ("password_reset_done", {}, "Check your email"),
        ("password_reset_complete", {}, "Your new password is set"),
        ("password_reset_confirm", {"uidb64": "MQ", "token": "bad-token"}, "no longer works"),
    ],
)
def test_every_reset_page_is_in_the_sites_own_look(client, name, kwargs, heading):
    response = client.get(reverse(name, kwargs=kwargs))
    html = response.content.decode()
    assert response.status_code == 200
    assert heading in html
    assert 'class="site-header"' in html and "photos/app.css" in html  # base.html
    assert "Django administration" not in html and "Django site admin" not in html


def test_reset_page_says_an_account_without_email_cannot_be_reset(client):
    html = client.get(reverse("password_reset")).content.decode()
    assert "An account made without an email cannot be reset" in html


def test_signup_form_says_plainly_that_without_email_the_password_cannot_be_reset(client):
    html = client.get(reverse("signup")).content.decode()
    assert "Without an email, a forgotten password cannot be reset" in html


def test_signing_up_without_email_is_warned_again_on_the_next_page(client):
    password = "a-long-and-unusual-passphrase"
    response = client.post(
        reverse("signup"),
        {"username": "grace", "email": "", "password1": password, "password2": password},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("photos:upload")
    assert "Without an email, a forgotten password cannot be reset" in html
    assert f'href="{reverse("account")}"' in html


# --- The flow, end to end -----------------------------------------------------------------


def test_reset_flow_from_request_to_logging_in_with_the_new_password(
    client, alice, mailoutbox, settings
):
    settings.DEFAULT_FROM_EMAIL = "Darkroom <no-reply@photos.example.com>"

    # given: alice asks for a reset with her address, typed in another case
    response = client.post(reverse("password_reset"), {"email": "ALICE@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")

    # then: one mail, to her, from the configured sender, with a one-time link
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["alice@example.com"]
    assert mail.from_email == "Darkroom <no-reply@photos.example.com>"
    assert mail.subject == "Reset your Darkroom password"
    assert "alice" in mail.body and "72 hours" in mail.body
    link = reset_path(mail.body)

    # when: she opens the link (Django swaps the token for a session-held one) and sets a password
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert "Choose a new password" in response.content.decode()
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")

    # then: the new password logs in, the old one no longer does, the link is spent
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not alice.check_password("pw-alice-123")
    response = client.post(reverse("login"), {"username": "alice", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("photos:gallery")
    client.logout()
    assert "no longer works" in client.get(link, follow=True).content.decode()


def test_reset_refuses_a_weak_new_password_with_reasons(client, alice, mailoutbox):
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    response = client.get(reset_path(mailoutbox[0].body), follow=True)
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "alice", "new_password2": "alice"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This password is too short" in html
    alice.refresh_from_db()
    assert alice.check_password("pw-alice-123")


def test_unknown_address_or_account_without_email_gets_the_same_answer_and_no_mail(
    client, django_user_model, mailoutbox
):
    django_user_model.objects.create_user("nomail", password="pw-nomail-123")
    for address in ("nobody@example.com", ""):
        response = client.post(reverse("password_reset"), {"email": address})
        if address:  # same page as for a real account: the form reveals no accounts
            assert response["Location"] == reverse("password_reset_done")
        else:
            assert "This field is required" in response.content.decode()
    assert mailoutbox == []


def test_one_account_is_sent_at_most_the_hourly_allowance_of_reset_mails(
    client, alice, bob, mailoutbox, settings, caplog
):
    from datetime import timedelta

    from webapp.accounts.models import PasswordResetMail

    settings.ACCOUNTS_RESET_MAILS_PER_HOUR = 3
    # (the per-address throttle in front of the form is another test's: out of the way here)
    settings.THROTTLE_PASSWORD_RESET = "100/h"
    # when: someone asks four times for alice, once for bob
    answers = [
        client.post(reverse("password_reset"), {"email": "alice@example.com"})["Location"]
        for _ in range(4)
    ]
    client.post(reverse("password_reset"), {"email": "bob@example.com"})
    # then: the page answers the same every time, alice gets three mails and bob his one
    assert answers == [reverse("password_reset_done")] * 4
    assert [m.to for m in mailoutbox] == [["alice@example.com"]] * 3 + [["bob@example.com"]]
    assert "withheld: hourly limit" in caplog.text
    done = client.get(reverse("password_reset_done")).content.decode()
    assert "at most\n    3 links an hour" in done

    # when: the hour has passed
    PasswordResetMail.objects.filter(user=alice).update(
        sent_at=timezone.now() - timedelta(hours=1, seconds=1)
    )
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    # then: she can be mailed again, and the old records are gone
    assert len(mailoutbox) == 5
    assert PasswordResetMail.objects.filter(user=alice).count() == 1


# --- Mail as the environment says ---------------------------------------------------------


def test_laptop_default_is_console_and_files_under_var(monkeypatch):
    fresh = fresh_settings(monkeypatch, DJANGO_DEBUG="true")
    mailer = fresh["MAILERS"]["default"]
    assert mailer["BACKEND"] == "webapp.accounts.mail.ConsoleAndFilesBackend"
    assert Path(mailer["OPTIONS"]["file_path"]) == SETTINGS.parents[1] / "var" / "mail"


def test_console_and_files_backend_prints_and_writes_one_file_per_mail(
    client, alice, settings, monkeypatch, tmp_path, capsys
):
    # given: the laptop mailer, pointed at a folder of the test's own
    folder = tmp_path / "mail"
    use_mail_settings(
        settings,
        fresh_settings(
            monkeypatch, DJANGO_EMAIL="console-and-files", DJANGO_EMAIL_FILE_PATH=str(folder)
        ),
    )
    # when
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    # then: two files, each a whole message with its own link, and the same on the console
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2
    messages = [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert [m["To"] for m in messages] == ["alice@example.com"] * 2
    links = [reset_path(m.get_content()) for m in messages]
    printed = capsys.readouterr().out
    assert printed.count("Subject: Reset your Darkroom password") == 2
    assert all(link in printed for link in links)


def test_console_shows_a_long_link_whole_where_the_wire_form_wraps_it(settings, tmp_path, capsys):
    # A reset link behind API Gateway is longer than a mail line: quoted-printable splits it
    # with "=" soft breaks, which the console must undo (the file keeps the wire form).
    from django.core.mail import send_mail

    settings.MAILERS = {
        "default": {
            "BACKEND": "webapp.accounts.mail.ConsoleAndFilesBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    link = "https://abcdefghij.execute-api.eu-west-1.amazonaws.com/web/accounts/reset/MQ/" + (
        "x" * 40
    )
    send_mail("Link", f"Here: {link}\nDone.", "a@example.com", ["b@example.com"])
    (saved,) = tmp_path.glob("*.eml")
    assert link not in saved.read_text()  # wrapped on the wire
    assert link in capsys.readouterr().out


def test_mail_mode_is_checked_and_smtp_is_configured_from_the_environment(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_EMAIL='carrier-pigeon'"):
        fresh_settings(monkeypatch, DJANGO_EMAIL="carrier-pigeon")

    fresh = fresh_settings(
        monkeypatch,
        DJANGO_EMAIL="smtp",
        DJANGO_EMAIL_HOST="smtp.example.com",
        DJANGO_EMAIL_PORT="2525",
        DJANGO_EMAIL_USER="mailer",
        DJANGO_EMAIL_PASSWORD="s3cret",
        DJANGO_DEFAULT_FROM_EMAIL="photos@example.com",
    )
    mailer = fresh["MAILERS"]["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {
        "host": "smtp.example.com",
        "port": 2525,
        "username": "mailer",
        "password": "s3cret",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 10,
    }
    assert fresh["DEFAULT_FROM_EMAIL"] == fresh["SERVER_EMAIL"] == "photos@example.com"


def test_production_without_a_mailer_logs_mail_and_the_deploy_check_warns(monkeypatch, settings):
    from webapp.accounts.checks import mail_is_really_sent

    fresh = fresh_settings(monkeypatch, DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50)
    assert (
        fresh["MAILERS"]["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    )
    settings.MAILERS = fresh["MAILERS"]
    assert [w.id for w in mail_is_really_sent()] == ["accounts.W001"]
    settings.MAILERS = {"default": {"BACKEND": "django_ses.SESBackend"}}
    assert mail_is_really_sent() == []


def ses_raw_messages(endpoint: str, recipient: str) -> list[email.message.EmailMessage]:
    """What moto's SES received for `recipient` (its model data, read over HTTP)."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:
        data = json.load(response)
    return [
        email.message_from_string(raw["raw_data"], policy=policy.default)
        for raw in data.get("ses", {}).get("RawMessage", [])
        if recipient in raw["destinations"]
    ]


def delivery_attempts(ses) -> int:
    return sum(point["DeliveryAttempts"] for point in ses.get_send_statistics()["SendDataPoints"])


@pytest.mark.timeout(120)
def test_ses_is_chosen_by_the_environment_and_really_sends_the_reset(
    client, django_user_model, settings, monkeypatch, aws_env
):
    # given: the settings as the web function loads them, and a verified sender
    sender = f"{aws.unique_name('no-reply')}@photos.example.com"
    recipient = f"{aws.unique_name('lin')}@example.com"
    fresh = fresh_settings(monkeypatch, DJANGO_EMAIL="ses", DJANGO_DEFAULT_FROM_EMAIL=sender)
    assert fresh["MAILERS"]["default"]["BACKEND"] == "django_ses.SESBackend"
    use_mail_settings(settings, fresh)
    ses = aws.client("ses", aws_env)
    ses.verify_email_identity(EmailAddress=sender)
    attempts_before = delivery_attempts(ses)
    django_user_model.objects.create_user("lin", recipient, "pw-lin-123")

    # when
    response = client.post(reverse("password_reset"), {"email": recipient})

    # then: SES received the message from the sender, to lin, with a working link
    assert response["Location"] == reverse("password_reset_done")
    received = ses_raw_messages(aws_env, recipient)
    assert len(received) == 1
    assert received[0]["From"] == sender and received[0]["To"] == recipient
    assert received[0]["Subject"] == "Reset your Darkroom password"
    link = reset_path(received[0].get_content())
    assert "Choose a new password" in client.get(link, follow=True).content.decode()
    # (moto counts the recipient twice: once as a destination, once from the To header)
    assert delivery_attempts(ses) > attempts_before


def test_ses_refusing_an_unverified_sender_is_logged_not_shown(
    client, alice, settings, monkeypatch, aws_env, caplog
):
    sender = f"{aws.unique_name('unverified')}@photos.example.com"
    use_mail_settings(
        settings, fresh_settings(monkeypatch, DJANGO_EMAIL="ses", DJANGO_DEFAULT_FROM_EMAIL=sender)
    )
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    # The page answers as for any address (it must not reveal accounts); the failure is logged.
    assert response["Location"] == reverse("password_reset_done")
    assert "Failed to send password reset email" in caplog.text
    assert all(m["From"] != sender for m in ses_raw_messages(aws_env, "alice@example.com"))
