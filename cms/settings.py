"""Settings, all from the environment (see README "Configuration").

The embedded default needs nothing: SQLite in ``CMS_DATA_DIR`` and a secret key generated
once and kept there. Production points ``DATABASE_URL`` at PostgreSQL.
"""

import os
import re
import secrets
import warnings
from pathlib import Path

from cms.env import env_bool, env_list

# Blocks kept in modules of their own, every name in them a setting: where files live, the
# database, logging, HTTPS, and failed-authentication throttles, rate limits and the
# trusted proxies.
from cms.settings_parts.database import *  # noqa: F403
from cms.settings_parts.https import *  # noqa: F403
from cms.settings_parts.limits import *  # noqa: F403
from cms.settings_parts.logs import *  # noqa: F403
from cms.settings_parts.paths import BASE_DIR, DATA_DIR  # noqa: F401  (both settings)
from cms.storage_config import s3_options


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated on first start and kept.

    The kept key suits one machine (``make run``, the tests, management commands); the
    production server refuses to start without SECRET_KEY (cms/startup.py), since each host
    would otherwise sign upload URLs and sessions with a key of its own.
    """
    given = os.environ.get("SECRET_KEY")
    if given:
        return given
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Created with 0600 so only the server's user can read it.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


SECRET_KEY = _secret_key()
# Encrypts the copy of each API token's secret that token managers can read back
# (access/secrets.py); SECRET_KEY's when unset.
TOKEN_ENCRYPTION_KEY = os.environ.get("CMS_TOKEN_ENCRYPTION_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    # Before the admin: its admin/base_site.html (the environment in the header) wins.
    "environments",
    "cms.admin_apps.CmsAdminConfig",  # django.contrib.admin, login throttled
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    # The API document (cms/openapi): drf-spectacular makes it, the sidecar's Swagger UI
    # files (static, served by whitenoise) browse it at /docs.
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "cms",
    "item_types",
    "items",
    "uploads",
    "menus",
    "schedules",
    "jobs",
    "webhooks",
    "build_triggers",
    "access",
    "audit_log",
]

MIDDLEWARE = [
    # Outermost: the request id, the access log line and the metrics see every answer.
    "observability.middleware.RequestObservabilityMiddleware",
    "cms.db.StatementTimeoutMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Inside CORS (a 429 carries its headers; preflights are answered before it, uncounted),
    # before everything else of the API's: a refusal costs no query.
    "cms.rate_limits.RateLimitMiddleware",
    "cms.api.middleware.ApiHeadersMiddleware",
    "environments.access.EnvironmentMiddleware",
    # Inside the environment's frame (the request's environment is still known there):
    # every write made with a token, recorded once answered (audit_log/recording.py).
    "audit_log.recording.AuditLogMiddleware",
    "cms.api.request_hygiene.RequestHygieneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves /static/ (the admin's files) from the production server itself.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sessions, CSRF, users and messages: the admin's (and /media/'s), skipped on the API's
    # paths, which authenticate with a token (cms/admin_middleware.py).
    "cms.admin_middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cms.admin_middleware.CsrfViewMiddleware",
    "cms.admin_middleware.AuthenticationMiddleware",
    "cms.admin_middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The admin's environment: the editor's choice needs the session, user and messages.
    "environments.admin_environment.AdminEnvironmentMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

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

# Deepest page offset a list answers (GET /items, /uploads, the record API's offset):
# the database reads every row before the page.
CMS_MAX_OFFSET = int(os.environ.get("CMS_MAX_OFFSET", 100_000))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# whitenoise also finds the apps' static files (the admin's) where they are installed, so
# the admin is styled under any server without `collectstatic`; files that `collectstatic`
# gathered into STATIC_ROOT are served too.
WHITENOISE_USE_FINDERS = True
# Without `collectstatic`, STATIC_ROOT doesn't exist; that is fine (see above), not a warning.
warnings.filterwarnings("ignore", message=re.escape(f"No directory at: {STATIC_ROOT}"))

# Uploads: a folder under the data directory by default; S3-compatible storage when
# CMS_STORAGE=s3 (django-storages reads the AWS_* variables below).
MEDIA_ROOT = Path(os.environ.get("CMS_MEDIA_ROOT") or DATA_DIR / "uploads").resolve()
MEDIA_URL = "/media/"
CMS_MAX_UPLOAD_BYTES = int(os.environ.get("CMS_MAX_UPLOAD_BYTES", 100 * 1024 * 1024))
CMS_UPLOAD_URL_MAX_AGE = int(os.environ.get("CMS_UPLOAD_URL_MAX_AGE", 15 * 60))
if os.environ.get("CMS_STORAGE", "filesystem") == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_options(os.environ),
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Image transformations on /media/ URLs (?w=&h=&fit=…, imgix-style; README "Image
# transformations"). A variant is at most this many pixels a side and in all (after dpr;
# larger asks are scaled down to fit), and sources over the input limit are refused before
# anything is decoded: together they bound what one request can cost.
CMS_IMAGE_TRANSFORM_MAX_SIDE = int(os.environ.get("CMS_IMAGE_TRANSFORM_MAX_SIDE", 5000))
CMS_IMAGE_TRANSFORM_MAX_PIXELS = int(os.environ.get("CMS_IMAGE_TRANSFORM_MAX_PIXELS", 25_000_000))
# New variants a file may get (each is kept for good; anyone may ask): past this, 422.
CMS_IMAGE_TRANSFORM_MAX_VARIANTS = int(os.environ.get("CMS_IMAGE_TRANSFORM_MAX_VARIANTS", 50))
CMS_IMAGE_TRANSFORM_MAX_INPUT_PIXELS = int(
    os.environ.get("CMS_IMAGE_TRANSFORM_MAX_INPUT_PIXELS", 50_000_000)
)
# Upload paths are written once, so a variant's URL always names the same bytes. Set a
# shorter policy if files are ever replaced in place.
CMS_IMAGE_TRANSFORM_CACHE_CONTROL = os.environ.get(
    "CMS_IMAGE_TRANSFORM_CACHE_CONTROL", "public, max-age=31536000, immutable"
)
# Multipart files stream to a temporary file, never whole into memory, and are refused
# as soon as they pass CMS_MAX_UPLOAD_BYTES.
FILE_UPLOAD_HANDLERS = [
    "uploads.handlers.MaxSizeUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Django's cache (checked by /readyz): this process's memory by default; with REDIS_URL a
# Redis shared by every process and host (so the failed-authentication counters are a limit
# per site, not per worker).
REDIS_URL = os.environ.get("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background jobs (jobs/; README "Background jobs"). The queue: Redis when CMS_QUEUE_URL, or
# else REDIS_URL, names one (shared by every worker on every host); otherwise a SQLite file
# in the data directory, which needs no service (the workers of this one machine share it).
CMS_QUEUE_URL = (
    os.environ.get("CMS_QUEUE_URL") or REDIS_URL or f"sqlite:///{DATA_DIR / 'jobs-queue.sqlite3'}"
)
# The queue's name inside that storage (by default derived from the database, so that
# installations sharing one Redis never take each other's messages).
CMS_QUEUE_NAME = os.environ.get("CMS_QUEUE_NAME", "")
# One worker process runs this many jobs at once (threads); run more processes for more.
CMS_WORKER_THREADS = int(os.environ.get("CMS_WORKER_THREADS", 2))
# An idle worker looks at a SQLite queue at least this often (Redis wakes it at once).
CMS_WORKER_POLL_SECONDS = float(os.environ.get("CMS_WORKER_POLL_SECONDS", 1))
# On SIGTERM a worker takes no new job and waits this long for its running ones.
CMS_WORKER_SHUTDOWN_SECONDS = float(os.environ.get("CMS_WORKER_SHUTDOWN_SECONDS", 30))
# Every worker, this often: marks its running jobs alive and runs the recovery pass.
CMS_JOB_HEARTBEAT_SECONDS = float(os.environ.get("CMS_JOB_HEARTBEAT_SECONDS", 10))
# A running job not marked alive for this long lost its worker: it is run again (a
# rerunnable one, fewer than CMS_JOB_MAX_ATTEMPTS times) or reported failed.
CMS_JOB_STALE_SECONDS = float(os.environ.get("CMS_JOB_STALE_SECONDS", 60))
CMS_JOB_MAX_ATTEMPTS = int(os.environ.get("CMS_JOB_MAX_ATTEMPTS", 3))
# A job still queued this long after its message was sent gets its message sent again.
CMS_JOB_REQUEUE_SECONDS = float(os.environ.get("CMS_JOB_REQUEUE_SECONDS", 300))
# How often each worker looks for due scheduled publications (schedules/execution.py):
# a schedule runs at most this long (plus the run itself) after its time.
CMS_SCHEDULE_POLL_SECONDS = float(os.environ.get("CMS_SCHEDULE_POLL_SECONDS", 2))

# Webhooks (webhooks/) and every outbound request (cms/outbound.py). Destinations in
# private, loopback and link-local networks are refused unless listed here (comma CIDRs).
CMS_WEBHOOK_ALLOWED_NETWORKS = os.environ.get("CMS_WEBHOOK_ALLOWED_NETWORKS", "")
CMS_OUTBOUND_CONNECT_TIMEOUT = float(os.environ.get("CMS_OUTBOUND_CONNECT_TIMEOUT", 2))
CMS_OUTBOUND_TOTAL_TIMEOUT = float(os.environ.get("CMS_OUTBOUND_TOTAL_TIMEOUT", 8))
CMS_OUTBOUND_MAX_BODY = int(os.environ.get("CMS_OUTBOUND_MAX_BODY", 64 * 1024))
# DatoCMS's auto-retry schedule: seconds after the first attempt's failure, then between
# retries (2 min, 6 min, 30 min, 1 h, 5 h, 1 day, 2 days).
CMS_WEBHOOK_RETRY_DELAYS = [
    float(s)
    for s in env_list(
        "CMS_WEBHOOK_RETRY_DELAYS", ["120", "360", "1800", "3600", "18000", "86400", "172800"]
    )
]
CMS_WEBHOOK_RETRY_POLL_SECONDS = float(os.environ.get("CMS_WEBHOOK_RETRY_POLL_SECONDS", 5))
# How often each worker looks for new calls to send (the delivery lag's floor).
CMS_WEBHOOK_POLL_SECONDS = float(os.environ.get("CMS_WEBHOOK_POLL_SECONDS", 0.5))
CMS_WEBHOOK_CALL_RETENTION_DAYS = float(os.environ.get("CMS_WEBHOOK_CALL_RETENTION_DAYS", 30))
# The address clients and CIs reach this server at (https://cms.example.com), for URLs
# the server hands out: a build trigger's webhook_url. Empty: the request's own scheme and
# host (a webhook payload built by a worker then carries the path alone).
CMS_PUBLIC_URL = os.environ.get("CMS_PUBLIC_URL", "")
# The niceness (Linux, 0 to 19) of the worker threads sending webhooks: on a host shared
# with the API, requests get the cores first and delivery lags instead. 0: no change.
CMS_WEBHOOK_DELIVERY_NICE = int(os.environ.get("CMS_WEBHOOK_DELIVERY_NICE", 10))

# The audit log (audit_log/): events older than this are pruned by the workers, every
# CMS_AUDIT_LOG_PRUNE_SECONDS; each request and response payload is kept up to this many
# bytes of JSON (a larger one keeps its resource's type, id and relationships); a query
# answers this many events a page.
CMS_AUDIT_LOG_RETENTION_DAYS = float(os.environ.get("CMS_AUDIT_LOG_RETENTION_DAYS", 60))
CMS_AUDIT_LOG_PRUNE_SECONDS = float(os.environ.get("CMS_AUDIT_LOG_PRUNE_SECONDS", 3600))
CMS_AUDIT_LOG_MAX_PAYLOAD_BYTES = int(os.environ.get("CMS_AUDIT_LOG_MAX_PAYLOAD_BYTES", 64 * 1024))
CMS_AUDIT_LOG_PAGE_SIZE = int(os.environ.get("CMS_AUDIT_LOG_PAGE_SIZE", 100))

# The record API (/rest/<service>/<table>): its service names and batch limits.
CMS_REST_SERVICES = env_list("CMS_REST_SERVICES", ["db"])
CMS_MAX_BATCH_RECORDS = int(os.environ.get("CMS_MAX_BATCH_RECORDS", 10_000))
CMS_MAX_BATCH_BYTES = int(os.environ.get("CMS_MAX_BATCH_BYTES", 64 * 1024 * 1024))
# One record's body on the Content Management API (POST /items, PUT /items/:id and their
# /validate twins): refused with 413 above it, before it is read. Parsed, validated and
# written, a record costs 7x (one long value) to 45x (thousands of tiny blocks) its body
# in a worker's memory (bench/record_memory.py); DatoCMS caps a record at 300 KB.
CMS_MAX_RECORD_BYTES = int(os.environ.get("CMS_MAX_RECORD_BYTES", 2 * 1024 * 1024))
# JSON bodies are read whole by the parser: a batch may be as large as the record API allows.
DATA_UPLOAD_MAX_MEMORY_SIZE = CMS_MAX_BATCH_BYTES

# Where `GET /` points for documentation (the README of the source tree until it is set).
CMS_DOCS_URL = os.environ.get("CMS_DOCS_URL") or "README.md"

# The API has no trailing slashes; a missing one must never redirect.
APPEND_SLASH = False

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["cms.api.rendering.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "cms.api.parsing.JSONParser",
        "cms.api.parsing.JSONAPIParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "cms.api.rendering.AlwaysJSONNegotiation",
    "DEFAULT_AUTHENTICATION_CLASSES": ["cms.api.auth.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["access.permissions.AccessPermission"],
    "EXCEPTION_HANDLER": "cms.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "cms.openapi.generation.CatalogSchema",
    "UNAUTHENTICATED_USER": None,
    "UNAUTHENTICATED_TOKEN": None,
}

SPECTACULAR_SETTINGS = {
    "OAS_VERSION": "3.1.0",
    "TITLE": "cms",
    "DESCRIPTION": (
        "A DatoCMS-compatible Content Management API (JSON:API documents; errors are "
        "`api_error` documents with a stable `code`) and a DreamFactory-style record API "
        "(under its path forms; errors are DreamFactory's error object). Every call takes "
        "`X-Environment`. Each model's records: `GET /item-types/{id}/schema.json`."
    ),
    "VERSION": "3",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": ["cms.openapi.generation.finish"],
}

# Browser clients call the API from other origins with a bearer token (no cookies).
CORS_ALLOW_ALL_ORIGINS = env_bool("CORS_ALLOW_ALL_ORIGINS", True)
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_ALLOW_HEADERS = [
    "accept",
    "x-request-id",
    "authorization",
    "content-type",
    "x-api-version",
    "x-environment",
    "x-dreamfactory-api-key",
    "idempotency-key",
]
CORS_EXPOSE_HEADERS = [
    "x-api-version",
    "x-environment",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",  # on 429s (cms/rate_limits.py)
    "retry-after",  # on 429s (cms/throttle.py)
    "x-request-id",
]
CORS_URLS_REGEX = r"^(?!/admin/).*$"

# GET /metrics (observability/metrics.py): when set, only `Authorization: Bearer <it>`.
CMS_METRICS_TOKEN = os.environ.get("CMS_METRICS_TOKEN", "")

# sanitized_html: values with more start tags are refused (the HTML parser's cost grows
# with elements times nesting depth; see item_types/html_safety.py).
CMS_HTML_MAX_TAGS = int(os.environ.get("CMS_HTML_MAX_TAGS", 10_000))
