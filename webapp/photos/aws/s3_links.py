"""Links to a photo's files in a private bucket: presigned GETs, short-lived, per request.

The bucket blocks all public access; a link is the owner's page vouching for one object for
a while. Same functions as links.py, so the lead can switch on settings.PHOTOS_STORAGE.
"""

from urllib.parse import quote

from django.conf import settings

from ..models import PhotoStatus
from .clients import client, photo_bucket


def presigned_get(
    key: str, *, expires_in: int | None = None, download_name: str | None = None
) -> str:
    if expires_in is None:
        expires_in = getattr(settings, "PHOTOS_LINK_SECONDS", 3600)
    params = {"Bucket": photo_bucket(), "Key": key}
    if download_name:
        # RFC 6266/5987: any name, any script, without breaking the header.
        params["ResponseContentDisposition"] = (
            f"attachment; filename*=UTF-8''{quote(download_name, safe='')}"
        )
    return client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)


def rendition_urls(photo) -> dict[str, str]:
    return {
        name: presigned_get(rendition["key"])
        for name, rendition in (photo.renditions or {}).items()
        if rendition.get("key")
    }


def original_url(photo) -> str:
    if photo.status == PhotoStatus.UPLOADING:
        return ""
    return presigned_get(photo.original_key, download_name=photo.filename)
