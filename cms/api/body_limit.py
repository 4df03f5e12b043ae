"""A ceiling on a request's body, enforced before anything reads or parses it.

Parsed and validated, a JSON body costs many times its size in memory (every value becomes
a Python object, then is checked and copied into rows), so each write endpoint refuses a
body over its limit with 413 ``REQUEST_TOO_LARGE`` naming the limit: at once when
``Content-Length`` is over it, and for a chunked body (no ``Content-Length``) as soon as
the bytes read pass it, never holding more than the limit.
"""

import io

from django.conf import settings

from cms.api.errors import ApiError

READ_SIZE = 64 * 1024


def too_large(limit: int) -> ApiError:
    return ApiError(
        "REQUEST_TOO_LARGE", 413, max_bytes=limit, message=f"The body is over {limit} bytes."
    )


def _declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def refuse_large_body(request, limit: int) -> None:
    """Raise 413 if the body of ``request`` (Django's) is over ``limit`` bytes."""
    length = _declared_length(request)
    if length is not None:
        if length > limit:
            raise too_large(limit)
        return
    if "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    # Django reads no body without Content-Length: read the server's de-chunked stream
    # here, counting, and hand what was read to the parser as a body of known length.
    stream, parts, read = request.environ["wsgi.input"], [], 0
    while part := stream.read(min(READ_SIZE, limit + 1 - read)):
        parts.append(part)
        read += len(part)
        if read > limit:
            raise too_large(limit)
    body = b"".join(parts)
    request._stream = io.BytesIO(body)  # where HttpRequest.read() reads from
    request.META["CONTENT_LENGTH"] = str(len(body))


class BodyLimit:
    """A DRF view mixin: the body is checked against the setting ``body_limit_setting``
    (read per request, so tests and operators can change it) before the view reads it."""

    body_limit_setting = "CMS_MAX_RECORD_BYTES"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_large_body(request._request, getattr(settings, self.body_limit_setting))
