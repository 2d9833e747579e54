"""The lambda runner: hand a record to the jobs by publishing it to the uploads topic.

Uploads need no runner on AWS (S3 notifies the topic itself); reprocessing and the sweep do.
The message is the S3 notification S3 would have sent, so the job functions, subscribed to
that topic, cannot tell a re-dispatch from an upload.
"""

import json
import logging
import os
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from jobs.events import ObjectCreated

from .clients import client, photo_bucket, region

logger = logging.getLogger(__name__)


def topic_arn() -> str:
    arn = getattr(settings, "PHOTOS_TOPIC_ARN", "") or os.environ.get("PHOTOS_TOPIC_ARN", "")
    if not arn:
        raise ImproperlyConfigured("PHOTOS_TOPIC_ARN must name the uploads topic")
    return arn


def publish(record: ObjectCreated) -> str:
    """Publish `record` (its bucket replaced by the photo bucket); the SNS message id."""
    message = s3_notification(record, bucket=photo_bucket())
    response = client("sns").publish(
        TopicArn=topic_arn(), Message=json.dumps(message), Subject="Amazon S3 Notification"
    )
    logger.info("published %s to the uploads topic", record.key)
    return response["MessageId"]


def s3_notification(record: ObjectCreated, *, bucket: str) -> dict:
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region(),
                "eventTime": now,
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "darkroom-redispatch",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {
                        # Notifications carry keys URL-encoded, and so must we.
                        "key": _encode_key(record.key),
                        "size": record.size or 0,
                        "eTag": record.etag,
                        "sequencer": record.sequencer,
                    },
                },
            }
        ]
    }


def _encode_key(key: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(key, safe="/")
