"""Throttling failed authentication: bad API tokens and bad admin passwords.

Failures are counted in Django's cache (``CACHES``: memory of one process by default, a
Redis shared by every process when ``REDIS_URL`` is set), in fixed windows: once a client
has failed more than its limit in the current window, it is answered 429 with
``Retry-After`` (the seconds until the window ends).

- API tokens: counted per client address. Only failures are refused: a good token is
  served whatever its address did, and never costs a cache lookup. Tokens are 256 random
  bits, so a guesser gains nothing by going on; what the limit stops is the flood (each
  refusal is a cheap 429) while clients behind the same NAT or proxy keep working.
- Admin logins: counted per username and per client address. Passwords are guessable, so
  a locked username or address can't log in at all (even with the right password) until
  the window ends; a successful login clears its username's count.
"""

import hashlib
import logging
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("cms.throttle")


def client_address(request) -> str:
    """``REMOTE_ADDR``, or with ``CMS_TRUSTED_PROXIES = n`` the address the n-th proxy from
    us saw in ``X-Forwarded-For`` (entries further left are the client's to invent)."""
    proxies = settings.CMS_TRUSTED_PROXIES
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        hops = [hop.strip() for hop in forwarded if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or "unknown"


@dataclass(frozen=True)
class FailureLimit:
    """At most ``limit`` failures per ``window`` seconds for one identity in ``scope``
    (both read from settings, so tests and operators can change them)."""

    scope: str
    limit_setting: str
    window_setting: str

    @property
    def limit(self) -> int:
        return getattr(settings, self.limit_setting)

    @property
    def window(self) -> int:
        return max(1, getattr(settings, self.window_setting))

    def _key(self, identity: str) -> tuple[str, int]:
        """The cache key of the current window, and the seconds until it ends."""
        now = time.time()
        window = self.window
        digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        bucket = int(now // window)
        return f"authfail:{self.scope}:{window}:{bucket}:{digest}", max(
            1, math.ceil((bucket + 1) * window - now)
        )

    def retry_after(self, identity: str) -> int | None:
        """Seconds to wait when ``identity`` is over its limit, else None."""
        key, remaining = self._key(identity)
        with _cache_down_lets_through():
            return remaining if cache.get(key, 0) >= self.limit else None
        return None

    def add_failure(self, identity: str) -> int | None:
        """Count a failure; the seconds to wait when this one is over the limit, else None."""
        key, remaining = self._key(identity)
        with _cache_down_lets_through():
            cache.add(key, 0, timeout=remaining + 1)
            try:
                failures = cache.incr(key)
            except ValueError:  # expired between add and incr
                failures = 1
                cache.set(key, failures, timeout=remaining + 1)
            if failures <= self.limit:
                return None
            if failures == self.limit + 1:
                logger.warning(
                    "Failed authentication throttled: %s over %d failures in %d s",
                    self.scope,
                    self.limit,
                    self.window,
                )
            return remaining
        return None

    def clear(self, identity: str) -> None:
        with _cache_down_lets_through():
            cache.delete(self._key(identity)[0])


@contextmanager
def _cache_down_lets_through():
    """With the cache unreachable (Redis down), authentication goes on unthrottled rather
    than failing: an outage must not turn every bad token or login into a 500. Logged."""
    try:
        yield
    except Exception:
        logger.exception("Failed-authentication counters unavailable: not throttling")


API_TOKEN_PER_ADDRESS = FailureLimit(
    "api-address", "CMS_AUTH_FAILURES_PER_ADDRESS", "CMS_AUTH_ADDRESS_WINDOW"
)
LOGIN_PER_ADDRESS = FailureLimit(
    "login-address", "CMS_AUTH_FAILURES_PER_ADDRESS", "CMS_AUTH_ADDRESS_WINDOW"
)
LOGIN_PER_USER = FailureLimit("login-user", "CMS_LOGIN_FAILURES_PER_USER", "CMS_LOGIN_USER_WINDOW")


def bad_token(request) -> int | None:
    """Count a bad API token from this client; the seconds to wait if it is over the limit."""
    return API_TOKEN_PER_ADDRESS.add_failure(client_address(request))


def _username(username: str) -> str:
    return username.strip().lower()


def login_locked(request, username: str) -> int | None:
    """Seconds until this username and address may try to log in again, or None."""
    waits = [
        LOGIN_PER_USER.retry_after(_username(username)),
        LOGIN_PER_ADDRESS.retry_after(client_address(request)),
    ]
    return max((wait for wait in waits if wait is not None), default=None)


def login_failed(request, username: str) -> None:
    LOGIN_PER_USER.add_failure(_username(username))
    LOGIN_PER_ADDRESS.add_failure(client_address(request))


def login_succeeded(username: str) -> None:
    LOGIN_PER_USER.clear(_username(username))
