"""Database refusals a retry resolves.

PostgreSQL breaks a deadlock by failing one of its transactions, and can refuse one for a
serialization failure or a lock it waited too long for; SQLite answers "database is
locked" when a writer waited past its timeout. The transaction was rolled back whole, so
the client can send the request again: the API answers a 409 with ``transient: true``
(which the official client retries by itself), never a 500.
"""

from django.db import DatabaseError

# deadlock_detected, serialization_failure, lock_not_available
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001", "55P03"})


def is_transient(exc: Exception) -> bool:
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    return str(getattr(cause, "sqlite_errorname", "")).startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
