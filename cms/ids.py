"""Resource ids: RFC 4122 v4 UUIDs in URL-safe base64 without padding (22 characters).

Ids we mint have the first byte's top bit cleared, so they start with A-Z or a-f, as
DatoCMS's client mints them. Ids a client sends need only be a well-formed UUID: DatoCMS's
own documentation uses "hWl-mnkWRYmMCSTq4z_piQ", whose top bit is set.
"""

import base64
import re
import uuid

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def new_id() -> str:
    raw = bytearray(uuid.uuid4().bytes)
    raw[0] &= 0x7F
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode("ascii")


def is_valid_id(value: object) -> bool:
    """True for a well-formed id: 22 URL-safe characters decoding to an RFC 4122 UUID."""
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        return False
    try:
        raw = base64.urlsafe_b64decode(value + "==")
    except ValueError:
        return False
    # Reject non-canonical encodings (the last character carries 4 padding bits).
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != value:
        return False
    return uuid.UUID(bytes=raw).variant == uuid.RFC_4122
