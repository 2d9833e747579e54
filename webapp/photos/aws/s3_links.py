"""Links to a photo's files in a private bucket: presigned GETs.

The bucket blocks all public access; a link is the owner's page vouching for one object for
a while. Used by S3PhotoStorage (storage.py); `client` and `bucket` default to the web
function's.

Rendition links are made to be cached. botocore signs at the current second, so every page
view would get new URLs and the browser would download every thumbnail again. Here they are
signed at the start of a window (PHOTOS_LINK_WINDOW_SECONDS), valid for the window plus
PHOTOS_LINK_SECONDS: the same URL for a whole window, and still good for at least
PHOTOS_LINK_SECONDS after any page showed it. The rendition's version is a signed `x-` query
parameter (S3 ignores those, but they are part of the signature), so a reprocess, which
keeps the keys, gives new URLs; `response-cache-control` makes S3 serve the bytes with a
long-lived Cache-Control, with no change to the objects the jobs write.
"""

import contextvars
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import botocore.auth
from django.conf import settings

from ..models import PhotoStatus
from .clients import client as default_client
from .clients import photo_bucket


def presigned_get(
    key: str,
    *,
    expires_in: int | None = None,
    download_name: str | None = None,
    cache_control: str | None = None,
    client=None,
    bucket: str | None = None,
) -> str:
    if expires_in is None:
        expires_in = getattr(settings, "PHOTOS_LINK_SECONDS", 3600)
    params = {"Bucket": bucket or photo_bucket(), "Key": key}
    if cache_control:
        # S3 answers with this Cache-Control (the objects themselves carry none).
        params["ResponseCacheControl"] = cache_control
    if download_name:
        # RFC 6266/5987: any name, any script, without breaking the header.
        params["ResponseContentDisposition"] = (
            f"attachment; filename*=UTF-8''{quote(download_name, safe='')}"
        )
    s3 = client or default_client("s3")
    return s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)


def rendition_urls(
    photo,
    *,
    version: str,
    names=None,
    cache_control: str,
    client=None,
    bucket: str | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """Windowed, versioned presigned GETs of the renditions (or those in `names`); see the
    module's doc."""
    s3 = client or default_client("s3")
    window = settings.PHOTOS_LINK_WINDOW_SECONDS
    expires_in = window + settings.PHOTOS_LINK_SECONDS
    now = now or datetime.now(UTC)
    start = int(now.timestamp()) // window * window
    signing = _Signing(datetime.fromtimestamp(start, UTC), {VERSION_PARAM: version})
    _use_windowed_signer(s3)
    token = _SIGNING.set(signing)
    try:
        return {
            name: presigned_get(
                rendition["key"],
                expires_in=expires_in,
                cache_control=cache_control,
                client=s3,
                bucket=bucket,
            )
            for name, rendition in (photo.renditions or {}).items()
            if rendition.get("key") and (names is None or name in names)
        }
    finally:
        _SIGNING.reset(token)


# The version of the rendition in its URL. S3 ignores query parameters that begin with "x-"
# (they only reach its access logs), but a presigned URL signs every parameter it carries.
VERSION_PARAM = "x-darkroom-v"


class _Signing:
    def __init__(self, at: datetime, params: dict[str, str]):
        self.at = at
        self.params = params


# Set only around rendition_urls' signing: every other request of the same client (HEADs,
# uploads, other presigned URLs) is signed by botocore as usual, at the current time.
_SIGNING: contextvars.ContextVar[_Signing | None] = contextvars.ContextVar(
    "darkroom_windowed_signing", default=None
)
WINDOWED_SIGNER = "s3v4-windowed-query"


class WindowedS3QueryAuth(botocore.auth.S3SigV4QueryAuth):
    """botocore's S3 SigV4 query signer, signing at the window's start instead of the clock
    (SigV4Auth.add_auth reads the clock itself; these are its steps at a given instant), and
    adding the signed parameters of the window (the version)."""

    def add_auth(self, request):
        signing = _SIGNING.get()
        if self.credentials is None:
            from botocore.exceptions import NoCredentialsError

            raise NoCredentialsError()
        request.context["timestamp"] = signing.at.strftime(botocore.auth.SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        canonical_request = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical_request)
        self._inject_signature_to_request(request, self.signature(string_to_sign, request))

    def _modify_request_before_signing(self, request):
        parts = urlsplit(request.url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        query += list(_SIGNING.get().params.items())
        request.url = urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))
        super()._modify_request_before_signing(request)


# An addition to botocore's table of signers, chosen through its public choose-signer event.
botocore.auth.AUTH_TYPE_MAPS.setdefault(WINDOWED_SIGNER, WindowedS3QueryAuth)


def _choose_windowed_signer(signature_version=None, **kwargs):
    if _SIGNING.get() is not None and signature_version == "s3v4-query":
        return WINDOWED_SIGNER
    return None


def _use_windowed_signer(s3) -> None:
    # unique_id: registering on every call (clients are cached) keeps one handler.
    s3.meta.events.register(
        "choose-signer.s3.GetObject", _choose_windowed_signer, unique_id=WINDOWED_SIGNER
    )


def original_url(photo, *, client=None, bucket: str | None = None) -> str:
    if photo.status == PhotoStatus.UPLOADING:
        return ""
    return presigned_get(
        photo.original_key, download_name=photo.filename, client=client, bucket=bucket
    )
