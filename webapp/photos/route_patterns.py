"""URLs for many objects at once: a route reversed once with placeholder arguments, then
filled in per object. reverse() was most of a gallery page's time (a page links 48 photos
and 144 renditions); the placeholders are plain ASCII (a UUID, a slug), so filling them in
loses no quoting."""

import uuid
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

ANY_ID = str(uuid.UUID(int=0))


def route_pattern(route: str, /, **placeholders: str) -> str:
    """The route reversed with `placeholders` (any names, `name` included), kept per script
    prefix ("/" locally, "/web/" behind an API Gateway stage) and URLconf."""
    return _pattern(route, tuple(sorted(placeholders.items())), get_script_prefix(), get_urlconf())


@lru_cache(maxsize=64)
def _pattern(route: str, placeholders: tuple, script_prefix: str, urlconf) -> str:
    return reverse(route, kwargs=dict(placeholders))
