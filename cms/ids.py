"""Resource ids: RFC 4122 v4 UUIDs in URL-safe base64 without padding (22 characters).

Ids we mint have the first byte's top bit cleared, so they start with A-Z or a-f, as
DatoCMS's client mints them. Ids a client sends need only be a well-formed UUID: DatoCMS's
own documentation uses "hWl-mnkWRYmMCSTq4z_piQ", whose top bit is set.
"""

import base64
import binascii
import os
import re

#: The longest id a bulk call takes in its list (ours are 22 characters): a longer one is a
#: malformed entry, refused before any lookup.
MAX_ID_LENGTH = 64
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{21}[AQgw]")  # the last character's 4 low bits are 0


def new_id() -> str:
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    raw[0] &= 0x7F
    # base64.urlsafe_b64encode, without its two calls and checks (ids are minted in bulk).
    return binascii.b2a_base64(raw, newline=False).translate(_URL_SAFE)[:22].decode("ascii")


_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def is_valid_id(value: object) -> bool:
    """True for a well-formed id: 22 URL-safe characters decoding to an RFC 4122 UUID."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        return False
    raw = base64.urlsafe_b64decode(value + "==")
    return raw[8] & 0xC0 == 0x80  # the RFC 4122 variant
