"""What the production entry points (cms/wsgi.py, cms/asgi.py) do before Django loads."""

import gc
import os
import shutil
import sys
from tempfile import SpooledTemporaryFile

from cms.env import env_bool

MISSING_SECRET_KEY = (
    "SECRET_KEY is not set. The production server needs one key shared by every host and "
    "kept across restarts: Django signs admin sessions and upload URLs with it, so a key "
    "made up per host breaks them between hosts. Set SECRET_KEY to a long random string, "
    "e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'. "
    "(`make run` keeps a generated key in CMS_DATA_DIR instead; DEBUG=true allows that too.)"
)


def require_secret_key() -> None:
    """Stop the process, saying why, when SECRET_KEY is missing and debug is off."""
    if not os.environ.get("SECRET_KEY") and not env_bool("DEBUG", False):
        sys.exit(MISSING_SECRET_KEY)


def freeze_loaded_objects() -> None:
    """Load the URLconf (every view, and all it imports) now, then take every object loaded
    so far out of the cyclic garbage collector's sight. They live as long as the process;
    a full collection walked all of them (some 140,000) every time, a pause of 130 ms about
    once per 1,500 creates that the request it fell on paid (bench/gc_pauses.py)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imported on first use otherwise)
    gc.collect()
    gc.freeze()


class BufferedBodyMiddleware:
    """Reads a request's whole body before Django runs.

    The server reads headers itself (asynchronously), but a body arrives through the WSGI
    thread. Reading it here, before any view has taken a database connection from the pool,
    means a client that sends its body slowly holds one idle thread (the server has
    hundreds), never one of the few database connections. Bodies above ``limit`` are left
    alone: Django refuses them (413) without reading them. A chunked body (no length to
    check first) is read up to one byte past ``limit``: all of it, or enough for the view to
    refuse it (cms/api/body_limit.py reads it from here as it would from the wire).
    """

    def __init__(self, app, limit: int, memory_limit: int):
        self.app = app
        self.limit = limit
        self.memory_limit = memory_limit

    def __call__(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if not length and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            length = self.limit + 1
        elif not 0 < length <= self.limit:
            return self.app(environ, start_response)
        # Django has read what it needs of the body when the application returns.
        with SpooledTemporaryFile(max_size=self.memory_limit) as body:
            shutil.copyfileobj(_Limited(environ["wsgi.input"], length), body)
            body.seek(0)
            environ["wsgi.input"] = body
            return self.app(environ, start_response)


class _Limited:
    """At most ``remaining`` bytes of a stream (a body must not read into the next request)."""

    def __init__(self, stream, remaining: int):
        self.stream = stream
        self.remaining = remaining

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.stream.read(size)
        self.remaining -= len(data)
        return data
