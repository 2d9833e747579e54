"""Issue 11, the gallery page's own cost: the filter form's choices and the failed photos'
count come from one query (selectors.gallery_facets), and the cards write their dates without
dateformat's general formatter (templatetags/photo_cards.py). These hold what each must
still say."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from factories import PhotoFactory, UserFactory

from webapp.photos import selectors
from webapp.photos.templatetags import photo_cards

pytestmark = pytest.mark.django_db


def test_facets_are_the_choices_and_the_failed_count_in_one_query(alice):
    PhotoFactory(owner=alice, ready=True, camera_make="Canon", camera_model="Canon EOS R5",
                 lens="RF24-105mm F4 L IS USM", format="JPEG")  # fmt: skip
    PhotoFactory(owner=alice, ready=True, camera_make="Canon", camera_model="Canon EOS R5",
                 lens="RF24-105mm F4 L IS USM", format="JPEG")  # fmt: skip
    PhotoFactory(owner=alice, ready=True, camera_make="NIKON CORPORATION",
                 camera_model="NIKON D800", lens="Unknown", format="PNG")  # fmt: skip
    PhotoFactory(owner=alice, failed=True)
    PhotoFactory(owner=alice, failed=True, camera_make="Canon", camera_model="Canon EOS R5",
                 lens="RF24-105mm F4 L IS USM", format="JPEG")  # fmt: skip
    PhotoFactory(owner=UserFactory(), failed=True, format="GIF")  # someone else's

    with CaptureQueriesContext(connection) as queries:
        choices, failed = selectors.gallery_facets(owner=alice)

    assert len(queries) == 1
    assert failed == 2 == selectors.photo_failed_count(owner=alice)
    assert choices == selectors.filter_choices(owner=alice)
    assert list(choices["cameras"]) == ["Canon EOS R5", "NIKON D800"]
    assert choices["lenses"] == ["RF24-105mm F4 L IS USM"]  # "Unknown" names nothing
    assert choices["formats"] == ["JPEG", "PNG"]


def test_the_failed_count_stops_at_the_cap(alice, monkeypatch):
    monkeypatch.setattr(selectors, "FAILED_COUNT_CAP", 2)
    PhotoFactory.create_batch(3, owner=alice, failed=True)

    assert selectors.gallery_facets(owner=alice)[1] == 2


def test_the_gallery_offers_removing_the_failed_photos(alice_client, alice):
    PhotoFactory.create_batch(2, owner=alice, failed=True)
    PhotoFactory(owner=alice, ready=True)

    html = alice_client.get(reverse("photos:gallery")).content.decode()

    assert 'id="remove-failed" data-count="2">Remove 2 failed photos</button>' in html


@pytest.mark.parametrize(
    "taken_at",
    [datetime(2023, 7, 4, 9, 30, tzinfo=UTC), datetime(987, 12, 31, 23, 59, tzinfo=UTC)],
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_cards_date_is_what_the_date_filter_writes(alice, taken_at, language):
    photo = PhotoFactory(owner=alice, ready=True, taken_at=taken_at)
    with translation.override(language):
        expected = Template(
            '<time class="photo-card__date" datetime="{{ t|date:"Y-m-d" }}">{{ t|date:"j M Y" }}'
            "</time>"
        ).render(Context({"t": taken_at}))
        html = photo_cards.photo_cards([photo])

    assert expected in html
