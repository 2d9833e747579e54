"""What a link's visitor gets, without an account: renditions only, no GPS, no original
unless the owner allowed them, noindex (meta and header), a 404 for a dead link, 429 when
an address asks too often, and images only of what the link shows."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from album_helpers import ready_photo
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from webapp.photos import share_services
from webapp.photos.models import Album, ShareLink

pytestmark = pytest.mark.django_db

GPS = {"gps_lat": 48.858370, "gps_lon": 2.294481}


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()  # the rate limits count per address in the cache
    yield
    cache.clear()


@pytest.fixture
def visitor() -> Client:
    return Client()  # no session: nobody is logged in


@pytest.fixture
def photo(alice, media_root):
    return ready_photo(
        alice, media_root, title="Eiffel tower", taken_at=datetime(2026, 6, 1, tzinfo=UTC), **GPS
    )


@pytest.fixture
def album(alice, media_root, photo):
    album = Album.objects.create(owner=alice, title="Paris")
    album.entries.create(photo=photo, position=0)
    album.entries.create(photo=ready_photo(alice, media_root, title="Louvre"), position=1)
    return album


def link_to(owner, **kwargs) -> tuple[ShareLink, str]:
    link, token = share_services.share_create(owner=owner, **kwargs)
    return link, f"/s/{token}/"


def srcs(html: str) -> list[str]:
    return re.findall(r'<img[^>]* src="([^"]+)"', html)


def test_a_shared_photo_shows_its_renditions_and_nothing_private(visitor, alice, photo):
    _, url = link_to(alice, photo=photo)
    response = visitor.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Eiffel tower" in html
    # Images come through the link's own URLs, and only the renditions.
    [src] = srcs(html)
    assert src.startswith(f"{url}files/{photo.pk}/medium.webp")
    assert "/media/" not in html and "original" not in html
    assert "Download" not in html
    # No GPS in any form.
    assert "48.85" not in html and "openstreetmap" not in html.lower()
    # Its own look: no site navigation, no login or account links.
    assert 'class="site-nav"' not in html and "/accounts/" not in html
    assert 'href="/"' not in html


def test_the_rendition_is_streamed_through_the_token(visitor, alice, photo):
    _, url = link_to(alice, photo=photo)
    src = srcs(visitor.get(url).content.decode())[0]
    response = visitor.get(src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert b"".join(response.streaming_content) == f"RIFF-medium-{photo.pk}".encode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"].startswith("private")


def test_no_original_without_the_owners_consent(visitor, alice, photo):
    _, url = link_to(alice, photo=photo)
    assert visitor.get(f"{url}files/{photo.pk}/original").status_code == 404


def test_location_and_download_when_the_owner_allowed_them(visitor, alice, photo):
    _, url = link_to(alice, photo=photo, include_location=True, allow_download=True)
    html = visitor.get(url).content.decode()
    assert "48.85837" in html
    assert "https://www.openstreetmap.org/?mlat=48.85837" in html
    assert f'href="{url}files/{photo.pk}/original"' in html
    response = visitor.get(f"{url}files/{photo.pk}/original")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == f"ORIGINAL-{photo.pk}".encode()
    assert "attachment" in response["Content-Disposition"]


def test_location_alone_does_not_allow_the_download(visitor, alice, photo):
    _, url = link_to(alice, photo=photo, include_location=True)
    html = visitor.get(url).content.decode()
    assert "48.85837" in html and "original" not in html


def test_not_indexed_meta_and_header(visitor, alice, photo):
    _, url = link_to(alice, photo=photo)
    response = visitor.get(url)
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"  # the token is in the URL
    assert response["Cache-Control"] == "private, no-cache"


def test_a_shared_album_in_the_albums_order(visitor, alice, album, photo):
    album.order = "custom"
    album.save()
    album.entries.filter(photo=photo).update(position=5)  # the tower last
    _, url = link_to(alice, album=album)
    response = visitor.get(url)
    html = response.content.decode()
    assert "<h1" in html and "Paris" in html
    names = re.findall(r'class="shared-card__name">([^<]+)<', html)
    assert names == ["Louvre", "Eiffel tower"]
    assert all(src.startswith(f"{url}files/") and "thumb.webp" in src for src in srcs(html))
    assert "48.85" not in html
    # Each photo of the album opens bigger, under the same link.
    page = visitor.get(f"{url}p/{photo.pk}/")
    assert page.status_code == 200
    assert "Eiffel tower" in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex, nofollow"


def test_a_shared_album_leaves_out_photos_without_renditions(visitor, alice, album):
    from factories import PhotoFactory

    pending = PhotoFactory(owner=alice, processing=True, title="Still processing")
    album.entries.create(photo=pending, position=9)
    _, url = link_to(alice, album=album)
    assert "Still processing" not in visitor.get(url).content.decode()
    assert visitor.get(f"{url}p/{pending.pk}/").status_code == 404


def test_only_the_shared_photos_files(visitor, alice, bob, media_root, photo, album):
    """A link opens what it shows and nothing else: not another photo of the owner, not a
    photo of someone else, not a photo that left the album."""
    other = ready_photo(alice, media_root)
    bobs = ready_photo(bob, media_root)
    _, photo_url = link_to(alice, photo=photo)
    _, album_url = link_to(alice, album=album)
    for url in (photo_url, album_url):
        for stranger in (other, bobs):
            assert visitor.get(f"{url}files/{stranger.pk}/thumb.webp").status_code == 404
            assert visitor.get(f"{url}p/{stranger.pk}/").status_code == 404
    assert visitor.get(f"{photo_url}p/{photo.pk}/").status_code == 404  # not an album link
    assert visitor.get(f"{album_url}files/{photo.pk}/thumb.webp").status_code == 200
    album.entries.filter(photo=photo).delete()
    assert visitor.get(f"{album_url}files/{photo.pk}/thumb.webp").status_code == 404


def test_a_revoked_link_is_a_404(visitor, alice, photo):
    link, url = link_to(alice, photo=photo)
    src = srcs(visitor.get(url).content.decode())[0]
    share_services.share_revoke(link=link)
    response = visitor.get(url)
    assert response.status_code == 404
    assert "does not open anything" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert visitor.get(src).status_code == 404


def test_an_expired_link_is_a_404(visitor, alice, photo):
    link, url = link_to(alice, photo=photo, expires_in=1)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert visitor.get(url).status_code == 404


def test_an_unknown_token_is_a_404(visitor, photo):
    assert visitor.get("/s/not-a-real-token-at-all-0123456789/").status_code == 404


def test_deleting_the_album_kills_its_links(visitor, alice, album):
    _, url = link_to(alice, album=album)
    album.delete()
    assert visitor.get(url).status_code == 404


def test_too_many_requests_from_one_address_is_a_429(visitor, alice, photo, settings):
    settings.THROTTLE_SHARED_PAGES = "3/m"
    _, url = link_to(alice, photo=photo)
    for _ in range(3):
        assert visitor.get(url).status_code == 200
    response = visitor.get(url)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "Too many requests" in response.content.decode()
    # Guessing tokens counts too: the limit is per address, whatever the token.
    assert visitor.get("/s/guess-0123456789abcdef0123456789/").status_code == 429
    # Another address still gets in.
    assert Client(REMOTE_ADDR="192.0.2.7").get(url).status_code == 200


def test_retry_after_is_the_rates_window(visitor, alice, photo, settings):
    settings.THROTTLE_SHARED_PAGES = "1/5m"
    _, url = link_to(alice, photo=photo)
    visitor.get(url)
    assert visitor.get(url)["Retry-After"] == "300"


def test_images_have_their_own_larger_budget(visitor, alice, photo, settings):
    settings.THROTTLE_SHARED_PAGES = "1/m"
    settings.THROTTLE_SHARED_FILES = "2/m"
    _, url = link_to(alice, photo=photo)
    src = srcs(visitor.get(url).content.decode())[0]
    assert [visitor.get(src).status_code for _ in range(3)] == [200, 200, 429]


def test_the_shared_pages_have_no_inline_script_or_style(visitor, alice, album, photo):
    _, url = link_to(alice, album=album, include_location=True, allow_download=True)
    for page in (url, f"{url}p/{photo.pk}/"):
        html = visitor.get(page).content.decode()
        assert "<script" not in html
        assert "<style" not in html and "style=" not in html


def test_s3_mode_uses_presigned_urls_not_public_objects(
    visitor, alice, photo, settings, monkeypatch
):
    from webapp.photos.aws import s3_links

    settings.PHOTOS_STORAGE = "s3"
    settings.PHOTOS_BUCKET = "darkroom-photos"
    signed = []

    def presigned_get(key, **kwargs):
        signed.append(key)
        return f"https://bucket.example/{key}?X-Amz-Signature=abc"

    monkeypatch.setattr(s3_links, "presigned_get", presigned_get)
    _, url = link_to(alice, photo=photo, allow_download=True)
    html = visitor.get(url).content.decode()
    assert srcs(html) == [
        f"https://bucket.example/renditions/{photo.pk}/medium.webp?X-Amz-Signature=abc"
    ]
    assert f"https://bucket.example/{photo.original_key}?X-Amz-Signature=abc" in html
    # An old local-style URL answers, after the same check, with a redirect to a signed one.
    response = visitor.get(f"{url}files/{photo.pk}/thumb.webp")
    assert response.status_code == 302
    assert response["Location"].endswith("thumb.webp?X-Amz-Signature=abc")
