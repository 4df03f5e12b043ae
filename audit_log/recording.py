"""Recording: every write through the APIs (CMA and record API) made with a token, and
every save in the admin by a staff user (audit_log/admin_events.py), one INSERT after the
view answered (its own transactions have committed by then); a write that knows its answer
before it commits writes its event itself, in its own statement or transaction
(audit_log/folding.py: a record's create, the record API's batch), and this records
nothing more for it. Jobs' writes: audit_log/job_events.py.

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
from django.db import DatabaseError, connection, transaction
from django.utils.timezone import now
from rest_framework.request import Empty

from audit_log import actions, admin_events
from audit_log.actors import actor_of, role_of, user_actor, user_role
from audit_log.models import AuditLogEvent
from audit_log.ulid import new_ulid
from cms.models import ApiToken

logger = logging.getLogger("cms.audit_log")

ADMIN_PATH = "/admin/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Keys whose values never reach the log (webhooks' credentials and headers, tokens).
SECRET_KEYS = frozenset(
    {
        "http_basic_password",
        "headers",
        "token",
        "secret",
        "password",
        "api_key_secret",
        "session_token",
        "session_id",
    }
)
_SECRET_NEEDLES = tuple(f'"{key}"'.encode() for key in SECRET_KEYS)
REDACTED = "[redacted]"
#: Set on the request (to the answer's status) when its event was written with the write.
WRITTEN_WITH_THE_WRITE = "audit_event_written_with_the_write"
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
            try:
                token = getattr(request, "auth", None)
                if isinstance(token, ApiToken):
                    record(request, response, token)
                elif request.path_info.startswith(ADMIN_PATH):
                    record_admin(request, response)
            except DatabaseError:
                # The write itself stands: a log that can't be written is reported, never
                # turned into the client's error.
                logger.exception("Could not record an audit log event.")
        return response


def record(request, response, token: ApiToken) -> str | None:
    """An API write: its action from its route (audit_log/actions.py)."""
    if getattr(request, WRITTEN_WITH_THE_WRITE, None) == response.status_code:
        return None  # its event went in the write's own statement (audit_log/folding.py)
    context = getattr(response, "renderer_context", None) or {}
    event = api_event(
        request, token, context.get("request"), response.status_code, _answered(response)
    )
    if event is None:
        return None
    _insert(event)
    return event["id"]


def api_event(request, token: ApiToken, drf_request, status: int, answered) -> dict | None:
    """The event of an API write (None if its route records none), unwritten."""
    match = request.resolver_match
    action = actions.action_for(request.method, match.route if match else None)
    if action is None:
        return None
    return event_of(
        _source(request),
        action,
        actor_of(token),
        role_of(token),
        _environment(request, match),
        status=status,
        sent=_request_payload(request, drf_request),
        answered=answered,
    )


def record_admin(request, response) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    action = admin_events.admin_action(request, response)
    if action is None:
        return None
    event = event_of(
        _source(request),
        action,
        user_actor(user),
        user_role(user),
        _environment(request, None),
        status=response.status_code,
        sent=kept(admin_events.form_payload(request)),
        answered=None,
    )
    _insert(event)
    return event["id"]


def _source(request) -> tuple[str, str, str | None]:
    """(path, method, request id) of a request, as its event shows them."""
    request_id = request.headers.get("X-Request-ID") or None
    return request.path, request.method, request_id and request_id[:255]


def event_of(source, action, actor, role, environment, *, status, sent, answered) -> dict:
    """An event, unwritten: ``source`` is (path, method, request id); ``sent`` and
    ``answered`` JSON text as :func:`kept` makes it."""
    moment = now()
    path, method, request_id = source
    event = {
        "id": new_ulid(moment),
        "occurred_at": moment,
        "action_name": action,
        **{f"actor_{k}": v for k, v in actor.items()},
        "role_id": role and role["id"],
        "role_name": role and role["name"],
        "environment_id": environment and environment["id"],
        "environment_primary": environment and environment["primary"],
        "request_path": path,
        "request_method": method,
        "request_id": request_id,
        "request_payload": sent,
        "response_status": status,
        "response_payload": answered,
    }
    return event


def _environment(request, match) -> dict | None:
    selected = getattr(request, "cms_environment", None)
    if selected is not None:
        return {"id": selected.name, "primary": selected.primary}
    if match is None or not match.route.startswith("environments/"):
        return None
    name = match.kwargs.get("name")
    return {"id": name, "primary": None} if name else None


def _request_payload(request, drf_request):
    if drf_request is None:
        return None
    limit = settings.CMS_AUDIT_LOG_MAX_PAYLOAD_BYTES
    length = request.META.get("CONTENT_LENGTH") or "0"
    data = getattr(drf_request, "_full_data", Empty)  # only if the view parsed it
    if data is Empty or data is None:
        return None
    if length.isdigit() and int(length) > limit:
        # Too large: not even serialized.
        return orjson.dumps(_summary(data, int(length)), default=str).decode()
    return kept(data)


def _answered(response):
    """The answer as stored: its rendered JSON as it is (no second serialization)."""
    if response.streaming or not response.get("Content-Type", "").startswith("application/json"):
        return None
    return answered_json(response.content, getattr(response, "data", None))


def answered_json(body: bytes, data) -> str | None:
    """An answer's rendered JSON ``body`` (of ``data``) as stored."""
    if not body:
        return None
    if len(body) > settings.CMS_AUDIT_LOG_MAX_PAYLOAD_BYTES:
        summary = _summary(data, len(body))
        return orjson.dumps(summary, default=str).decode()
    if any(needle in body for needle in _SECRET_NEEDLES):
        return orjson.dumps(_redacted(orjson.loads(body))).decode()
    return body.decode()


def kept(data):
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
    insert, slots, values = _statement(event)
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Only in tests (a request runs in no transaction): a savepoint, and the
            # caller's transaction keeps its durability.
            with transaction.atomic():
                cursor.execute(insert + f"VALUES ({slots})", values)
        elif connection.vendor == "postgresql":
            # set_config(..., true) holds for this statement's own transaction only.
            relaxed = "(SELECT set_config('synchronous_commit', 'off', true)) AS relaxed"
            cursor.execute(insert + f"SELECT {slots} FROM {relaxed}", values)
        else:
            cursor.execute("PRAGMA synchronous = NORMAL")
            try:
                cursor.execute(insert + f"VALUES ({slots})", values)
            finally:
                cursor.execute("PRAGMA synchronous = FULL")


def insert_in_transaction(event: dict) -> None:
    """The event's INSERT as one more statement of the caller's transaction (the write's:
    audit_log/folding.py): it commits, or rolls back, with it."""
    insert, slots, values = _statement(event)
    with connection.cursor() as cursor:
        cursor.execute(insert + f"VALUES ({slots})", values)


def _statement(event: dict) -> tuple[str, str, list]:
    """``INSERT INTO … (columns)``, the values' slots, the values."""
    values = []
    for column in COLUMNS:
        value = event[column]
        if column == "occurred_at":
            value = connection.ops.adapt_datetimefield_value(value)
        values.append(value)
    table = connection.ops.quote_name(AuditLogEvent._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    json_slot = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    slots = ", ".join(json_slot if c in JSON_COLUMNS else "%s" for c in COLUMNS)
    return f"INSERT INTO {table} ({names}) ", slots, values
