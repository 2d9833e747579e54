"""The admin's "Reprocess" is a change: a staff member who may only view photos cannot run it."""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from webapp.photos import runners
from webapp.photos.models import Photo, PhotoStatus

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/photos/photo/"


@pytest.fixture
def viewer_client(django_user_model):
    viewer = django_user_model.objects.create_user("viewer", "v@example.com", "pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_photo"))
    client = Client()
    client.force_login(viewer)
    return client


@pytest.fixture
def failed_photo(alice):
    photo_id = uuid.uuid4()
    return Photo.objects.create(
        id=photo_id,
        owner=alice,
        filename="a.jpg",
        original_key=f"uploads/{photo_id}/a.jpg",
        content_type="image/jpeg",
        declared_size=10,
        status=PhotoStatus.FAILED,
        error="internal error",
        source_etag="etag",
    )


def test_a_view_only_staff_user_cannot_reprocess(viewer_client, failed_photo, monkeypatch):
    dispatched = []
    monkeypatch.setitem(runners.RUNNERS, "inline", dispatched.append)
    assert viewer_client.get(CHANGELIST).status_code == 200

    listed = viewer_client.get(CHANGELIST).content.decode()
    response = viewer_client.post(
        CHANGELIST, {"action": "reprocess", "_selected_action": [str(failed_photo.pk)]}
    )
    change_url = reverse("admin:photos_photo_change", args=[failed_photo.pk])
    page = viewer_client.get(change_url).content.decode()
    viewer_client.post(
        change_url, {"CHANGE_FORM-action": "reprocess", "_selected_action": str(failed_photo.pk)}
    )

    assert 'value="reprocess"' not in listed
    assert "Reprocess (renditions and metadata)" not in page
    assert response.status_code in (200, 302)
    failed_photo.refresh_from_db()
    assert failed_photo.status == PhotoStatus.FAILED
    assert dispatched == []


def test_admin_pages_carry_no_inline_style_the_policy_would_block(staff_client, failed_photo):
    Photo.objects.filter(pk=failed_photo.pk).update(
        status=PhotoStatus.READY,
        renditions={"thumb": {"key": f"renditions/{failed_photo.pk}/thumb.webp", "width": 9}},
        jobs={"renditions": {"status": "done"}},
    )
    change_url = reverse("admin:photos_photo_change", args=[failed_photo.pk])

    pages = [staff_client.get(url) for url in (CHANGELIST, change_url)]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert 'style="' not in html
        assert "photos/admin.css" in html
        assert "script-src 'self'" in page["Content-Security-Policy"]
    assert 'class="photo-admin-json"' in pages[1].content.decode()
