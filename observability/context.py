"""The request id: taken from the client's ``X-Request-ID`` when it is a sane token (so a
proxy's or a client's id follows the request through our logs), else made here. Kept in a
context variable, so every log line written while the request runs carries it."""

import contextvars
import re
import uuid

# Printable, no spaces, bounded: anything else is replaced, never echoed into logs.
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,128}")

current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_request_id", default=None
)


def request_id_for(header_value: str | None) -> str:
    if header_value and ACCEPTED_REQUEST_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex
