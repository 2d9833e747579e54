"""Words on every photo: a title, a caption and alt text, set through the API
(PATCH /api/photos/<id>) or the photo page's form, and the name and alt every page and the
API derive from them (describe.py)."""

import json
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from factories import PhotoFactory  # tests/web/factories.py

from webapp.photos import describe, services
from webapp.photos.models import Photo

pytestmark = pytest.mark.django_db

UPLOADED = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def make_photo(owner, **fields) -> Photo:
    """A ready 6000 x 4000 JPEG of 4.2 MB, uploaded at UPLOADED."""
    values = {"filename": "IMG_0042.JPG", "declared_size": 4_200_000, "created_at": UPLOADED}
    return PhotoFactory(owner=owner, ready=True, **{**values, **fields})


def patch(client, photo, body, **kwargs):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.patch(
        f"/api/photos/{photo.pk}", data=data, content_type="application/json", **kwargs
    )


# --- PATCH /api/photos/<id> -----------------------------------------------------------


def test_patch_sets_the_words_and_answers_the_photo_like_get(alice_client, alice):
    photo = make_photo(alice)

    response = patch(
        alice_client,
        photo,
        {"title": "Harbour at dusk", "caption": "Boats coming in.", "alt_text": "Boats"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body == alice_client.get(f"/api/photos/{photo.pk}").json()
    assert body["title"] == "Harbour at dusk"
    assert body["caption"] == "Boats coming in."
    assert body["alt_text"] == "Boats"
    assert body["name"] == "Harbour at dusk"
    assert body["alt"] == "Boats"
    photo.refresh_from_db()
    assert (photo.title, photo.caption, photo.alt_text) == (
        "Harbour at dusk",
        "Boats coming in.",
        "Boats",
    )


def test_patch_changes_only_the_fields_sent(alice_client, alice):
    photo = make_photo(alice, title="Kept", caption="Kept too", alt_text="Old alt")

    response = patch(alice_client, photo, {"alt_text": "New alt"})

    assert response.status_code == 200
    photo.refresh_from_db()
    assert (photo.title, photo.caption, photo.alt_text) == ("Kept", "Kept too", "New alt")


def test_an_empty_string_clears_a_word_and_the_names_fall_back(alice_client, alice):
    photo = make_photo(alice, title="A title", alt_text="An alt")

    body = patch(alice_client, photo, {"title": "", "alt_text": "   "}).json()

    assert body["title"] == body["alt_text"] == ""
    assert body["name"] == "IMG_0042.JPG"
    assert body["alt"] == "Photo uploaded 2 Dec 2026"


def test_patch_tidies_the_text(alice_client, alice):
    photo = make_photo(alice)

    body = patch(
        alice_client,
        photo,
        {
            "title": "  Two\tlines\nbecome one \x00",
            "caption": "First line.  \r\nSecond\x07 line.\n\n",
            "alt_text": "Cafe\u0301 sign",  # decomposed é
        },
    ).json()

    assert body["title"] == "Two lines become one"
    assert body["caption"] == "First line.\nSecond line."
    assert body["alt_text"] == "Café sign"  # NFC: one code point
    assert len(body["alt_text"]) == 9


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"title": "x" * 201}, "title is too long: 201 characters, at most 200"),
        ({"caption": "x" * 2001}, "caption is too long: 2001 characters, at most 2000"),
        ({"alt_text": "x" * 301}, "alt text is too long: 301 characters, at most 300"),
        ({"title": 7}, "title must be text"),
        ({"caption": None}, "caption must be text"),
        ({"alt_text": ["a"]}, "alt text must be text"),
        (
            {"title": "fine", "owner": 2},
            "unknown field: owner (a photo's words are title, caption, alt_text)",
        ),
        (
            {"status": "ready"},
            "unknown field: status (a photo's words are title, caption, alt_text)",
        ),
        ("not json", "the body must be JSON"),
        ('["title"]', "the body must be a JSON object"),
        ("[" * 100_000, "the body is too large: 100000 bytes, at most 32768"),
        ("[" * 20_000, "the body is nested too deeply"),  # within the size, past the stack
    ],
)
def test_bad_patches_are_refused_with_a_reason_and_change_nothing(
    alice_client, alice, body, reason
):
    photo = make_photo(alice, title="Before")

    response = patch(alice_client, photo, body)

    assert response.status_code == 400
    assert response.json() == {"error": reason}
    photo.refresh_from_db()
    assert (photo.title, photo.caption, photo.alt_text) == ("Before", "", "")


def test_a_title_exactly_at_the_limit_is_kept(alice_client, alice):
    photo = make_photo(alice)

    response = patch(alice_client, photo, {"title": "é" * 200})

    assert response.status_code == 200
    photo.refresh_from_db()
    assert photo.title == "é" * 200


def test_an_empty_patch_changes_nothing(alice_client, alice):
    photo = make_photo(alice, title="Same")

    response = patch(alice_client, photo, {})

    assert response.status_code == 200
    assert response.json()["title"] == "Same"


def test_another_users_photo_is_not_found_and_stays_as_it_was(bob_client, alice):
    photo = make_photo(alice, title="Alice's")

    response = patch(bob_client, photo, {"title": "Bob was here"})

    assert response.status_code == 404
    assert response.json() == {"error": "no such photo"}
    photo.refresh_from_db()
    assert photo.title == "Alice's"


def test_a_missing_photo_is_not_found(alice_client):
    response = alice_client.patch(
        f"/api/photos/{uuid.uuid4()}", data="{}", content_type="application/json"
    )

    assert response.status_code == 404


def test_patch_needs_a_login(client, alice):
    photo = make_photo(alice)

    response = patch(client, photo, {"title": "x"})

    assert response.status_code == 401
    photo.refresh_from_db()
    assert photo.title == ""


def test_patch_needs_the_csrf_token(alice):
    photo = make_photo(alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    refused = patch(client, photo, {"title": "Forged"})

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]
    photo.refresh_from_db()
    assert photo.title == ""

    # with the token from the cookie in the header, as detail.js sends it
    client.get(reverse("photos:detail", kwargs={"photo_id": photo.pk}))
    token = client.cookies["csrftoken"].value
    accepted = patch(client, photo, {"title": "Mine"}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200
    photo.refresh_from_db()
    assert photo.title == "Mine"


def test_patch_is_listed_among_the_allowed_methods(alice_client, alice):
    photo = make_photo(alice)

    response = alice_client.put(f"/api/photos/{photo.pk}", data="{}")

    assert response.status_code == 405
    assert "PATCH" in response["Allow"]


def test_the_list_api_carries_the_words(alice_client, alice):
    photo = make_photo(alice, title="T", caption="C", alt_text="A")

    [body] = alice_client.get(f"/api/photos?ids={photo.pk}").json()["photos"]

    assert (body["title"], body["caption"], body["alt_text"], body["name"], body["alt"]) == (
        "T",
        "C",
        "A",
        "T",
        "A",
    )


# --- the service ------------------------------------------------------------------------


def test_the_service_takes_keywords_only_and_refuses_in_words(alice):
    photo = make_photo(alice)

    with pytest.raises(TypeError):
        services.photo_words_update(photo, "title")  # type: ignore[misc]
    with pytest.raises(ValidationError, match="title is too long"):
        services.photo_words_update(photo=photo, title="x" * 500, caption="kept?")

    photo.refresh_from_db()
    assert photo.caption == ""  # all or nothing


def test_the_service_writes_only_the_words(alice):
    photo = make_photo(alice)
    stale = Photo.objects.get(pk=photo.pk)
    # a job's outcome lands after `stale` was read
    Photo.objects.filter(pk=photo.pk).update(camera_make="Canon")

    services.photo_words_update(photo=stale, title="Named")

    photo.refresh_from_db()
    assert (photo.title, photo.camera_make) == ("Named", "Canon")


# --- the photo page ---------------------------------------------------------------------


def detail_url(photo) -> str:
    return reverse("photos:detail", kwargs={"photo_id": photo.pk})


def test_the_photo_page_has_the_edit_form_filled_in(alice_client, alice):
    photo = make_photo(alice, title="Harbour", caption="Boats <b>in</b>", alt_text="Quay")

    html = alice_client.get(detail_url(photo)).content.decode()

    form = html.split('id="words-form"')[1].split("</form>")[0]
    assert 'method="post"' in html.split('id="words-form"')[0].rsplit("<form", 1)[1]
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="action" value="words">' in form
    assert 'name="title" value="Harbour"' in form
    assert 'maxlength="200"' in form
    assert 'maxlength="2000"' in form
    assert ">\nBoats &lt;b&gt;in&lt;/b&gt;</textarea>" in form
    assert ">\nQuay</textarea>" in form
    assert "<script" not in form and "style=" not in form


def test_the_form_saves_without_javascript(alice_client, alice):
    photo = make_photo(alice)

    response = alice_client.post(
        detail_url(photo),
        {"action": "words", "title": " Harbour ", "caption": "Boats.\r\nFerry.", "alt_text": ""},
        follow=True,
    )

    assert response.redirect_chain == [(detail_url(photo), 302)]
    html = response.content.decode()
    assert "Saved." in html
    assert '<h1 class="photo-page__title" id="photo-title">Harbour</h1>' in html
    assert '<p class="photo-page__filename" id="photo-filename">IMG_0042.JPG</p>' in html
    assert '<p class="photo-page__caption" id="photo-caption">Boats.\nFerry.</p>' in html
    assert "<title>Harbour · Darkroom</title>" in html
    photo.refresh_from_db()
    assert (photo.title, photo.caption) == ("Harbour", "Boats.\nFerry.")


def test_a_caption_at_the_limit_with_line_breaks_as_browsers_send_them_is_kept(alice_client, alice):
    photo = make_photo(alice)
    caption = ("x" * 99 + "\r\n") * 20  # 2000 characters once CRLF is one line break

    response = alice_client.post(
        detail_url(photo), {"action": "words", "title": "", "caption": caption, "alt_text": ""}
    )

    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.caption == caption.replace("\r\n", "\n").strip()


def test_a_caption_over_the_limit_is_refused_by_the_service_in_words(alice_client, alice):
    photo = make_photo(alice)

    response = alice_client.post(
        detail_url(photo), {"action": "words", "title": "T", "caption": "x" * 2001, "alt_text": ""}
    )

    assert response.status_code == 400
    assert "caption is too long: 2001 characters, at most 2000" in response.content.decode()
    photo.refresh_from_db()
    assert (photo.title, photo.caption) == ("", "")


def test_the_form_shows_what_is_wrong_and_saves_nothing(alice_client, alice):
    photo = make_photo(alice, title="Before")

    response = alice_client.post(
        detail_url(photo), {"action": "words", "title": "x" * 201, "caption": "", "alt_text": ""}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most 200 characters (it has 201)." in html
    assert '<details class="words" open>' in html  # the form is open on its error
    assert '<h1 class="photo-page__title" id="photo-title">Before</h1>' in html
    photo.refresh_from_db()
    assert photo.title == "Before"


def test_the_form_cannot_touch_another_users_photo(bob_client, alice):
    photo = make_photo(alice, title="Alice's")

    response = bob_client.post(detail_url(photo), {"action": "words", "title": "Bob's"})

    assert response.status_code == 404
    photo.refresh_from_db()
    assert photo.title == "Alice's"


def test_the_heading_is_the_file_name_until_there_is_a_title(alice_client, alice):
    photo = make_photo(alice)

    html = alice_client.get(detail_url(photo)).content.decode()

    assert '<h1 class="photo-page__title" id="photo-title">IMG_0042.JPG</h1>' in html
    # no second line repeating the file name, and no empty caption
    assert 'id="photo-filename" hidden>' in html
    assert 'id="photo-caption" hidden>' in html


@pytest.mark.parametrize(
    ("fields", "alt"),
    [
        ({"alt_text": "Two boats", "title": "Harbour"}, "Two boats"),
        ({"title": "Harbour"}, "Harbour"),
        (
            {
                "taken_at": datetime(2024, 5, 3, 18, 30, tzinfo=UTC),
                "camera_make": "Canon",
                "camera_model": "Canon EOS R5",
            },
            "Photo taken 3 May 2024 with a Canon EOS R5",
        ),
        ({}, "Photo uploaded 2 Dec 2026"),
        # placeholders are no facts to describe a photo with
        ({"camera_make": "Make", "camera_model": "XXX-XXX"}, "Photo uploaded 2 Dec 2026"),
    ],
)
def test_images_alt_falls_back_to_words_never_to_the_file_name(alice_client, alice, fields, alt):
    photo = make_photo(alice, **fields)

    page = alice_client.get(detail_url(photo)).content.decode()
    gallery = alice_client.get(reverse("photos:gallery")).content.decode()

    img = page.split('class="photo-img photo-page__img"')[1].split(">")[0]
    assert f'alt="{alt}"' in img
    card = gallery.split('class="photo-img photo-card__img"')[1].split(">")[0]
    assert f'alt="{alt}"' in card
    assert 'alt="IMG_0042.JPG"' not in page + gallery


def test_the_gallery_card_is_named_by_the_title(alice_client, alice):
    make_photo(alice, title="Harbour at dusk")

    html = alice_client.get(reverse("photos:gallery")).content.decode()

    assert '<span class="photo-card__name">Harbour at dusk</span>' in html


# --- describe.py ------------------------------------------------------------------------


def words(**fields):
    values = {
        "title": "",
        "alt_text": "",
        "filename": "DSC_0001.JPG",
        "created_at": UPLOADED,
        "taken_at": None,
        "taken_at_offset": "",
        "camera_make": "",
        "camera_model": "",
        "lens": "",
        "exposure_time": None,
        "f_number": None,
        "focal_length": None,
        "iso": None,
        "gps_lat": None,
        "gps_lon": None,
        "gps_alt": None,
    }
    values.update(fields)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        (
            {
                "taken_at": datetime(2024, 5, 3, 18, 30),
                "camera_make": "Canon",
                "camera_model": "Canon EOS R5",
            },
            "Photo taken 3 May 2024 with a Canon EOS R5",
        ),
        (
            {"camera_make": "OLYMPUS IMAGING CORP.", "camera_model": "E-M1"},
            "Photo taken with an OLYMPUS E-M1",
        ),
        (
            {"camera_make": "Apple", "camera_model": "iPhone 13 Pro"},
            "Photo taken with an Apple iPhone 13 Pro",
        ),
        ({"taken_at": datetime(2003, 12, 14, 12, 1)}, "Photo taken 14 Dec 2003"),
        ({}, "Photo uploaded 2 Dec 2026"),
        # a clock never set (2099) is no date taken
        ({"taken_at": datetime(2099, 9, 29, 10, 10)}, "Photo uploaded 2 Dec 2026"),
        ({"created_at": None}, "Photo"),
    ],
)
def test_description(fields, text):
    assert describe.description(words(**fields)) == text


def test_display_name_and_alt_ignore_blank_words():
    photo = words(title="   ", alt_text=" ")

    assert describe.display_name(photo) == "DSC_0001.JPG"
    assert describe.alt_text(photo) == "Photo uploaded 2 Dec 2026"
