"""/healthz for load balancers: can this process serve a photo right now?

Checks what every request path needs, the database (SELECT 1) and the object store (the
storage backend's own check: a file created and removed in MEDIA_ROOT, or HeadBucket on S3),
and nothing slower. No session, no user, no template: a probe every few seconds must cost
next to nothing and never write a session row.
"""

import logging
import time

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 returned something else")


def check_storage() -> None:
    from webapp.photos.storage import photo_storage

    photo_storage().check_health()


CHECKS = {"database": check_database, "storage": check_storage}


@never_cache
@require_safe
def healthz(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as exc:
            healthy = False
            # The class only: the endpoint is public, the details (hosts, paths) go to the log.
            results[name] = {"status": "failing", "error": type(exc).__name__}
            logger.warning("health check %s failing: %r", name, exc)
        else:
            results[name] = {"status": "ok"}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )
