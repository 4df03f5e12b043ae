"""Rate limits on both APIs (SPEC-2 §12.1): at most ``CMS_RATE_LIMIT_REQUESTS`` requests per
``CMS_RATE_LIMIT_WINDOW`` seconds on the Content Management API, and at most
``CMS_RATE_LIMIT_RECORDS`` records per window on the record API (``/rest/``), where a batch
of 1,000 records costs 1,000 and any other request 1.

Who is counted: the token a request carries (a digest of the secret as sent, read before
authentication so that a refusal costs no database query), else the client address
(cms/throttle.py's, behind ``CMS_TRUSTED_PROXIES``). A made-up token gets a count of its own,
but is then a failed authentication, which cms/throttle.py limits per address.

Every answer of the APIs carries ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``; over
the limit the answer is 429 ``RATE_LIMIT_EXCEEDED`` with ``X-RateLimit-Reset`` (whole
seconds until the window ends: the official client waits that long and retries).

Fixed windows: the counter of the current window (``time // window``) is one cache key,
incremented atomically and expiring with its window. That is one cache round trip per
request (on Redis one script: INCRBY, and EXPIRE on a new key), exact across processes sharing the
cache, and what DatoCMS's headers describe ("requests left until the next reset"). The
price: a client may spend two windows' worth across a boundary (120 requests in a moment at
60 per 3 s); a sliding window would need a second counter read per request for that.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.exceptions import Throttled

from cms.api.errors import is_record_api, json_error
from cms.throttle import client_address

logger = logging.getLogger("cms.rate_limits")

# Not the API: the admin, files, health checks, the server's index and the API document. The
# upload PUT (/upload-content/...) is the client's plain byte transfer, which never retries a
# 429.
EXEMPT_PREFIXES = ("/admin/", "/media/", "/static/", "/upload-content/")
EXEMPT_PATHS = frozenset({"/", "/healthz", "/readyz", "/docs", "/docs/openapi.json"})


@dataclass
class Charge:
    """One request's count: the limit, what the window holds after it, when it ends."""

    limit: int
    used: int
    reset: int
    refused: bool = False

    def headers(self, response) -> None:
        response["X-RateLimit-Limit"] = str(self.limit)
        response["X-RateLimit-Remaining"] = str(max(0, self.limit - self.used))
        if self.refused:
            response["X-RateLimit-Reset"] = str(self.reset)
            response["Retry-After"] = str(self.reset)


def _scope(request) -> tuple[str, int] | None:
    """("cma" | "records", limit), or None when the request is not limited."""
    path = request.path_info
    if path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES):
        return None
    if is_record_api(request):
        scope, limit = "records", settings.CMS_RATE_LIMIT_RECORDS
    else:
        scope, limit = "cma", settings.CMS_RATE_LIMIT_REQUESTS
    return (scope, limit) if limit > 0 else None


def _identity(request) -> str:
    secret = request.headers.get("Authorization") or request.headers.get("X-DreamFactory-Api-Key")
    if secret:
        # The scheme ("Bearer" or "Api-Key") and spacing don't make another client.
        secret = secret.strip().rpartition(" ")[2]
        return "token:" + hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return "address:" + client_address(request)


# INCRBY, and the expiry on the key it creates: one command, atomic on the Redis server.
COUNT_SCRIPT = """
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if used == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return used
"""
_count_script = None


def _count(key: str, cost: int, ttl: int) -> int:
    """Add ``cost`` to ``key`` (created with expiry ``ttl``); the new total. One round trip."""
    global _count_script
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Django's incr() checks EXISTS first and never sets an expiry: three round trips
        # with add(). The script (EVALSHA once loaded) is one, and cheaper than a pipeline.
        real_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(real_key, write=True)
        if _count_script is None:
            _count_script = client.register_script(COUNT_SCRIPT)
        return _count_script(keys=[real_key], args=[cost, ttl], client=client)
    backend.add(key, 0, timeout=ttl)
    try:
        return backend.incr(key, cost)
    except ValueError:  # expired between add() and incr()
        backend.set(key, cost, timeout=ttl)
        return cost


def charge(request, scope: str, limit: int, cost: int, *, refuse: bool = True) -> Charge:
    """Count ``cost`` for this request's client in ``scope``; refused when the window was
    already spent, or when it would pass the limit and the window had been
    used (a batch larger than the whole limit still goes through, alone, in a fresh
    window, or the client would retry it forever). The cache down: not limited, logged."""
    window = max(1, settings.CMS_RATE_LIMIT_WINDOW)
    now = time.time()
    bucket = int(now // window)
    reset = max(1, math.ceil((bucket + 1) * window - now))
    key = f"ratelimit:{scope}:{window}:{bucket}:{_identity(request)}"
    try:
        used = _count(key, cost, reset + 1)
    except Exception:
        logger.exception("Rate-limit counters unavailable: not limiting")
        return Charge(limit, 0, reset)
    before = used - cost
    refused = refuse and (before >= limit or (used > limit and before > 0))
    if refused and cost > 1:
        # A refused batch must not spend the window of the client's smaller requests
        # (a second round trip, on a 429 only).
        try:
            caches["default"].decr(key, cost)
            used = before
        except Exception:
            logger.exception("Rate-limit counter not given back")
    if refused and before == limit:  # the window's first refusal (not every one: a flood)
        logger.warning("Rate limit reached: %s, %d per %d s", scope, limit, window)
    return Charge(limit, used, reset, refused)


def charge_records(request, count: int) -> None:
    """The record API's batch, once its size is known and before anything is written:
    ``count`` records counted; over the limit, DRF's ``Throttled`` (a 429 in the record
    API's shape, with X-RateLimit-Reset). The middleware adds the headers."""
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    pending = getattr(request, "_rate_limit_pending", None)
    if pending is None:
        return
    request._rate_limit_pending = None
    scope, limit = pending
    result = charge(request, scope, limit, max(1, count))
    request._rate_limit_charge = result
    if result.refused:
        raise Throttled(result.reset, rate_limited_message(result))


def rate_limited_message(result: Charge) -> str:
    return f"Rate limit of {result.limit} per {settings.CMS_RATE_LIMIT_WINDOW} s exceeded."


#: The record API's writes, counted in the records they name (MERGE: DreamFactory's PATCH).
RECORD_WRITES = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})


class RateLimitMiddleware:
    """Counts each API request and answers the headers; refuses one over the limit before
    anything else runs (no authentication query, no body read)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope = _scope(request)
        if scope is None:
            return self.get_response(request)
        if scope[0] == "records" and request.method in RECORD_WRITES:
            # Counted in records: the view charges the batch once it has read it.
            request._rate_limit_pending = scope
            response = self.get_response(request)
            result = getattr(request, "_rate_limit_charge", None)
            if result is None:  # refused before the batch was read (401, 404, 400...)
                result = charge(request, *scope, 1, refuse=False)
            result.headers(response)
            return response
        result = charge(request, *scope, 1)
        if result.refused:
            response = json_error(
                "RATE_LIMIT_EXCEEDED",
                429,
                request=request,
                wait=result.reset,
                message=rate_limited_message(result),
            )
            response["X-Api-Version"] = "3"
        else:
            response = self.get_response(request)
        result.headers(response)
        return response
