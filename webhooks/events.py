"""Emitting events: the write services call :func:`emit` (one call per write, or per
batch), inside their transaction. With no webhook listening it returns before building
anything and costs no query (webhooks/config.py); otherwise the calls of every matching
webhook are inserted in one statement, part of the write's transaction: a rolled-back
write sends nothing, and the workers' delivery pass (webhooks/delivery.py) sees the calls
once it commits. No job row or queue message per write: the pass takes calls in chunks.

Callers pass entities lazily (``build`` callables): serializing happens only when some
webhook wants the event. Records pass a reference instead (``ref``), and the workers
build their entities (webhooks/expand.py): the request writes a few ids per event.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from django.db import connection
from django.utils.timezone import now

from environments import selection
from environments.models import Environment
from items.services.rows import copy_rows
from webhooks import config
from webhooks.models import WebhookCall


@dataclass
class Event:
    entity_type: str
    event_type: str
    #: () -> {"entity": ..., "previous_entity"?: ..., "related_entities": [...]}
    build: Callable[[], dict]
    #: what filters match on: {"item_type": id, "item": id, ...}
    facts: dict = field(default_factory=dict)
    #: as ``build``, blocks inline, for webhooks with ``nested_items_in_payload`` (None:
    #: the entity has no blocks to expand)
    build_nested: Callable[[], dict] | None = None
    #: instead of ``build``: what the workers build the entity from (webhooks/expand.py)
    ref: dict | None = None


def listening(entity_type: str) -> bool:
    """Whether any enabled webhook listens to ``entity_type`` (cheap: cached)."""
    return any(key[0] == entity_type for hook in config.listeners() for key in hook.events)


def listened_types(entity_type: str) -> set[str]:
    """The event types of ``entity_type`` some enabled webhook listens to: an event of
    another type needs no building (a model without draft mode sends ``publish`` with
    each create: a webhook on ``create`` only doesn't make it)."""
    return {key[1] for hook in config.listeners() for key in hook.events if key[0] == entity_type}


def emit(events: list[Event], where: dict | None = None) -> int:
    """Record the events for every webhook that wants them; how many calls were made.
    ``where``: the environment they name (``environment``, ``is_environment_primary``),
    when not the one the request or job works in (build triggers name the primary)."""
    hooks = config.listeners()
    if not hooks or not events:
        return 0
    where = where or current_environment()
    storage = selection.wanted() or ""
    moment, calls = now(), []
    stored_moment = moment if connection.vendor == "postgresql" else _sqlite_time(moment)
    for event in events:
        facts = {
            **event.facts,
            "environment": where["environment"],
            "environment_type": ("primary" if where["is_environment_primary"] else "sandbox"),
        }
        wanting = [h for h in hooks if h.wants(event.entity_type, event.event_type, facts)]
        if not wanting:
            continue
        bodies = {}  # nested or not -> the body: each built once, whatever the webhooks
        for hook in wanting:
            nested = hook.nested and event.build_nested is not None
            if event.ref is not None:
                nested = hook.nested
                if nested not in bodies:
                    ref = {**event.ref, "storage": storage, "nested": nested}
                    bodies[nested] = orjson.dumps({"ref": ref, **where}).decode()
            elif nested not in bodies:
                built = (event.build_nested if nested else event.build)()
                bodies[nested] = orjson.dumps({**built, **where}).decode()
            ref_item = event.ref["item"] if event.ref is not None else None
            calls.append(
                (hook.id, event.entity_type, event.event_type, stored_moment, bodies[nested])
                + (0, PENDING, ref_item)
            )
    if not calls:
        return 0
    _insert(calls)
    return len(calls)


COLUMNS = (
    "webhook_id",
    "entity_type",
    "event_type",
    "created_at",
    "event",
    "attempted_auto_retries_count",
    "status",
    "ref_item",
)
PENDING = WebhookCall.Status.PENDING.value
ROWS_PER_INSERT = 124  # SQLite's 999 parameters, 8 a row
COPY_FROM = 50  # on PostgreSQL, more rows than this go by COPY


def _insert(rows: list[tuple]) -> None:
    """The calls, in one statement (a COPY for many on PostgreSQL; on SQLite, one INSERT
    per ROWS_PER_INSERT): the ORM's bulk_create spent more than the batch's own write."""
    if connection.vendor == "postgresql" and len(rows) > COPY_FROM:
        copy_rows(WebhookCall, (dict(zip(COLUMNS, row, strict=True)) for row in rows))
        return
    table = connection.ops.quote_name(WebhookCall._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    row_sql = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[start : start + ROWS_PER_INSERT]
            values = ", ".join([row_sql] * len(chunk))
            params = [value for row in chunk for value in row]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}", params)


def _sqlite_time(moment) -> str:
    return connection.ops.adapt_datetimefield_value(moment)


def current_environment() -> dict:
    """The environment the request or job works in, as events name it."""
    noted = config.noted_environment()
    if noted is not None:
        return noted
    storage = selection.wanted() or ""
    row = Environment.objects.filter(storage=storage).values_list("name", "primary").first()
    name, primary = row if row else ("main", True)
    return {"environment": name, "is_environment_primary": primary}


def emit_one(entity_type: str, event_type: str, build: Callable[[], dict], **facts) -> None:
    """One event of an entity other than records (models, uploads, environments...)."""
    if listening(entity_type):
        emit([Event(entity_type, event_type, build, facts)])
