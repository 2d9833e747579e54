"""Issue 11, "The gallery page itself": a 48-photo page cost four times /healthz. The cards
are rendered in Python (templatetags/photo_cards.py) from the columns they read, with no
template include nor reverse() per card; tests/bench/gallery_page.py measures the ratio.
These tests hold the shape that made it cheap: the work per page must not grow per card."""

import pytest
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import PhotoFactory

from webapp.photos import upload_state
from webapp.photos.templatetags import photo_cards

pytestmark = pytest.mark.django_db


def _gallery_cost(client, monkeypatch):
    import django.urls.base

    templates, reverses = [], []
    real_reverse = django.urls.base.reverse

    def counting_reverse(*args, **kwargs):
        reverses.append(args[0] if args else kwargs.get("viewname"))
        return real_reverse(*args, **kwargs)

    monkeypatch.setattr(django.urls.base, "reverse", counting_reverse)
    receiver = lambda sender, template, **kw: templates.append(template.name)  # noqa: E731
    template_rendered.connect(receiver)
    try:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("photos:gallery"))
    finally:
        template_rendered.disconnect(receiver)
    assert response.status_code == 200
    return len(templates), len(reverses), len(queries), response.content.decode()


def test_the_page_does_the_same_work_for_one_card_as_for_48(
    alice_client, alice, monkeypatch, settings
):
    # Drawn every time, never kept (the kept page's cost: test_gallery_cache.py).
    settings.PHOTOS_GALLERY_CACHE_SECONDS = 0
    PhotoFactory(owner=alice, ready=True)
    one = _gallery_cost(alice_client, monkeypatch)
    PhotoFactory.create_batch(47, owner=alice, ready=True)

    many = _gallery_cost(alice_client, monkeypatch)

    assert many[3].count('class="photo-card ') == 48
    assert many[:3] == one[:3]  # templates rendered, reverse() calls, queries


def test_python_cards_are_the_cards_the_page_script_draws(alice_client, alice, settings):
    ready = PhotoFactory(owner=alice, ready=True, title='Harbour "at" <dusk>')
    failed = PhotoFactory(owner=alice, failed=True, error="corrupt <JPEG>")
    cut = PhotoFactory(owner=alice, filename="cut.jpg", error=upload_state.INTERRUPTED)
    copy = PhotoFactory(owner=alice, ready=True, duplicate_of=ready)
    waiting = PhotoFactory(owner=alice, processing=True)

    html = alice_client.get(reverse("photos:gallery")).content.decode()

    def card(photo):
        start = html.index(f'data-photo-id="{photo.pk}"')
        return html[html.rindex("<li", 0, start) : html.index("</li>", start)]

    assert f'href="/photos/{ready.pk}/"' in card(ready)
    assert '<span class="photo-card__name">Harbour &quot;at&quot; &lt;dusk&gt;</span>' in card(
        ready
    )
    assert 'class="photo-img photo-card__img"' in card(ready)
    assert 'alt="Harbour &quot;at&quot; &lt;dusk&gt;"' in card(ready)
    assert '<p class="photo-card__error">corrupt &lt;JPEG&gt;</p>' in card(failed)
    assert "Upload interrupted" in card(cut) and "photo-card__retry" in card(cut)
    assert '<p class="photo-card__note">Duplicate</p>' in card(copy)
    assert "Processing…" in card(waiting) and 'class="spinner"' in card(waiting)
    assert set(photo_cards.CARD_FIELDS) >= {"status", "renditions", "title", "filename"}
