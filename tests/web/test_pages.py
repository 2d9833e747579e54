"""The pages a user sees: gallery (ordering, keyset pagination), photo page, upload page."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import PhotoFactory  # tests/web/factories.py

from webapp.photos.models import Photo
from webapp.photos.pagination import Cursor, keyset_page
from webapp.photos.selectors import photo_list
from webapp.photos.templatetags import photo_format as fmt

BASE_TIME = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


# Media root, inline runner and fast password hashing come from tests/web/conftest.py.


@pytest.fixture
def owner(alice):
    return alice


@pytest.fixture
def stranger(bob):
    return bob


@pytest.fixture
def owner_client(alice_client):
    return alice_client


def bulk_photos(owner, count, *, same_time_every=3, taken_every=None) -> list[Photo]:
    """`count` photos; every `same_time_every` share one created_at (so ties are broken by
    id), and only every `taken_every`-th has a date taken (the others have none)."""
    photos = PhotoFactory.build_batch(count, owner=owner, ready=True)
    Photo.objects.bulk_create(photos)
    for i, photo in enumerate(photos):
        photo.created_at = BASE_TIME - timedelta(minutes=i // same_time_every)
        if taken_every and i % taken_every == 0:
            photo.taken_at = BASE_TIME - timedelta(days=(i * 7919) % 500)
    # bulk_create stamps created_at with "now": bulk_update writes the wanted values.
    Photo.objects.bulk_update(photos, ["created_at", "taken_at"], batch_size=500)
    return photos


def expected_order(photos, order) -> list[uuid.UUID]:
    """The order the gallery promises, computed in Python from the rows as stored."""
    rows = list(Photo.objects.filter(pk__in=[p.pk for p in photos]))
    # Compare ids the way the database does (SQLite stores them as hex text, PostgreSQL as
    # uuid; both order like the hex string).
    if order == "taken":
        rows.sort(
            key=lambda p: (
                p.taken_at is not None,
                p.taken_at or BASE_TIME,
                p.created_at,
                p.id.hex,
            ),
            reverse=True,
        )
    else:
        rows.sort(key=lambda p: (p.created_at, p.id.hex), reverse=True)
    return [p.id for p in rows]


def walk_forward(queryset, order, size):
    pages, after = [], None
    while True:
        page = keyset_page(queryset, order=order, after=after, size=size)
        pages.append(page)
        if not page.older:
            return pages
        after = Cursor.decode(page.older)


# --- access -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["photos:gallery", "photos:upload"])
def test_pages_need_a_login(client, name):
    # when
    response = client.get(reverse(name))
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse(name)}"


@pytest.mark.django_db
def test_photo_page_needs_a_login(client, owner):
    photo = PhotoFactory(owner=owner, ready=True)
    url = reverse("photos:detail", kwargs={"photo_id": photo.id})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_another_users_photo_is_not_found(client, owner, stranger):
    # given
    photo = PhotoFactory(owner=owner, ready=True)
    client.force_login(stranger)
    url = reverse("photos:detail", kwargs={"photo_id": photo.id})
    # when / then: neither seen nor deletable through the page
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "delete"}).status_code == 404
    assert Photo.objects.filter(pk=photo.pk).exists()


# --- gallery ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_gallery_shows_only_own_photos_newest_first(owner_client, owner, stranger):
    # given
    older = PhotoFactory(
        owner=owner, ready=True, filename="older.jpg", created_at=BASE_TIME - timedelta(days=1)
    )
    newer = PhotoFactory(owner=owner, ready=True, filename="newer.jpg", created_at=BASE_TIME)
    PhotoFactory(owner=stranger, ready=True, filename="not-yours.jpg")
    # when
    response = owner_client.get(reverse("photos:gallery"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "not-yours.jpg" not in html
    assert [p.id for p in response.context["photos"]] == [newer.id, older.id]
    assert html.index("newer.jpg") < html.index("older.jpg")


@pytest.mark.django_db
def test_gallery_thumbnails_are_responsive_and_lazy(owner_client, owner):
    photo = PhotoFactory(owner=owner, ready=True)
    html = owner_client.get(reverse("photos:gallery")).content.decode()
    thumb = f"/media/photos/{photo.id}/thumb.webp"
    medium = f"/media/photos/{photo.id}/medium.webp"
    assert thumb in html and medium in html
    assert " 256w, " in html and " 1024w" in html
    assert 'loading="lazy"' in html
    assert 'width="1024" height="683"' in html  # the aspect of the rendition: no layout shift
    assert "sizes=" in html
    # painted by app.js from the data attribute: the CSP allows no inline style attribute
    assert 'data-placeholder="data:image/png;base64,iVBORw0KGgo="' in html
    assert "style=" not in html
    assert reverse("photos:detail", kwargs={"photo_id": photo.id}) in html


@pytest.mark.django_db
def test_gallery_shows_pending_and_failed_photos(owner_client, owner):
    PhotoFactory(owner=owner, filename="busy.jpg", processing=True)
    PhotoFactory(owner=owner, filename="bad.png", failed=True, error="corrupt PNG")
    html = owner_client.get(reverse("photos:gallery")).content.decode()
    assert 'data-status="processing"' in html
    assert "Processing…" in html
    assert 'data-status="failed"' in html
    assert "corrupt PNG" in html
    assert "data-has-pending" in html  # the script polls only when something is pending


@pytest.mark.django_db
def test_empty_gallery_links_to_upload(owner_client):
    html = owner_client.get(reverse("photos:gallery")).content.decode()
    assert "No photos yet" in html
    assert f'href="{reverse("photos:upload")}"' in html


@pytest.mark.django_db
def test_gallery_orders_by_date_taken_with_undated_photos_last(owner_client, owner):
    # given: uploaded in one order, taken in another, one without a date
    undated = PhotoFactory(owner=owner, ready=True, filename="undated.jpg", created_at=BASE_TIME)
    summer = PhotoFactory(
        owner=owner,
        ready=True,
        filename="summer.jpg",
        taken_at=datetime(2023, 7, 1, tzinfo=UTC),
        created_at=BASE_TIME - timedelta(hours=2),
    )
    winter = PhotoFactory(
        owner=owner,
        ready=True,
        filename="winter.jpg",
        taken_at=datetime(2023, 1, 1, tzinfo=UTC),
        created_at=BASE_TIME - timedelta(hours=1),
    )
    # when
    by_taken = owner_client.get(reverse("photos:gallery"), {"order": "taken"})
    by_added = owner_client.get(reverse("photos:gallery"))
    # then
    assert [p.id for p in by_taken.context["photos"]] == [summer.id, winter.id, undated.id]
    assert [p.id for p in by_added.context["photos"]] == [undated.id, winter.id, summer.id]
    assert by_taken.context["order"] == "taken"
    assert 'aria-current="true">Date taken' in by_taken.content.decode()


@pytest.mark.django_db
def test_unknown_order_or_mangled_cursor_shows_the_first_page(owner_client, owner):
    photo = PhotoFactory(owner=owner, ready=True)
    response = owner_client.get(reverse("photos:gallery"), {"order": "nope", "after": "%%%"})
    assert response.status_code == 200
    assert response.context["order"] == "created"
    assert [p.id for p in response.context["photos"]] == [photo.id]


# --- keyset pagination ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("order", ["created", "taken"])
@pytest.mark.parametrize("size", [7, 48])
def test_keyset_pages_cover_every_photo_once_in_order(owner, stranger, order, size):
    # given: 1000 photos with created_at ties and most without a date taken
    photos = bulk_photos(owner, 1000, same_time_every=3, taken_every=4)
    bulk_photos(stranger, 20)
    queryset = photo_list(owner=owner, order=order)
    # when
    pages = walk_forward(queryset, order, size)
    # then
    seen = [photo.id for page in pages for photo in page.photos]
    assert seen == expected_order(photos, order)
    assert len(pages) == -(-1000 // size)
    assert pages[0].newer is None
    assert all(page.newer for page in pages[1:])
    assert all(len(page.photos) == size for page in pages[:-1])


@pytest.mark.django_db
@pytest.mark.parametrize("order", ["created", "taken"])
def test_newer_links_walk_back_through_the_same_pages(owner, order):
    # given
    bulk_photos(owner, 100, same_time_every=4, taken_every=3)
    queryset = photo_list(owner=owner, order=order)
    forward = walk_forward(queryset, order, 9)
    # when: from the last page, follow "Newer" to the start
    backward = [forward[-1]]
    while backward[-1].newer:
        before = Cursor.decode(backward[-1].newer)
        backward.append(keyset_page(queryset, order=order, before=before, size=9))
    backward.reverse()
    # then: the same pages with the same links, except that page 1 reached backwards is a
    # full page (it is the first 9) just like page 1 reached from the start
    assert [[p.id for p in page.photos] for page in backward] == [
        [p.id for p in page.photos] for page in forward
    ]
    assert [(page.newer, page.older) for page in backward] == [
        (page.newer, page.older) for page in forward
    ]


@pytest.mark.django_db
def test_no_empty_last_page_when_the_count_is_a_multiple_of_the_page_size(owner):
    bulk_photos(owner, 96)
    queryset = photo_list(owner=owner)
    first = keyset_page(queryset, size=48)
    second = keyset_page(queryset, after=Cursor.decode(first.older), size=48)
    assert len(second.photos) == 48
    assert second.older is None
    assert second.newer is not None


@pytest.mark.django_db
def test_cursor_survives_a_round_trip_and_rejects_junk():
    cursor = Cursor(
        created_at=datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        id=uuid.uuid4(),
        taken_at=datetime(2023, 1, 1, tzinfo=UTC),
    )
    assert Cursor.decode(cursor.encode()) == cursor
    undated = Cursor(created_at=cursor.created_at, id=cursor.id)
    assert Cursor.decode(undated.encode()) == undated
    for junk in ["", "abc", "%%%", "WzEsMiwzXQ"]:  # the last one is base64 of [1,2,3]
        with pytest.raises(ValueError):
            Cursor.decode(junk)


@pytest.mark.django_db
@pytest.mark.parametrize("order", ["created", "taken"])
def test_gallery_pages_cost_the_same_queries_at_any_depth(owner_client, owner, settings, order):
    # given: each page drawn, never kept (what a kept page costs: test_gallery_cache.py)
    settings.PHOTOS_GALLERY_CACHE_SECONDS = 0
    bulk_photos(owner, 1000, same_time_every=2, taken_every=3)
    url = reverse("photos:gallery")
    first = owner_client.get(url, {"order": order})
    # when: the first page, the second, one deep in the middle, and the last
    cursor = first.context["page"].older
    counts, depth = [], 1
    with CaptureQueriesContext(connection) as first_queries:
        owner_client.get(url, {"order": order})
    while cursor:
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(url, {"order": order, "after": cursor})
        depth += 1
        if depth in (2, 10, 21):
            counts.append(len(queries))
        cursor = response.context["page"].older
    # then: 21 pages of 48; every later page costs the same queries (session, user, the
    # filter form's choices, the page, the EXISTS for "Newer", and in "date taken" order
    # the timeline's counts per month), the first page one fewer (it has no "Newer")
    assert depth == 21
    assert counts == [counts[0]] * 3
    assert counts[0] <= 6 + (order == "taken")
    assert len(first_queries) == counts[0] - 1
    sql = [q["sql"].upper() for q in queries.captured_queries]
    assert not any(" OFFSET " in query for query in sql)
    # No COUNT(*) of the gallery: the only count is the month scrubber's, per month.
    assert all("GROUP BY" in query for query in sql if "COUNT(" in query)


@pytest.mark.django_db
def test_gallery_links_older_and_newer_pages(owner_client, owner):
    bulk_photos(owner, 60)
    first = owner_client.get(reverse("photos:gallery"))
    html = first.content.decode()
    assert "Older →" in html and "← Newer" not in html
    older = owner_client.get(reverse("photos:gallery"), {"after": first.context["page"].older})
    html = older.content.decode()
    assert len(older.context["photos"]) == 12
    assert "← Newer" in html and "Older →" not in html


# --- photo page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_photo_page_shows_formatted_metadata(owner_client, owner):
    # given
    photo = PhotoFactory(
        owner=owner,
        ready=True,
        filename="IMG_1234.HEIC",
        format="HEIF",
        mime="image/heic",
        bytes=3_300_000,
        width=4032,
        height=3024,
        camera_make="Apple",
        camera_model="iPhone 13 Pro",
        lens="iPhone 13 Pro back dual wide camera 5.7mm f/1.5",
        exposure_time=1 / 250,
        f_number=1.5,
        iso=50,
        focal_length=5.7,
        taken_at=datetime(2023, 2, 21, 14, 33, 8, tzinfo=UTC),
        taken_at_offset="+03:00",
        gps_lat=44.850478,
        gps_lon=34.976647,
        gps_alt=12.4,
    )
    # when
    response = owner_client.get(reverse("photos:detail", kwargs={"photo_id": photo.id}))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "IMG_1234.HEIC",
        "Apple iPhone 13 Pro",
        "iPhone 13 Pro back dual wide camera 5.7mm f/1.5",
        "1/250 s",
        "ƒ/1.5",
        "ISO 50",
        "5.7 mm",
        "21 Feb 2023, 14:33:08 (UTC+03:00)",
        "4032 × 3024 px (12.2\u00a0MP)",
        "HEIF",
        "3.3 MB",
        "44.85048°\u00a0N, 34.97665°\u00a0E",
        "12 m above sea level",
    ]:
        assert text in html, text
    assert (
        'href="https://www.openstreetmap.org/?mlat=44.85048&amp;mlon=34.97665'
        '#map=16/44.85048/34.97665"' in html
    )
    assert f'href="/media/photos/{photo.id}/original"' in html
    assert " 1024w, " in html and " 2048w" in html  # medium and large in the srcset
    assert "openstreetmap.org" not in html.replace("https://www.openstreetmap.org/?mlat", "")


@pytest.mark.django_db
def test_photo_page_never_draws_a_small_photo_wider_than_it_is(owner_client, owner):
    # given: a 128 px photo, whose renditions are all 128 px (never upscaled)
    small = {"width": 128, "height": 128}
    photo = PhotoFactory(
        owner=owner,
        ready=True,
        width=128,
        height=128,
        renditions={
            name: {"key": f"renditions/x/{name}.webp", **small}
            for name in ("thumb", "medium", "large")
        },
    )

    # when
    html = owner_client.get(reverse("photos:detail", args=[photo.id])).content.decode()

    # then: capped at its own width, with the placeholder still intact (escaped once)
    assert 'data-max-width="128"' in html
    assert 'data-placeholder="data:image/png;base64,iVBORw0KGgo="' in html
    assert "&amp;" not in html


@pytest.mark.django_db
def test_photo_page_links_a_duplicate_to_the_first_upload(owner_client, owner):
    first = PhotoFactory(owner=owner, ready=True, filename="first.jpg", sha256="ab" * 32)
    again = PhotoFactory(
        owner=owner, ready=True, filename="again.jpg", sha256="ab" * 32, duplicate_of=first
    )
    html = owner_client.get(reverse("photos:detail", kwargs={"photo_id": again.id})).content
    html = html.decode()
    assert "Duplicate" in html
    assert f'href="{reverse("photos:detail", kwargs={"photo_id": first.id})}">first.jpg</a>' in html


@pytest.mark.django_db
def test_photo_page_says_why_a_photo_failed(owner_client, owner):
    photo = PhotoFactory(owner=owner, failed=True, error="corrupt JPEG")
    html = owner_client.get(reverse("photos:detail", kwargs={"photo_id": photo.id})).content
    assert b"could not be processed" in html
    assert b"corrupt JPEG" in html
    assert b"<img" not in html


@pytest.mark.django_db
def test_photo_page_of_a_processing_photo_waits_for_it(owner_client, owner):
    photo = PhotoFactory(owner=owner, processing=True)
    html = owner_client.get(reverse("photos:detail", kwargs={"photo_id": photo.id})).content
    assert b'data-status="processing"' in html
    assert b"Processing" in html
    assert b"photos/detail.js" in html


@pytest.mark.django_db
def test_photo_can_be_deleted_without_javascript(owner_client, owner):
    # given
    photo = PhotoFactory(owner=owner, ready=True, filename="gone.jpg")
    url = reverse("photos:detail", kwargs={"photo_id": photo.id})
    # when: a post without the delete action does nothing
    assert owner_client.post(url).status_code == 302
    assert Photo.objects.filter(pk=photo.pk).exists()
    response = owner_client.post(url, {"action": "delete"}, follow=True)
    # then
    assert response.redirect_chain[-1][0] == reverse("photos:gallery")
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert "Deleted gone.jpg." in response.content.decode()


# --- upload page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_page_has_a_file_picker_and_the_api_config(owner_client, settings):
    settings.PHOTOS_MAX_UPLOAD_BYTES = 50_000_000
    html = owner_client.get(reverse("photos:upload")).content.decode()
    assert 'type="file"' in html and "multiple" in html
    assert 'accept="image/*,.heic,.heif,.avif"' in html
    assert '<label class="button button--primary" for="file-input">' in html
    assert "up to 50 MB each" in html
    assert f'"uploadsUrl": "{reverse("api:uploads")}"' in html
    assert f'"photosUrl": "{reverse("api:photos")}"' in html
    assert "photos/upload.js" in html
    assert 'aria-live="polite"' in html


@pytest.mark.django_db
def test_navigation_shows_admin_only_to_staff(client, owner, django_user_model):
    client.force_login(owner)
    assert reverse("admin:index") not in client.get(reverse("photos:upload")).content.decode()
    staff = django_user_model.objects.create_user("staffer", password="x", is_staff=True)
    client.force_login(staff)
    html = client.get(reverse("photos:upload")).content.decode()
    assert reverse("admin:index") in html
    assert 'class="skip-link" href="#main"' in html


# --- formatting filters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1 / 250, "1/250 s"),
        (0.004, "1/250 s"),
        (1 / 60, "1/60 s"),
        (0.0166, "1/60 s"),
        (1 / 8000, "1/8000 s"),
        (0.5, "1/2 s"),
        (1 / 3, "1/3 s"),
        (0.3, "0.3 s"),
        (1, "1 s"),
        (2.5, "2.5 s"),
        (30, "30 s"),
        (None, ""),
        (0, ""),
    ],
)
def test_exposure(seconds, text):
    assert fmt.exposure(seconds) == text


@pytest.mark.parametrize(
    ("value", "text"), [(2.8, "ƒ/2.8"), (8.0, "ƒ/8"), (1.85, "ƒ/1.9"), (11, "ƒ/11"), (None, "")]
)
def test_f_number(value, text):
    assert fmt.f_number(value) == text


@pytest.mark.parametrize(
    ("value", "text"), [(35.0, "35 mm"), (5.7, "5.7 mm"), (6.81, "6.8 mm"), (None, "")]
)
def test_focal_length(value, text):
    assert fmt.focal_length(value) == text


def test_iso():
    assert fmt.iso(400) == "ISO 400"
    assert fmt.iso(None) == ""


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 bytes"),
        (512, "512 bytes"),
        (1500, "1.5 KB"),
        (3_300_000, "3.3 MB"),
        (80_000_000, "80 MB"),
        (50_000_000, "50 MB"),
        (None, ""),
    ],
)
def test_human_bytes(n, text):
    assert fmt.human_bytes(n) == text


@pytest.mark.parametrize(
    ("make", "model", "text"),
    [
        ("Apple", "iPhone 13 Pro", "Apple iPhone 13 Pro"),
        ("Canon", "Canon EOS R5", "Canon EOS R5"),
        ("NIKON CORPORATION", "NIKON D750", "NIKON D750"),  # the corporate words go
        ("OLYMPUS IMAGING CORP.", "E-P3", "OLYMPUS E-P3"),
        ("", "XXX-XXX", "XXX-XXX"),
        ("Xiaomi", "", "Xiaomi"),
        (None, None, ""),
    ],
)
def test_camera(make, model, text):
    assert fmt.camera(make, model) == text


def test_taken_prints_the_camera_wall_clock_with_its_offset():
    moment = datetime(2023, 4, 27, 19, 44, 18, tzinfo=UTC)
    assert fmt.taken(moment, "+03:00") == "27 Apr 2023, 19:44:18 (UTC+03:00)"
    assert fmt.taken(moment, "") == "27 Apr 2023, 19:44:18"
    assert fmt.taken(None, "+03:00") == ""


def test_dimensions():
    assert fmt.dimensions(4032, 3024) == "4032 × 3024 px (12.2\u00a0MP)"
    assert fmt.dimensions(128, 128) == "128 × 128 px"
    assert fmt.dimensions(None, 10) == ""


def test_coordinates_and_openstreetmap_link():
    assert fmt.coordinates(-33.856784, 151.215297) == "33.85678°\u00a0S, 151.21530°\u00a0E"
    assert fmt.coordinates(47.2273, -39.7) == "47.22730°\u00a0N, 39.70000°\u00a0W"
    assert fmt.osm_url(-33.856784, 151.215297) == (
        "https://www.openstreetmap.org/?mlat=-33.85678&mlon=151.21530#map=16/-33.85678/151.21530"
    )
    assert fmt.coordinates(None, 1.0) == ""
    assert fmt.osm_url(1.0, None) == ""


def test_altitude():
    assert fmt.altitude(12.4) == "12 m above sea level"
    assert fmt.altitude(-3) == "3 m below sea level"
    assert fmt.altitude(None) == ""
