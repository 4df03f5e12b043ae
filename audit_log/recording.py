"""Recording: every write through the APIs (CMA and record API) made with a token, one
INSERT after the view answered (its own transactions have committed by then).

Refused writes (4xx) are recorded too: who tried what is the point of an audit log, and a
refusal names its actor. Not recorded: reads (GET, HEAD, OPTIONS, and POSTs that write
nothing: ``items/validate``, the log's own query), requests without a valid token (no actor
to name; anyone could fill the log), and requests the rate limits refused (answered before
the API runs). Payloads are kept up to ``CMS_AUDIT_LOG_MAX_PAYLOAD_BYTES`` each, secrets
redacted; a larger one keeps its resource's type, id and relationships only.
"""

import logging

import orjson
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.timezone import now

from audit_log import actions
from audit_log.actors import actor_of, role_of
from audit_log.models import AuditLogEvent
from audit_log.ulid import new_ulid
from cms.models import ApiToken

logger = logging.getLogger("cms.audit_log")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Keys whose values never reach the log (webhooks' credentials and headers, tokens).
SECRET_KEYS = frozenset(
    {"http_basic_password", "headers", "token", "secret", "password", "api_key_secret"}
)
_SECRET_NEEDLES = tuple(f'"{key}"'.encode() for key in SECRET_KEYS)
REDACTED = "[redacted]"
COLUMNS = [f.column for f in AuditLogEvent._meta.concrete_fields]
JSON_COLUMNS = {"request_payload", "response_payload"}


class AuditLogMiddleware:
    """Inside environments.access.EnvironmentMiddleware: the request's environment is
    still known here, and its storage still selected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            token = getattr(request, "auth", None)
            if isinstance(token, ApiToken):
                try:
                    record(request, response, token)
                except DatabaseError:
                    # The write itself stands: a log that can't be written is reported,
                    # never turned into the client's error.
                    logger.exception("Could not record an audit log event.")
        return response


def record(request, response, token: ApiToken) -> str | None:
    match = request.resolver_match
    action = actions.action_for(request.method, match.route if match else None)
    if action is None:
        return None
    context = getattr(response, "renderer_context", None) or {}
    drf_request = context.get("request")
    moment = now()
    role = role_of(token)
    environment = _environment(request, match)
    event = {
        "id": new_ulid(moment),
        "occurred_at": moment,
        "action_name": action,
        **{f"actor_{k}": v for k, v in actor_of(token).items()},
        "role_id": role and role["id"],
        "role_name": role and role["name"],
        "environment_id": environment and environment["id"],
        "environment_primary": environment and environment["primary"],
        "request_path": request.path,
        "request_method": request.method,
        "request_id": (request.headers.get("X-Request-ID") or None),
        "request_payload": _request_payload(request, drf_request),
        "response_status": response.status_code,
        "response_payload": _kept(getattr(response, "data", None)),
    }
    if event["request_id"] is not None:
        event["request_id"] = event["request_id"][:255]
    _insert(event)
    return event["id"]


def _environment(request, match) -> dict | None:
    selected = getattr(request, "cms_environment", None)
    if selected is not None:
        return {"id": selected.name, "primary": selected.primary}
    name = match.kwargs.get("name") if match and match.route.startswith("environments/") else None
    return {"id": name, "primary": None} if name else None


def _request_payload(request, drf_request):
    if drf_request is None:
        return None
    limit = settings.CMS_AUDIT_LOG_MAX_PAYLOAD_BYTES
    length = request.META.get("CONTENT_LENGTH") or "0"
    data = getattr(drf_request, "_full_data", None)  # only if the view parsed it
    if data is None or type(data).__name__ == "Empty":
        return None
    if length.isdigit() and int(length) > limit:
        # Too large: not even serialized.
        return orjson.dumps(_summary(data, int(length)), default=str).decode()
    return _kept(data)


def _kept(data):
    """``data`` as stored: JSON text, secrets redacted, within the size limit."""
    if data is None:
        return None
    try:
        blob = orjson.dumps(data, default=str)
    except TypeError:
        return None
    if len(blob) > settings.CMS_AUDIT_LOG_MAX_PAYLOAD_BYTES:
        return orjson.dumps(_summary(data, len(blob))).decode()
    if any(needle in blob for needle in _SECRET_NEEDLES):
        blob = orjson.dumps(_redacted(data), default=str)
    return blob.decode()


def _summary(data, size: int) -> dict:
    """What a payload too large to keep keeps: its resource's type, id, relationships."""
    kept = {"truncated": True, "bytes": size}
    resource = data.get("data") if isinstance(data, dict) else None
    if isinstance(resource, dict):
        kept["data"] = {k: resource[k] for k in ("type", "id", "relationships") if k in resource}
        kept = _redacted(kept)
    return kept


def _redacted(value, depth: int = 0):
    if depth > 64:
        return REDACTED
    if isinstance(value, dict):
        return {
            k: (REDACTED if k in SECRET_KEYS and v else _redacted(v, depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redacted(v, depth + 1) for v in value]
    return value


def _insert(event: dict) -> None:
    """One statement, without the ORM's model machinery (this runs on every write), and
    without waiting for the disk: the write it records already waited for its own commit,
    and a second flush doubled a create's commit cost. An event can then be lost only if
    the database server itself (not this process) crashes within a fraction of a second of
    it; the database stays consistent either way (PostgreSQL's ``synchronous_commit = off``
    for this one transaction; SQLite's ``synchronous = NORMAL`` in WAL mode)."""
    values = []
    for column in COLUMNS:
        value = event[column]
        if column == "occurred_at":
            value = connection.ops.adapt_datetimefield_value(value)
        values.append(value)
    table = connection.ops.quote_name(AuditLogEvent._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            slots = ", ".join("%s::jsonb" if c in JSON_COLUMNS else "%s" for c in COLUMNS)
            # set_config(..., true) holds for this statement's own transaction only.
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {slots} "
                "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed",
                values,
            )
            return
        slots = ", ".join(["%s"] * len(COLUMNS))
        relax = connection.vendor == "sqlite" and not connection.in_atomic_block
        if relax:
            cursor.execute("PRAGMA synchronous = NORMAL")
        try:
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES ({slots})", values)
        finally:
            if relax:
                cursor.execute("PRAGMA synchronous = FULL")
