"""Attributes naming what this server calls out to (webhooks, build triggers): a URL it
may call and headers it can send, checked the same way for every resource that has them.

Each resource words its own refusals (they are on the wire already), so these checks
take the resource's ``fail`` (:func:`cms.api.attributes.fail` with its attribute bound).
"""

from collections.abc import Callable
from typing import Any

from cms.outbound import OutboundError, check_url

MAX_URL = 2048
MAX_HEADERS = 50
HEADER_RULE = "Header names are tokens; values, one-line strings."


def is_url_sized(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_URL


def check_reachable(url: str, fail: Callable[..., Any]) -> str:
    """``url`` if the operator lets this server call it (cms.outbound), else
    VALIDATION_URL saying why not."""
    try:
        check_url(url)
    except OutboundError as error:
        fail(code="VALIDATION_URL", message=error.message)
    return url


class BadHeaders(ValueError):
    """Not headers this server can send: ``header`` names the bad one (None: the whole
    value, not an object of at most :data:`MAX_HEADERS`)."""

    def __init__(self, header: str | None = None):
        super().__init__(header)
        self.header = header


def check_headers(value: Any) -> dict:
    """``value`` if http.client can send it as headers, else :class:`BadHeaders`."""
    if not isinstance(value, dict) or len(value) > MAX_HEADERS:
        raise BadHeaders()
    for name, header in value.items():
        if not valid_header(name, header):
            raise BadHeaders(name)
    return value


def valid_header(key: str, value) -> bool:
    """A header http.client can send as given."""
    valid_name = key and all(33 <= ord(c) < 127 and c != ":" for c in key)
    return bool(valid_name) and isinstance(value, str) and not any(c in value for c in "\r\n\0")
