"""The gallery page's body, kept between requests until the owner's photos change.

Issue 11: a gallery page cost about three times /healthz, nearly all of it the same work on
every view (48 rows read and drawn as cards, the filter form's choices, the failed count)
for photos that had not changed since the last view. The page's body (everything in its
`content` block) is kept here, one entry per owner, in the shared cache (settings.CACHES
"gallery": Redis, or a table of the site's database), so every process of a deployment and
every Lambda container sees the same entries and the same invalidation.

Invalidation: each owner has a *gallery version*, a random token in the same cache. A body
is stored with the version read *before* its rows were read, and served only while that
version is still current. `bump` gives the owner a new token once a change to their photos
commits: signals.py on every save of a Photo (services, the job outcomes' recorder, the
admin), the services that delete photos, and the writers that UPDATE rows without a save
(services, the sweep). A page drawn before the commit read the old rows under the old
version, which the bump retires; one drawn between the commit and the bump read the new
rows, so keeping it under the old version does no harm. A token is never reused, so an
evicted version is a miss, never an old body served again.

What else a body depends on is in its variant (`variant`): the query string (order,
filters, cursor), the script prefix, the code that draws it, and for presigned links (S3)
the link window they were signed in. Pages with photos still uploading are not kept: an
upload becomes "interrupted" by the clock alone, with no write to bump the version.
Entries expire after settings.PHOTOS_GALLERY_CACHE_SECONDS anyway (0 turns the cache off),
which bounds the damage of a bump lost to a cache outage.
"""

import hashlib
import logging
import time
import uuid
import zlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.urls import get_script_prefix

logger = logging.getLogger(__name__)

CACHE = "gallery"


def _cache():
    return caches[CACHE]


def _version_key(owner_id) -> str:
    return f"gallery-version:{owner_id}"


def _body_key(owner_id) -> str:
    return f"gallery-body:{owner_id}"


def enabled() -> bool:
    return settings.PHOTOS_GALLERY_CACHE_SECONDS > 0


def bump(owner_id) -> None:
    """The owner's photos changed: retire every body kept for them once the change commits
    (at once outside a transaction; never for a change rolled back)."""
    transaction.on_commit(lambda: _new_version(owner_id), robust=True)


def _new_version(owner_id) -> None:
    try:
        # Longer than any body lives: a body outliving its version would be unreachable
        # anyway (a missing version is a miss), this only keeps the keys from piling up.
        _cache().set(_version_key(owner_id), uuid.uuid4().hex, _version_seconds())
    except Exception:
        # The write itself succeeded; the body kept meanwhile expires with its timeout.
        logger.exception("could not bump the gallery version of owner %s", owner_id)


def _version_seconds() -> int:
    return 2 * settings.PHOTOS_GALLERY_CACHE_SECONDS


def lookup(owner_id, variant: str) -> tuple[str | None, str | None]:
    """(the kept body or None, the version to store a new body under, or None: don't).

    One round trip when the owner has a version (the version and the body read together)."""
    try:
        found = _cache().get_many([_version_key(owner_id), _body_key(owner_id)])
        version = found.get(_version_key(owner_id))
        if version is None:
            # No version yet (or evicted): start one. Another request may start its own at
            # the same instant; only the one that landed counts.
            version = uuid.uuid4().hex
            if not _cache().add(_version_key(owner_id), version, _version_seconds()):
                version = _cache().get(_version_key(owner_id))
            return None, version
        kept = found.get(_body_key(owner_id))
        if kept and kept[0] == version and kept[1] == variant:
            return zlib.decompress(kept[2]).decode(), version
        return None, version
    except Exception:
        logger.exception("gallery cache unavailable: the page is drawn afresh")
        return None, None


def store(owner_id, version: str | None, variant: str, body: str) -> None:
    if version is None:
        return
    try:
        _cache().set(
            _body_key(owner_id),
            # Compressed: a page's 80 KB of HTML is 7 KB, a tenth to fetch and decode (and
            # to keep) for a fifth of a millisecond to inflate.
            (version, variant, zlib.compress(body.encode(), 1)),
            settings.PHOTOS_GALLERY_CACHE_SECONDS,
        )
    except Exception:
        logger.exception("could not keep the gallery page of owner %s", owner_id)


def variant(query_string: str, *, presigned_links: bool) -> str:
    """What, besides the owner's photos, a body depends on (see the module's doc)."""
    parts = [code_digest(), get_script_prefix(), query_string]
    if presigned_links:
        # Links are signed at the start of a window and are the same for all of it
        # (aws/s3_links.py): a body kept within the window has the links a fresh one would.
        parts.append(str(int(time.time()) // settings.PHOTOS_LINK_WINDOW_SECONDS))
    return "\n".join(parts)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The photos app's code and templates, and the settings the page hands its scripts (the
    upload limit and types), hashed once per process: a deploy that changes how a gallery
    is drawn never serves a body the old code drew (nor the reverse, while old and new
    containers overlap). Computed at the first gallery page, not at import."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(
        repr((settings.PHOTOS_MAX_UPLOAD_BYTES, settings.PHOTOS_ALLOWED_CONTENT_TYPES)).encode()
    )
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".html") and "migrations" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()
