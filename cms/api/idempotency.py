"""``Idempotency-Key`` on create endpoints: a retried request gets the first answer.

The first request with a key claims it (a unique row per token and key), runs, and stores
its answer; a repeat with the same body gets that answer back, marked
``Idempotent-Replayed: true``, and creates nothing; a repeat with another body is refused.
Keys are kept 24 hours.
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from cms.api.errors import ApiError
from cms.models import IdempotencyKey

KEEP_FOR = timedelta(hours=24)
# A claimed key whose request never finished (a crashed worker) may be claimed again.
ABANDONED_AFTER = timedelta(minutes=5)


def _request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    raw = f"{request.method} {request.get_full_path()}\n{body}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _claim(token_id: str, key: str, digest: str):
    """(row we now own, None) or (None, the earlier row)."""
    moment = timezone.now()
    # Keys are kept 24 hours, not forever: each claim clears those past it (one indexed
    # delete, and only on requests that send a key).
    IdempotencyKey.objects.filter(created_at__lt=moment - KEEP_FOR).delete()
    for _ in range(2):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    token_id=token_id, key=key, request_hash=digest
                ), None
        except IntegrityError:
            earlier = IdempotencyKey.objects.filter(token_id=token_id, key=key).first()
            if earlier is None:
                continue
            # (An expired key is gone already: deleted above.)
            abandoned = earlier.status_code is None and (
                earlier.created_at < moment - ABANDONED_AFTER
            )
            if not abandoned:
                return None, earlier
            earlier.delete()
    raise ApiError("IDEMPOTENCY_KEY_IN_PROGRESS", 409)


def idempotent(handler):
    """Wrap a view's ``post``."""

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not key.strip() or len(key) > 255:
            raise ApiError(
                "INVALID_IDEMPOTENCY_KEY", 400, message="An Idempotency-Key is 1 to 255 characters."
            )
        digest = _request_hash(request)
        row, earlier = _claim(request.auth.id, key, digest)
        if earlier is not None:
            if earlier.request_hash != digest:
                raise ApiError(
                    "IDEMPOTENCY_KEY_REUSED",
                    422,
                    message=("This Idempotency-Key was used for a different request."),
                )
            if earlier.status_code is None:
                raise ApiError("IDEMPOTENCY_KEY_IN_PROGRESS", 409)
            replay = Response(earlier.body, status=earlier.status_code)
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = handler(view, request, *args, **kwargs)
        except Exception:
            row.delete()  # nothing was kept: the client may retry with the same key
            raise
        row.status_code, row.body = response.status_code, response.data
        row.save(update_fields=["status_code", "body"])
        return response

    return wrapper
