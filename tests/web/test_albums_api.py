"""The albums' JSON API: create, rename, delete, add and remove photos, order and cover,
and that nothing of one user's reaches another (another user's album is a 404, another
user's photo is refused)."""

import uuid
from datetime import UTC, datetime

import pytest
from album_helpers import call, ready_photo
from factories import PhotoFactory

from webapp.photos.models import Album, AlbumPhoto, Photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def photos(alice):
    """Three of alice's photos taken on 3, 1 and 2 June (so date order is 2nd, 3rd, 1st)."""
    return [
        ready_photo(alice, taken_at=datetime(2026, 6, day, 12, tzinfo=UTC)) for day in (3, 1, 2)
    ]


def ids(photos) -> list[str]:
    return [str(photo.pk) for photo in photos]


def make_album(client, title="Summer", photo_ids=()):
    response = call(client, "POST", "/api/albums", {"title": title, "ids": list(photo_ids)})
    assert response.status_code == 201, response.content
    return response.json()


def test_create_an_album_with_photos_in_date_taken_order(alice_client, photos):
    album = make_album(alice_client, "  Summer \n 2026 ", ids(photos))
    assert album["title"] == "Summer 2026"  # white space tidied
    assert album["order"] == "taken"
    # Date taken, oldest first: 1, 2, 3 June.
    assert album["photos"] == ids([photos[1], photos[2], photos[0]])
    assert album["cover"] == str(photos[1].pk)  # nothing chosen: the first photo
    assert album["cover_chosen"] is False
    listed = alice_client.get("/api/albums").json()["albums"]
    assert [(a["id"], a["photo_count"]) for a in listed] == [(album["id"], 3)]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"title": ""}, "an album needs a title"),
        ({"title": "   "}, "an album needs a title"),
        ({"title": 5}, "the title must be text"),
        ({"title": "x" * 201}, "the title is too long: at most 200 characters"),
        ({"title": "ok", "ids": "abc"}, "ids must be a list of photo ids"),
        ({"title": "ok", "ids": ["nope"]}, "not a photo id: nope"),
    ],
)
def test_create_refuses_bad_input_in_words(alice_client, body, reason):
    response = call(alice_client, "POST", "/api/albums", body)
    assert response.status_code == 400
    assert response.json() == {"error": reason}
    assert not Album.objects.exists()


def test_a_body_that_is_not_json_is_a_400(alice_client):
    response = alice_client.post("/api/albums", data="{", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "the body must be JSON"}


def test_rename(alice_client, photos):
    album = make_album(alice_client)
    response = call(alice_client, "PATCH", f"/api/albums/{album['id']}", {"title": "Winter"})
    assert response.status_code == 200
    assert response.json()["title"] == "Winter"
    assert Album.objects.get().title == "Winter"


def test_patch_refuses_unknown_fields(alice_client):
    album = make_album(alice_client)
    response = call(alice_client, "PATCH", f"/api/albums/{album['id']}", {"owner": 1})
    assert response.status_code == 400
    assert "unknown field: owner" in response.json()["error"]


def test_delete_keeps_the_photos(alice_client, photos):
    album = make_album(alice_client, photo_ids=ids(photos))
    response = alice_client.delete(f"/api/albums/{album['id']}")
    assert response.status_code == 204
    assert not Album.objects.exists()
    assert not AlbumPhoto.objects.exists()
    assert Photo.objects.count() == 3


def test_add_appends_and_ignores_photos_already_in(alice_client, photos):
    album = make_album(alice_client, photo_ids=ids(photos[:1]))
    url = f"/api/albums/{album['id']}/photos"
    response = call(alice_client, "POST", url, {"ids": ids(photos)})
    assert response.status_code == 200
    assert response.json()["added"] == 2
    positions = dict(AlbumPhoto.objects.values_list("photo_id", "position"))
    assert positions == {photos[0].pk: 0, photos[1].pk: 1, photos[2].pk: 2}


def test_a_photo_may_be_in_many_albums(alice_client, photos):
    first = make_album(alice_client, "One", ids(photos[:1]))
    second = make_album(alice_client, "Two", ids(photos[:1]))
    assert first["photos"] == second["photos"] == ids(photos[:1])
    assert photos[0].albums.count() == 2


def test_remove_takes_photos_out_and_keeps_them(alice_client, photos):
    album = make_album(alice_client, photo_ids=ids(photos))
    response = call(
        alice_client, "DELETE", f"/api/albums/{album['id']}/photos", {"ids": ids(photos[:2])}
    )
    assert response.status_code == 200
    assert response.json()["removed"] == 2
    assert response.json()["album"]["photos"] == ids(photos[2:])
    assert Photo.objects.count() == 3


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": "x"}])
def test_add_needs_a_list_of_ids(alice_client, body):
    album = make_album(alice_client)
    response = call(alice_client, "POST", f"/api/albums/{album['id']}/photos", body)
    assert response.status_code == 400
    assert "ids" in response.json()["error"]


def test_add_refuses_more_than_the_bound(alice_client):
    album = make_album(alice_client)
    many = [str(uuid.uuid4()) for _ in range(501)]
    response = call(alice_client, "POST", f"/api/albums/{album['id']}/photos", {"ids": many})
    assert response.status_code == 400
    assert response.json()["error"] == "too many ids: at most 500 at a time"


def test_reorder_sets_the_owners_order(alice_client, photos):
    album = make_album(alice_client, photo_ids=ids(photos))
    wanted = ids([photos[2], photos[0], photos[1]])
    response = call(alice_client, "PUT", f"/api/albums/{album['id']}/order", {"ids": wanted})
    assert response.status_code == 200
    assert response.json()["order"] == "custom"
    assert response.json()["photos"] == wanted
    assert alice_client.get(f"/api/albums/{album['id']}").json()["photos"] == wanted
    # Back to date taken: the positions are kept for later, the order is the dates'.
    response = call(alice_client, "PATCH", f"/api/albums/{album['id']}", {"order": "taken"})
    assert response.json()["photos"] == ids([photos[1], photos[2], photos[0]])


@pytest.mark.parametrize("which", ["missing one", "repeated", "extra"])
def test_reorder_must_name_every_photo_once(alice_client, photos, which):
    album = make_album(alice_client, photo_ids=ids(photos[:2]))
    body = {
        "missing one": ids(photos[:1]),
        "repeated": ids([photos[0], photos[0], photos[1]]),
        "extra": ids(photos),
    }[which]
    response = call(alice_client, "PUT", f"/api/albums/{album['id']}/order", {"ids": body})
    assert response.status_code == 400
    assert "every photo of the album exactly once" in response.json()["error"]


def test_order_must_be_known(alice_client):
    album = make_album(alice_client)
    response = call(alice_client, "PATCH", f"/api/albums/{album['id']}", {"order": "random"})
    assert response.status_code == 400
    assert response.json()["error"] == "order must be one of: taken, custom"


def test_choose_the_cover_and_go_back_to_the_first(alice_client, photos):
    album = make_album(alice_client, photo_ids=ids(photos))
    url = f"/api/albums/{album['id']}"
    response = call(alice_client, "PATCH", url, {"cover": str(photos[0].pk)})
    assert (response.json()["cover"], response.json()["cover_chosen"]) == (str(photos[0].pk), True)
    response = call(alice_client, "PATCH", url, {"cover": None})
    assert (response.json()["cover"], response.json()["cover_chosen"]) == (str(photos[1].pk), False)


def test_the_cover_must_be_in_the_album(alice_client, alice, photos):
    album = make_album(alice_client, photo_ids=ids(photos[:1]))
    response = call(
        alice_client, "PATCH", f"/api/albums/{album['id']}", {"cover": str(photos[1].pk)}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "the cover must be a photo of this album"


def test_removing_the_cover_falls_back_to_the_first(alice_client, photos):
    album = make_album(alice_client, photo_ids=ids(photos))
    url = f"/api/albums/{album['id']}"
    call(alice_client, "PATCH", url, {"cover": str(photos[0].pk)})
    call(alice_client, "DELETE", f"{url}/photos", {"ids": ids(photos[:1])})
    assert alice_client.get(url).json()["cover"] == str(photos[1].pk)
    assert Album.objects.get().cover is None


def test_the_cover_skips_photos_without_renditions(alice_client, alice, photos):
    pending = PhotoFactory(owner=alice, processing=True)
    album = make_album(alice_client, photo_ids=[str(pending.pk), *ids(photos[:1])])
    call(alice_client, "PUT", f"/api/albums/{album['id']}/order", {"ids": album["photos"]})
    assert alice_client.get(f"/api/albums/{album['id']}").json()["cover"] == str(photos[0].pk)


# --- isolation ----------------------------------------------------------------------------


@pytest.fixture
def alices_album(alice_client, photos):
    return make_album(alice_client, "Alice's", ids(photos))


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"title": "mine now"}),
        ("DELETE", "", None),
        ("POST", "/photos", {"ids": [str(uuid.uuid4())]}),
        ("DELETE", "/photos", {"ids": [str(uuid.uuid4())]}),
        ("PUT", "/order", {"ids": [str(uuid.uuid4())]}),
        ("POST", "/share", {}),
        ("GET", "/share", None),
        ("DELETE", "/share", None),
    ],
)
def test_another_users_album_is_a_404_on_every_route(bob_client, alices_album, method, path, body):
    response = call(bob_client, method, f"/api/albums/{alices_album['id']}{path}", body)
    assert response.status_code == 404
    assert response.json() == {"error": "no such album"}
    album = Album.objects.get()
    assert album.title == "Alice's" and album.entries.count() == 3
    assert not album.share_links.exists()


def test_bob_does_not_see_alices_albums(bob_client, alices_album):
    assert bob_client.get("/api/albums").json() == {"albums": []}


def test_adding_another_users_photo_is_refused_whole(alice_client, bob, photos):
    album = make_album(alice_client)
    bobs = ready_photo(bob)
    response = call(
        alice_client,
        "POST",
        f"/api/albums/{album['id']}/photos",
        {"ids": [str(photos[0].pk), str(bobs.pk)]},
    )
    assert response.status_code == 400
    assert response.json() == {"error": f"no such photo: {bobs.pk}"}
    assert not AlbumPhoto.objects.exists()  # not even alice's own photo: nothing half done


def test_creating_an_album_with_another_users_photo_is_refused(bob_client, photos):
    response = call(bob_client, "POST", "/api/albums", {"title": "x", "ids": ids(photos[:1])})
    assert response.status_code == 400
    assert not Album.objects.exists()


def test_logged_out_is_a_401(client, alices_album):
    assert client.get("/api/albums").status_code == 401
    response = call(client, "POST", f"/api/albums/{alices_album['id']}/photos", {"ids": []})
    assert response.status_code == 401


def test_the_api_needs_the_csrf_token(alice, photos):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = call(client, "POST", "/api/albums", {"title": "x"})
    assert response.status_code == 403
    assert not Album.objects.exists()


def test_method_not_allowed_is_json(alice_client, alices_album):
    response = alice_client.get(f"/api/albums/{alices_album['id']}/order")
    assert response.status_code == 405
    assert response["Allow"] == "PUT, OPTIONS"
    assert response.json() == {"error": "GET is not allowed here"}


def test_deleting_a_photo_takes_it_out_of_its_albums(alice_client, alices_album, photos):
    alice_client.delete(f"/api/photos/{photos[1].pk}")
    assert alice_client.get(f"/api/albums/{alices_album['id']}").json()["photos"] == ids(
        [photos[2], photos[0]]
    )


def test_each_album_keeps_its_own_order_of_shared_photos(alice_client, photos):
    """The same photos in two albums, in opposite orders: each album lists each photo once,
    in its own order (the order's join is the album's own, not any album's)."""
    one = make_album(alice_client, "One", ids(photos))
    two = make_album(alice_client, "Two", ids(photos))
    call(alice_client, "PUT", f"/api/albums/{one['id']}/order", {"ids": ids(photos)})
    call(alice_client, "PUT", f"/api/albums/{two['id']}/order", {"ids": ids(photos[::-1])})
    assert alice_client.get(f"/api/albums/{one['id']}").json()["photos"] == ids(photos)
    assert alice_client.get(f"/api/albums/{two['id']}").json()["photos"] == ids(photos[::-1])


def test_the_list_gives_each_album_the_cover_its_page_gives(alice_client, photos):
    dated = make_album(alice_client, "By date", ids(photos))
    custom = make_album(alice_client, "Mine", ids(photos))
    call(alice_client, "PUT", f"/api/albums/{custom['id']}/order", {"ids": ids(photos[::-1])})
    chosen = make_album(alice_client, "Chosen", ids(photos))
    call(alice_client, "PATCH", f"/api/albums/{chosen['id']}", {"cover": str(photos[2].pk)})
    covers = {a["title"]: a["cover"] for a in alice_client.get("/api/albums").json()["albums"]}
    assert covers == {
        "By date": str(photos[1].pk),  # 1 June, the oldest
        "Mine": str(photos[2].pk),  # first in the owner's order
        "Chosen": str(photos[2].pk),
    }
    for album in (dated, custom, chosen):
        assert (
            alice_client.get(f"/api/albums/{album['id']}").json()["cover"] == covers[album["title"]]
        )


def test_albums_per_user_are_bounded(alice_client, settings):
    settings.PHOTOS_MAX_ALBUMS = 2
    make_album(alice_client, "One")
    make_album(alice_client, "Two")
    response = call(alice_client, "POST", "/api/albums", {"title": "Three"})
    assert response.status_code == 400
    assert response.json() == {"error": "too many albums: at most 2; delete one first"}


def test_photos_per_album_are_bounded_and_reorder_takes_the_whole_album(
    alice_client, photos, settings
):
    settings.PHOTOS_ALBUM_MAX_PHOTOS = 2
    album = make_album(alice_client, photo_ids=ids(photos[:2]))
    response = call(alice_client, "POST", f"/api/albums/{album['id']}/photos", {"ids": ids(photos)})
    assert response.status_code == 400
    assert response.json() == {"error": "an album holds at most 2 photos"}
    assert len(alice_client.get(f"/api/albums/{album['id']}").json()["photos"]) == 2
    response = call(alice_client, "PUT", f"/api/albums/{album['id']}/order", {"ids": ids(photos)})
    assert response.json() == {"error": "too many ids: at most 2 at a time"}
