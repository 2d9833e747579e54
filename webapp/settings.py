"""Django settings for Darkroom.

Every setting comes from the environment, with embedded defaults that make a fresh clone
run on a laptop: SQLite, a local media folder, jobs on a thread pool. DEBUG is off unless
DJANGO_DEBUG asks for it; with DEBUG off the site refuses to start without a real secret key.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ

from jobs.config import Limits
from jobs.formats import ACCEPTED_CONTENT_TYPES

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless asked for (`make run` and the test settings ask): a deployment that forgets the
# variable must not serve tracebacks, plain-HTTP cookies or a development secret.
DEBUG = env.bool("DJANGO_DEBUG", default=False)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "webapp.accounts",
    "webapp.photos",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Rate limits by view name (signup, password reset, upload tickets): webapp/throttle.py.
    "webapp.throttle.ThrottleMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "webapp.urls"
WSGI_APPLICATION = "webapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
if not env.str("DATABASE_URL", default=""):
    # SQLite creates the file but not its folder: a fresh clone has no var/ yet.
    (BASE_DIR / "var").mkdir(exist_ok=True)
# Short-lived connections by default: on Lambda each container holds one, and a long
# CONN_MAX_AGE across thousands of containers exhausts PostgreSQL's connection slots.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The inline runner writes from worker threads while requests read: WAL plus a busy
    # timeout keeps SQLite from answering "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# Fixed when the settings load: the test runner switches DEBUG off afterwards, yet tests and
# `make run` serve the apps' static files without a collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Relative to the script prefix of each request: "/web/static/" behind API Gateway's
        # stage, "/static/" anywhere else (webapp/static_storage.py says why).
        "BACKEND": "webapp.static_storage.PrefixedStaticFilesStorage"
        if DEBUG
        else "webapp.static_storage.PrefixedManifestStaticFilesStorage",
        "OPTIONS": {"base_url": STATIC_URL},
    },
}

# Media are never served from a public URL: views check ownership and stream the file.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "photos:gallery"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Security: HTTPS, CSP -------------------------------------------------------------------
# Behind API Gateway the browser speaks HTTPS to the gateway, which calls the function and
# says so in X-Forwarded-Proto (a header the gateway sets itself, whatever the client sent).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Health checks may come from inside the network, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
# "preload" only states consent: nothing happens until the owner of a custom domain submits
# it to the browsers' list (API Gateway's own hosts cannot be submitted by anyone else).
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _storage_origins() -> list[str]:
    """Where the browser fetches photos from and posts originals to in S3 mode: the photo
    bucket's own hosts (presigned GETs and the presigned POST), or the emulator's endpoint."""
    if env.str("PHOTOS_STORAGE", default="local") != "s3":
        return []
    endpoint = env.str("AWS_ENDPOINT_URL_S3", default="") or env.str("AWS_ENDPOINT_URL", default="")
    if endpoint:
        return [_origin(endpoint)]
    bucket = env.str("PHOTOS_BUCKET", default="")
    region = env.str("AWS_REGION", default="") or env.str("AWS_DEFAULT_REGION", default="")
    hosts = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        hosts.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return hosts


# The map's tiles, loaded by the user's browser (never by the server): the Content-Security-
# Policy's img-src below allows their origin, or the browser would refuse every tile.
PHOTOS_MAP_TILE_URL = env.str(
    "PHOTOS_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)


# No inline script or style anywhere: page data travels in json_script blocks (data, never
# run) and data attributes; placeholders are data: URLs painted by app.js through the CSSOM.
_STORAGE_ORIGINS = _storage_origins()
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_STORAGE_ORIGINS, _origin(PHOTOS_MAP_TILE_URL)],
        "connect-src": ["'self'", *_STORAGE_ORIGINS],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Shared cache, throttling, login lockout -------------------------------------------------
# Rate limits count in a cache every process of a deployment shares. A per-process memory cache
# would give each Lambda container (and each worker) its own count, so N containers would allow
# N times the rate. Redis when REDIS_URL is set; otherwise a table in the site's database,
# created by `migrate` (webapp/photos/apps.py runs createcachetable after migrating). The
# database cache increments by read-then-write, so two requests in the same instant may count
# once: a limit can be overshot by the few requests in flight, never multiplied by containers.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "darkroom_cache",
    }
}
# The gallery page's body, kept until the owner's photos change (webapp/photos/gallery_cache.py):
# shared by every process like the counts, so one invalidation reaches them all, yet apart
# from them (Redis keys of their own, a table of their own) so pages never evict a count.
CACHES["gallery"] = (
    {**CACHES["default"], "KEY_PREFIX": "gallery"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "darkroom_gallery_cache",
        # About 80 KB a page, one page per owner: a bounded table.
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
)
# How long a kept page may be served without its owner's photos changing (0: never kept).
PHOTOS_GALLERY_CACHE_SECONDS = env.int("PHOTOS_GALLERY_CACHE_SECONDS", default=600)
RATELIMIT_USE_CACHE = "default"
# Per address means API Gateway's sourceIp on Lambda, REMOTE_ADDR elsewhere: never a header a
# client can write (webapp/client_ip.py).
RATELIMIT_IP_META_KEY = "webapp.client_ip.client_ip"
# Requests per window, in django-ratelimit's notation ("5/h": five an hour).
THROTTLE_SIGNUP = env.str("THROTTLE_SIGNUP", default="10/h")  # per address
THROTTLE_PASSWORD_RESET = env.str("THROTTLE_PASSWORD_RESET", default="5/h")  # per address
THROTTLE_UPLOAD_TICKETS = env.str("THROTTLE_UPLOAD_TICKETS", default="120/m")  # per user

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out address is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins are counted in the database (AxesDatabaseHandler, axes' default), which every
# Lambda container shares. Counted per client address: a password-guessing run from one place
# is stopped, while nobody elsewhere can lock a user out of their own account by name.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
# Failures are not forgiven by a success: a guesser with an account of its own could
# otherwise log into it between guesses and never reach the limit. They expire with the cooloff.
AXES_RESET_ON_SUCCESS = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "webapp.client_ip.client_ip"

# --- Quotas ----------------------------------------------------------------------------------
# Per user: bytes of originals kept, and photos waiting for their original
# (webapp/photos/quotas.py).
PHOTOS_QUOTA_BYTES = env.int("PHOTOS_QUOTA_BYTES", default=10 * 1000**3)
PHOTOS_QUOTA_PENDING = env.int("PHOTOS_QUOTA_PENDING", default=50)
# The sweep's bounds per run (webapp/photos/aws/sweep.py): photos of each kind, and the time
# kept back from the function's remaining time for the commit and the report.
PHOTOS_SWEEP_BATCH = env.int("PHOTOS_SWEEP_BATCH", default=200)
PHOTOS_SWEEP_RESERVE_SECONDS = env.int("PHOTOS_SWEEP_RESERVE_SECONDS", default=5)

# --- Photos -------------------------------------------------------------------------------
# inline (thread pool in the web process) | celery | lambda
PHOTOS_JOB_RUNNER = env.str("PHOTOS_JOB_RUNNER", default="inline")
# Threads of the inline runner; 0 runs the jobs in the calling thread right after the upload
# commits (debugging, tests).
PHOTOS_INLINE_WORKERS = env.int("PHOTOS_INLINE_WORKERS", default=2)
# The jobs' limits are the source: the defaults live once, in jobs/config.py, and the same
# environment variables set both the web's upload checks and the job functions' budgets.
_JOB_LIMITS = Limits.from_env()
PHOTOS_MAX_UPLOAD_BYTES = _JOB_LIMITS.max_bytes
PHOTOS_MAX_PIXELS = _JOB_LIMITS.max_pixels
# A presigned POST can be replayed until it expires (over an original already recorded):
# five minutes at most, whatever the environment asks.
PHOTOS_UPLOAD_TICKET_MAX_SECONDS = 300
PHOTOS_UPLOAD_TICKET_SECONDS = min(
    env.int("PHOTOS_UPLOAD_TICKET_SECONDS", default=300), PHOTOS_UPLOAD_TICKET_MAX_SECONDS
)
# The accepted types, from the one table of formats (jobs/formats.py).
PHOTOS_ALLOWED_CONTENT_TYPES = list(ACCEPTED_CONTENT_TYPES)

# Where originals and renditions live: "local" (MEDIA_ROOT, laid out like the bucket) or
# "s3" (a private bucket; the browser uploads straight to it with a presigned POST and sees
# the files through short-lived presigned GETs).
PHOTOS_STORAGE = env.str("PHOTOS_STORAGE", default="local")
if PHOTOS_STORAGE not in ("local", "s3"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"PHOTOS_STORAGE={PHOTOS_STORAGE!r}: choose local or s3")
PHOTOS_BUCKET = env.str("PHOTOS_BUCKET", default="")
PHOTOS_RESULTS_TABLE = env.str("PHOTOS_RESULTS_TABLE", default="")
PHOTOS_LINK_SECONDS = env.int("PHOTOS_LINK_SECONDS", default=3600)
PHOTOS_MAP_ATTRIBUTION = env.str(
    "PHOTOS_MAP_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
    "contributors",
)
# The map shows at most this many photos, the newest: one query, one bounded answer.
PHOTOS_MAP_MAX_POINTS = env.int("PHOTOS_MAP_MAX_POINTS", default=5000)
# The sweep (a schedule on AWS, `manage.py sweep` elsewhere): how long a photo may stay in
# processing before its jobs are sent again, how many times, and when an upload that never
# arrived is given up.
PHOTOS_STUCK_MINUTES = env.int("PHOTOS_STUCK_MINUTES", default=15)
PHOTOS_SWEEP_ATTEMPTS = env.int("PHOTOS_SWEEP_ATTEMPTS", default=3)
PHOTOS_ABANDONED_HOURS = env.int("PHOTOS_ABANDONED_HOURS", default=24)
# How often the sweep runs where nobody schedules it from outside: the inline runner's own
# timer (0 turns it off) and Celery beat. At most the ticket's lifetime, so an upload whose
# ticket was never used is gone within about two lifetimes.
PHOTOS_SWEEP_SECONDS = env.int("PHOTOS_SWEEP_SECONDS", default=300)
# The upload page shows again the photos its user added this long ago that are still uploading
# or processing (a reload, a new tab).
PHOTOS_RECENT_UPLOAD_MINUTES = env.int("PHOTOS_RECENT_UPLOAD_MINUTES", default=60)
# Presigned rendition links are signed at the start of a window of this many seconds, so a
# page shows the same URL (a browser cache hit) for the whole window.
PHOTOS_LINK_WINDOW_SECONDS = env.int("PHOTOS_LINK_WINDOW_SECONDS", default=3600)
AWS_S3_REGION_NAME = env.str("AWS_REGION", default="") or None
# No django-storages: the photos reach S3 through webapp.photos.storage, which shares the
# jobs' own S3Store and boto3 client, and nothing in the site saves through Django's
# default_storage. A second S3 client stack configured for a bucket nobody wrote through
# only added weight to the web function's zip.

# Uploads: every file part is streamed to a temporary file (never held in memory) while its
# MD5 (the ETag, as S3 computes it for a single-part upload) is taken, and anything bigger
# than the photo limit is refused from its Content-Length before a byte is read. The local
# upload endpoint is the only place the site accepts files.
FILE_UPLOAD_HANDLERS = ["webapp.photos.uploads.HashingUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # other handlers' default; ours always spools
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # non-file fields only (ticket fields, forms, JSON)
FILE_UPLOAD_TEMP_DIR = env.str("DJANGO_FILE_UPLOAD_TEMP_DIR", default=None)
FILE_UPLOAD_PERMISSIONS = 0o640

# The API answers a CSRF failure in JSON; pages keep Django's HTML page.
CSRF_FAILURE_VIEW = "webapp.photos.api.csrf_failure"

# One JSON object per line carrying the photo and job it is about, in the job functions'
# format (jobs/logs.py), where logs are read by machines (Lambda, a worker); plain lines in a
# terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "jobs.logs.LogContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"},
        "json": {
            "()": "jobs.logs.JsonFormatter",
            "service": env.str("POWERTOOLS_SERVICE_NAME", default="darkroom-web"),
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"level": env.str("DJANGO_LOG_LEVEL", default="INFO"), "propagate": True},
    },
}

# --- Mail (password resets) ----------------------------------------------------------------
# DJANGO_EMAIL picks the one mailer:
#   console-and-files  every message on the console and as a .eml file in DJANGO_EMAIL_FILE_PATH
#                      (the laptop default: `make run` says where)
#   console            the console only (a server's logs)
#   ses                Amazon SES through django-ses, with the function's own credentials
#   smtp               any SMTP relay, from DJANGO_EMAIL_HOST, _PORT, _USER, _PASSWORD, _USE_TLS
# With DEBUG off the default is the console: Lambda's disk is read-only, and `check --deploy`
# warns that nothing is really sent.
MAIL_MODE = env.str("DJANGO_EMAIL", default="console-and-files" if DEBUG else "console")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Darkroom <darkroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAIL_FILE_PATH = Path(env.str("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail")))
if MAIL_MODE == "console-and-files":
    _mailer = {
        "BACKEND": "webapp.accounts.mail.ConsoleAndFilesBackend",
        "OPTIONS": {"file_path": str(MAIL_FILE_PATH)},
    }
elif MAIL_MODE == "console":
    _mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
elif MAIL_MODE == "ses":
    # SES API v2 with the raw message: one call, so the web role needs `ses:SendEmail` on the
    # sender's identity and nothing else (no quota look-up: auto-throttling is off, the site
    # sends a handful of resets, far below any account's rate).
    _mailer = {
        "BACKEND": "django_ses.SESBackend",
        "OPTIONS": {
            "use_ses_v2": True,
            "aws_region_name": env.str("AWS_SES_REGION", default="")
            or env.str("AWS_REGION", default="")
            or "us-east-1",
        },
    }
elif MAIL_MODE == "smtp":
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env.str("DJANGO_EMAIL_HOST", default="localhost"),
            "port": env.int("DJANGO_EMAIL_PORT", default=587),
            "username": env.str("DJANGO_EMAIL_USER", default=""),
            "password": env.str("DJANGO_EMAIL_PASSWORD", default=""),
            "use_tls": env.bool("DJANGO_EMAIL_USE_TLS", default=True),
            "use_ssl": env.bool("DJANGO_EMAIL_USE_SSL", default=False),
            # A relay that does not answer must not hold a request (API Gateway gives 29 s).
            "timeout": env.int("DJANGO_EMAIL_TIMEOUT", default=10),
        },
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"DJANGO_EMAIL={MAIL_MODE!r}: choose console-and-files, console, ses or smtp"
    )
MAILERS = {"default": _mailer}
# django-ses reads these from settings, not from its OPTIONS: None lets boto3 find the
# endpoint itself (AWS_ENDPOINT_URL_SESV2 or AWS_ENDPOINT_URL when set, as in the tests).
AWS_SES_REGION_ENDPOINT_URL = None
AWS_SES_AUTO_THROTTLE = None
# Reset mails one account may be sent in an hour: the form mails whoever owns the address
# typed in, so without a bound it is a way to flood an inbox through our SES sender.
ACCOUNTS_RESET_MAILS_PER_HOUR = env.int("ACCOUNTS_RESET_MAILS_PER_HOUR", default=3)

# --- Sharing links ---------------------------------------------------------------------------
# How long a link lives when the owner does not say, and the longest it may (days).
PHOTOS_SHARE_DEFAULT_DAYS = env.int("PHOTOS_SHARE_DEFAULT_DAYS", default=30)
PHOTOS_SHARE_MAX_DAYS = env.int("PHOTOS_SHARE_MAX_DAYS", default=365)
# Bounds per user: albums, photos in one album, live links.
PHOTOS_MAX_ALBUMS = env.int("PHOTOS_MAX_ALBUMS", default=1000)
PHOTOS_ALBUM_MAX_PHOTOS = env.int("PHOTOS_ALBUM_MAX_PHOTOS", default=1000)
PHOTOS_SHARE_MAX_LIVE = env.int("PHOTOS_SHARE_MAX_LIVE", default=500)
# Per client address, counted in the cache named by RATELIMIT_USE_CACHE: shared pages (and
# guessed tokens), and the images those pages load (an album page loads many at once).
THROTTLE_SHARED_PAGES = env.str("THROTTLE_SHARED_PAGES", default="60/m")
THROTTLE_SHARED_FILES = env.str("THROTTLE_SHARED_FILES", default="600/m")
