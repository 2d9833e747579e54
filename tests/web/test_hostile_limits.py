"""Quotas and throttling: what one user (or one address) may take, answered 4xx with a
reason; counts kept where every process of a deployment sees them."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse
from web_helpers import request_ticket

from webapp import throttle
from webapp.photos.models import Photo, PhotoStatus

pytestmark = pytest.mark.django_db


def ticket(client, size=1000):
    return request_ticket(client, filename="a.jpg", content_type="image/jpeg", size=size)


# --- quotas ----------------------------------------------------------------------------------


def test_photos_waiting_to_upload_are_capped(alice_client, bob_client, settings):
    settings.PHOTOS_QUOTA_PENDING = 2
    assert ticket(alice_client).status_code == 201
    assert ticket(alice_client).status_code == 201

    refused = ticket(alice_client)

    assert refused.status_code == 429
    assert refused.json()["error"].startswith("too many uploads waiting: 2 photos")
    assert Photo.objects.filter(owner__username="alice").count() == 2
    # another user's quota is their own
    assert ticket(bob_client).status_code == 201


def test_a_photo_that_arrived_no_longer_counts_as_waiting(alice_client, alice, settings):
    settings.PHOTOS_QUOTA_PENDING = 1
    assert ticket(alice_client).status_code == 201
    Photo.objects.filter(owner=alice).update(status=PhotoStatus.READY, bytes=1000)

    assert ticket(alice_client).status_code == 201


def test_stored_bytes_are_capped(alice_client, alice, settings):
    settings.PHOTOS_QUOTA_BYTES = 5_000
    assert ticket(alice_client, size=3_000).status_code == 201
    Photo.objects.filter(owner=alice).update(status=PhotoStatus.READY, bytes=3_000)

    refused = ticket(alice_client, size=2_001)

    assert refused.status_code == 413
    assert refused.json()["error"] == (
        "storage quota reached: 3 KB used of 5 KB, this photo needs 2.0 KB more"
    )
    assert ticket(alice_client, size=2_000).status_code == 201


def test_quota_defaults_are_sensible():
    assert django_settings.PHOTOS_QUOTA_BYTES == 10 * 1000**3
    assert django_settings.PHOTOS_QUOTA_PENDING == 50


# --- throttling ------------------------------------------------------------------------------


def test_the_rate_limit_cache_is_shared_not_per_process():
    backend = django_settings.CACHES[django_settings.RATELIMIT_USE_CACHE]["BACKEND"]
    assert backend in (
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    )
    # the table exists: migrate created it
    cache = caches[django_settings.RATELIMIT_USE_CACHE]
    cache.set("probe", 1)
    assert cache.get("probe") == 1


def test_upload_tickets_are_throttled_per_user(alice_client, bob_client, settings):
    settings.THROTTLE_UPLOAD_TICKETS = "2/m"
    assert ticket(alice_client).status_code == 201
    assert ticket(alice_client).status_code == 201

    refused = ticket(alice_client)

    assert refused.status_code == 429
    assert refused.json() == {
        "error": "too many upload requests: at most 2 per minute; try again later"
    }
    assert refused["Retry-After"] == "60"
    assert ticket(bob_client).status_code == 201


def test_signups_are_throttled_per_address(settings):
    settings.THROTTLE_SIGNUP = "2/h"
    url = reverse("signup")
    answers = []
    for n in range(3):
        data = {"username": f"user{n}", "password1": "a-long-passphrase-1", "password2": ""}
        data["password2"] = data["password1"]
        answers.append(Client().post(url, data).status_code)

    assert answers == [302, 302, 429]
    refused = Client().post(url, {"username": "late"})
    assert "too many sign-ups from this address" in refused.content.decode()
    # showing the form is not counted
    assert Client().get(url).status_code == 200


def test_password_resets_are_throttled_per_address(settings, alice):
    settings.THROTTLE_PASSWORD_RESET = "2/h"
    url = reverse("password_reset")
    emails = ["alice@example.com", "a@example.com", "b@example.com"]
    answers = [Client().post(url, {"email": email}).status_code for email in emails]

    assert answers == [302, 302, 429]


def test_password_resets_are_throttled_per_email_from_any_address(settings, alice):
    settings.THROTTLE_PASSWORD_RESET = "2/h"
    url = reverse("password_reset")
    answers = [
        Client(REMOTE_ADDR=f"10.0.0.{n}").post(url, {"email": "alice@example.com"})
        for n in range(3)
    ]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "for this email" in answers[2].content.decode()


def test_logins_lock_out_after_repeated_failures(alice, settings):
    url = reverse("login")
    client = Client()
    answers = [
        client.post(url, {"username": "alice", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    # the form again with its error, until the failure that reaches the limit locks it
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    # then even the right password is refused, with the lockout's own answer
    response = client.post(url, {"username": "alice", "password": "pw-alice-123"})
    assert response.status_code == 429
    assert "too many login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logging_into_an_own_account_does_not_reset_the_count(alice, bob, settings):
    url = reverse("login")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "alice", "password": "guess"})
    assert client.post(url, {"username": "bob", "password": "pw-bob-123"}).status_code == 302

    assert Client().post(url, {"username": "alice", "password": "guess"}).status_code == 429


def test_a_successful_login_still_works(alice):
    response = Client().post(reverse("login"), {"username": "alice", "password": "pw-alice-123"})
    assert response.status_code == 302


def test_a_per_process_rate_limit_cache_is_refused_when_deployed(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    errors = [e for e in run_checks() if e.id == "darkroom.E001"]

    assert len(errors) == 1
    assert "keeps a count per process" in errors[0].msg
    settings.DEBUG = True
    assert throttle.check_shared_rate_limit_cache(None) == []


def _via_api_gateway(source_ip: str, spoofed: str) -> dict:
    """What a request through API Gateway carries into Django under Zappa: the event, and a
    REMOTE_ADDR taken from an X-Forwarded-For the client may have written itself."""
    return {
        "lambda.event": {"requestContext": {"identity": {"sourceIp": source_ip}}},
        "REMOTE_ADDR": spoofed,
    }


def test_a_lockout_follows_api_gateways_source_ip_not_a_forged_header(alice, settings):
    url = reverse("login")
    answers = [
        Client()
        .post(
            url,
            {"username": "alice", "password": "wrong"},
            **_via_api_gateway("203.0.113.7", f"10.9.8.{n}"),
        )
        .status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert answers[-1] == 429
    # another caller, whatever address it claims, is not locked out
    other = Client().post(
        url,
        {"username": "alice", "password": "pw-alice-123"},
        **_via_api_gateway("198.51.100.1", "10.9.8.1"),
    )
    assert other.status_code == 302


def test_signup_limits_follow_api_gateways_source_ip(settings):
    settings.THROTTLE_SIGNUP = "1/h"
    url = reverse("signup")
    first, second = (
        Client().post(url, {"username": f"u{n}"}, **_via_api_gateway("203.0.113.9", f"10.1.{n}.1"))
        for n in range(2)
    )

    assert first.status_code == 200  # the form again: passwords missing
    assert second.status_code == 429
