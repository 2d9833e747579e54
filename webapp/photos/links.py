"""URLs of a photo's files. Pages, the API and the admin ask here and never build them.

With the local store the files are served by the owner-checked views in media_views.py;
with S3 (settings.PHOTOS_STORAGE) they are short-lived presigned GETs of the private bucket,
and nothing that calls these functions changes.
"""

import uuid
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

from .models import PhotoStatus
from .storage import uses_s3


def rendition_urls(photo) -> dict[str, str]:
    """{"thumb": url, "medium": url, "large": url} for the renditions the job produced."""
    if uses_s3():
        from .aws import s3_links

        return s3_links.rendition_urls(photo)
    # The renditions keep their key when a photo is reprocessed and are cached for a year:
    # the version in the query string is what makes a new rendition a new URL.
    version = _version(photo)
    pattern = _rendition_pattern(get_script_prefix(), get_urlconf())
    photo_id = str(photo.pk)
    return {
        name: pattern.replace(_ANY_ID, photo_id).replace(_ANY_NAME, name) + f"?v={version}"
        for name in photo.renditions
    }


def rendition_url(photo, name: str) -> str:
    """One rendition's URL, "" when there is none: the map's thousands of markers each want
    a thumbnail only, and presigning the other sizes would triple the work in S3 mode."""
    rendition = (photo.renditions or {}).get(name)
    if not rendition or not rendition.get("key"):
        return ""
    if uses_s3():
        from .aws import s3_links

        return s3_links.presigned_get(rendition["key"])
    pattern = _rendition_pattern(get_script_prefix(), get_urlconf())
    url = pattern.replace(_ANY_ID, str(photo.pk)).replace(_ANY_NAME, name)
    return f"{url}?v={_version(photo)}"


def original_url(photo) -> str:
    """Download link of the original as uploaded; "" until it has been uploaded."""
    if uses_s3():
        from .aws import s3_links

        return s3_links.original_url(photo)
    if photo.status == PhotoStatus.UPLOADING:
        return ""
    return reverse("media:original", kwargs={"photo_id": photo.pk})


_ANY_ID = str(uuid.UUID(int=0))
_ANY_NAME = "rendition-name"


@lru_cache(maxsize=16)
def _rendition_pattern(script_prefix: str, urlconf) -> str:
    # reverse() is the bulk of a gallery page's time (three renditions on 48 cards): resolve
    # the route once per prefix ("/" locally, "/web/" behind an API Gateway stage) and fill
    # in ids and names. Both are plain ASCII (a UUID, a slug), so no quoting is lost.
    return reverse("media:rendition", kwargs={"photo_id": _ANY_ID, "name": _ANY_NAME})


def _version(photo) -> str:
    stamp = photo.processed_at.strftime("%Y%m%d%H%M%S") if photo.processed_at else "0"
    return f"{photo.source_etag[:8]}{stamp}"
