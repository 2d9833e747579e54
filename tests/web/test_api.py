"""The JSON API and the local upload protocol, end to end with real photos."""

import base64
import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image
from web_helpers import post_file, request_ticket

from jobs.errors import human_bytes
from webapp.photos import uploads
from webapp.photos.models import Photo, PhotoStatus

pytestmark = pytest.mark.django_db


def ticket(client, path, *, content_type="image/jpeg", filename=None):
    response = request_ticket(
        client,
        filename=filename or path.name,
        content_type=content_type,
        size=path.stat().st_size,
    )
    assert response.status_code == 201, response.content
    return response.json()


# --- POST /api/uploads ------------------------------------------------------------------


def test_a_ticket_is_a_presigned_post(alice_client, alice, settings):
    response = request_ticket(
        alice_client, filename="My Cat.JPG", content_type="image/jpeg", size=12345
    )

    assert response.status_code == 201
    body = response.json()
    photo = Photo.objects.get(pk=body["photo_id"])
    assert photo.owner == alice
    assert photo.status == PhotoStatus.UPLOADING
    assert body["url"] == f"/api/uploads/{photo.pk}/file"
    fields = body["fields"]
    assert fields["key"] == photo.original_key == f"uploads/{photo.pk}/My-Cat.jpg"
    assert fields["Content-Type"] == "image/jpeg"
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert policy["conditions"] == [
        {"key": photo.original_key},
        ["content-length-range", 1, settings.PHOTOS_MAX_UPLOAD_BYTES],
        {"Content-Type": "image/jpeg"},
    ]
    assert policy["expiration"].endswith("Z")
    assert fields["signature"] == uploads.sign(fields["policy"])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            {"filename": "big.jpg", "content_type": "image/jpeg", "size": 80_000_000},
            "too large: 80 MB, limit 50 MB",
        ),
        (
            {"filename": "notes.txt", "content_type": "text/plain", "size": 10},
            "not an image type: text/plain",
        ),
        ({"filename": "a.jpg", "content_type": "image/jpeg", "size": 0}, "empty file"),
        (
            {"filename": "a.jpg", "content_type": "image/jpeg", "size": "lots"},
            "size must be a whole number of bytes",
        ),
    ],
)
def test_a_ticket_is_refused_in_words_before_any_byte_moves(alice_client, settings, body, reason):
    settings.PHOTOS_MAX_UPLOAD_BYTES = 50_000_000

    response = alice_client.post("/api/uploads", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"error": reason}
    assert not Photo.objects.exists()


def test_a_ticket_needs_a_json_body(alice_client):
    response = alice_client.post("/api/uploads", data="nope", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"error": "the body must be JSON"}


# --- the upload itself -------------------------------------------------------------------


def test_upload_runs_the_jobs_and_the_photo_becomes_ready(alice_client, upload, photos_dir):
    photo_id = upload(alice_client, "hopper.jpg")

    response = alice_client.get(f"/api/photos/{photo_id}")

    assert response.status_code == 200
    photo = response.json()
    assert photo["status"] == "ready", photo
    assert photo["error"] == ""
    assert photo["filename"] == "hopper.jpg"
    assert photo["metadata"]["format"] == "JPEG"
    assert (photo["metadata"]["width"], photo["metadata"]["height"]) == (128, 128)
    assert set(photo["renditions"]) == {"thumb", "medium", "large"}
    assert photo["renditions_size"]["thumb"] == [128, 128]  # never upscaled
    assert photo["placeholder"]
    assert photo["placeholder_data_url"].startswith("data:image/png;base64,")
    assert photo["original_url"] == f"/media/photos/{photo_id}/original"
    assert photo["detail_url"] == f"/photos/{photo_id}/"
    assert photo["duplicate_of"] is None
    for url in photo["renditions"].values():
        rendition = alice_client.get(url)
        assert rendition.status_code == 200
        assert rendition["Content-Type"] == "image/webp"
        data = b"".join(rendition.streaming_content)
        assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    original = alice_client.get(photo["original_url"])
    assert b"".join(original.streaming_content) == (photos_dir / "hopper.jpg").read_bytes()


def test_the_stored_etag_is_the_md5_of_the_bytes(alice_client, upload, photos_dir):
    import hashlib

    photo_id = upload(alice_client, "hopper.png")

    photo = Photo.objects.get(pk=photo_id)
    assert photo.source_etag == hashlib.md5((photos_dir / "hopper.png").read_bytes()).hexdigest()
    assert photo.jobs["renditions"]["source_etag"] == photo.source_etag


def test_a_corrupt_file_fails_with_a_reason(alice_client, upload):
    photo_id = upload(alice_client, "broken.png")

    photo = alice_client.get(f"/api/photos/{photo_id}").json()

    assert photo["status"] == "failed"
    assert photo["error"]
    assert "internal error" not in photo["error"]
    assert photo["renditions"] == {}


def test_a_text_file_named_jpg_fails_as_not_an_image(alice_client, upload, tmp_path):
    fake = tmp_path / "fake.jpg"
    fake.write_text("this is not a photo")

    photo_id = upload(alice_client, "fake.jpg", path=fake)

    photo = alice_client.get(f"/api/photos/{photo_id}").json()
    assert photo["status"] == "failed"
    assert photo["error"]


def test_the_same_photo_twice_is_marked_a_duplicate(alice_client, upload):
    first = upload(alice_client, "hopper.jpg")
    second = upload(alice_client, "hopper.jpg")

    assert alice_client.get(f"/api/photos/{second}").json()["duplicate_of"] == first
    assert alice_client.get(f"/api/photos/{first}").json()["duplicate_of"] is None


def test_the_file_lands_at_its_key(alice_client, upload, media_root, photos_dir):
    photo_id = upload(alice_client, "hopper.webp")

    photo = Photo.objects.get(pk=photo_id)
    stored = media_root / photo.original_key
    assert stored.read_bytes() == (photos_dir / "hopper.webp").read_bytes()
    assert sorted(p.name for p in (media_root / "renditions" / photo_id).iterdir()) == [
        "large.webp",
        "medium.webp",
        "thumb.webp",
    ]
    thumb = Image.open(media_root / photo.renditions["thumb"]["key"])
    assert thumb.format == "WEBP"


# --- what the upload endpoint refuses --------------------------------------------------------


def _refused(response, status, reason_part):
    assert response.status_code == status, response.content
    assert reason_part in response.json()["error"]


def test_a_tampered_policy_is_refused(alice_client, photos_dir):
    path = photos_dir / "hopper.jpg"
    t = ticket(alice_client, path)
    policy = json.loads(base64.b64decode(t["fields"]["policy"]))
    policy["conditions"][1] = ["content-length-range", 1, 10**12]
    forged = base64.b64encode(json.dumps(policy).encode()).decode()

    response = post_file(alice_client, t, path, fields={"policy": forged})

    _refused(response, 403, "invalid upload signature")
    assert Photo.objects.get().status == PhotoStatus.UPLOADING


def test_another_photos_key_is_refused(alice_client, photos_dir, media_root):
    path = photos_dir / "hopper.jpg"
    mine = ticket(alice_client, path)
    other = ticket(alice_client, path, filename="other.jpg")

    # a genuine ticket, sent to another photo's upload URL
    response = post_file(alice_client, {**other, "url": mine["url"]}, path)

    _refused(response, 403, "wrong key")
    assert not (media_root / "uploads").exists()


def test_a_changed_key_field_is_refused(alice_client, photos_dir):
    path = photos_dir / "hopper.jpg"
    t = ticket(alice_client, path)
    photo_id = t["photo_id"]

    response = post_file(alice_client, t, path, fields={"key": f"uploads/{photo_id}/../x.jpg"})

    _refused(response, 403, "wrong key")


def test_a_file_bigger_than_the_ticket_allows_is_refused(alice_client, photos_dir, settings):
    path = photos_dir / "hopper.jpg"  # 6.6 KB
    settings.PHOTOS_MAX_UPLOAD_BYTES = 100_000
    t = ticket(alice_client, path)
    settings.PHOTOS_MAX_UPLOAD_BYTES = 1_000_000
    small_policy = json.loads(base64.b64decode(t["fields"]["policy"]))
    small_policy["conditions"][1] = ["content-length-range", 1, 1000]
    encoded = base64.b64encode(json.dumps(small_policy).encode()).decode()

    response = post_file(
        alice_client, t, path, fields={"policy": encoded, "signature": uploads.sign(encoded)}
    )

    size = human_bytes(path.stat().st_size)
    _refused(response, 400, f"too large: {size}, limit 1 KB")


def test_a_body_over_the_limit_is_refused_before_it_is_read(alice_client, tmp_path, settings):
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff" * 300_000)
    settings.PHOTOS_MAX_UPLOAD_BYTES = 300_000
    t = ticket(alice_client, big)
    settings.PHOTOS_MAX_UPLOAD_BYTES = 100_000

    response = post_file(alice_client, t, big)

    _refused(response, 400, "too large")


def test_a_file_over_the_limit_inside_a_small_body_is_cut_off(alice_client, tmp_path, settings):
    # The Content-Length allows for form overhead; the file part itself is still counted.
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff" * 120_000)
    settings.PHOTOS_MAX_UPLOAD_BYTES = 200_000
    t = ticket(alice_client, big)
    settings.PHOTOS_MAX_UPLOAD_BYTES = 100_000

    response = post_file(alice_client, t, big)

    _refused(response, 400, "too large: 120 KB, limit 100 KB")
    assert Photo.objects.get(pk=t["photo_id"]).status == PhotoStatus.UPLOADING


def test_an_empty_file_is_refused(alice_client, photos_dir, tmp_path):
    t = ticket(alice_client, photos_dir / "hopper.jpg")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")

    response = post_file(alice_client, t, empty)

    _refused(response, 400, "empty file")


def test_an_expired_ticket_is_refused(alice_client, photos_dir):
    path = photos_dir / "hopper.jpg"
    t = ticket(alice_client, path)
    photo = Photo.objects.get(pk=t["photo_id"])
    old = uploads.ticket_for(photo, now=timezone.now() - timedelta(hours=2))

    response = post_file(alice_client, {**t, "fields": old["fields"]}, path)

    _refused(response, 403, "expired")


def test_a_different_content_type_is_refused(alice_client, photos_dir):
    path = photos_dir / "hopper.jpg"
    t = ticket(alice_client, path)

    response = post_file(alice_client, t, path, fields={"Content-Type": "text/html"})

    _refused(response, 403, "Content-Type does not match")


def test_a_second_upload_to_the_same_ticket_is_refused(alice_client, photos_dir, run_jobs):
    path = photos_dir / "hopper.jpg"
    t = ticket(alice_client, path)
    with run_jobs():
        assert post_file(alice_client, t, path).status_code == 204

    response = post_file(alice_client, t, path)

    _refused(response, 400, "already uploaded")


def test_an_upload_without_the_file_is_refused(alice_client, photos_dir):
    t = ticket(alice_client, photos_dir / "hopper.jpg")

    response = alice_client.post(t["url"], data=t["fields"])

    _refused(response, 400, "no file")


def test_csrf_is_enforced_on_every_write(alice, photos_dir, run_jobs):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    body = json.dumps({"filename": "a.jpg", "content_type": "image/jpeg", "size": 10})

    refused = client.post("/api/uploads", data=body, content_type="application/json")

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]
    assert not Photo.objects.exists()

    # with the token from the cookie in the header, as the page sends it
    client.get("/upload/")
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/uploads", data=body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201
    t = accepted.json()

    path = photos_dir / "hopper.jpg"
    with open(path, "rb") as file:
        no_token = client.post(t["url"], data={**t["fields"], "file": file})
    assert no_token.status_code == 403
    assert Photo.objects.get(pk=t["photo_id"]).status == PhotoStatus.UPLOADING

    delete = client.delete(f"/api/photos/{t['photo_id']}")
    assert delete.status_code == 403
    assert Photo.objects.filter(pk=t["photo_id"]).exists()

    with open(path, "rb") as file, run_jobs():
        uploaded = client.post(
            t["url"], data={**t["fields"], "file": file}, headers={"X-CSRFToken": token}
        )
    assert uploaded.status_code == 204


# --- GET /api/photos?ids= -----------------------------------------------------------------


def test_status_of_several_photos_in_the_order_asked(alice_client, alice, bob):
    from webapp.photos.services import photo_create

    mine = [
        photo_create(owner=alice, filename=f"{i}.jpg", content_type="image/jpeg", size=9)
        for i in range(3)
    ]
    bobs = photo_create(owner=bob, filename="b.jpg", content_type="image/jpeg", size=9)
    ids = [mine[2].pk, bobs.pk, mine[0].pk, uuid.uuid4(), mine[2].pk]

    response = alice_client.get("/api/photos", {"ids": ",".join(map(str, ids))})

    assert response.status_code == 200
    photos = response.json()["photos"]
    assert [p["id"] for p in photos] == [str(mine[2].pk), str(mine[0].pk)]
    assert photos[0]["status"] == "uploading"
    assert photos[0]["renditions"] == {}
    assert photos[0]["original_url"] == ""


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"ids": "not-a-uuid"}, "not a photo id: not-a-uuid"),
        ({"ids": ",".join(str(uuid.uuid4()) for _ in range(101))}, "too many ids"),
        ({}, "ids is required"),
    ],
)
def test_bad_status_queries_are_400(alice_client, query, reason):
    response = alice_client.get("/api/photos", query)

    assert response.status_code == 400
    assert reason in response.json()["error"]


def test_no_ids_means_no_photos(alice_client):
    assert alice_client.get("/api/photos", {"ids": ""}).json() == {"photos": []}


# --- DELETE /api/photos/<id> ----------------------------------------------------------------


def test_delete_removes_the_photo_and_its_files(alice_client, upload, media_root, run_jobs):
    photo_id = upload(alice_client, "hopper.jpg")
    assert (media_root / "renditions" / photo_id).is_dir()

    with run_jobs():
        response = alice_client.delete(f"/api/photos/{photo_id}")

    assert response.status_code == 204
    assert not Photo.objects.filter(pk=photo_id).exists()
    assert not (media_root / "renditions" / photo_id).exists()
    assert not (media_root / "uploads" / photo_id).exists()
    assert alice_client.get(f"/api/photos/{photo_id}").status_code == 404


def test_deleting_an_account_removes_its_photos_files(
    alice, alice_client, bob, bob_client, upload, media_root, run_jobs
):
    # given: both users have a processed photo on disk
    alice_photo = upload(alice_client, "hopper.jpg")
    bob_photo = upload(bob_client, "hopper.png")

    # when: alice's account goes (the admin, or a script: the rows go by SQL cascade)
    with run_jobs():
        alice.delete()

    # then: her files went with her rows; bob's stayed
    assert not Photo.objects.filter(pk=alice_photo).exists()
    assert not (media_root / "uploads" / alice_photo).exists()
    assert not (media_root / "renditions" / alice_photo).exists()
    assert (media_root / "uploads" / bob_photo).is_dir()
    assert (media_root / "renditions" / bob_photo).is_dir()


# --- who may do what -----------------------------------------------------------------------


def test_anonymous_gets_401_json_never_a_login_page(client, alice):
    from webapp.photos.services import photo_create

    photo = photo_create(owner=alice, filename="a.jpg", content_type="image/jpeg", size=9)
    requests = [
        client.post("/api/uploads", data="{}", content_type="application/json"),
        client.post(f"/api/uploads/{photo.pk}/file"),
        client.get("/api/photos", {"ids": str(photo.pk)}),
        client.get(f"/api/photos/{photo.pk}"),
        client.delete(f"/api/photos/{photo.pk}"),
    ]

    for response in requests:
        assert response.status_code == 401
        assert response.json() == {"error": "log in first"}


def test_bob_cannot_see_touch_or_upload_to_alices_photo(
    alice_client, bob_client, upload, photos_dir, media_root
):
    photo_id = upload(alice_client, "hopper.jpg")
    pending = ticket(alice_client, photos_dir / "hopper.jpg")
    urls = alice_client.get(f"/api/photos/{photo_id}").json()

    assert bob_client.get(f"/api/photos/{photo_id}").status_code == 404
    assert bob_client.delete(f"/api/photos/{photo_id}").status_code == 404
    assert bob_client.get("/api/photos", {"ids": photo_id}).json() == {"photos": []}
    assert post_file(bob_client, pending, photos_dir / "hopper.jpg").status_code == 404
    assert bob_client.get(urls["original_url"]).status_code == 404
    for url in urls["renditions"].values():
        assert bob_client.get(url).status_code == 404
    assert Photo.objects.get(pk=photo_id).status == PhotoStatus.READY
    assert Photo.objects.get(pk=pending["photo_id"]).status == PhotoStatus.UPLOADING


def test_unknown_methods_answer_405_in_json(alice_client):
    response = alice_client.put("/api/photos", data="{}")

    assert response.status_code == 405
    assert "not allowed" in response.json()["error"]
