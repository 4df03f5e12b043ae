"""Emitting events: the write services call :func:`emit` (one call per write, or per
batch), inside their transaction. With no webhook listening it returns before building
anything and costs no query (webhooks/config.py); otherwise the calls of every matching
webhook are inserted in one statement, part of the write's transaction: a rolled-back
write sends nothing, and the workers' delivery pass (webhooks/delivery.py) sees the calls
once it commits. No job row or queue message per write: the pass takes calls in chunks.

Callers pass entities lazily (``build`` callables): serializing happens only when some
webhook wants the event.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from django.utils.timezone import now

from environments import selection
from environments.models import Environment
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


def listening(entity_type: str) -> bool:
    """Whether any enabled webhook listens to ``entity_type`` (cheap: cached)."""
    return any(key[0] == entity_type for hook in config.listeners() for key in hook.events)


def emit(events: list[Event]) -> int:
    """Record the events for every webhook that wants them; how many calls were made."""
    hooks = config.listeners()
    if not hooks or not events:
        return 0
    where = _environment()
    moment, calls = now(), []
    for event in events:
        facts = {
            **event.facts,
            "environment": where["environment"],
            "environment_type": ("primary" if where["is_environment_primary"] else "sandbox"),
        }
        wanting = [h for h in hooks if h.wants(event.entity_type, event.event_type, facts)]
        if not wanting:
            continue
        body = orjson.dumps({**event.build(), **where}).decode()
        calls.extend(
            WebhookCall(
                webhook_id=hook.id,
                entity_type=event.entity_type,
                event_type=event.event_type,
                created_at=moment,
                event=body,
            )
            for hook in wanting
        )
    if not calls:
        return 0
    WebhookCall.objects.bulk_create(calls, batch_size=2000)
    return len(calls)


def _environment() -> dict:
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
