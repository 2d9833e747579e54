"""Originals and renditions are private: streamed by owner-checked views, never public."""

import pytest
from django.urls import reverse

from webapp.photos import links
from webapp.photos.models import Photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_photo(alice_client, upload) -> Photo:
    return Photo.objects.get(pk=upload(alice_client, "hopper.jpg"))


def test_the_original_downloads_under_its_uploaded_name(alice_client, ready_photo, photos_dir):
    response = alice_client.get(links.original_url(ready_photo))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="hopper.jpg"'
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == (photos_dir / "hopper.jpg").read_bytes()


def test_a_unicode_name_survives_the_download(alice_client, upload, copy_photo):
    photo_id = upload(alice_client, "été à Paris.jpg", path=copy_photo("hopper.jpg", "x.jpg"))

    response = alice_client.get(reverse("media:original", kwargs={"photo_id": photo_id}))

    assert response.status_code == 200
    assert "filename*=utf-8''%C3%A9t%C3%A9%20%C3%A0%20Paris.jpg" in response["Content-Disposition"]


def test_renditions_are_webp_cached_privately(alice_client, ready_photo):
    urls = links.rendition_urls(ready_photo)

    for name, url in urls.items():
        response = alice_client.get(url)
        assert response.status_code == 200, name
        assert response["Content-Type"] == "image/webp"
        assert response["Cache-Control"] == "private, max-age=31536000, immutable"
        assert int(response["Content-Length"]) == ready_photo.renditions[name]["bytes"]


def test_rendition_urls_change_when_the_photo_is_reprocessed(alice_client, ready_photo):
    before = links.rendition_urls(ready_photo)["thumb"]
    Photo.objects.filter(pk=ready_photo.pk).update(processed_at="2030-01-01T00:00:00Z")
    ready_photo.refresh_from_db()

    assert links.rendition_urls(ready_photo)["thumb"] != before


def test_an_unknown_rendition_is_404(alice_client, ready_photo):
    url = reverse("media:rendition", kwargs={"photo_id": ready_photo.pk, "name": "huge"})

    assert alice_client.get(url).status_code == 404


def test_a_file_gone_from_disk_is_404_not_500(alice_client, ready_photo, media_root):
    (media_root / ready_photo.original_key).unlink()

    assert alice_client.get(links.original_url(ready_photo)).status_code == 404


def test_a_photo_still_uploading_has_no_original(alice_client, alice):
    from webapp.photos.services import photo_create

    photo = photo_create(owner=alice, filename="a.jpg", content_type="image/jpeg", size=9)

    assert links.original_url(photo) == ""
    url = reverse("media:original", kwargs={"photo_id": photo.pk})
    assert alice_client.get(url).status_code == 404


def test_another_user_gets_404_for_every_file(bob_client, ready_photo):
    urls = [links.original_url(ready_photo), *links.rendition_urls(ready_photo).values()]

    for url in urls:
        assert bob_client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, ready_photo):
    response = client.get(links.original_url(ready_photo))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_see_any_users_files_for_the_admin(staff_client, ready_photo):
    # The admin's thumbnail column shows every user's photos.
    assert staff_client.get(links.rendition_urls(ready_photo)["thumb"]).status_code == 200
    assert staff_client.get(links.original_url(ready_photo)).status_code == 200


def test_files_are_not_reachable_by_their_key(alice_client, ready_photo):
    # Nothing serves MEDIA_ROOT as such: not even the owner can fetch a key directly.
    for key in [ready_photo.original_key, ready_photo.renditions["thumb"]["key"]]:
        assert alice_client.get(f"/media/{key}").status_code == 404
        assert alice_client.get(f"/{key}").status_code == 404


def test_staff_without_the_photo_permission_get_404(django_user_model, ready_photo):
    from django.test import Client

    clerk = django_user_model.objects.create_user("clerk", "c@example.com", "pw", is_staff=True)
    client = Client()
    client.force_login(clerk)

    assert client.get(links.rendition_urls(ready_photo)["thumb"]).status_code == 404


def test_rendition_urls_follow_the_script_prefix_and_the_photo(ready_photo, alice):
    from django.urls import set_script_prefix

    from webapp.photos.services import photo_create

    other = photo_create(owner=alice, filename="b.jpg", content_type="image/jpeg", size=9)
    other.renditions = {"thumb": {"key": "k", "width": 1, "height": 1}}

    # locally, and behind an API Gateway stage ("/web"), each photo gets its own URLs
    expected = reverse("media:rendition", kwargs={"photo_id": ready_photo.pk, "name": "thumb"})
    assert links.rendition_urls(ready_photo)["thumb"].split("?")[0] == expected
    set_script_prefix("/web/")
    staged = links.rendition_urls(ready_photo)
    assert staged["thumb"].startswith(f"/web/media/photos/{ready_photo.pk}/thumb.webp?v=")
    assert staged["large"].startswith(f"/web/media/photos/{ready_photo.pk}/large.webp?v=")
    assert links.rendition_urls(other)["thumb"].startswith(f"/web/media/photos/{other.pk}/")
