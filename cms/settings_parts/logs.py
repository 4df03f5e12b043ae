"""Part of the settings (cms/settings.py imports every name here): logging."""

import os

from cms.env import env_bool

# Every 500 reaches the console with its traceback: the API's own (``cms``) and those
# Django catches itself, such as an answer that fails while it is rendered
# (``django.request``, at ERROR only, so 4xx answers are not logged). One access line per
# request (``cms.access``, observability/middleware.py). Lines are JSON objects with the
# request id (CMS_LOG_FORMAT=json, the default) or plain text (CMS_LOG_FORMAT=text);
# CMS_ACCESS_LOG=false silences the access lines.
CMS_LOG_FORMAT = os.environ.get("CMS_LOG_FORMAT", "json").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "observability.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "observability.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "text" if CMS_LOG_FORMAT == "text" else "json",
            "filters": ["request_id"],
        }
    },
    "loggers": {
        "cms": {"handlers": ["console"], "level": "INFO"},
        "cms.access": {
            "handlers": ["console"],
            "level": "INFO" if env_bool("CMS_ACCESS_LOG", True) else "WARNING",
            "propagate": False,
        },
        # The queue library's own lines name only its one task (jobs.run); cms.jobs says more.
        "huey": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
