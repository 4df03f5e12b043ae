"""Log lines as JSON objects (python-json-logger), each with the request id of the request
being served; and the redaction of secrets from what an access line shows."""

import logging
import time
from urllib.parse import parse_qsl, urlencode

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from observability.context import current_request_id

# Query parameters that carry a credential: DreamFactory's api_key, presigned storage URLs'
# signatures, and any name a client might put a token under.
SECRET_PARAMETERS = frozenset(
    {
        "api_key",
        "apikey",
        "access_token",
        "token",
        "secret",
        "password",
        "session_token",
        "signature",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
    }
)
REDACTED = "[redacted]"


def redacted_query(query_string: str) -> str:
    """``query_string`` with every secret parameter's value replaced (order kept)."""
    if not query_string:
        return ""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    return urlencode(
        [(name, REDACTED if name.lower() in SECRET_PARAMETERS else value) for name, value in pairs],
        safe="[]",
    )


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, request id,
    any ``extra=`` fields, and an exception's traceback as ``exc_info``."""

    converter = time.gmtime  # UTC, whatever the host's time zone

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["asctime", "levelname", "name", "message", "request_id"])
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%SZ")
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        super().__init__(*args, **kwargs)
