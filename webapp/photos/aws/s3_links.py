"""Links to a photo's files in a private bucket: presigned GETs, short-lived, per request.

The bucket blocks all public access; a link is the owner's page vouching for one object for
a while. Used by S3PhotoStorage (storage.py); `client` and `bucket` default to the web
function's.
"""

from urllib.parse import quote

from django.conf import settings

from ..models import PhotoStatus
from .clients import client as default_client
from .clients import photo_bucket


def presigned_get(
    key: str,
    *,
    expires_in: int | None = None,
    download_name: str | None = None,
    client=None,
    bucket: str | None = None,
) -> str:
    if expires_in is None:
        expires_in = getattr(settings, "PHOTOS_LINK_SECONDS", 3600)
    params = {"Bucket": bucket or photo_bucket(), "Key": key}
    if download_name:
        # RFC 6266/5987: any name, any script, without breaking the header.
        params["ResponseContentDisposition"] = (
            f"attachment; filename*=UTF-8''{quote(download_name, safe='')}"
        )
    s3 = client or default_client("s3")
    return s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)


def rendition_urls(photo, *, names=None, client=None, bucket: str | None = None) -> dict[str, str]:
    """Presigned GETs of the renditions, or of those in `names` only."""
    return {
        name: presigned_get(rendition["key"], client=client, bucket=bucket)
        for name, rendition in (photo.renditions or {}).items()
        if rendition.get("key") and (names is None or name in names)
    }


def original_url(photo, *, client=None, bucket: str | None = None) -> str:
    if photo.status == PhotoStatus.UPLOADING:
        return ""
    return presigned_get(
        photo.original_key, download_name=photo.filename, client=client, bucket=bucket
    )
