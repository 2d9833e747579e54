"""Sharing links through the JSON API: create (expiry, bounds, options), list, revoke one or
all, and isolation (bob gets a 404 on every route about alice's photo, album or link)."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from album_helpers import call, ready_photo
from django.utils import timezone

from webapp.photos import share_services, share_tokens
from webapp.photos.models import Album, ShareLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(alice):
    return ready_photo(alice)


@pytest.fixture
def album(alice, photo):
    album = Album.objects.create(owner=alice, title="Trip")
    album.entries.create(photo=photo, position=0)
    return album


def share(client, url, **body):
    response = call(client, "POST", url, body)
    assert response.status_code == 201, response.content
    return response.json()


def test_share_a_photo(alice_client, photo):
    before = timezone.now()
    data = share(alice_client, f"/api/photos/{photo.pk}/share", expires_in=7)
    parts = urlsplit(data["url"])
    assert (parts.scheme, parts.netloc) == ("http", "testserver")  # absolute: to send on
    token = parts.path.removeprefix("/s/").rstrip("/")
    assert len(token) == 32  # token_urlsafe(24): 192 bits
    link = ShareLink.objects.get()
    # Only the hash is stored: the token appears nowhere in the row.
    assert link.token_hash == share_tokens.token_hash(token) != token
    assert token not in str(ShareLink.objects.values().get())
    expires = timezone.datetime.fromisoformat(data["expires_at"])
    assert before + timedelta(days=7) <= expires <= timezone.now() + timedelta(days=7)
    assert (data["photo"], data["album"]) == (str(photo.pk), None)
    assert (data["include_location"], data["allow_download"]) == (False, False)


def test_share_an_album_with_options_and_the_default_expiry(alice_client, album, settings):
    data = share(
        alice_client,
        f"/api/albums/{album.pk}/share",
        include_location=True,
        allow_download=True,
    )
    link = ShareLink.objects.get()
    assert (link.album, link.photo) == (album, None)
    assert (link.include_location, link.allow_download) == (True, True)
    days = (link.expires_at - link.created_at).total_seconds() / 86400
    assert round(days) == settings.PHOTOS_SHARE_DEFAULT_DAYS == 30
    assert data["id"] == link.pk


def test_every_link_is_new(alice_client, photo):
    first = share(alice_client, f"/api/photos/{photo.pk}/share")
    second = share(alice_client, f"/api/photos/{photo.pk}/share")
    assert first["url"] != second["url"]
    assert ShareLink.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"expires_in": 0}, "expires_in must be between 1 and 365 days"),
        ({"expires_in": 366}, "expires_in must be between 1 and 365 days"),
        ({"expires_in": 1.5}, "expires_in must be a whole number of days"),
        ({"expires_in": "7"}, "expires_in must be a whole number of days"),
        ({"expires_in": True}, "expires_in must be a whole number of days"),
        ({"include_location": "yes"}, "include_location must be true or false"),
        ({"allow_download": 1}, "allow_download must be true or false"),
        (
            {"public": True},
            "unknown field: public (expires_in, include_location or allow_download)",
        ),
    ],
)
def test_share_refuses_bad_input_in_words(alice_client, photo, body, reason):
    response = call(alice_client, "POST", f"/api/photos/{photo.pk}/share", body)
    assert response.status_code == 400
    assert response.json() == {"error": reason}
    assert not ShareLink.objects.exists()


def test_the_longest_expiry_is_a_setting(alice_client, photo, settings):
    settings.PHOTOS_SHARE_MAX_DAYS = 7
    response = call(alice_client, "POST", f"/api/photos/{photo.pk}/share", {"expires_in": 8})
    assert response.json() == {"error": "expires_in must be between 1 and 7 days"}


def test_list_the_live_links(alice_client, photo, album):
    photo_link = share(alice_client, f"/api/photos/{photo.pk}/share")
    album_link = share(alice_client, f"/api/albums/{album.pk}/share")
    revoked = share(alice_client, f"/api/photos/{photo.pk}/share")
    alice_client.delete(f"/api/shares/{revoked['id']}")
    expired = share(alice_client, f"/api/photos/{photo.pk}/share")
    ShareLink.objects.filter(pk=expired["id"]).update(expires_at=timezone.now())

    everything = alice_client.get("/api/shares").json()["links"]
    assert [link["id"] for link in everything] == [album_link["id"], photo_link["id"]]
    of_photo = alice_client.get(f"/api/photos/{photo.pk}/share").json()["links"]
    assert [link["id"] for link in of_photo] == [photo_link["id"]]
    of_album = alice_client.get(f"/api/albums/{album.pk}/share").json()["links"]
    assert [link["id"] for link in of_album] == [album_link["id"]]
    assert "url" not in everything[0]  # the token is not kept: it cannot be shown again


def test_revoke_one(alice_client, photo):
    data = share(alice_client, f"/api/photos/{photo.pk}/share")
    response = alice_client.delete(f"/api/shares/{data['id']}")
    assert response.status_code == 204
    assert ShareLink.objects.get().revoked_at is not None
    assert alice_client.get(urlsplit(data["url"]).path).status_code == 404


def test_delete_on_the_share_path_revokes_every_link_of_it(alice_client, photo, album):
    for _ in range(2):
        share(alice_client, f"/api/photos/{photo.pk}/share")
    kept = share(alice_client, f"/api/albums/{album.pk}/share")
    response = alice_client.delete(f"/api/photos/{photo.pk}/share")
    assert response.json() == {"revoked": 2}
    assert list(ShareLink.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True)) == [
        kept["id"]
    ]
    response = alice_client.delete(f"/api/albums/{album.pk}/share")
    assert response.json() == {"revoked": 1}
    assert not ShareLink.objects.filter(revoked_at__isnull=True).exists()


def test_a_link_is_for_a_photo_or_an_album_never_both(alice, photo, album):
    from django.db import IntegrityError, transaction

    for target in ({"photo": photo, "album": album}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ShareLink.objects.create(
                owner=alice, token_hash=str(target), expires_at=timezone.now(), **target
            )


# --- isolation ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET", "DELETE"])
def test_bob_cannot_share_or_revoke_alices_photo(bob_client, alice_client, photo, method):
    share(alice_client, f"/api/photos/{photo.pk}/share")
    response = call(
        bob_client, method, f"/api/photos/{photo.pk}/share", {} if method == "POST" else None
    )
    assert response.status_code == 404
    assert response.json() == {"error": "no such photo"}
    assert ShareLink.objects.get().revoked_at is None


def test_bob_cannot_revoke_alices_link(bob_client, alice_client, photo):
    data = share(alice_client, f"/api/photos/{photo.pk}/share")
    response = bob_client.delete(f"/api/shares/{data['id']}")
    assert response.status_code == 404
    assert response.json() == {"error": "no such link"}
    assert ShareLink.objects.get().revoked_at is None


def test_bob_does_not_see_alices_links(bob_client, alice_client, photo):
    share(alice_client, f"/api/photos/{photo.pk}/share")
    assert bob_client.get("/api/shares").json() == {"links": []}


def test_logged_out_cannot_share(client, photo):
    assert call(client, "POST", f"/api/photos/{photo.pk}/share", {}).status_code == 401
    assert client.get("/api/shares").status_code == 401
    assert not ShareLink.objects.exists()


def test_the_service_refuses_another_users_target(bob, photo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        share_services.share_create(owner=bob, photo=photo)


def test_ids_out_of_any_range_are_a_404_not_an_error(alice_client):
    response = alice_client.delete("/api/shares/99999999999999999999999")
    assert response.status_code == 404
    response = alice_client.post("/shared-links/", {"action": "revoke", "link": "9" * 30})
    assert response.status_code == 404


def test_tokens_are_long_random_and_unrelated(alice, photo):
    from webapp.photos.share_tokens import new_token

    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(token) == 32 and re.fullmatch(r"[A-Za-z0-9_-]+", token) for token in tokens)


def test_live_links_per_user_are_bounded(alice_client, photo, settings):
    settings.PHOTOS_SHARE_MAX_LIVE = 2
    first = share(alice_client, f"/api/photos/{photo.pk}/share")
    share(alice_client, f"/api/photos/{photo.pk}/share")
    response = call(alice_client, "POST", f"/api/photos/{photo.pk}/share", {})
    assert response.status_code == 400
    assert response.json() == {"error": "too many live links: at most 2; revoke some first"}
    alice_client.delete(f"/api/shares/{first['id']}")
    share(alice_client, f"/api/photos/{photo.pk}/share")  # a revoked link frees its place
