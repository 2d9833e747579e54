"""Sign up, log in, log out: Django's auth with the site's own pages."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

PASSWORD = "a-long-and-unusual-passphrase"


@pytest.mark.django_db
def test_signup_page_renders_the_form(client):
    response = client.get(reverse("signup"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html
    assert 'name="email"' in html
    assert 'name="password1"' in html and 'name="password2"' in html
    assert "csrfmiddlewaretoken" in html
    assert f'href="{reverse("login")}"' in html


@pytest.mark.django_db
def test_signup_logs_the_new_user_in_and_opens_the_upload_page(client):
    # when
    response = client.post(
        reverse("signup"),
        {"username": "grace", "email": "", "password1": PASSWORD, "password2": PASSWORD},
    )
    # then: email is optional, and the user is signed in
    assert response.status_code == 302
    assert response["Location"] == reverse("photos:upload")
    user = get_user_model().objects.get(username="grace")
    assert user.email == ""
    assert user.check_password(PASSWORD)
    assert client.get(reverse("photos:upload")).context["user"] == user


@pytest.mark.django_db
def test_signup_keeps_an_email_when_given(client):
    client.post(
        reverse("signup"),
        {
            "username": "lin",
            "email": "lin@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert get_user_model().objects.get(username="lin").email == "lin@example.com"


@pytest.mark.django_db
def test_signup_refuses_a_taken_name_and_mismatched_passwords(client, django_user_model):
    django_user_model.objects.create_user("grace", password=PASSWORD)
    response = client.post(
        reverse("signup"),
        {"username": "grace", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "A user with that username already exists." in html
    assert "password fields didn’t match" in html
    assert django_user_model.objects.filter(username="grace").count() == 1
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signed_in_user_is_sent_from_signup_to_the_gallery(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("grace", password=PASSWORD))
    response = client.get(reverse("signup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("photos:gallery")


@pytest.mark.django_db
def test_login_goes_to_the_gallery_or_back_to_the_page_asked_for(client, django_user_model):
    django_user_model.objects.create_user("grace", password=PASSWORD)
    login_page = client.get(reverse("login"))
    assert login_page.status_code == 200
    assert f'href="{reverse("signup")}"' in login_page.content.decode()

    response = client.post(reverse("login"), {"username": "grace", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("photos:gallery")

    client.logout()
    response = client.post(
        reverse("login"),
        {"username": "grace", "password": PASSWORD, "next": reverse("photos:upload")},
    )
    assert response["Location"] == reverse("photos:upload")


@pytest.mark.django_db
def test_login_with_a_wrong_password_says_so(client, django_user_model):
    django_user_model.objects.create_user("grace", password=PASSWORD)
    response = client.post(reverse("login"), {"username": "grace", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_is_a_post_form_in_the_header(client, django_user_model):
    # given
    client.force_login(django_user_model.objects.create_user("grace", password=PASSWORD))
    html = client.get(reverse("photos:gallery")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}">' in html
    assert "Log out" in html and "grace" in html
    # when: a link (GET) cannot log anyone out; the form's POST does
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("photos:gallery")).status_code == 302
