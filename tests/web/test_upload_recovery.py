"""Issue 11, "Uploads never strand": an upload whose transfer stopped shows as "upload
interrupted" with Retry (a fresh ticket for the same photo) and Remove; unused tickets expire
soon after their own lifetime on every runner (the inline runner's own timer, Celery beat,
the AWS schedule); the upload page shows again what is still uploading or processing; one
action removes every failed photo; a Reprocess that cannot help says so."""

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from factories import PhotoFactory
from web_helpers import post_file, request_ticket

from webapp.photos import runners, upload_state
from webapp.photos.aws.sweep import sweep
from webapp.photos.models import Photo, PhotoStatus

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dispatched(monkeypatch) -> list:
    sent = []
    monkeypatch.setattr(runners, "dispatch", lambda photo: sent.append(photo.pk))
    return sent


def _expired(settings) -> timedelta:
    return timedelta(seconds=settings.PHOTOS_UPLOAD_TICKET_SECONDS) + timedelta(minutes=2)


# --- interrupted: derived, shown, retried, removed ------------------------------------


def test_browser_reported_abort_marks_the_photo_interrupted(alice_client, alice):
    photo = PhotoFactory(owner=alice)

    response = alice_client.post(f"/api/photos/{photo.pk}/abandon")

    assert response.status_code == 200
    assert response.json()["interrupted"] is True
    assert response.json()["status"] == "uploading"
    again = alice_client.post(f"/api/photos/{photo.pk}/abandon")  # idempotent
    assert again.json()["interrupted"] is True


def test_abandon_as_a_beacon_with_the_token_as_a_form_field(alice, photos_dir):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get(reverse("photos:upload"))
    token = page.cookies["csrftoken"].value
    photo = PhotoFactory(owner=alice)

    refused = client.post(f"/api/photos/{photo.pk}/abandon")
    answered = client.post(f"/api/photos/{photo.pk}/abandon", {"csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert answered.status_code == 200 and answered.json()["interrupted"] is True


def test_expired_ticket_alone_makes_an_upload_interrupted(alice_client, alice, settings):
    fresh = PhotoFactory(owner=alice)
    stale = PhotoFactory(owner=alice, age=_expired(settings))
    ready = PhotoFactory(owner=alice, ready=True, age=timedelta(days=3))

    assert not upload_state.is_interrupted(fresh)
    assert upload_state.is_interrupted(stale)
    assert not upload_state.is_interrupted(ready)
    body = alice_client.get(f"/api/photos?ids={fresh.pk},{stale.pk}").json()["photos"]
    assert [p["interrupted"] for p in body] == [False, True]


def test_gallery_card_offers_retry_and_remove_for_an_interrupted_upload(
    alice_client, alice, settings
):
    stale = PhotoFactory(owner=alice, filename="beach.jpg", age=_expired(settings))
    pending = PhotoFactory(owner=alice, filename="fresh.jpg")

    html = alice_client.get(reverse("photos:gallery")).content.decode()

    card = html[html.index(f'data-photo-id="{stale.pk}"') :]
    card = card[: card.index("</li>")]
    assert "Upload interrupted" in card
    assert 'class="visually-hidden photo-card__retry" type="file"' in card
    assert "photo-card__remove" in card
    fresh_card = html[html.index(f'data-photo-id="{pending.pk}"') :]
    fresh_card = fresh_card[: fresh_card.index("</li>")]
    assert "Uploading…" in fresh_card and "photo-card__retry" not in fresh_card


def test_photo_page_of_an_interrupted_upload_does_not_promise_an_update(alice_client, alice):
    photo = PhotoFactory(owner=alice, filename="beach.jpg", error=upload_state.INTERRUPTED)

    html = alice_client.get(reverse("photos:detail", kwargs={"photo_id": photo.pk})).content
    html = html.decode()

    assert "Upload interrupted" in html
    assert 'id="retry-input"' in html
    assert "updates by itself" not in html
    assert "Not yet: the file has not arrived" in html
    assert photo.created_at.strftime("%H:%M") + " UTC" not in html
    assert ">Remove</button>" in html


def test_retry_gives_a_fresh_ticket_for_the_same_photo_and_the_upload_lands(
    alice_client, alice, settings, photos_dir, run_jobs
):
    path = photos_dir / "hopper.jpg"
    photo = PhotoFactory(
        owner=alice,
        filename="hopper.jpg",
        declared_size=path.stat().st_size,
        age=_expired(settings),
        error=upload_state.INTERRUPTED,
    )

    response = alice_client.post(
        f"/api/photos/{photo.pk}/retry",
        data=json.dumps(
            {"filename": "hopper.jpg", "content_type": "image/jpeg", "size": path.stat().st_size}
        ),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    ticket = response.json()
    assert ticket["photo_id"] == str(photo.pk)
    assert ticket["fields"]["key"] == photo.original_key
    photo.refresh_from_db()
    assert not upload_state.is_interrupted(photo)  # the clock restarted with the ticket
    with run_jobs():
        assert post_file(alice_client, ticket, path).status_code == 204
    complete = alice_client.post(f"/api/photos/{photo.pk}/complete")
    assert complete.status_code == 200
    assert complete.json()["status"] == "ready"
    assert Photo.objects.filter(owner=alice).count() == 1


def test_retry_refuses_a_file_of_another_type_in_words(alice_client, alice):
    photo = PhotoFactory(owner=alice, filename="beach.jpg", error=upload_state.INTERRUPTED)

    response = alice_client.post(
        f"/api/photos/{photo.pk}/retry",
        data=json.dumps({"filename": "notes.png", "content_type": "image/png", "size": 10}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith("pick the same file again: beach.jpg")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "the body must be JSON"),
        ('["beach.jpg"]', "the body must be a JSON object"),
        ("[" * 100_000, "the body is too large: 100000 bytes, at most 4096"),
        ("[" * 4000, "the body is nested too deeply"),
    ],
)
def test_retry_answers_a_bad_body_in_words(alice_client, alice, raw, message):
    photo = PhotoFactory(owner=alice, filename="beach.jpg", error=upload_state.INTERRUPTED)

    response = alice_client.post(
        f"/api/photos/{photo.pk}/retry", data=raw, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_retry_of_an_uploaded_photo_or_another_users_is_refused(alice_client, alice, bob):
    mine = PhotoFactory(owner=alice, ready=True)
    theirs = PhotoFactory(owner=bob)
    body = json.dumps({"filename": "a.jpg", "content_type": "image/jpeg", "size": 10})

    done = alice_client.post(
        f"/api/photos/{mine.pk}/retry", data=body, content_type="application/json"
    )
    other = alice_client.post(
        f"/api/photos/{theirs.pk}/retry", data=body, content_type="application/json"
    )
    abandon_other = alice_client.post(f"/api/photos/{theirs.pk}/abandon")

    assert done.status_code == 400 and "already uploaded" in done.json()["error"]
    assert other.status_code == 404 and abandon_other.status_code == 404


# --- complete (local store) -----------------------------------------------------------


def test_complete_before_the_file_arrived_says_so(alice_client, alice):
    response = request_ticket(alice_client, filename="a.jpg", content_type="image/jpeg", size=9)
    photo_id = response.json()["photo_id"]

    response = alice_client.post(f"/api/photos/{photo_id}/complete")

    assert response.status_code == 409
    assert response.json()["error"] == "the file has not arrived: upload it again"
    assert Photo.objects.get(pk=photo_id).status == PhotoStatus.UPLOADING


def test_complete_after_the_local_upload_is_a_harmless_no_op(alice_client, upload, dispatched):
    photo_id = upload(alice_client, "hopper.jpg")
    before = list(dispatched)

    response = alice_client.post(f"/api/photos/{photo_id}/complete")

    assert response.status_code == 200
    assert response.json()["id"] == photo_id
    assert dispatched == before  # nothing started twice


# --- the sweep: unused tickets expire soon after their lifetime --------------------------


def test_unused_ticket_is_removed_soon_after_its_lifetime_not_after_a_day(
    alice, settings, dispatched
):
    settings.PHOTOS_UPLOAD_TICKET_SECONDS = 300
    unused = PhotoFactory(owner=alice, age=timedelta(minutes=8))
    live = PhotoFactory(owner=alice, age=timedelta(minutes=4))
    reported = PhotoFactory(owner=alice, age=timedelta(minutes=8), error=upload_state.INTERRUPTED)
    reported_long_ago = PhotoFactory(
        owner=alice,
        age=timedelta(hours=settings.PHOTOS_ABANDONED_HOURS + 1),
        error=upload_state.INTERRUPTED,
    )

    report = sweep()

    assert report["removed"] == 2
    assert not Photo.objects.filter(pk__in=[unused.pk, reported_long_ago.pk]).exists()
    # Within its ticket; and one the owner was told about, with Retry, stays for a while.
    assert Photo.objects.filter(pk=live.pk).exists()
    assert Photo.objects.filter(pk=reported.pk).exists()
    assert dispatched == []


def test_an_original_that_arrived_before_expiry_is_started_not_removed(
    alice, settings, dispatched, media_root, django_capture_on_commit_callbacks
):
    settings.PHOTOS_UPLOAD_TICKET_SECONDS = 300
    photo = PhotoFactory(owner=alice, age=timedelta(minutes=8), declared_size=4)
    path = media_root / photo.original_key
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xd8\xff\xe0")

    with django_capture_on_commit_callbacks(execute=True):
        report = sweep()

    assert {k: report[k] for k in ("redispatched", "started", "failed", "removed")} == {
        "redispatched": 0,
        "started": 1,
        "failed": 0,
        "removed": 0,
    }
    assert dispatched == [photo.pk]


# --- who runs the sweep ---------------------------------------------------------------


def test_periodic_sweep_runs_its_task_on_a_timer_until_stopped():
    ran = threading.Event()
    calls = []
    periodic = runners.PeriodicSweep()
    periodic.task = lambda: (calls.append(1), ran.set())

    assert periodic.start(0.05) is True
    assert periodic.start(0.05) is False  # once per process
    try:
        assert ran.wait(5), "the timer never ran the sweep"
    finally:
        periodic.stop()
    assert not periodic.running
    assert calls


def test_periodic_sweep_survives_a_failing_pass():
    passes = []
    done = threading.Event()

    def task():
        passes.append(1)
        if len(passes) == 1:
            raise RuntimeError("database away")
        done.set()

    periodic = runners.PeriodicSweep()
    periodic.task = task
    periodic.start(0.02)
    try:
        assert done.wait(5)
    finally:
        periodic.stop()


def test_inline_runner_process_starts_its_sweep_with_the_first_request(
    alice_client, settings, monkeypatch
):
    started = []
    monkeypatch.setattr(runners.SWEEP, "start", lambda interval: started.append(interval))
    monkeypatch.setattr(runners.PeriodicSweep, "running", property(lambda self: False))

    settings.PHOTOS_SWEEP_SECONDS = 300
    settings.PHOTOS_JOB_RUNNER = "celery"
    alice_client.get("/healthz")
    settings.PHOTOS_JOB_RUNNER = "inline"
    alice_client.get("/healthz")

    assert started == [300]  # inline only: beat and the AWS schedule sweep for the others
    assert runners.SWEEP.task is not None  # wired by apps.ready to the sweep itself


def test_celery_beat_runs_the_sweep_task_every_ticket_lifetime(settings):
    from webapp import celery
    from webapp.photos import tasks

    entry = celery.env_defaults()["beat_schedule"]["photos-sweep"]

    assert entry["task"] == runners.SWEEP_TASK == tasks.sweep.name
    assert entry["schedule"] <= settings.PHOTOS_UPLOAD_TICKET_SECONDS
    makefile = (ROOT / "Makefile").read_text()
    assert "celery -A webapp beat" in makefile


def test_celery_sweep_task_runs_the_sweep(alice, settings):
    from webapp.photos import tasks

    PhotoFactory(owner=alice, age=_expired(settings))

    report = tasks.sweep.apply().get()

    assert report["removed"] == 1


def test_aws_schedule_sweeps_at_least_as_often_as_tickets_live(settings):
    stage = json.loads((ROOT / "zappa_settings.json").read_text())["web"]
    (sweep_event,) = [
        e for e in stage["events"] if e["function"] == "webapp.photos.aws.sweep.handler"
    ]
    minutes = int(sweep_event["expression"].removeprefix("rate(").split()[0])

    assert minutes * 60 <= max(settings.PHOTOS_UPLOAD_TICKET_SECONDS, 300)


# --- the upload page after a reload -------------------------------------------------------


def test_upload_page_shows_this_sessions_photos_still_on_their_way(alice_client, alice, bob):
    processing = PhotoFactory(owner=alice, processing=True, filename="fresh.jpg")
    interrupted = PhotoFactory(owner=alice, filename="cut.jpg", error=upload_state.INTERRUPTED)
    PhotoFactory(owner=alice, ready=True, filename="done.jpg")
    PhotoFactory(owner=alice, processing=True, filename="old.jpg", age=timedelta(days=2))
    PhotoFactory(owner=bob, processing=True, filename="bobs.jpg")

    html = alice_client.get(reverse("photos:upload")).content.decode()

    assert f'data-photo-id="{processing.pk}"' in html
    assert f'data-photo-id="{interrupted.pk}"' in html
    assert 'data-state="interrupted"' in html and 'data-state="processing"' in html
    for absent in ("done.jpg", "old.jpg", "bobs.jpg"):
        assert absent not in html
    assert 'id="uploads-section"' in html and 'hidden id="uploads-section"' not in html


# --- failed photos: one action; a Reprocess that will fail says so --------------------------


def test_gallery_offers_to_remove_every_failed_photo_with_the_count(alice_client, alice):
    PhotoFactory.create_batch(3, owner=alice, failed=True)
    PhotoFactory(owner=alice, ready=True)

    html = alice_client.get(reverse("photos:gallery")).content.decode()

    assert 'id="remove-failed" data-count="3">Remove 3 failed photos</button>' in html


def test_removing_failed_photos_takes_only_the_owners_failed_ones(
    alice_client, alice, bob, media_root, django_capture_on_commit_callbacks
):
    failed = PhotoFactory.create_batch(2, owner=alice, failed=True)
    kept = PhotoFactory(owner=alice, ready=True)
    bobs = PhotoFactory(owner=bob, failed=True)
    original = media_root / failed[0].original_key
    original.parent.mkdir(parents=True)
    original.write_bytes(b"x")

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.delete("/api/photos/failed")

    assert response.status_code == 200 and response.json() == {"removed": 2}
    assert set(Photo.objects.values_list("pk", flat=True)) == {kept.pk, bobs.pk}
    assert not original.exists()


def test_admin_reprocess_of_a_not_an_image_failure_says_it_will_fail_again(
    staff_client, alice, dispatched, django_capture_on_commit_callbacks
):
    bad = PhotoFactory(owner=alice, failed=True, filename="notes.jpg", error="not an image")
    flaky = PhotoFactory(owner=alice, failed=True, error="could not be processed, try again later")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:photos_photo_changelist"),
            {"action": "reprocess", ACTION_CHECKBOX_NAME: [bad.pk, flaky.pk]},
            follow=True,
        )

    text = " ".join(str(m) for m in response.context["messages"])
    assert "1 photo failed as not an image and will fail again: notes.jpg (not an image)" in text
    assert str(flaky) not in text.split("will fail again")[1]
    assert upload_state.fails_again(bad) and not upload_state.fails_again(flaky)
    assert sorted(dispatched) == sorted([bad.pk, flaky.pk])  # queued all the same
