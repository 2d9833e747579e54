"""Browsing like a photo app (issue 12): search and filters in the URL, the timeline (oldest
first too, impossible dates unknown, counts per month), the neighbours the viewer and the
photo page step through, and deleting a selection of photos."""

import importlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from factories import PhotoFactory

from webapp.photos import services, timeline
from webapp.photos.filters import PhotoFilter
from webapp.photos.models import Photo

pytestmark = pytest.mark.django_db

GALLERY = "/"


def ids(photos) -> list:
    return [photo.id for photo in photos]


def gallery(client, **params):
    response = client.get(GALLERY, params)
    assert response.status_code == 200
    return response


@pytest.fixture
def shelf(alice, bob):
    """Alice's photos, each different in one thing a filter looks at; one of Bob's."""
    made = {
        "canon": PhotoFactory(
            owner=alice,
            ready=True,
            filename="IMG_0001.JPG",
            title="Harbour at dusk",
            camera_make="Canon",
            camera_model="Canon EOS R5",
            lens="RF24-105mm F4 L IS USM",
            taken_at=datetime(2023, 7, 14, 20, 0, tzinfo=UTC),
            gps_lat=43.3,
            gps_lon=5.4,
            age=timedelta(days=5),
        ),
        "nikon": PhotoFactory(
            owner=alice,
            ready=True,
            filename="DSC_0420.NEF.jpg",
            caption="Grandma's garden in spring",
            camera_make="NIKON CORPORATION",
            camera_model="NIKON D800",
            lens="50.0 mm f/1.8",
            taken_at=datetime(2023, 4, 2, 10, 0, tzinfo=UTC),
            age=timedelta(days=4),
        ),
        "iphone": PhotoFactory(
            owner=alice,
            ready=True,
            filename="IMG_7781.HEIC",
            format="HEIF",
            camera_make="Apple",
            camera_model="iPhone 13",
            taken_at=datetime(2024, 1, 1, 0, 5, tzinfo=UTC),
            gps_lat=48.85,
            gps_lon=2.35,
            age=timedelta(days=3),
        ),
        "scan": PhotoFactory(
            owner=alice,
            ready=True,
            filename="scan-harbour.png",
            format="PNG",
            age=timedelta(days=2),
        ),
        "bobs": PhotoFactory(
            owner=bob,
            ready=True,
            filename="harbour-bob.jpg",
            camera_make="Canon",
            camera_model="Canon EOS R5",
            taken_at=datetime(2023, 7, 14, tzinfo=UTC),
        ),
    }
    return made


# --- Filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "harbour"}, ["scan", "canon"]),  # title and file name, never Bob's
        ({"q": "GARDEN"}, ["nikon"]),  # caption, any case
        ({"q": "iphone"}, ["iphone"]),  # camera model
        ({"q": "nikon grandma"}, ["nikon"]),  # every word must match somewhere
        ({"q": "nikon harbour"}, []),
        ({"camera": "Canon EOS R5"}, ["canon"]),
        ({"camera": "NIKON D800"}, ["nikon"]),  # the name shown, not "NIKON CORPORATION"
        ({"lens": "50.0 mm f/1.8"}, ["nikon"]),
        ({"format": "heif"}, ["iphone"]),
        ({"format": "PNG"}, ["scan"]),
        ({"gps": "yes"}, ["iphone", "canon"]),
        ({"gps": "no"}, ["scan", "nikon"]),
        ({"from": "2023-07-14", "to": "2023-07-14"}, ["canon"]),  # the whole day
        ({"from": "2023-05-01"}, ["iphone", "canon"]),
        ({"to": "2023-12-31"}, ["nikon", "canon"]),
        ({"q": "harbour", "gps": "yes", "order": "taken"}, ["canon"]),
    ],
)
def test_gallery_filters_from_the_url(alice_client, shelf, params, expected):
    response = gallery(alice_client, **params)

    assert ids(response.context["photos"]) == [shelf[name].id for name in expected]


def test_filter_form_offers_the_owners_own_values_and_keeps_the_choice(alice_client, shelf):
    html = gallery(alice_client, camera="NIKON D800", gps="no").content.decode()

    assert "<option selected>NIKON D800</option>" in html
    assert "<option>Canon EOS R5</option>" in html
    assert "<option>RF24-105mm F4 L IS USM</option>" in html
    assert '<option value="no" selected>Without location</option>' in html
    # Card links carry the filter, so the photo page and the viewer walk the same set.
    assert f"/photos/{shelf['nikon'].id}/?camera=NIKON+D800&amp;gps=no" in html


def test_bad_filter_values_are_said_in_words_and_left_out(alice_client, shelf):
    response = gallery(alice_client, **{"from": "yesterday", "gps": "maybe", "q": "x" * 300})
    html = response.content.decode()

    assert "From is not a date: yesterday (use YYYY-MM-DD)" in html
    assert "Location must be one of: yes, no" in html
    assert "q is too long: at most 200 characters" in html
    assert len(response.context["photos"]) == 4  # nothing filtered


def test_a_from_after_to_is_explained_not_an_empty_page():
    found = PhotoFilter.from_params({"from": "2024-02-01", "to": "2024-01-01"})
    assert found.date_from is None and found.date_to is None
    assert found.errors == ("From is after To: nothing can match, so the dates were left out",)


def test_filter_round_trips_through_its_query_string():
    found = PhotoFilter.from_params({"q": "  a   b ", "from": "2024-01-02", "gps": "yes"})
    assert found.query_string(order="taken") == "q=a+b&from=2024-01-02&gps=yes&order=taken"
    assert PhotoFilter.from_params({}).active is False


def test_an_empty_search_result_says_so(alice_client, shelf):
    html = gallery(alice_client, q="nothing-like-this").content.decode()
    assert "No photos match this search." in html


# --- Timeline -------------------------------------------------------------------------------


def test_oldest_first_keeps_undated_photos_last(alice_client, shelf):
    by_oldest = gallery(alice_client, order="taken_asc")
    by_newest = gallery(alice_client, order="taken")

    oldest = ["nikon", "canon", "iphone", "scan"]
    assert ids(by_oldest.context["photos"]) == [shelf[n].id for n in oldest]
    assert ids(by_newest.context["photos"]) == [
        shelf[n].id for n in ["iphone", "canon", "nikon", "scan"]
    ]


@pytest.mark.parametrize("order", ["taken_asc", "taken"])
def test_every_photo_once_paging_through_either_direction(alice_client, alice, order):
    start = datetime(2020, 1, 1, tzinfo=UTC)
    made = [
        PhotoFactory.build(
            owner=alice,
            # Same date taken for runs of three (ties break on upload time then id), every
            # fifth undated.
            taken_at=None if i % 5 == 0 else start + timedelta(days=(i // 3) * 7 % 400),
            created_at=start + timedelta(hours=i // 2),
        )
        for i in range(130)
    ]
    Photo.objects.bulk_create(made)
    seen, cursor = [], None
    while True:
        params = {"order": order, **({"after": cursor} if cursor else {})}
        page = gallery(alice_client, **params).context["page"]
        seen += page.photos
        cursor = page.older
        if not cursor:
            break

    undated = [p for p in seen if p.taken_at is None]
    dated = [p for p in seen if p.taken_at is not None]
    assert len(seen) == len({p.id for p in seen}) == 130
    assert seen[-len(undated) :] == undated  # the undated come last either way
    keys = [(p.taken_at, p.created_at, p.id) for p in dated]
    assert keys == sorted(keys, reverse=order == "taken")


def test_a_date_taken_after_the_upload_is_recorded_as_unknown(alice):
    photo = PhotoFactory(owner=alice, processing=True)
    record = {"ok": True, "format": "JPEG", "taken_at": "2099-09-29T10:10:00+02:00"}

    services.photo_results_record(
        photo_id=photo.id,
        job="metadata",
        outcome={"status": "done", "result": record, "source_etag": photo.source_etag},
    )

    photo.refresh_from_db()
    assert photo.taken_at is None and photo.taken_at_offset == ""
    assert photo.metadata["taken_at"] == "2099-09-29T10:10:00+02:00"  # kept as read


def test_the_migration_forgets_dates_taken_after_the_upload(alice):
    future = PhotoFactory(
        owner=alice, taken_at=datetime(2099, 1, 1, tzinfo=UTC), taken_at_offset="+01:00"
    )
    # A camera clock east of UTC may read a few hours "after" the upload: still believable.
    soon = PhotoFactory(owner=alice, taken_at=timezone.now() + timedelta(hours=10))
    migration = importlib.import_module("webapp.photos.migrations.0006_browse_indexes")

    migration.forget_impossible_dates(apps, None)

    future.refresh_from_db()
    soon.refresh_from_db()
    assert (future.taken_at, future.taken_at_offset) == (None, "")
    assert soon.taken_at is not None


def test_timeline_draws_month_and_day_headings_and_each_date(alice_client, shelf):
    html = gallery(alice_client, order="taken").content.decode()

    assert html.index("January 2024") < html.index("July 2023") < html.index("April 2023")
    assert '<time datetime="2023-07-14">Friday 14 July 2023</time>' in html
    assert '<h2 class="timeline__month">Date unknown</h2>' in html
    assert '<time class="photo-card__date" datetime="2023-04-02">2 Apr 2023</time>' in html
    # Not in upload order: no headings there.
    assert "timeline__month" not in gallery(alice_client).content.decode()


def test_timeline_days_group_consecutive_photos():
    class P:
        def __init__(self, taken):
            self.taken_at = taken

    a, b = P(datetime(2023, 7, 14, 9, tzinfo=UTC)), P(datetime(2023, 7, 14, 8, tzinfo=UTC))
    c, d, e = P(datetime(2023, 7, 1, tzinfo=UTC)), P(datetime(2023, 6, 30, tzinfo=UTC)), P(None)

    days = timeline.days([a, b, c, d, e])

    assert [(x.day, x.starts_month, len(x.photos)) for x in days] == [
        (date(2023, 7, 14), True, 2),
        (date(2023, 7, 1), False, 1),
        (date(2023, 6, 30), True, 1),
        (None, True, 1),
    ]


def test_month_counts_say_where_the_page_is_and_jump_to_a_month(alice_client, alice):
    # 3 photos in each of 30 months: the first page of 48 covers the 16 newest months.
    photos = [
        PhotoFactory.build(
            owner=alice, taken_at=datetime(2020 + m // 12, m % 12 + 1, d + 1, tzinfo=UTC)
        )
        for m in range(30)
        for d in range(3)
    ]
    Photo.objects.bulk_create(photos)

    first = gallery(alice_client, order="taken")
    months = first.context["months"]
    assert months[0] == (date(2022, 6, 1), 3)
    assert len(months) == 30 and first.context["total"] == 90
    html = first.content.decode()
    assert 'href="?order=taken&amp;month=2022-06" aria-current="true">Jun 2022' in html
    assert 'href="?order=taken&amp;month=2020-01">Jan 2020' in html

    jumped = gallery(alice_client, order="taken", month="2020-03")
    assert [p.taken_at.date() for p in jumped.context["photos"]][:4] == [
        date(2020, 3, 3),
        date(2020, 3, 2),
        date(2020, 3, 1),
        date(2020, 2, 3),
    ]
    assert jumped.context["page"].newer  # the months before it are a "Newer" link away

    oldest = gallery(alice_client, order="taken_asc", month="2021-12")
    assert oldest.context["photos"][0].taken_at == datetime(2021, 12, 1, tzinfo=UTC)
    # A mangled month shows the start.
    assert gallery(alice_client, order="taken", month="2021-13").context["paged"] is False


# --- Neighbours: the viewer and the photo page ----------------------------------------------


def test_neighbours_follow_the_order_and_the_filter(alice_client, shelf):
    url = reverse("api:photo-neighbours", kwargs={"photo_id": shelf["canon"].id})

    by_added = alice_client.get(url).json()
    by_taken = alice_client.get(url, {"order": "taken"}).json()
    with_gps = alice_client.get(url, {"order": "taken_asc", "gps": "yes"}).json()

    assert by_added["photo"]["id"] == str(shelf["canon"].id)
    assert (by_added["previous"]["id"], by_added["next"]) == (str(shelf["nikon"].id), None)
    assert by_taken["previous"]["id"] == str(shelf["iphone"].id)
    assert by_taken["next"]["id"] == str(shelf["nikon"].id)
    assert with_gps["previous"] is None and with_gps["next"]["id"] == str(shelf["iphone"].id)
    viewer = by_taken["next"]
    assert viewer["renditions"]["large"].startswith(f"/media/photos/{shelf['nikon'].id}/large")
    assert viewer["original_displayable"] is True  # a JPEG: the last zoom is the original
    assert viewer["detail_url"] == f"/photos/{shelf['nikon'].id}/"


def test_heic_originals_are_not_offered_to_the_browser(alice_client, shelf):
    url = reverse("api:photo-neighbours", kwargs={"photo_id": shelf["iphone"].id})
    assert alice_client.get(url).json()["photo"]["original_displayable"] is False


def test_neighbours_of_another_users_photo_are_a_404(alice_client, shelf):
    url = reverse("api:photo-neighbours", kwargs={"photo_id": shelf["bobs"].id})
    response = alice_client.get(url)
    assert response.status_code == 404
    assert response.json() == {"error": "no such photo"}


def test_photo_page_links_previous_and_next_with_the_gallery_query(alice_client, shelf):
    url = reverse("photos:detail", kwargs={"photo_id": shelf["canon"].id})

    html = alice_client.get(url, {"order": "taken", "q": "i"}).content.decode()

    nikon, iphone = shelf["nikon"].id, shelf["iphone"].id
    assert f'rel="next" id="photo-next" href="/photos/{nikon}/?q=i&amp;order=taken"' in html
    assert f'rel="prev" id="photo-prev" href="/photos/{iphone}/?q=i&amp;order=taken"' in html
    assert 'href="/?q=i&amp;order=taken">← Gallery' in html
    assert 'data-query="q=i&amp;order=taken"' in html


# --- Deleting a selection -------------------------------------------------------------------


def post_delete(client, body):
    return client.post(
        reverse("api:photos-delete"), json.dumps(body), content_type="application/json"
    )


def test_bulk_delete_removes_the_owners_photos_and_their_files(
    alice_client, upload, media_root, run_jobs
):
    first, second = upload(alice_client, "hopper.jpg"), upload(alice_client, "hopper.png")
    kept = upload(alice_client, "hopper.webp")
    assert (media_root / "renditions" / first).is_dir()

    with run_jobs():
        response = post_delete(alice_client, {"ids": [first, second, first]})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert sorted(p["name"] for p in body["deleted"]) == ["hopper.jpg", "hopper.png"]
    assert list(Photo.objects.values_list("pk", flat=True)) == [uuid.UUID(kept)]
    for photo_id in (first, second):
        assert not (media_root / "renditions" / photo_id).exists()
        assert not (media_root / "uploads" / photo_id).exists()
    assert (media_root / "uploads" / kept).is_dir()


def test_bulk_delete_ignores_other_users_photos_and_unknown_ids(alice_client, shelf):
    bobs = shelf["bobs"]
    response = post_delete(alice_client, {"ids": [str(bobs.id), str(uuid.uuid4())]})

    assert response.status_code == 200
    assert response.json() == {"deleted": [], "count": 0}
    assert Photo.objects.filter(pk=bobs.pk).exists()


def test_bulk_delete_files_go_only_once_the_rows_are_committed(
    alice, django_capture_on_commit_callbacks, monkeypatch
):
    photos = [PhotoFactory(owner=alice, ready=True) for _ in range(3)]
    removed = []
    monkeypatch.setattr(services, "_delete_files", removed.append)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.photos_delete(owner=alice, ids=[p.id for p in photos])
    assert removed == []  # nothing touched before the commit
    for callback in callbacks:
        callback()

    assert sorted(removed) == sorted(p.id for p in photos)


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", "the body must be JSON"),
        ({}, 'ids is required: {"ids": ["<photo id>", ...]}'),
        ({"ids": []}, 'ids is required: {"ids": ["<photo id>", ...]}'),
        ({"ids": "abc"}, 'ids is required: {"ids": ["<photo id>", ...]}'),
        ({"ids": ["abc"]}, "not a photo id: abc"),
        ({"ids": [1]}, "not a photo id: 1"),
        ({"ids": [str(uuid.uuid4()) for _ in range(501)]}, "too many ids: at most 500 at a time"),
    ],
)
def test_bulk_delete_refuses_bad_input_in_words(alice_client, shelf, body, message):
    raw = body if isinstance(body, str) else json.dumps(body)
    response = alice_client.post(reverse("api:photos-delete"), raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert Photo.objects.count() == 5


def test_bulk_delete_needs_a_login_and_a_post(client, alice_client):
    assert post_delete(client, {"ids": [str(uuid.uuid4())]}).status_code == 401
    assert alice_client.get(reverse("api:photos-delete")).status_code == 405


def test_the_photo_json_carries_the_date_taken_for_redrawn_cards(alice_client, shelf):
    # A card redrawn when its photo settles (photo-card.js) shows the date like the server's.
    canon = alice_client.get(reverse("api:photo", kwargs={"photo_id": shelf["canon"].id})).json()
    scan = alice_client.get(reverse("api:photo", kwargs={"photo_id": shelf["scan"].id})).json()
    assert canon["taken_at"] == "2023-07-14T20:00:00+00:00"
    assert scan["taken_at"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"to": "9999-12-31"},  # no day after it
        {"from": "0001-01-01", "to": "0001-01-01"},
        {"q": "harbour\x00", "camera": "\x00", "lens": "a\x00b"},  # PostgreSQL refuses NUL
        {"month": "9999-12", "order": "taken"},
        {"month": "0000-01", "order": "taken_asc"},
        {"order": "'; DROP TABLE photos_photo; --"},
        {"q": "%_%"},  # LIKE's wildcards are letters here
    ],
)
def test_hostile_filter_values_answer_a_page_never_a_500(alice_client, shelf, params):
    response = alice_client.get(GALLERY, params)
    assert response.status_code == 200
    url = reverse("api:photo-neighbours", kwargs={"photo_id": shelf["canon"].id})
    assert alice_client.get(url, params).status_code == 200
    detail = reverse("photos:detail", kwargs={"photo_id": shelf["canon"].id})
    assert alice_client.get(detail, params).status_code == 200


def test_the_last_day_filters_to_its_end(alice_client, shelf):
    assert len(gallery(alice_client, to="9999-12-31").context["photos"]) == 3  # the dated
    assert gallery(alice_client, q="%_%").context["photos"] == []
