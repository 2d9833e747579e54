"""The admin: staff only, precomputed columns, filters, search, EXIF, and deletes that take
the files along."""

import uuid
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from runner_fakes import recording_runner

from webapp.photos import runners
from webapp.photos.models import Photo, PhotoStatus

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/photos/photo/"


def photo_row(owner, **fields) -> Photo:
    photo_id = uuid.uuid4()
    values = {
        "id": photo_id,
        "owner": owner,
        "filename": "IMG_0001.JPG",
        "original_key": f"uploads/{photo_id}/IMG_0001.jpg",
        "content_type": "image/jpeg",
        "declared_size": 2_500_000,
        "bytes": 2_500_000,
        "status": PhotoStatus.READY,
        "source_etag": "e1",
        "format": "JPEG",
        "width": 4000,
        "height": 3000,
        "camera_make": "Canon",
        "camera_model": "Canon EOS 5D",
        "taken_at": datetime(2021, 5, 1, 12, 0, tzinfo=UTC),
        "renditions": {
            "thumb": {
                "key": f"renditions/{photo_id}/thumb.webp",
                "width": 256,
                "height": 192,
                "bytes": 9000,
            }
        },
    }
    values.update(fields)
    return Photo(**values)


def test_non_staff_are_sent_to_the_admin_login(alice_client):
    response = alice_client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_list_shows_precomputed_columns(staff_client, alice):
    photo = photo_row(alice)
    photo.save()

    response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "IMG_0001.JPG" in html
    assert "alice" in html
    assert "Canon EOS 5D" in html
    assert "4000 × 3000" in html
    assert "2.5 MB" in html
    assert f'src="/media/photos/{photo.pk}/thumb.webp?v=' in html
    assert 'loading="lazy"' in html
    # the thumbnail is the stored rendition, served to staff
    thumb_url = html.split(f'src="/media/photos/{photo.pk}/thumb.webp')[1].split('"')[0]
    assert thumb_url.startswith("?v=")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "failed"}, {"broken.png"}),
        ({"format__exact": "PNG"}, {"broken.png", "phone.png"}),
        ({"camera_make": "Apple"}, {"phone.png"}),
        ({"has_gps": "yes"}, {"phone.png"}),
        ({"has_gps": "no"}, {"IMG_0001.JPG", "broken.png"}),
        ({"q": "iPhone"}, {"phone.png"}),  # search by camera model
        ({"q": "bob"}, {"broken.png"}),  # by owner
        ({"taken_at__year": "2019"}, {"phone.png"}),  # date hierarchy
    ],
)
def test_filters_and_search(staff_client, alice, bob, query, expected):
    Photo.objects.bulk_create(
        [
            photo_row(alice),
            photo_row(
                alice,
                filename="phone.png",
                format="PNG",
                camera_make="Apple",
                camera_model="iPhone 15",
                gps_lat=48.85,
                gps_lon=2.29,
                taken_at=datetime(2019, 7, 14, 18, 30, tzinfo=UTC),
            ),
            photo_row(
                bob,
                filename="broken.png",
                format="PNG",
                status=PhotoStatus.FAILED,
                camera_make="",
                camera_model="",
            ),
        ]
    )

    response = staff_client.get(CHANGELIST, query)

    assert response.status_code == 200
    shown = {photo.filename for photo in response.context["cl"].result_list}
    assert shown == expected


def test_the_camera_make_filter_lists_the_makes_present(staff_client, alice):
    Photo.objects.bulk_create([photo_row(alice), photo_row(alice, camera_make="NIKON CORPORATION")])

    html = staff_client.get(CHANGELIST).content.decode()

    assert "?camera_make=Canon" in html
    assert "?camera_make=NIKON+CORPORATION" in html


def test_the_change_page_is_read_only_with_every_field_and_the_exif(staff_client, alice):
    photo = photo_row(
        alice,
        exif={"Software": "<script>alert(1)</script>", "ExposureProgram": 2},
        lens="EF 50mm f/1.8",
        iso=400,
        taken_at_offset="+02:00",
        gps_lat=48.8584,
        gps_lon=2.2945,
    )
    photo.save()

    response = staff_client.get(reverse("admin:photos_photo_change", args=[photo.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ["EF 50mm f/1.8", "400", "+02:00", "48.8584", "Canon EOS 5D", "4000 × 3000"]:
        assert text in html
    assert "<pre" in html
    assert "&quot;ExposureProgram&quot;: 2" in html  # pretty-printed JSON
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert 'name="_save"' not in html
    assert 'name="filename"' not in html  # no input fields


def test_photos_cannot_be_added_through_the_admin(staff_client):
    assert staff_client.get(reverse("admin:photos_photo_add")).status_code == 403


def test_reprocess_action(staff_client, alice, monkeypatch, run_jobs):
    dispatched = []
    monkeypatch.setitem(runners.RUNNERS, "inline", recording_runner(dispatched))
    failed = photo_row(alice, status=PhotoStatus.FAILED, error="internal error: OSError")
    waiting = photo_row(alice, status=PhotoStatus.UPLOADING, source_etag="")
    Photo.objects.bulk_create([failed, waiting])

    with run_jobs():
        response = staff_client.post(
            CHANGELIST,
            {"action": "reprocess", "_selected_action": [str(failed.pk), str(waiting.pk)]},
            follow=True,
        )

    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == PhotoStatus.PROCESSING
    assert failed.error == ""
    assert [r.key for r in dispatched] == [failed.original_key]
    html = response.content.decode()
    assert "1 photo queued again." in html
    assert "1 photo skipped: not uploaded yet." in html


def test_reprocess_from_the_change_page(staff_client, alice, monkeypatch, run_jobs):
    dispatched = []
    monkeypatch.setitem(runners.RUNNERS, "inline", recording_runner(dispatched))
    photo = photo_row(alice, status=PhotoStatus.FAILED, error="internal error: OSError")
    photo.save()
    url = reverse("admin:photos_photo_change", args=[photo.pk])
    assert "Reprocess (renditions and metadata)" in staff_client.get(url).content.decode()

    with run_jobs():
        response = staff_client.post(
            url, {"CHANGE_FORM-action": "reprocess", "_selected_action": str(photo.pk)}
        )

    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.PROCESSING
    assert len(dispatched) == 1


def test_bulk_delete_takes_the_files_along(staff_client, alice, media_root, run_jobs):
    photos = [photo_row(alice), photo_row(alice)]
    Photo.objects.bulk_create(photos)
    files = []
    for photo in photos:
        for key in (photo.original_key, photo.renditions["thumb"]["key"]):
            path = media_root / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x")
            files.append(path)

    actions = staff_client.get(CHANGELIST).content.decode()
    assert "Delete selected photos with their files" in actions
    with run_jobs():
        response = staff_client.post(
            CHANGELIST,
            {
                "action": "delete_selected",
                "_selected_action": [str(p.pk) for p in photos],
                "post": "yes",
            },
        )

    assert response.status_code == 302
    assert not Photo.objects.exists()
    assert not any(path.exists() for path in files)


def test_deleting_one_photo_takes_its_files_along(staff_client, alice, media_root, run_jobs):
    photo = photo_row(alice)
    photo.save()
    original = media_root / photo.original_key
    original.parent.mkdir(parents=True)
    original.write_bytes(b"x")

    with run_jobs():
        response = staff_client.post(
            reverse("admin:photos_photo_delete", args=[photo.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Photo.objects.exists()
    assert not original.exists()
