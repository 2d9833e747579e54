"""The account page: add or change the email (password asked), change the password, delete the
account with every photo and file it owns after a confirmation, and nobody else's."""

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from webapp.photos.models import Photo

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-and-long-passphrase"


def files_of(media_root, photo_id) -> list:
    return [
        path
        for prefix in ("uploads", "renditions")
        for path in (media_root / prefix / str(photo_id)).glob("*")
    ]


def test_account_page_is_in_the_navigation_and_needs_a_login(client, alice_client):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    html = alice_client.get(reverse("photos:gallery")).content.decode()
    assert f'<a href="{reverse("account")}">Account</a>' in html
    html = alice_client.get(reverse("account")).content.decode()
    assert f'<a href="{reverse("account")}" aria-current="page">Account</a>' in html
    assert "Password resets go to <strong" in html and "alice@example.com" in html
    assert f'href="{reverse("password_change")}"' in html
    assert f'href="{reverse("account_delete")}"' in html


def test_account_without_email_is_told_it_cannot_be_recovered(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("nomail", password="pw-123-abc"))
    html = client.get(reverse("account")).content.decode()
    assert "This account has no email." in html
    assert "Without an email, a forgotten password cannot be reset" in html
    assert "Add email" in html


# --- Email --------------------------------------------------------------------------------


def test_adding_an_email_needs_the_password_and_makes_the_account_recoverable(
    django_user_model, mailoutbox
):
    user = django_user_model.objects.create_user("nomail", password="pw-123-abc")
    client = Client()
    client.force_login(user)

    # when: the wrong password
    response = client.post(
        reverse("account"), {"email": "new@example.com", "current_password": "guess"}
    )
    # then: refused with the reason, nothing saved
    assert response.status_code == 200
    assert "That is not your current password." in response.content.decode()
    user.refresh_from_db()
    assert user.email == ""

    # when: the right one (the domain's case is normalised, the local part kept)
    response = client.post(
        reverse("account"),
        {"email": "New.Person@EXAMPLE.com", "current_password": "pw-123-abc"},
        follow=True,
    )
    # then
    assert response.redirect_chain[-1][0] == reverse("account")
    user.refresh_from_db()
    assert user.email == "New.Person@example.com"
    assert "Password resets now go to New.Person@example.com." in response.content.decode()
    # and a reset now reaches it
    Client().post(reverse("password_reset"), {"email": "new.person@example.com"})
    assert [m.to for m in mailoutbox] == [["New.Person@example.com"]]


def test_changing_the_email_tells_the_previous_address(alice, alice_client, mailoutbox):
    response = alice_client.post(
        reverse("account"),
        {"email": "alice@elsewhere.example", "current_password": "pw-alice-123"},
        follow=True,
    )
    assert "Password resets now go to alice@elsewhere.example." in response.content.decode()
    (notice,) = mailoutbox
    assert notice.to == ["alice@example.com"]
    assert notice.subject == "The email of your Darkroom account changed"
    assert "now go to alice@elsewhere.example" in notice.body
    assert "If you did not, someone\nmay have your password" in notice.body

    # saving the same address again is no change, and sends nothing
    alice_client.post(
        reverse("account"), {"email": "alice@elsewhere.example", "current_password": "pw-alice-123"}
    )
    assert len(mailoutbox) == 1


def test_an_invalid_address_is_refused_and_removing_the_email_warns(
    alice, alice_client, mailoutbox
):
    response = alice_client.post(
        reverse("account"), {"email": "not-an-address", "current_password": "pw-alice-123"}
    )
    assert "Enter a valid email address." in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"

    response = alice_client.post(
        reverse("account"), {"email": "", "current_password": "pw-alice-123"}, follow=True
    )
    alice.refresh_from_db()
    assert alice.email == ""
    html = response.content.decode()
    assert "Email removed." in html and "This account has no email." in html
    (notice,) = mailoutbox  # to the address that was removed
    assert notice.to == ["alice@example.com"]
    assert "no longer has an email: its password cannot be reset" in notice.body


# --- Password -----------------------------------------------------------------------------


def test_password_change_in_the_sites_look_keeps_the_session_and_the_new_one_logs_in(
    alice, alice_client
):
    page = alice_client.get(reverse("password_change"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="site-header"' in html and "Django administration" not in html
    assert 'name="old_password"' in html

    response = alice_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "Your old password was entered incorrectly" in response.content.decode()

    response = alice_client.post(
        reverse("password_change"),
        {
            "old_password": "pw-alice-123",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("account")
    assert "Your password was changed." in response.content.decode()
    # this browser stays signed in (its session hash was updated)...
    assert alice_client.get(reverse("photos:gallery")).status_code == 200
    # ...and the new password is the one that logs in
    fresh = Client()
    # (django-axes, which guards every login, wants the request the login came with)
    assert not fresh.login(request=HttpRequest(), username="alice", password="pw-alice-123")
    assert fresh.login(request=HttpRequest(), username="alice", password=NEW_PASSWORD)


# --- Delete -------------------------------------------------------------------------------


def test_delete_page_says_what_goes(alice_client, upload):
    upload(alice_client, "hopper.jpg")
    upload(alice_client, "hopper.png")
    html = alice_client.get(reverse("account_delete")).content.decode()
    assert "The account <strong>alice</strong> and its\n    2 photos will be deleted" in html
    assert 'name="username"' in html and 'name="password"' in html


@pytest.mark.parametrize(
    ("username", "password", "error"),
    [
        ("Alice", "pw-alice-123", "Type your username, alice, exactly as shown."),
        ("bob", "pw-alice-123", "Type your username, alice, exactly as shown."),
        ("alice", "pw-bob-123", "That is not your password."),
        ("", "", "This field is required."),
    ],
)
def test_delete_without_the_confirmation_deletes_nothing(
    alice, alice_client, bob, upload, username, password, error
):
    photo_id = upload(alice_client, "hopper.jpg")
    response = alice_client.post(
        reverse("account_delete"), {"username": username, "password": password}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Photo.objects.filter(pk=photo_id).exists()
    assert alice_client.get(reverse("account")).status_code == 200


def test_delete_removes_the_account_its_photos_and_their_files_and_nobody_elses(
    django_user_model,
    alice,
    alice_client,
    bob,
    bob_client,
    upload,
    media_root,
    django_capture_on_commit_callbacks,
):
    # given: two photos of alice's with their renditions on disk, and one of bob's
    alice_photos = [upload(alice_client, "hopper.jpg"), upload(alice_client, "heif_pug.heic")]
    bob_photo = upload(bob_client, "hopper.jpg")
    for photo_id in (*alice_photos, bob_photo):
        assert len(files_of(media_root, photo_id)) >= 2  # the original and renditions

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("account_delete"), {"username": "alice", "password": "pw-alice-123"}
        )

    # then: alice, her rows and her files are gone; she is signed out and told so
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not django_user_model.objects.filter(username="alice").exists()
    assert not Photo.objects.filter(pk__in=alice_photos).exists()
    for photo_id in alice_photos:
        assert files_of(media_root, photo_id) == []
        assert not (media_root / "uploads" / str(photo_id)).exists()
    login_page = alice_client.get(response["Location"])
    assert "The account alice and its 2 photos were deleted." in login_page.content.decode()
    assert alice_client.get(reverse("account")).status_code == 302

    # and: bob keeps his account, his photo and its files
    assert django_user_model.objects.filter(username="bob").exists()
    assert Photo.objects.filter(pk=bob_photo, owner=bob).exists()
    assert len(files_of(media_root, bob_photo)) >= 2
    assert bob_client.get(reverse("photos:gallery")).status_code == 200


def test_a_notice_that_cannot_be_sent_is_logged_and_the_change_stands(
    alice, alice_client, settings, caplog
):
    # given: an SMTP relay that refuses connections (the ConnectionRefusedError)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    response = alice_client.post(
        reverse("account"), {"email": "alice@elsewhere.example", "current_password": "pw-alice-123"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@elsewhere.example"
    assert "could not tell alice that the account's email changed" in caplog.text
