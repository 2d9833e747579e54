"""The admin reads like Darkroom's: its name, "View photo" on a page that changes nothing,
camera values as people write them, and the raw job outcome folded away without a second
copy of the EXIF."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from test_admin import CHANGELIST, photo_row

pytestmark = pytest.mark.django_db


def change_page(client, photo) -> str:
    response = client.get(reverse("admin:photos_photo_change", args=[photo.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_site_carries_darkrooms_name(staff_client):
    html = staff_client.get("/admin/").content.decode()

    assert "<title>Photos and accounts | Darkroom admin</title>" in html
    assert "Darkroom administration" in html
    assert "Django administration" not in html


def test_the_photo_page_says_view_photo_to_a_superuser(staff_client, alice):
    photo = photo_row(alice)
    photo.save()

    html = change_page(staff_client, photo)

    assert "<title>IMG_0001.JPG | View photo | Darkroom admin</title>" in html
    assert "<h1>View photo</h1>" in html
    assert "Change photo" not in html
    assert 'name="_save"' not in html


def test_the_photo_page_says_view_photo_to_view_only_staff(client, django_user_model, alice):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_photo"))
    client.force_login(viewer)
    photo = photo_row(alice)
    photo.save()

    html = change_page(client, photo)

    assert "<h1>View photo</h1>" in html


def test_the_list_says_select_photo_to_view(staff_client):
    html = staff_client.get(CHANGELIST).content.decode()

    assert "<h1>Select photo to view</h1>" in html


def test_camera_values_read_as_people_write_them(staff_client, alice):
    photo = photo_row(
        alice,
        exposure_time=1 / 250,
        f_number=2.8,
        focal_length=35.0,
        iso=400,
        bytes=4_200_000,
        declared_size=4_200_000,
    )
    photo.save()

    html = change_page(staff_client, photo)

    for text in ["1/250 s", "ƒ/2.8", "35 mm", "4.2 MB"]:
        assert f'<div class="readonly">{text}</div>' in html
    assert "0.004" not in html
    assert "4200000" not in html


def test_a_placeholder_value_is_shown_as_read_and_called_one(staff_client, alice):
    photo = photo_row(alice, exposure_time=4294967295.0, f_number=0.0, focal_length=50.0)
    photo.save()

    html = change_page(staff_client, photo)

    assert "4294967295 s (a placeholder the camera wrote: not shown on the photo page)" in html
    assert "ƒ/0.0 (a placeholder the camera wrote: not shown on the photo page)" in html
    assert '<div class="readonly">50 mm</div>' in html


def test_the_raw_job_outcome_is_folded_away_without_a_second_exif(staff_client, alice):
    exif = {"ExposureProgram": 2, "Software": "Darkroom Test 1.0", "LensMake": "Canon"}
    photo = photo_row(
        alice,
        exif=exif,
        jobs={
            "metadata": {
                "status": "done",
                "result": {"camera_make": "Canon", "exif": exif},
                "source_etag": "e1",
                "finished_at": "2026-12-02T02:00:00Z",
                "duration_ms": 84,
            },
            "renditions": {
                "status": "failed",
                "error": "corrupt JPEG",
                "source_etag": "e1",
                "finished_at": "2026-12-02T02:00:01Z",
                "duration_ms": 240.6,
            },
        },
    )
    photo.save()

    html = change_page(staff_client, photo)

    # every EXIF tag once, in the EXIF section
    assert html.count("Darkroom Test 1.0") == 1
    assert html.count("ExposureProgram") == 1
    # the raw outcome is in a collapsed section, pointing at the EXIF instead of repeating it
    raw = html.split("Raw job outcome")[0].rsplit("<fieldset", 1)[1]
    assert "collapse" in raw
    assert "<details><summary>" in html.split("Raw job outcome")[0][-300:]
    assert "3 tags: see the EXIF section" in html
    # and a summary anyone can read, open on the page
    assert "metadata: done in 84 ms at 2026-12-02T02:00:00Z" in html
    assert "renditions: failed (corrupt JPEG) in 241 ms at 2026-12-02T02:00:01Z" in html


def test_the_admin_pages_carry_no_inline_style(staff_client, alice):
    photo = photo_row(alice, exif={"Software": "x"}, jobs={"metadata": {"status": "done"}})
    photo.save()

    pages = [change_page(staff_client, photo), staff_client.get(CHANGELIST).content.decode()]

    for html in pages:
        assert ' style="' not in html
        assert "photos/admin.css" in html


def test_the_list_has_narrow_columns_with_title_and_dimensions(staff_client, alice):
    photo_row(alice, title="Harbour at dusk").save()

    response = staff_client.get(CHANGELIST)

    html = response.content.decode()
    headers = [column["text"] for column in response.context["result_headers"]]
    # the selection checkbox and the thumbnail first, then six short columns
    assert headers[2:] == ["name", "owner", "status", "camera", "taken", "size"]
    assert headers[1] == ""
    assert "Harbour at dusk<br>" in html and "IMG_0001.JPG" in html
    assert "2.5 MB<br>" in html and "4000 × 3000" in html
    assert "2021-05-01 12:00" in html
