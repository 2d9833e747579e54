"""What the recorder trusts in a job outcome: only the photo's own rendition keys under the
configured names, only the original it recorded at upload, only photos that exist."""

import base64
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import pytest
from aws_fixtures import aws_env, photo_bucket, s3  # noqa: F401
from test_aws_stream import ETAG, metadata_outcome, renditions_outcome, stream_record

from webapp.photos import result_checks, services
from webapp.photos.aws import stream
from webapp.photos.aws.s3_uploads import upload_ticket
from webapp.photos.models import Photo, PhotoStatus

pytestmark = pytest.mark.django_db


def photo_of(owner, **fields) -> Photo:
    photo_id = uuid.uuid4()
    values = {
        "id": photo_id,
        "owner": owner,
        "filename": "hopper.jpg",
        "original_key": f"uploads/{photo_id}/hopper.jpg",
        "content_type": "image/jpeg",
        "declared_size": 1234,
        "status": PhotoStatus.PROCESSING,
        "source_etag": ETAG,
        **fields,
    }
    return Photo.objects.create(**values)


def test_an_item_pointing_alices_thumbnail_at_bobs_original_is_refused(
    alice, bob, load_event, caplog
):
    # given: an item for alice's photo whose thumb is bob's original
    mine, theirs = photo_of(alice), photo_of(bob)
    forged = renditions_outcome(str(mine.pk))
    forged["result"]["renditions"][0]["key"] = theirs.original_key
    item = {"photo_id": str(mine.pk), "renditions": forged}

    # when
    with caplog.at_level(logging.ERROR):
        response = stream.handler({"Records": [stream_record(load_event, item, sequence="1")]})

    # then: nothing recorded, nothing to retry, and a log line that says why
    assert response == {"batchItemFailures": []}
    mine.refresh_from_db()
    assert mine.renditions == {}
    assert mine.jobs == {}
    assert "points outside the photo's folder" in caplog.text
    assert theirs.original_key in caplog.text


@pytest.mark.parametrize(
    "key",
    [
        "renditions/{other}/thumb.webp",
        "renditions/{pid}/../{other}/thumb.webp",
        "renditions/{pid}/medium.webp",
        "uploads/{pid}/hopper.jpg",
        "/etc/passwd",
    ],
)
def test_only_the_photos_own_key_for_that_name_is_recorded(alice, key):
    photo = photo_of(alice)
    outcome = renditions_outcome(str(photo.pk))
    outcome["result"]["renditions"][0]["key"] = key.format(pid=photo.pk, other=uuid.uuid4())

    services.photo_results_record(photo_id=photo.pk, job="renditions", outcome=outcome)

    photo.refresh_from_db()
    assert photo.jobs == {}
    assert photo.renditions == {}


def test_a_rendition_the_configuration_does_not_make_is_refused(alice, caplog):
    photo = photo_of(alice)
    outcome = renditions_outcome(str(photo.pk))
    outcome["result"]["renditions"][2].update(name="huge", key=f"renditions/{photo.pk}/huge.webp")

    services.photo_results_record(photo_id=photo.pk, job="renditions", outcome=outcome)

    photo.refresh_from_db()
    assert photo.jobs == {}
    assert "unknown rendition 'huge'" in caplog.text


def test_the_configured_names_follow_the_setting(alice, monkeypatch):
    monkeypatch.setenv("PHOTOS_RENDITION_SIZES", "thumb=256,huge=4096")
    assert result_checks.rendition_names() == {"thumb", "huge"}


def test_a_genuine_item_is_still_recorded(alice):
    photo = photo_of(alice)

    services.photo_results_record(
        photo_id=photo.pk, job="renditions", outcome=renditions_outcome(str(photo.pk))
    )

    photo.refresh_from_db()
    assert set(photo.renditions) == {"thumb", "medium", "large"}


def test_an_item_for_an_unknown_photo_is_dropped_and_logged(load_event, caplog):
    ghost = str(uuid.uuid4())
    item = {"photo_id": ghost, "metadata": metadata_outcome()}

    with caplog.at_level(logging.WARNING):
        response = stream.handler({"Records": [stream_record(load_event, item, sequence="7")]})

    assert response == {"batchItemFailures": []}
    assert not Photo.objects.filter(pk=ghost).exists()
    assert ghost in caplog.text and "no longer exists" in caplog.text


# --- overwrites ---------------------------------------------------------------------------


def test_a_second_different_upload_fails_the_photo_with_the_reason(alice, load_event):
    # given: a photo recorded ready from the original with ETAG
    photo = photo_of(alice)
    pid = str(photo.pk)
    item = {"photo_id": pid, "renditions": renditions_outcome(pid), "metadata": metadata_outcome()}
    stream.handler({"Records": [stream_record(load_event, item, sequence="1")]})
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.READY

    # when: the ticket posted another file over it, and its jobs report
    replaced = renditions_outcome(pid)
    replaced["source_etag"] = "0" * 32
    replaced["finished_at"] = "2025-05-01T10:05:00.000Z"
    stream.handler(
        {"Records": [stream_record(load_event, {**item, "renditions": replaced}, sequence="2")]}
    )

    # then: failed, with the reason; the recorded outcomes are those of the first original
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.FAILED
    assert photo.error == result_checks.REPLACED_ORIGINAL
    assert photo.jobs["renditions"]["source_etag"] == ETAG
    assert photo.jobs["renditions"]["status"] == "failed"
    assert photo.jobs["metadata"]["status"] == "done"


def test_an_upload_ticket_never_lasts_more_than_five_minutes(photo_bucket):  # noqa: F811
    # given: a caller (or a setting) asking for an hour
    ticket = upload_ticket(
        key="uploads/x/a.jpg", content_type="image/jpeg", max_bytes=9, expires_in=3600
    )

    # then: the policy S3 enforces expires in five minutes
    policy = json.loads(base64.b64decode(ticket["fields"]["policy"]))
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert expires.timestamp() - time.time() <= 301


def test_the_ticket_setting_is_capped_at_five_minutes():
    script = "import django; django.setup(); from django.conf import settings; " + (
        "print(settings.PHOTOS_UPLOAD_TICKET_SECONDS)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "webapp.settings"}
    asked = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "PHOTOS_UPLOAD_TICKET_SECONDS": "3600"},
        capture_output=True,
        text=True,
        check=True,
    )
    default = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )

    assert asked.stdout.split()[-1] == "300"
    assert default.stdout.split()[-1] == "300"
