"""The album pages, the photo page's "Add to album" and "Share" forms, and the owner's
"Shared links" page: all plain forms that work without JavaScript, scoped to the owner."""

import re
import uuid
from datetime import UTC, datetime

import pytest
from album_helpers import ready_photo
from django.test import Client

from webapp.photos.models import Album, AlbumPhoto, ShareLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def photos(alice):
    return [
        ready_photo(alice, title=f"P{day}", taken_at=datetime(2026, 6, day, tzinfo=UTC))
        for day in (1, 2, 3)
    ]


@pytest.fixture
def album(alice, photos):
    album = Album.objects.create(owner=alice, title="June")
    for position, photo in enumerate(photos):
        album.entries.create(photo=photo, position=position)
    return album


def names_on(html: str) -> list[str]:
    return re.findall(r'class="album-photo__name">([^<]+)<', html)


def test_the_nav_links_to_the_albums(alice_client):
    html = alice_client.get("/").content.decode()
    assert '<a href="/albums/"' in html


def test_create_an_album_from_the_list_page(alice_client, alice):
    response = alice_client.post("/albums/", {"title": "Holidays"})
    album = Album.objects.get(owner=alice)
    assert response["Location"] == f"/albums/{album.pk}/"
    page = alice_client.get("/albums/").content.decode()
    assert "Holidays" in page and "0 photos" in page


def test_an_empty_title_is_refused_with_the_reason(alice_client):
    response = alice_client.post("/albums/", {"title": " "}, follow=True)
    assert "an album needs a title" in response.content.decode()
    assert not Album.objects.exists()


def test_the_album_page_in_date_order_with_the_cover(alice_client, album, photos):
    html = alice_client.get(f"/albums/{album.pk}/").content.decode()
    assert names_on(html) == ["P1", "P2", "P3"]
    assert html.count('class="album-photo__badge">Cover<') == 1
    assert "<style" not in html and 'style=""' not in html


def test_move_later_and_earlier_by_keyboard_buttons(alice_client, album, photos):
    url = f"/albums/{album.pk}/"
    response = alice_client.post(url, {"action": "later", "photo": photos[0].pk})
    # Back on the moved photo's button, so the keyboard can press it again.
    assert response["Location"] == f"{url}#move-{photos[0].pk}-later"
    assert names_on(alice_client.get(url).content.decode()) == ["P2", "P1", "P3"]
    alice_client.post(url, {"action": "earlier", "photo": photos[2].pk})
    assert names_on(alice_client.get(url).content.decode()) == ["P2", "P3", "P1"]
    album.refresh_from_db()
    assert album.order == "custom"
    # Moving the first one earlier changes nothing.
    alice_client.post(url, {"action": "earlier", "photo": photos[1].pk})
    assert names_on(alice_client.get(url).content.decode()) == ["P2", "P3", "P1"]
    # And back to date taken.
    alice_client.post(url, {"action": "order", "order": "taken"})
    assert names_on(alice_client.get(url).content.decode()) == ["P1", "P2", "P3"]


def test_rename_cover_remove_and_delete_from_the_page(alice_client, album, photos):
    url = f"/albums/{album.pk}/"
    alice_client.post(url, {"action": "rename", "title": "June 2026"})
    alice_client.post(url, {"action": "cover", "photo": photos[2].pk})
    album.refresh_from_db()
    assert (album.title, album.cover) == ("June 2026", photos[2])
    alice_client.post(url, {"action": "remove", "photo": photos[0].pk})
    assert names_on(alice_client.get(url).content.decode()) == ["P2", "P3"]
    response = alice_client.post(url, {"action": "delete"}, follow=True)
    assert "its photos are kept" in response.content.decode()
    assert not Album.objects.exists()
    assert alice_client.get(f"/photos/{photos[0].pk}/").status_code == 200


def test_add_to_album_from_the_photo_page(alice_client, album, alice):
    loose = ready_photo(alice, title="Loose")
    page = alice_client.get(f"/photos/{loose.pk}/").content.decode()
    assert "Add to album" in page and f'<option value="{album.pk}">June</option>' in page
    response = alice_client.post(
        f"/photos/{loose.pk}/organise/", {"action": "add", "album": album.pk}, follow=True
    )
    assert "Added to “June”" in response.content.decode()
    assert AlbumPhoto.objects.get(photo=loose).position == 3  # at the end
    page = alice_client.get(f"/photos/{loose.pk}/").content.decode()
    assert f'<a href="/albums/{album.pk}/">June</a>' in page  # listed as one of its albums
    alice_client.post(f"/photos/{loose.pk}/organise/", {"action": "remove", "album": album.pk})
    assert not AlbumPhoto.objects.filter(photo=loose).exists()


def test_new_album_with_this_photo(alice_client, alice):
    loose = ready_photo(alice)
    alice_client.post(f"/photos/{loose.pk}/organise/", {"action": "new-album", "title": "Solo"})
    assert list(Album.objects.get(title="Solo").photos.all()) == [loose]


def test_share_from_the_photo_page_shows_the_url_once(alice_client, alice):
    photo = ready_photo(alice)
    response = alice_client.post(
        f"/photos/{photo.pk}/organise/",
        {"action": "share", "expires_in": "7", "allow_download": "on"},
        follow=True,
    )
    html = response.content.decode()
    [url] = re.findall(r'id="new-share-url" class="share-new__url" value="([^"]+)"', html)
    assert url.startswith("http://testserver/s/")
    link = ShareLink.objects.get()
    assert (link.photo, link.allow_download, link.include_location) == (photo, True, False)
    assert "Expires" in html and f'data-link-id="{link.pk}"' in html
    # Once: the next visit lists the link, without its URL.
    again = alice_client.get(f"/photos/{photo.pk}/").content.decode()
    assert url not in again and f'data-link-id="{link.pk}"' in again
    assert Client().get(url.removeprefix("http://testserver")).status_code == 200


def test_share_and_revoke_from_the_album_page(alice_client, album):
    url = f"/albums/{album.pk}/"
    html = alice_client.post(url, {"action": "share", "include_location": "on"}, follow=True)
    html = html.content.decode()
    assert 'id="new-share-url"' in html
    link = ShareLink.objects.get()
    assert (link.album, link.include_location) == (album, True)
    alice_client.post(url, {"action": "revoke", "link": link.pk})
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert f'data-link-id="{link.pk}"' not in alice_client.get(url).content.decode()


def test_shared_links_overview_lists_and_revokes(alice_client, alice, album, photos):
    from webapp.photos import share_services

    photo_link, _ = share_services.share_create(owner=alice, photo=photos[0])
    album_link, _ = share_services.share_create(owner=alice, album=album)
    html = alice_client.get("/shared-links/").content.decode()
    assert f'data-link-id="{photo_link.pk}"' in html and f'data-link-id="{album_link.pk}"' in html
    assert "Album <a" in html and "Photo <a" in html
    alice_client.post("/shared-links/", {"action": "revoke", "link": photo_link.pk})
    html = alice_client.get("/shared-links/").content.decode()
    assert f'data-link-id="{photo_link.pk}"' not in html


# --- isolation ----------------------------------------------------------------------------


def test_bob_gets_a_404_on_alices_album_page(bob_client, album):
    url = f"/albums/{album.pk}/"
    assert bob_client.get(url).status_code == 404
    for action in ("rename", "delete", "share", "later", "remove"):
        assert bob_client.post(url, {"action": action, "title": "x"}).status_code == 404
    assert Album.objects.get().title == "June"
    assert not ShareLink.objects.exists()


def test_bob_cannot_use_alices_photo_or_album_from_a_photo_page(bob_client, bob, album, photos):
    assert (
        bob_client.post(f"/photos/{photos[0].pk}/organise/", {"action": "share"}).status_code == 404
    )
    own = ready_photo(bob)
    # His own photo into her album: her album is not found.
    response = bob_client.post(f"/photos/{own.pk}/organise/", {"action": "add", "album": album.pk})
    assert response.status_code == 404
    assert not AlbumPhoto.objects.filter(photo=own).exists()


def test_bob_cannot_revoke_alices_link_by_form(bob_client, alice, photos):
    from webapp.photos import share_services

    link, _ = share_services.share_create(owner=alice, photo=photos[0])
    assert (
        bob_client.post("/shared-links/", {"action": "revoke", "link": link.pk}).status_code == 404
    )
    link.refresh_from_db()
    assert link.revoked_at is None
    assert f'data-link-id="{link.pk}"' not in bob_client.get("/shared-links/").content.decode()


def test_bobs_photo_page_does_not_offer_alices_albums(bob_client, bob, album):
    html = bob_client.get(f"/photos/{ready_photo(bob).pk}/").content.decode()
    assert "June" not in html


def test_pages_need_a_login(client, album):
    for url in ("/albums/", f"/albums/{album.pk}/", "/shared-links/"):
        assert client.get(url)["Location"].startswith("/accounts/login/")
    response = client.post(f"/photos/{uuid.uuid4()}/organise/", {"action": "share"})
    assert response["Location"].startswith("/accounts/login/")


def test_the_album_list_asks_a_fixed_number_of_queries(
    alice_client, alice, django_assert_max_num_queries
):
    from webapp.photos import album_services

    def add_albums(n):
        for i in range(n):
            photo = ready_photo(alice)
            album = album_services.album_create(owner=alice, title=f"A{i}", photo_ids=[photo.pk])
            if i % 2:
                album_services.album_cover_set(album=album, photo_id=photo.pk)

    def count(url):
        with django_assert_max_num_queries(50) as queries:
            response = alice_client.get(url)
        return len(queries.captured_queries), response

    add_albums(2)
    few = {url: count(url)[0] for url in ("/albums/", "/api/albums")}
    add_albums(8)
    page_queries, page = count("/albums/")
    api_queries, api = count("/api/albums")
    assert (page_queries, api_queries) == (few["/albums/"], few["/api/albums"])
    html = page.content.decode()
    assert html.count("album-card__img") == 10, re.findall(
        r"<li class=\"album-card\">.*?</li>", html, re.S
    )[:2]
    assert all(album["cover"] for album in api.json()["albums"])


def test_the_photo_forms_target_answers_only_posts(alice_client, alice):
    photo = ready_photo(alice)
    assert alice_client.get(f"/photos/{photo.pk}/organise/").status_code == 405
