"""Where originals come from and renditions go: S3, or a local directory laid out like S3.

Both stores speak keys (`uploads/<photo_id>/<name>`, `renditions/<photo_id>/<name>.webp`) and
share one shape: `fetch(record, max_bytes=)` is a context manager yielding a local path,
`put(key, data, content_type)` and `delete_prefix(prefix)`. The size is checked before a
single byte of the original is read, so an 80 GB "photo" costs one HEAD request.
"""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from jobs.errors import Superseded, TooLarge, human_bytes
from jobs.events import ObjectCreated

# Renditions live at a stable key per photo but a reprocess rewrites them in place, so a
# shared cache must never keep one: "private" (the bucket is private, every URL is presigned
# and therefore already unique per signature) lets the browser keep it for a year without a
# CDN or proxy serving a stale copy after the overwrite.
RENDITION_CACHE_CONTROL = "private, max-age=31536000, immutable"

_CHUNK = 1024 * 1024
# ListObjectsV2 returns at most 1000 keys a page, DeleteObjects takes at most 1000 keys.
_PAGE_SIZE = 1000


def check_size(size: int | None, max_bytes: int) -> None:
    if size is not None and size > max_bytes:
        raise TooLarge(f"too large: {human_bytes(size)}, limit {human_bytes(max_bytes)}")


@cache
def default_s3_client():
    """One S3 client per process, made on first use (boto3 honours AWS_ENDPOINT_URL)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(retries={"mode": "standard", "max_attempts": 3}))


class S3Store:
    """Originals and renditions in S3. `bucket` is where put/delete_prefix write by default;
    fetch always reads the bucket the record names."""

    def __init__(self, client=None, *, bucket: str | None = None):
        self._client = client
        self.bucket = bucket

    @property
    def client(self):
        if self._client is None:
            self._client = default_s3_client()
        return self._client

    @contextlib.contextmanager
    def fetch(self, record: ObjectCreated, *, max_bytes: int) -> Iterator[Path]:
        """The object exactly as the event names it, as a local file.

        With the record's ETag, both requests carry `IfMatch`: an original overwritten
        since the event (a presigned POST can be replayed until it expires) raises
        `Superseded` rather than handing over bytes the event never announced.
        """
        # The event's size first (free), then the object's own (the event may be stale or
        # hand-made), and only then the download.
        check_size(record.size, max_bytes)
        exact = {"IfMatch": f'"{record.etag}"'} if record.etag else {}
        with _superseded_on_mismatch(record):
            head = self.client.head_object(Bucket=record.bucket, Key=record.key, **exact)
        check_size(head["ContentLength"], max_bytes)
        with tempfile.TemporaryDirectory(prefix="darkroom-") as tmp:
            path = Path(tmp) / "original"
            with _superseded_on_mismatch(record):
                response = self.client.get_object(Bucket=record.bucket, Key=record.key, **exact)
            body = response["Body"]
            try:
                with open(path, "wb") as out:
                    written = 0
                    for chunk in body.iter_chunks(_CHUNK):
                        written += len(chunk)
                        # Replaced between HEAD and GET by something bigger: stop reading.
                        check_size(written, max_bytes)
                        out.write(chunk)
            finally:
                body.close()
            yield path

    def put(self, key: str, data: bytes, content_type: str, *, bucket: str | None = None):
        self.client.put_object(
            Bucket=self._bucket(bucket),
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl=RENDITION_CACHE_CONTROL,
        )

    def delete_prefix(self, prefix: str, *, bucket: str | None = None) -> int:
        """Delete every object under `prefix` (e.g. `renditions/<photo_id>/`); the count."""
        _require_prefix(prefix)
        bucket = self._bucket(bucket)
        deleted = 0
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": _PAGE_SIZE}
        )
        for page in pages:
            keys = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
            if keys:
                response = self.client.delete_objects(
                    Bucket=bucket, Delete={"Objects": keys, "Quiet": True}
                )
                if response.get("Errors"):
                    first = response["Errors"][0]
                    raise RuntimeError(f"could not delete {first['Key']}: {first['Message']}")
                deleted += len(keys)
        return deleted

    def _bucket(self, bucket: str | None) -> str:
        bucket = bucket or self.bucket
        if not bucket:
            raise ValueError("S3Store needs a bucket to write to")
        return bucket


class LocalStore:
    """Keys as files under `root`: what the embedded mode and Celery on one machine use.
    There is one root, hence one bucket: a record's or caller's bucket name is ignored."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        """The file for `key`, refusing anything that would land outside the root."""
        if not key or key.startswith(("/", "\\")) or "\\" in key or "\x00" in key:
            raise ValueError(f"unsafe key: {key!r}")
        if any(part in ("..", ".") for part in key.split("/")):
            raise ValueError(f"unsafe key: {key!r}")
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"unsafe key: {key!r}")
        return path

    @contextlib.contextmanager
    def fetch(self, record: ObjectCreated, *, max_bytes: int) -> Iterator[Path]:
        path = self.path(record.key)
        check_size(record.size, max_bytes)
        check_size(path.stat().st_size, max_bytes)
        # Already local: no copy. The jobs only read it.
        yield path

    def put(self, key: str, data: bytes, content_type: str, *, bucket: str | None = None):
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Readers (the web process serving /media/) see the old file or the new one, never
        # half of one.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def delete_prefix(self, prefix: str, *, bucket: str | None = None) -> int:
        """Delete the directory `prefix` names (e.g. `renditions/<photo_id>/`); files removed."""
        _require_prefix(prefix)
        path = self.path(prefix.rstrip("/"))
        if not path.exists():
            return 0
        if path.is_file():
            path.unlink()
            return 1
        count = sum(1 for p in path.rglob("*") if p.is_file())
        shutil.rmtree(path)
        return count


@contextlib.contextmanager
def _superseded_on_mismatch(record: ObjectCreated):
    from botocore.exceptions import ClientError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if error.get("Code") in ("PreconditionFailed", "412") or status == 412:
            raise Superseded(
                f"the original changed after the event (ETag {record.etag} no longer matches)"
            ) from None
        raise  # a missing object or bucket stays a transient error: Lambda retries


def _require_prefix(prefix: str) -> None:
    # An empty prefix would mean "the whole bucket": never what a caller means.
    if not prefix.strip("/"):
        raise ValueError("refusing to delete with an empty prefix")
