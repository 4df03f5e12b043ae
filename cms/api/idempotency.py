"""``Idempotency-Key`` on create endpoints (and the record API's ``PUT``, ``PATCH`` and
``DELETE``): a retried request gets the first answer.

The key's row, the records and the answer commit in ONE transaction, the key's row first:

- a repeat that finds the answer gets it back, marked ``Idempotent-Replayed: true``, and
  creates nothing; a repeat with another body is refused (422);
- a repeat sent while the first request still runs waits: its own claim blocks on the
  key's unique index until the first commits (it then replays the answer) or rolls back
  (it then runs);
- a worker that dies before the commit leaves nothing (neither records nor key), and one
  that dies after it leaves both: a retry, at any moment, never writes twice.

A request that wrote nothing (refused, or a batch rolled back whole) keeps no key, so the
client may fix it and send it again with the same key. Keys are kept 24 hours, per token.
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
from environments import selection

KEEP_FOR = timedelta(hours=24)


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def _canonical_json(value, depth: int = 2):
    """``value``'s canonical JSON (sorted keys, no spaces), in pieces: the outer two levels
    are walked, so a batch's records are encoded one at a time, never the whole body."""
    if depth and isinstance(value, list):
        yield "["
        for index, item in enumerate(value):
            yield "," if index else ""
            yield from _canonical_json(item, depth - 1)
        yield "]"
    elif depth and isinstance(value, dict):
        yield "{"
        for index, key in enumerate(sorted(value)):
            yield ("," if index else "") + _CANONICAL.encode(key) + ":"
            yield from _canonical_json(value[key], depth - 1)
        yield "}"
    else:
        yield _CANONICAL.encode(value)


def _request_hash(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    # Keys are per token, not per environment: the same key sent to another environment
    # is another request. (Nothing added for the project's storage: keys from before
    # environments keep their hash.)
    storage = selection.wanted()
    if storage:
        digest.update(f"@{storage}\n".encode())
    for piece in _canonical_json(request.data):
        digest.update(piece.encode("utf-8"))
    return digest.hexdigest()


def kept_records(response: Response) -> Response:
    """Mark an error answer that still reports written records (a batch that kept the
    records before or around its failures): the key is kept with it, as with a success."""
    response.kept_records = True
    return response


def _wrote(response: Response) -> bool:
    return response.status_code < 400 or getattr(response, "kept_records", False)


def _replay(earlier: IdempotencyKey, digest: str) -> Response:
    if earlier.request_hash != digest:
        raise ApiError(
            "IDEMPOTENCY_KEY_REUSED",
            422,
            message="This Idempotency-Key was used for a different request.",
        )
    replay = Response(earlier.body, status=earlier.status_code)
    replay["Idempotent-Replayed"] = "true"
    return replay


def _claim(token_id: str, key: str, digest: str) -> IdempotencyKey | None:
    """The key's row, inserted (not yet committed) by this request; None when another
    request committed it first. Waits while another request holds it uncommitted."""
    try:
        with transaction.atomic():  # a savepoint: the outer transaction stays usable
            return IdempotencyKey.objects.create(token_id=token_id, key=key, request_hash=digest)
    except IntegrityError:
        return None


def idempotent(handler):
    """Wrap a view's handler (``post``, or a record API write): with a key, the view runs
    inside the key's transaction."""

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
        token_id = request.auth.id
        # Keys are kept 24 hours, not forever: each request with a key clears those past it
        # (one indexed delete, outside the write so that it never holds the key's lock).
        IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
        earlier = IdempotencyKey.objects.filter(token_id=token_id, key=key).first()
        if earlier is not None:
            return _replay(earlier, digest)
        # The records and the answer commit together, at this block's end.
        with transaction.atomic():
            claim = _claim(token_id, key, digest)  # first: a repeat waits here for us
            if claim is not None:
                response = handler(view, request, *args, **kwargs)
                if _wrote(response):
                    claim.status_code, claim.body = response.status_code, response.data
                    claim.save(update_fields=["status_code", "body"])
                else:
                    transaction.set_rollback(True)  # nothing written: the key is not kept
                return response
        # Another request with this key committed while this one waited for it.
        earlier = IdempotencyKey.objects.filter(token_id=token_id, key=key).first()
        if earlier is None:  # only if cleared as expired meanwhile: the client may resend
            raise ApiError("IDEMPOTENCY_KEY_IN_PROGRESS", 409, transient=True)
        return _replay(earlier, digest)

    return wrapper
