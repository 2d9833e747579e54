"""The local stand-in for an S3 presigned POST policy: a signed, expiring list of conditions.

`local_ticket` gives the browser what S3's generate_presigned_post would: a URL and form
fields (key, Content-Type, a base64 JSON policy and its signature). uploads.py checks a
received upload against it the way S3 does, so the page's JavaScript is the same whether the
original lands on this disk or in a bucket.
"""

import base64
import json
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

_SALT = "darkroom.photos.upload-policy"


def local_ticket(photo, *, now: datetime | None = None) -> dict:
    """{"url", "fields"} for the upload view, valid PHOTOS_UPLOAD_TICKET_SECONDS."""
    expires = (now or timezone.now()) + timedelta(seconds=settings.PHOTOS_UPLOAD_TICKET_SECONDS)
    policy = {
        "expiration": expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "conditions": [
            {"key": photo.original_key},
            ["content-length-range", 1, settings.PHOTOS_MAX_UPLOAD_BYTES],
            {"Content-Type": photo.content_type},
        ],
    }
    encoded = base64.b64encode(json.dumps(policy, separators=(",", ":")).encode()).decode()
    return {
        "url": reverse("api:upload-file", kwargs={"photo_id": photo.pk}),
        "fields": {
            "key": photo.original_key,
            "Content-Type": photo.content_type,
            "policy": encoded,
            "signature": sign(encoded),
        },
    }


def sign(encoded_policy: str) -> str:
    return salted_hmac(_SALT, encoded_policy, algorithm="sha256").hexdigest()
