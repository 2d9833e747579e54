"""Hostile input to the parsers: the gallery's cursor and the upload ticket's JSON body.

Each answer is a 400 with a reason, never a 500; the properties say so for any input."""

import base64
import json
import uuid
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.photos import api, services
from webapp.photos.pagination import MAX_CURSOR_CHARS, Cursor, CursorTooLong

DEEP = "[" * 5000


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.django_db
def test_a_deeply_nested_cursor_answers_400(alice_client):
    response = alice_client.get("/", {"before": _b64(DEEP.encode())})

    assert response.status_code == 400
    assert b"cursor too long" in response.content


@pytest.mark.django_db
def test_a_deeply_nested_ticket_request_answers_400(alice_client):
    response = alice_client.post(
        "/api/uploads", data="[" * 100_000, content_type="application/json"
    )

    assert response.status_code == 400
    assert "too large" in response.json()["error"]


@pytest.mark.django_db
def test_a_body_past_djangos_own_limit_answers_400_in_json(alice_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    response = alice_client.post(
        "/api/uploads", data="[" * 100_000, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith("the body is too large")


@pytest.mark.django_db
def test_a_short_but_deep_ticket_request_answers_400(alice_client):
    # Under the size cap but deeper than the interpreter's recursion limit.
    response = alice_client.post("/api/uploads", data="[" * 4000, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"] == "the body is nested too deeply"


# --- properties ------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


@settings(deadline=None)  # a loaded CI box must not fail a parser on time
@given(created=instants, taken=st.none() | instants, photo_id=st.uuids())
def test_every_cursor_written_reads_back_the_same(created, taken, photo_id):
    cursor = Cursor(created_at=created, id=photo_id, taken_at=taken)

    token = cursor.encode()

    assert len(token) <= MAX_CURSOR_CHARS
    assert Cursor.decode(token) == cursor


@settings(deadline=None)  # a loaded CI box must not fail a parser on time
@given(
    st.one_of(
        st.text(max_size=400),
        st.binary(max_size=400).map(_b64),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner),
        ).map(lambda value: _b64(json.dumps(value).encode())),
        st.integers(min_value=1, max_value=20_000).map(lambda n: _b64(b"[" * n)),
    )
)
def test_any_other_token_is_a_value_error_never_a_crash(token):
    try:
        cursor = Cursor.decode(token)
    except ValueError:
        return
    assert isinstance(cursor, Cursor)


@settings(deadline=None)  # a loaded CI box must not fail a parser on time
@given(st.integers(min_value=MAX_CURSOR_CHARS + 1, max_value=50_000))
def test_a_token_longer_than_any_cursor_is_refused_unread(length):
    with pytest.raises(CursorTooLong):
        Cursor.decode("W" * length)


@settings(deadline=None)  # a loaded CI box must not fail a parser on time
@given(st.binary(max_size=api.MAX_TICKET_BODY_BYTES + 100))
def test_the_ticket_body_is_an_object_or_a_reason(raw):
    try:
        body = api.json_object(raw)
    except api.BadBody as exc:
        assert str(exc)
    else:
        assert isinstance(body, dict)


ticket_fields = st.fixed_dictionaries(
    {},
    optional={
        "filename": st.none() | st.text(max_size=300) | st.integers(),
        "content_type": st.none()
        | st.sampled_from(["image/jpeg", "image/png", "image/jpg", "", "text/html"])
        | st.text(max_size=50),
        "size": st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.floats(allow_nan=True)
        | st.text(max_size=10),
    },
)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fields=ticket_fields)
def test_the_upload_policy_accepts_only_a_bounded_image_ticket(alice, fields):
    try:
        photo = services.photo_create(
            owner=alice,
            filename=fields.get("filename") or "",
            content_type=fields.get("content_type") or "",
            size=fields.get("size"),
        )
    except ValidationError as exc:
        assert exc.messages[0]
    else:
        assert photo.content_type in services.settings.PHOTOS_ALLOWED_CONTENT_TYPES
        assert 1 <= photo.declared_size <= services.settings.PHOTOS_MAX_UPLOAD_BYTES
        assert photo.original_key.startswith(f"uploads/{photo.pk}/")
        assert uuid.UUID(photo.original_key.split("/")[1]) == photo.pk
        assert len(photo.original_key.encode()) <= 512
        photo.delete()
