"""The object store the web process shares with the jobs, and the jobs' limits.

The embedded mode keeps originals and renditions under MEDIA_ROOT, laid out like the bucket
(`uploads/<photo_id>/<name>`, `renditions/<photo_id>/<name>.webp`), so the same keys work
when the store becomes S3.
"""

import dataclasses

from django.conf import settings

from jobs.config import Limits
from jobs.storage import LocalStore


def photo_store() -> LocalStore:
    # Built per call: tests point MEDIA_ROOT at a fresh directory, and it costs one resolve().
    return LocalStore(settings.MEDIA_ROOT)


def job_limits() -> Limits:
    """The jobs' limits with the byte and pixel caps the web app enforces at upload time."""
    return dataclasses.replace(
        Limits.from_env(),
        max_bytes=settings.PHOTOS_MAX_UPLOAD_BYTES,
        max_pixels=settings.PHOTOS_MAX_PIXELS,
    )
