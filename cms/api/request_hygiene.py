"""Path, query string and headers every request must have clean, checked once for all views.

Refused with 400 before any view runs (so nothing is read or written), naming what is
wrong, in the API's shape for the path (api_error, or DreamFactory's under ``/rest/``):

- ``INVALID_PATH``: a path holding a NUL (``/items/a%00b``: PostgreSQL can't compare text
  holding one). (Bytes that are not UTF-8, ``/items/%ff``, Django keeps percent-encoded:
  the id ``%FF`` names nothing, a 404.)
- ``INVALID_QUERY_STRING``: the same for a query parameter's name or value, and a
  parameter without a name (``?=1``);
- ``INVALID_HEADER``: a header holding a NUL (``Idempotency-Key``, ``X-Environment``...).

Bodies are checked where they are parsed (:mod:`cms.api.json_body`).
"""

from urllib.parse import parse_qsl

from django.core.handlers.wsgi import get_bytes_from_wsgi

from cms.api.errors import json_error
from cms.api.json_body import printable

NUL = "\x00"


class RequestHygieneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = path_problem(request) or query_problem(request) or header_problem(request)
        if problem is not None:
            code, details = problem
            return json_error(code, 400, request=request, **details)
        return self.get_response(request)


def path_problem(request) -> tuple[str, dict] | None:
    if NUL in request.path_info:
        return "INVALID_PATH", {"message": "The path may not hold a NUL (%00)."}
    return None


def query_problem(request) -> tuple[str, dict] | None:
    raw = get_bytes_from_wsgi(request.META, "QUERY_STRING", "")
    if not raw:
        return None
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return "INVALID_QUERY_STRING", {
            "message": "The query string is not UTF-8 once percent-decoded."
        }
    for name, value in pairs:
        if not name:
            return "INVALID_QUERY_STRING", {
                "parameter": name,
                "message": "A query parameter has no name.",
            }
        if NUL in name or NUL in value:
            return "INVALID_QUERY_STRING", {
                "parameter": printable(name),
                "message": "A query parameter may not hold a NUL (%00).",
            }
    return None


def header_problem(request) -> tuple[str, dict] | None:
    for key, value in request.META.items():
        if isinstance(value, str) and NUL in value and _is_header(key):
            name = key.removeprefix("HTTP_").replace("_", "-").title()
            return "INVALID_HEADER", {
                "header": name,
                "message": f"The {name} header may not hold a NUL.",
            }
    return None


def _is_header(meta_key: str) -> bool:
    return meta_key.startswith("HTTP_") or meta_key in ("CONTENT_TYPE", "CONTENT_LENGTH")
