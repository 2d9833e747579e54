"""Rate limits on the endpoints that cost something or invite guessing, in one table.

Counting is django-ratelimit's (`is_ratelimited`, a fixed window per key in the cache named
by RATELIMIT_USE_CACHE); what is limited, how often, and per what, is decided here by view
name, so the views (the accounts app's, Django's password reset, the upload API) stay as
they are. Logins are not in the table: django-axes locks those out after failed attempts.

Only POSTs count: showing a form costs nothing, submitting it sends mail, creates accounts or
hands out upload tickets. The answer is 429 with the reason in words (JSON under /api/) and a
Retry-After of one window.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.http import HttpResponse, JsonResponse
from django_ratelimit.core import is_ratelimited

# Per-process caches: each Lambda container or worker would count on its own.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "keeps a count per process",
    "django.core.cache.backends.dummy.DummyCache": "keeps no count at all",
    "django.core.cache.backends.filebased.FileBasedCache": "keeps a count per machine",
}
_WINDOW_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Limit:
    setting: str  # the rate, e.g. "5/h"
    key: str  # django-ratelimit key: "ip", "user", ...
    what: str  # the reason's subject, in words


LIMITS = {
    "signup": (Limit("THROTTLE_SIGNUP", "ip", "sign-ups from this address"),),
    "password_reset": (
        Limit("THROTTLE_PASSWORD_RESET", "ip", "password reset requests from this address"),
        # Also per mailbox: a run from many addresses must not flood one inbox either.
        Limit("THROTTLE_PASSWORD_RESET", "post:email", "password reset requests for this email"),
    ),
    "api:uploads": (Limit("THROTTLE_UPLOAD_TICKETS", "user", "upload requests"),),
}


class ThrottleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        limits = LIMITS.get(match.view_name, ()) if match else ()
        if request.method != "POST":
            return None
        for limit in limits:
            if limit.key == "user" and not request.user.is_authenticated:
                continue  # the view answers 401; nothing to count per user
            rate = getattr(settings, limit.setting)
            if is_ratelimited(
                request,
                group=f"throttle:{match.view_name}:{limit.key}",
                key=limit.key,
                rate=rate,
                method="POST",
                increment=True,
            ):
                return _refusal(request, limit, rate)
        return None


def _refusal(request, limit: Limit, rate: str) -> HttpResponse:
    reason = f"too many {limit.what}: at most {_in_words(rate)}; try again later"
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"error": reason}, status=429)
    else:
        response = HttpResponse(reason, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(_window(rate))
    return response


def _window(rate: str) -> int:
    _, _, period = rate.partition("/")
    digits = "".join(c for c in period if c.isdigit())
    return int(digits or 1) * _WINDOW_SECONDS.get(period[-1:], 60)


def _in_words(rate: str) -> str:
    count, _, period = rate.partition("/")
    unit = {"s": "second", "m": "minute", "h": "hour", "d": "day"}.get(period[-1:], period)
    return f"{count} per {unit}"


@checks.register(checks.Tags.caches, deploy=False)
def check_shared_rate_limit_cache(app_configs, **kwargs):
    """Refuse, outside DEBUG, a rate-limit cache that each process keeps for itself: on
    Lambda every container would allow the full rate on its own."""
    if settings.DEBUG:
        return []
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    reason = PER_PROCESS_CACHES.get(backend)
    if reason is None:
        return []
    return [
        checks.Error(
            f"the rate-limit cache {alias!r} ({backend}) {reason}: limits would not hold "
            "across processes",
            hint="Use the database cache (the default) or Redis (set REDIS_URL).",
            id="darkroom.E001",
        )
    ]
