"""Token secrets kept encrypted (SPEC-2 §10.5: DatoCMS shows ``token`` again to roles that
manage tokens). A token is still checked against its SHA-256 hash; the encrypted copy is
only read back to show it.

The key: Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) keyed by SHA-256 of
``TOKEN_ENCRYPTION_KEY`` (env ``CMS_TOKEN_ENCRYPTION_KEY``), else of ``SECRET_KEY``. A copy
that no longer decrypts (the key changed) reads as null: the token still works, and
regenerating it shows a new one.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = getattr(settings, "TOKEN_ENCRYPTION_KEY", "") or settings.SECRET_KEY
    digest = hashlib.sha256(b"cms-access-token\x00" + key.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode("utf-8")).decode("ascii")


def decrypt(ciphertext: str | None) -> str | None:
    if not ciphertext:
        return None
    try:
        return _fernet().decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None
