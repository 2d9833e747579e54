"""The object store the web process shares with the jobs, and the jobs' limits.

The embedded mode keeps originals and renditions under MEDIA_ROOT, laid out like the bucket
(`uploads/<photo_id>/<name>`, `renditions/<photo_id>/<name>.webp`), so the same keys work
when the store is S3 (settings.PHOTOS_STORAGE = "s3"): deletes, the Celery tasks and the
inline runner then read and write the photo bucket through the jobs' own S3Store.
"""

import dataclasses

from django.conf import settings

from jobs.config import Limits
from jobs.storage import LocalStore, S3Store


def uses_s3() -> bool:
    return settings.PHOTOS_STORAGE == "s3"


def photo_store() -> LocalStore | S3Store:
    # Built per call: tests point MEDIA_ROOT (or the bucket) somewhere fresh, and it costs
    # one resolve() or one cached client lookup.
    if uses_s3():
        from .aws.clients import client, photo_bucket

        return S3Store(client("s3"), bucket=photo_bucket())
    return LocalStore(settings.MEDIA_ROOT)


def store_bucket() -> str:
    """The bucket an object-created record names for this store."""
    if uses_s3():
        from .aws.clients import photo_bucket

        return photo_bucket()
    # The local store has one root and therefore one bucket; the name only fills the record.
    return "local"


def job_limits() -> Limits:
    """The jobs' limits with the byte and pixel caps the web app enforces at upload time."""
    return dataclasses.replace(
        Limits.from_env(),
        max_bytes=settings.PHOTOS_MAX_UPLOAD_BYTES,
        max_pixels=settings.PHOTOS_MAX_PIXELS,
    )
