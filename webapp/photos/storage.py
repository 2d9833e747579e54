"""Where the photos' files live: one object per backend, chosen in one place.

`photo_storage()` answers, from settings.PHOTOS_STORAGE, with a LocalPhotoStorage (MEDIA_ROOT,
laid out like the bucket: `uploads/<photo_id>/<name>`, `renditions/<photo_id>/<name>.webp`)
or an S3PhotoStorage (the private photo bucket). Everything that touches the files asks that
object: the jobs' store, the upload ticket, the links pages show, the media views, HEAD of an
object, the health check and deletes. Nothing else in the app asks which backend it is.

The objects hold no connection and read their settings (MEDIA_ROOT, the bucket) when used:
tests and management commands point them somewhere fresh without rebuilding anything.
"""

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from jobs.formats import TYPES_BY_EXTENSION
from jobs.storage import LocalStore, S3Store

from .models import PhotoStatus
from .route_patterns import ANY_ID, route_pattern

# Rendition URLs carry a version, so a browser may keep them for a year; only the browser:
# they are somebody's private photos.
RENDITION_CACHE_CONTROL = "private, max-age=31536000, immutable"


@dataclass(frozen=True)
class ObjectHead:
    """What a HEAD of a stored object says. `etag` is S3's (the MD5 of a single-part upload,
    which the local store computes to match) or None when the store cannot tell."""

    size: int
    content_type: str
    etag: str | None


class LocalPhotoStorage:
    """Originals and renditions under MEDIA_ROOT, served by the owner-checked media views;
    originals arrive through the local upload view (uploads.py)."""

    name = "local"
    # The local store has one root and therefore one bucket; the name only fills records.
    bucket = "local"
    # The browser posts the original to this site, which checks the ticket (uploads.py).
    receives_uploads = True
    # Links go to this site's views, which check who asks on every request.
    presigns_links = False

    def job_store(self) -> LocalStore:
        return LocalStore(settings.MEDIA_ROOT)

    def path(self, key: str) -> Path:
        """The file of `key` under MEDIA_ROOT (refuses keys that would leave it)."""
        return self.job_store().path(key)

    def upload_ticket(self, photo, *, now=None) -> dict:
        from .upload_policy import local_ticket

        return local_ticket(photo, now=now)

    def rendition_urls(self, photo, *, names=None) -> dict[str, str]:
        # The renditions keep their key when a photo is reprocessed and are cached for a
        # year: the version in the query string is what makes a new rendition a new URL.
        version = rendition_version(photo)
        pattern = route_pattern("media:rendition", photo_id=ANY_ID, name=_ANY_NAME)
        photo_id = str(photo.pk)
        return {
            name: pattern.replace(ANY_ID, photo_id).replace(_ANY_NAME, name) + f"?v={version}"
            for name in photo.renditions
            if names is None or name in names
        }

    def original_url(self, photo) -> str:
        if photo.status == PhotoStatus.UPLOADING:
            return ""
        return reverse("media:original", kwargs={"photo_id": photo.pk})

    def original_response(self, photo):
        response = FileResponse(
            self._open(photo.original_key),
            as_attachment=True,
            filename=photo.filename,
            content_type=photo.content_type,
        )
        response["Cache-Control"] = "private, no-cache"
        return response

    def rendition_response(self, photo, name: str, *, request=None):
        # A validator from the file's stat (no read): a revalidating browser (a reload, a
        # cache past its max-age) gets a 304 and keeps its copy instead of the whole file.
        path = self.path(photo.renditions[name]["key"])
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise Http404("No such file") from None
        etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
        last_modified = stat.st_mtime
        response = None
        if request is not None:
            response = get_conditional_response(
                request, etag=etag, last_modified=int(last_modified)
            )
        if response is None:
            response = FileResponse(
                self._open(photo.renditions[name]["key"]), content_type="image/webp"
            )
            response["Last-Modified"] = http_date(last_modified)
        response["ETag"] = etag
        response["Cache-Control"] = RENDITION_CACHE_CONTROL
        return response

    def head(self, key: str) -> ObjectHead | None:
        path = self.path(key)
        if not path.is_file():
            return None
        # The local store keeps no ETag; S3's for a single-part upload is the MD5.
        digest = hashlib.md5(usedforsecurity=False)
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        ext = path.suffix.lstrip(".").lower()
        content_type = TYPES_BY_EXTENSION.get(ext, "application/octet-stream")
        return ObjectHead(
            size=path.stat().st_size, content_type=content_type, etag=digest.hexdigest()
        )

    def check_health(self) -> None:
        # Writable, not merely present: a read-only or full mount is what breaks uploads.
        root = self.job_store().root
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".healthz-"):
            pass

    def delete_photo_files(self, photo_id) -> int:
        return _delete_photo_files(self.job_store(), photo_id)

    def _open(self, key: str):
        try:
            return self.path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, ValueError):
            raise Http404("No such file") from None


class S3PhotoStorage:
    """Originals and renditions in the private photo bucket: the browser uploads with a
    presigned POST (bodies never pass through API Gateway or Lambda) and sees the files
    through short-lived presigned GETs. `client` and `bucket` default to the web function's
    (aws/clients.py), resolved on use."""

    name = "s3"
    receives_uploads = False
    # Links are presigned GETs of the private bucket: the page that hands them out vouches.
    presigns_links = True

    def __init__(self, *, client=None, bucket: str | None = None):
        self._client = client
        self._bucket = bucket

    @property
    def client(self):
        from .aws.clients import client

        return self._client or client("s3")

    @property
    def bucket(self) -> str:
        from .aws.clients import photo_bucket

        return self._bucket or photo_bucket()

    def job_store(self) -> S3Store:
        return S3Store(self.client, bucket=self.bucket)

    def upload_ticket(self, photo, *, now=None) -> dict:
        from .aws.s3_uploads import upload_ticket

        # The upload limit, not the declared size: S3 enforces the range, and an honest
        # browser's file cannot differ from what it declared anyway.
        return upload_ticket(
            key=photo.original_key,
            content_type=photo.content_type,
            max_bytes=settings.PHOTOS_MAX_UPLOAD_BYTES,
            client=self.client,
            bucket=self.bucket,
        )

    def rendition_urls(self, photo, *, names=None) -> dict[str, str]:
        from .aws import s3_links

        # Windowed and versioned (s3_links.py): the same URL for a while, a new one after a
        # reprocess, so the browser's cache serves a gallery seen before.
        return s3_links.rendition_urls(
            photo,
            names=names,
            version=rendition_version(photo),
            cache_control=RENDITION_CACHE_CONTROL,
            client=self.client,
            bucket=self.bucket,
        )

    def original_url(self, photo) -> str:
        from .aws import s3_links

        return s3_links.original_url(photo, client=self.client, bucket=self.bucket)

    # The pages link to presigned URLs; an old link to the media views is answered, after
    # the views' permission check, with a redirect to one.
    def original_response(self, photo):
        return HttpResponseRedirect(self.original_url(photo))

    def rendition_response(self, photo, name: str, *, request=None):
        return HttpResponseRedirect(self.rendition_urls(photo)[name])

    def head(self, key: str) -> ObjectHead | None:
        from botocore.exceptions import ClientError

        try:
            response = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        etag = (response.get("ETag") or "").strip('"') or None
        return ObjectHead(
            size=response["ContentLength"],
            content_type=response.get("ContentType") or "application/octet-stream",
            etag=etag,
        )

    def check_health(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def delete_photo_files(self, photo_id) -> int:
        return _delete_photo_files(self.job_store(), photo_id)


BACKENDS = {"local": LocalPhotoStorage, "s3": S3PhotoStorage}


def photo_storage() -> LocalPhotoStorage | S3PhotoStorage:
    """The backend settings.PHOTOS_STORAGE names (settings.py refuses any other value)."""
    return BACKENDS[settings.PHOTOS_STORAGE]()


def _delete_photo_files(store, photo_id) -> int:
    removed = store.delete_prefix(f"uploads/{photo_id}/")
    removed += store.delete_prefix(f"renditions/{photo_id}/")
    return removed


_ANY_NAME = "rendition-name"


def rendition_version(photo) -> str:
    # Seconds since the epoch, not strftime: computed for every card of a gallery page.
    stamp = int(photo.processed_at.timestamp()) if photo.processed_at else 0
    return f"{photo.source_etag[:8]}{stamp:x}"
