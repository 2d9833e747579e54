"""The number of queries a page costs must not grow with the number of photos: measured with
10 photos and again with 1,000, across several owners so an N+1 on the owner would show."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from webapp.photos import selectors
from webapp.photos.models import Photo, PhotoStatus
from webapp.photos.serializers import photo_to_dict

pytestmark = pytest.mark.django_db


def add_photos(owners, count: int) -> list[Photo]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    photos = []
    for i in range(count):
        photo_id = uuid.uuid4()
        photos.append(
            Photo(
                id=photo_id,
                owner=owners[i % len(owners)],
                filename=f"IMG_{i:04}.JPG",
                original_key=f"uploads/{photo_id}/IMG_{i:04}.jpg",
                content_type="image/jpeg",
                declared_size=1_000_000 + i,
                bytes=1_000_000 + i,
                status=PhotoStatus.READY,
                source_etag=f"{i:032x}",
                processed_at=start,
                format="JPEG",
                width=4000,
                height=3000,
                camera_make=["Canon", "NIKON", "Apple"][i % 3],
                camera_model="Model",
                taken_at=start + timedelta(hours=i),
                gps_lat=1.0 if i % 2 else None,
                gps_lon=2.0 if i % 2 else None,
                sha256=f"{i:064x}",
                metadata={"format": "JPEG", "width": 4000, "height": 3000},
                exif={"Make": "Canon", "Blob": "x" * 100},
                renditions={
                    name: {
                        "key": f"renditions/{photo_id}/{name}.webp",
                        "width": px,
                        "height": px * 3 // 4,
                        "bytes": px * 10,
                    }
                    for name, px in (("thumb", 256), ("medium", 1024), ("large", 2048))
                },
                placeholder="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
                placeholder_data_url="data:image/png;base64,AAAA",
            )
        )
    return Photo.objects.bulk_create(photos, batch_size=500)


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


@pytest.fixture
def owners(alice, bob, django_user_model):
    carol = django_user_model.objects.create_user("carol", "carol@example.com", "pw")
    return [alice, bob, carol]


def test_gallery_selector_page_is_one_query(alice, owners):
    def page():
        photos = list(selectors.photo_list(owner=alice, order="taken")[:48])
        return [photo_to_dict(photo) for photo in photos]

    add_photos(owners, 10)
    few = count_queries(page)
    add_photos(owners, 990)
    many = count_queries(page)

    assert len(page()) == 48
    assert few == many == 1


def test_gallery_page_costs_the_same_for_10_or_1000_photos(alice_client, owners):
    def page():
        response = alice_client.get("/")
        assert response.status_code == 200

    add_photos(owners, 10)
    page()  # warm up: session and template loading
    few = count_queries(page)
    add_photos(owners, 990)
    many = count_queries(page)

    assert few == many


def test_admin_changelist_costs_the_same_for_10_or_1000_photos(staff_client, owners):
    def changelist():
        response = staff_client.get("/admin/photos/photo/")
        assert response.status_code == 200
        return response

    add_photos(owners, 10)
    changelist()
    few = count_queries(changelist)
    add_photos(owners, 990)
    many = count_queries(changelist)

    assert len(changelist().context["cl"].result_list) == 50
    assert few == many


def test_admin_show_all_does_not_query_per_row(staff_client, owners):
    add_photos(owners, 10)
    small = count_queries(lambda: staff_client.get("/admin/photos/photo/", {"all": ""}))
    add_photos(owners, 190)  # list_max_show_all is 200

    large = count_queries(lambda: staff_client.get("/admin/photos/photo/", {"all": ""}))

    assert small == large


def test_status_api_costs_the_same_for_1_or_100_ids(alice_client, alice, owners):
    photos = add_photos([alice], 100)

    def status(ids):
        response = alice_client.get("/api/photos", {"ids": ",".join(str(p.pk) for p in ids)})
        assert len(response.json()["photos"]) == len(ids)

    status(photos[:1])
    one = count_queries(lambda: status(photos[:1]))
    hundred = count_queries(lambda: status(photos))

    assert one == hundred
