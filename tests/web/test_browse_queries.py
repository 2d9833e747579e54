"""Browsing stays fast at 10,000 photos: every page of the gallery (any order, any filter),
the viewer's neighbours and the photo page cost a fixed number of queries wherever they are
in the set, and each order is read straight off an index (no sort of the owner's photos)."""

import json
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import PhotoFactory, UserFactory

from webapp.photos import pagination
from webapp.photos.models import Photo

pytestmark = pytest.mark.django_db

COUNT = 10_000
START = datetime(2015, 1, 1, tzinfo=UTC)
CAMERAS = [("Canon", "Canon EOS R5"), ("NIKON CORPORATION", "NIKON D800"), ("Apple", "iPhone 13")]


def bulk(owner, count: int) -> list[Photo]:
    photos = []
    for i in range(count):
        make, model = CAMERAS[i % 3]
        photos.append(
            PhotoFactory.build(
                owner=owner,
                ready=True,
                filename=f"IMG_{i:05d}.JPG",
                title="Harbour" if i % 50 == 0 else "",
                camera_make=make,
                camera_model=model,
                lens="RF24-105mm F4 L IS USM" if i % 3 == 0 else "",
                format="PNG" if i % 10 == 0 else "JPEG",
                # Every seventh undated; dates spread over eight years, with ties.
                taken_at=None if i % 7 == 0 else START + timedelta(hours=(i * 37) % 70_000),
                gps_lat=45.0 if i % 2 else None,
                gps_lon=6.0 if i % 2 else None,
                created_at=START + timedelta(minutes=i // 2),
            )
        )
    return Photo.objects.bulk_create(photos, batch_size=1000)


@pytest.fixture
def ten_thousand(alice):
    bulk(alice, COUNT)
    bulk(UserFactory(), 500)  # someone else's, never counted, never shown
    return alice


FILTERS = [
    {},
    {"order": "taken"},
    {"order": "taken_asc"},
    {"q": "harbour"},
    {"camera": "NIKON D800", "order": "taken"},
    {"lens": "RF24-105mm F4 L IS USM", "gps": "yes"},
    {"format": "PNG", "order": "taken_asc"},
    {"from": "2016-01-01", "to": "2017-12-31", "order": "taken"},
]


def _queries(params) -> int:
    # session, user, the filter form's choices with the failed photos' count ("Remove N
    # failed photos", issue 11: one query, selectors.gallery_facets), the page, the EXISTS
    # for "Newer"; a camera's name is resolved to its (make, model) pairs; the timeline
    # counts months.
    return 5 + ("camera" in params) + (params.get("order") in ("taken", "taken_asc"))


def test_gallery_pages_cost_fixed_queries_at_10000_photos(
    alice_client, ten_thousand, django_assert_num_queries, settings
):
    # Each page drawn, never kept: what a kept page costs is test_gallery_cache.py's.
    settings.PHOTOS_GALLERY_CACHE_SECONDS = 0
    for params in FILTERS:
        first = alice_client.get("/", params)
        assert first.context["photos"], params
        # A page deep in the set: five pages on.
        cursor = first.context["page"].older
        for _ in range(4):
            if not cursor:
                break
            cursor = alice_client.get("/", {**params, "after": cursor}).context["page"].older

        with django_assert_num_queries(_queries(params) - 1):  # the first has no "Newer"
            alice_client.get("/", params)
        if cursor:
            with django_assert_num_queries(_queries(params)):
                response = alice_client.get("/", {**params, "after": cursor})
            assert response.status_code == 200
        # Not a benchmark: a guard against a page that reads the whole set (seconds).
        started = time.perf_counter()
        alice_client.get("/", params)
        assert time.perf_counter() - started < 1.5, params


def test_neighbours_and_photo_page_cost_fixed_queries_at_10000_photos(
    alice_client, ten_thousand, django_assert_num_queries
):
    photos = list(Photo.objects.filter(owner=ten_thousand).order_by("created_at")[:1])
    photos += list(Photo.objects.filter(owner=ten_thousand).order_by("-created_at")[:1])
    middle = Photo.objects.filter(owner=ten_thousand).order_by("created_at")[COUNT // 2]
    for photo in [*photos, middle]:
        url = reverse("api:photo-neighbours", kwargs={"photo_id": photo.id})
        # session, user, the photo, previous, next
        with django_assert_num_queries(5):
            assert alice_client.get(url, {"order": "taken_asc", "gps": "yes"}).status_code == 200
        detail = reverse("photos:detail", kwargs={"photo_id": photo.id})
        # session, user, the photo, previous, next; the organise panel: the owner's albums,
        # the photo's albums, its live sharing links
        with django_assert_num_queries(8):
            assert alice_client.get(detail, {"order": "taken"}).status_code == 200


def test_bulk_delete_costs_the_same_for_1_or_100_photos(
    alice_client, ten_thousand, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    ids = [
        str(pk)
        for pk in Photo.objects.filter(owner=ten_thousand).values_list("pk", flat=True)[:101]
    ]

    def delete(chunk):
        with django_capture_on_commit_callbacks(execute=False):
            response = alice_client.post(
                reverse("api:photos-delete"),
                json.dumps({"ids": chunk}),
                content_type="application/json",
            )
        assert response.json()["count"] == len(chunk)

    with CaptureQueriesContext(connection) as one:
        delete(ids[:1])
    with CaptureQueriesContext(connection) as hundred:
        delete(ids[1:101])
    assert len(one) == len(hundred)


def test_every_order_is_read_off_an_index(ten_thousand):
    """Each order's first page and a page after a cursor walk an index in order: no sort of
    the owner's 10,000 photos (SQLite: no TEMP B-TREE; PostgreSQL: no Sort node)."""
    mine = Photo.objects.filter(owner=ten_thousand)
    queries = []
    for order in pagination.ORDERS:
        ordered = mine.order_by(*pagination.forward(order))
        middle = pagination.Cursor.of(ordered[COUNT // 2])  # a page halfway through
        queries.append((order, ordered[:49]))
        queries.append((order, ordered.filter(pagination._after(middle, order))[:49]))
    sqlite = connection.vendor == "sqlite"
    if not sqlite:
        with connection.cursor() as db:
            db.execute("ANALYZE photos_photo")
    for order, query in queries:
        sql, params = query.query.sql_with_params()
        with connection.cursor() as db:
            db.execute(f"EXPLAIN {'QUERY PLAN ' if sqlite else ''}{sql}", params)
            plan = " ".join(str(row[-1]) for row in db.fetchall())
        if sqlite:
            assert "TEMP B-TREE" not in plan, (order, plan)
        else:
            # A full sort reads every row first; an incremental sort over an index already
            # in the leading key's order (as PostgreSQL may pick on this one-owner table)
            # stops after the page's rows and their ties.
            assert not re.search(r"(?<!Incremental )Sort  \(", plan), (order, plan)
            assert "Index Scan" in plan, (order, plan)
        if sqlite:
            assert "photo_owner_" in plan, (order, plan)
