"""ULIDs (https://github.com/ulid/spec): 48 bits of milliseconds, then 80 random bits, in
Crockford's base 32 (26 characters). Their text sorts as their time does, so the events'
primary key is also their order, and ``since``/``before``/``min_ulid()`` are ranges on it."""

import os
import re
from datetime import UTC, datetime

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PATTERN = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
MAX_MILLISECONDS = 2**48 - 1


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def new_ulid(moment: datetime) -> str:
    milliseconds = int(moment.timestamp() * 1000)
    return _encode((milliseconds << 80) | int.from_bytes(os.urandom(10), "big"))


def min_ulid(seconds: float) -> str:
    """The smallest ULID of that moment (unix seconds), clamped to the ULIDs' range."""
    milliseconds = min(max(int(seconds * 1000), 0), MAX_MILLISECONDS)
    return _encode(milliseconds << 80)


def is_ulid(value: object) -> bool:
    return isinstance(value, str) and PATTERN.fullmatch(value) is not None


def moment_of(ulid: str) -> datetime:
    milliseconds = 0
    for char in ulid[:10]:
        milliseconds = milliseconds * 32 + ALPHABET.index(char)
    return datetime.fromtimestamp(milliseconds / 1000, UTC)
