"""The lambda runner: send a photo's original to the jobs again, the way an upload does.

Uploads need no runner on AWS (S3 notifies the topic itself); reprocessing and the sweep do.
The original is copied onto itself (same bytes, same ETag, a fresh ObjectCreated:Copy
event), so the jobs receive a genuine S3 notification through the topic, exactly like an
upload's. This needs nothing but S3: the web function lives in a VPC whose only way out is a
gateway endpoint to S3, and it needs no permission to publish to the topic, whose policy
admits the bucket alone.
"""

import logging
from datetime import UTC, datetime

from jobs.events import ObjectCreated

from ..storage import S3PhotoStorage

logger = logging.getLogger(__name__)

# Bytes the copy must leave as they are: a multipart original would get a new ETag on copy
# (and the jobs' outcomes would name an original the web app does not know). Uploads are
# single POSTs of at most the upload limit, so this is a guard, not a path taken.
_MULTIPART_ETAG = "-"


def redispatch(record: ObjectCreated) -> str:
    """Announce `record`'s original again; the ETag of the object S3 announces."""
    # The runner's check guarantees S3 storage; its client and bucket are the ones to use.
    storage = S3PhotoStorage()
    s3, bucket = storage.client, storage.bucket
    head = s3.head_object(Bucket=bucket, Key=record.key)
    etag = head["ETag"].strip('"')
    if _MULTIPART_ETAG in etag:
        raise ValueError(f"{record.key} was uploaded in parts: its copy would change its ETag")
    metadata = {
        **head.get("Metadata", {}),
        "redispatched-at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    # S3 refuses a copy onto itself that changes nothing; the new metadata is the change.
    # REPLACE drops what is not restated, so the type and caching headers are restated.
    extra = {
        name: head[name]
        for name in ("ContentType", "CacheControl", "ContentDisposition", "ContentEncoding")
        if head.get(name)
    }
    copied = s3.copy_object(
        Bucket=bucket,
        Key=record.key,
        CopySource={"Bucket": bucket, "Key": record.key},
        MetadataDirective="REPLACE",
        Metadata=metadata,
        **extra,
    )
    new_etag = copied["CopyObjectResult"]["ETag"].strip('"')
    if new_etag != etag:
        # SSE-KMS (not the SSE-S3 `provision` sets) makes ETags differ per copy: the jobs'
        # outcomes would then be ignored as results for another original.
        logger.error("copying %s changed its ETag (%s -> %s)", record.key, etag, new_etag)
    logger.info("announced %s to the jobs again", record.key)
    return new_etag
