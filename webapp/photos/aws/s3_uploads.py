"""Upload tickets for S3: a presigned POST the browser sends the file to, bypassing Lambda
(API Gateway caps request bodies at 10 MB; S3 takes the original directly).

The ticket has the shape of the local one, {"url", "fields"}: the page posts every field
first and the file last under "file", and S3 answers 204 like the local view.
"""

from django.conf import settings

from .clients import client as default_client
from .clients import photo_bucket

MAX_TICKET_SECONDS = 300


def upload_ticket(
    *,
    key: str,
    content_type: str,
    max_bytes: int,
    expires_in: int | None = None,
    client=None,
    bucket: str | None = None,
) -> dict:
    """A POST that can only put one object, at exactly `key`, of this type and at most
    `max_bytes`, before the ticket expires; S3 enforces every condition of the policy."""
    if expires_in is None:
        expires_in = settings.PHOTOS_UPLOAD_TICKET_SECONDS
    # Until it expires the ticket can post again over a recorded original: keep that short.
    expires_in = min(expires_in, MAX_TICKET_SECONDS)
    post = (client or default_client("s3")).generate_presigned_post(
        Bucket=bucket or photo_bucket(),
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            ["content-length-range", 1, max_bytes],
            {"Content-Type": content_type},
        ],
        ExpiresIn=expires_in,
    )
    return {"url": post["url"], "fields": post["fields"]}
