"""The API's error format, in one place.

Every error leaves the server as DatoCMS's ``api_error`` document::

    {"data": [{"id": "...", "type": "api_error",
               "attributes": {"code": "INVALID_FIELD", "details": {...}}}]}

Under ``/rest/`` and ``/api/v2/`` (the record API) the same errors leave in DreamFactory's
shape instead::

    {"error": {"code": 422, "status_code": 422, "message": "...",
               "context": {"error": [{"error": "INVALID_FIELD", ...details}]}}}

Code raises :class:`ApiError` (one problem) or :class:`ApiErrors` (several, reported at
once); DRF's and Django's own exceptions are mapped here too, so a view never formats an
error itself.
"""

import logging
import math
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

from cms.api.transient import is_transient
from cms.db import is_query_timeout, wanted_limit

logger = logging.getLogger("cms.api")


class ApiError(Exception):
    """One problem, with its HTTP status, stable code and details."""

    # Positional-only, so that ``details`` may carry its own ``code`` (the reason).
    def __init__(self, code: str, status: int = 422, /, **details):
        super().__init__(code)
        self.code = code
        self.status = status
        self.details = details


class ApiErrors(Exception):
    """Several problems answered together; the status is the first one's."""

    def __init__(self, errors: list[ApiError]):
        super().__init__(", ".join(e.code for e in errors))
        self.errors = errors

    @property
    def status(self) -> int:
        return self.errors[0].status if self.errors else 422


def found(instance, **asked_for):
    """``instance`` (a lookup's ``.first()``), or the 404 naming what was asked for."""
    if instance is None:
        raise ApiError("NOT_FOUND", 404, **asked_for)
    return instance


def invalid_field(field: str, code: str, **details) -> ApiError:
    """A field (of a record or of a schema resource) failed: 422 INVALID_FIELD."""
    return ApiError("INVALID_FIELD", 422, field=field, code=code, **details)


def error_document(errors: list[ApiError]) -> dict:
    return {
        "data": [
            {
                "id": secrets.token_hex(3),
                "type": "api_error",
                "attributes": {
                    "code": error.code,
                    "details": error.details,
                    # Where the official client looks for a refusal to send again.
                    **({"transient": True} if error.details.get("transient") else {}),
                },
            }
            for error in errors
        ]
    }


def error_response(errors: list[ApiError]) -> Response:
    return Response(error_document(errors), status=errors[0].status)


def dreamfactory_body(status: int, message: str, context=None, code: int | None = None) -> dict:
    """DreamFactory's error object, as the record API answers it."""
    return {
        "error": {
            "code": code or status,
            "status_code": status,
            "message": message,
            "context": context,
        }
    }


def dreamfactory_document(errors: list[ApiError], status: int) -> dict:
    """API errors in DreamFactory's shape: the first one's message, each one in context."""
    first = errors[0]
    message = first.details.get("message") or first.code.replace("_", " ").capitalize()
    context = {"error": [{"error": error.code, **error.details} for error in errors]}
    return dreamfactory_body(status, message, context)


def is_record_api(request) -> bool:
    """The record API's paths: the seed's ``/rest/`` and DreamFactory 2's ``/api/v2/``."""
    path = request.path_info
    return path in ("/rest", "/api/v2") or path.startswith(("/rest/", "/api/v2/"))


def json_error(code: str, status: int, /, request=None, **details) -> JsonResponse:
    """For plain Django views (404/500 handlers, middleware) that are not DRF views: the
    record API's shape under ``/rest/`` (when the request is given), else api_error."""
    errors = [ApiError(code, status, **details)]
    if request is not None and is_record_api(request):
        body = dreamfactory_document(errors, status)
    else:
        body = error_document(errors)
    response = JsonResponse(body, status=status)
    response["Content-Type"] = "application/json; charset=utf-8"
    return response


# DRF's validation codes, as the API's stable VALIDATION_<NAME> codes.
DRF_CODE_MAP = {
    "required": "VALIDATION_REQUIRED",
    "null": "VALIDATION_REQUIRED",
    "blank": "VALIDATION_REQUIRED",
    "invalid": "VALIDATION_FORMAT",
    "invalid_choice": "VALIDATION_INCLUSION",
    "max_length": "VALIDATION_LENGTH",
    "min_length": "VALIDATION_LENGTH",
    "max_value": "VALIDATION_NUMBER_RANGE",
    "min_value": "VALIDATION_NUMBER_RANGE",
    "unique": "VALIDATION_UNIQUENESS",
    "not_a_list": "VALIDATION_FORMAT",
    "not_a_dict": "VALIDATION_FORMAT",
    "empty": "VALIDATION_REQUIRED",
    "max_string_length": "VALIDATION_NUMBER_RANGE",
}


def _drf_validation_errors(detail, prefix: str = "") -> list[ApiError]:
    """Flatten DRF's nested error detail into one INVALID_FIELD per field."""
    errors: list[ApiError] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors":
                field = prefix or "data"
            errors.extend(_drf_validation_errors(value, field))
    elif isinstance(detail, list):
        for item in detail:
            errors.extend(_drf_validation_errors(item, prefix))
    else:
        code = getattr(detail, "code", "invalid")
        errors.append(
            invalid_field(
                prefix or "data",
                DRF_CODE_MAP.get(code, f"VALIDATION_{str(code).upper()}"),
                message=str(detail),
            )
        )
    return errors


def errors_for(exc: Exception) -> list[ApiError] | None:
    """Map any exception to API errors; None for an unexpected one (a 500)."""
    if isinstance(exc, ApiErrors):
        return exc.errors
    if isinstance(exc, ApiError):
        return [exc]
    if isinstance(exc, drf.ValidationError):
        return _drf_validation_errors(exc.detail)
    if is_query_timeout(exc):
        # Not the client's error (the same query may pass when the server is less busy),
        # and not "transient": the official client must not retry it by itself.
        return [
            ApiError(
                "QUERY_TIMEOUT",
                503,
                message="The query ran past its time limit; narrow the filter or the page.",
                timeout_ms=wanted_limit(connection),
            )
        ]
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        # A multipart form of more parts than Django parses (DATA_UPLOAD_MAX_NUMBER_FIELDS).
        return [ApiError("TOO_MANY_FIELDS", 400, message=str(exc))]
    if isinstance(exc, RequestDataTooBig):
        return [ApiError("REQUEST_TOO_LARGE", 413, max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)]
    if is_transient(exc):
        return [
            ApiError(
                "WRITE_CONFLICT",
                409,
                transient=True,
                message="A concurrent write held what this one needed; nothing was written.",
            )
        ]
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"data": exc.messages}
        return [
            invalid_field(field, "VALIDATION_INVALID", message=" ".join(messages))
            for field, messages in detail.items()
        ]
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return [ApiError("INVALID_AUTHORIZATION_HEADER", 401, message=str(exc.detail))]
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        return [ApiError("INSUFFICIENT_PERMISSIONS", 403)]
    if isinstance(exc, drf.NotFound | Http404):
        return [ApiError("NOT_FOUND", 404)]
    if isinstance(exc, drf.MethodNotAllowed):
        return [ApiError("METHOD_NOT_ALLOWED", 405, message=str(exc.detail))]
    if isinstance(exc, drf.UnsupportedMediaType):
        return [ApiError("INVALID_CONTENT_TYPE_HEADER", 415, message=str(exc.detail))]
    if isinstance(exc, drf.NotAcceptable):
        return [ApiError("INVALID_ACCEPT_HEADER", 406)]
    if isinstance(exc, drf.ParseError):
        return [ApiError("INVALID_JSON_BODY", 400, message=str(exc.detail))]
    if isinstance(exc, drf.Throttled):
        return [ApiError("RATE_LIMIT_EXCEEDED", 429, wait=exc.wait, message=str(exc.detail))]
    if isinstance(exc, drf.APIException):
        return [ApiError(str(exc.default_code).upper(), exc.status_code, message=str(exc.detail))]
    return None


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error, expected or not, in the api_error format."""
    errors = errors_for(exc)
    unexpected = errors is None
    if unexpected:
        logger.exception("Unhandled error in %s", context.get("view"))
        errors = [ApiError("INTERNAL_SERVER_ERROR", 500)]
    response = error_response(errors)
    # Logged above with its traceback: Django's request logger need not log it again.
    response._has_been_logged = unexpected
    if isinstance(exc, drf.Throttled) and exc.wait:
        response["X-RateLimit-Reset"] = str(int(exc.wait))
        response["Retry-After"] = str(math.ceil(exc.wait))
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
