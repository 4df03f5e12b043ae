"""Settings, all from the environment (see README "Configuration").

The embedded default needs nothing: SQLite in ``CMS_DATA_DIR`` and a secret key generated
once and kept there. Production points ``DATABASE_URL`` at PostgreSQL.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

from cms.storage_config import s3_options

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment: 1/true/yes/on are true, 0/false/no/off false."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DATA_DIR = Path(os.environ.get("CMS_DATA_DIR") or BASE_DIR / "data").resolve()


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated on first start and kept."""
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
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "cms",
    "item_types",
    "items",
    "uploads",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "cms.api.middleware.ApiHeadersMiddleware",
    "cms.api.request_hygiene.RequestHygieneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'cms.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for the lock instead of failing at once under concurrent requests.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

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
# Multipart files stream to a temporary file, never whole into memory, and are refused
# as soon as they pass CMS_MAX_UPLOAD_BYTES.
FILE_UPLOAD_HANDLERS = [
    "uploads.handlers.MaxSizeUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# The record API (/rest/<service>/<table>): its service names and batch limits.
CMS_REST_SERVICES = env_list("CMS_REST_SERVICES", ["db"])
CMS_MAX_BATCH_RECORDS = int(os.environ.get("CMS_MAX_BATCH_RECORDS", 10_000))
CMS_MAX_BATCH_BYTES = int(os.environ.get("CMS_MAX_BATCH_BYTES", 64 * 1024 * 1024))
# JSON bodies are read whole by the parser: a batch may be as large as the record API allows.
DATA_UPLOAD_MAX_MEMORY_SIZE = CMS_MAX_BATCH_BYTES

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
    "DEFAULT_PERMISSION_CLASSES": ["cms.api.permissions.RolePermission"],
    "EXCEPTION_HANDLER": "cms.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "UNAUTHENTICATED_TOKEN": None,
}

# Browser clients call the API from other origins with a bearer token (no cookies).
CORS_ALLOW_ALL_ORIGINS = env_bool("CORS_ALLOW_ALL_ORIGINS", True)
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "x-api-version",
    "x-environment",
    "x-dreamfactory-api-key",
    "idempotency-key",
]
CORS_EXPOSE_HEADERS = ["x-api-version", "x-ratelimit-limit", "x-ratelimit-remaining"]
CORS_URLS_REGEX = r"^(?!/admin/).*$"

# Every 500 reaches the console with its traceback: the API's own (``cms``) and those
# Django catches itself, such as an answer that fails while it is rendered
# (``django.request``, at ERROR only, so 4xx answers are not logged).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"console": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "console"}},
    "loggers": {
        "cms": {"handlers": ["console"], "level": "INFO"},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
