"""Helpers of the album and sharing tests: JSON calls and photos with files on disk."""

import json
from pathlib import Path

from factories import PhotoFactory


def call(client, method: str, url: str, body=None):
    """A JSON request as the page scripts make it."""
    kwargs = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method.lower())(url, **kwargs)


def ready_photo(owner, media_root: Path | None = None, **kwargs):
    """A ready photo; with `media_root`, its renditions and original exist as files whose
    bytes name them, so a test can tell which one it was sent."""
    photo = PhotoFactory(owner=owner, ready=True, **kwargs)
    if media_root is not None:
        for name, rendition in photo.renditions.items():
            path = media_root / rendition["key"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"RIFF-{name}-{photo.pk}".encode())
        original = media_root / photo.original_key
        original.parent.mkdir(parents=True, exist_ok=True)
        original.write_bytes(f"ORIGINAL-{photo.pk}".encode())
    return photo
