"""Albums and sharing links in the admin: listed for staff, tokens never shown (only their
hash exists, and it is not shown either), links revoked through the service."""

import pytest
from album_helpers import ready_photo

from webapp.photos import album_services, share_services
from webapp.photos.models import ShareLink

pytestmark = pytest.mark.django_db


def test_staff_see_albums_with_their_photo_count(staff_client, alice):
    album_services.album_create(owner=alice, title="Beach", photo_ids=[ready_photo(alice).pk])
    html = staff_client.get("/admin/photos/album/").content.decode()
    assert "Beach" in html and "alice" in html
    assert '<td class="field-photo_count">1</td>' in html


def test_staff_see_links_without_their_tokens_and_can_revoke(staff_client, alice):
    photo = ready_photo(alice)
    link, token = share_services.share_create(owner=alice, photo=photo)
    listing = staff_client.get("/admin/photos/sharelink/?state=live").content.decode()
    assert f"/admin/photos/sharelink/{link.pk}/change/" in listing
    change = staff_client.get(f"/admin/photos/sharelink/{link.pk}/change/").content.decode()
    assert token not in listing + change and link.token_hash not in change
    response = staff_client.post(
        "/admin/photos/sharelink/",
        {"action": "revoke", "_selected_action": [link.pk]},
        follow=True,
    )
    assert "Revoked 1 link." in response.content.decode()
    assert ShareLink.objects.get().revoked_at is not None
    assert staff_client.get("/admin/photos/sharelink/add/").status_code == 403


def test_users_do_not_reach_the_admin(alice_client):
    assert alice_client.get("/admin/photos/sharelink/").status_code == 302
