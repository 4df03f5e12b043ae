"""Which webhooks listen, cached per process: a write with no webhook configured costs no
query, and one with webhooks none beyond its insert.

The cache is keyed by :class:`WebhooksVersion`, which every webhook write rewrites. An API
request reads that version in the token's query (environments/access.py notes it here
through :func:`note_version`); elsewhere (jobs, commands) it is read with one small query.
No version row: no webhook was ever written, nothing is read at all.
"""

import threading
from dataclasses import dataclass

from webhooks.models import Webhook, WebhooksVersion

_UNKNOWN = object()
_noted = threading.local()  # this thread's request's version, while it runs
_lock = threading.Lock()
_cached: tuple = (_UNKNOWN, ())  # (version, listeners)


@dataclass(frozen=True)
class Listener:
    """An enabled webhook, as events are matched against it."""

    id: str
    #: {(entity_type, event_type): [filters, ...]}: each entry's filters (None: any)
    events: dict
    #: nested_items_in_payload: records' blocks inline in the entity
    nested: bool = False

    def wants(self, entity_type: str, event_type: str, facts: dict) -> bool:
        for filters in self.events.get((entity_type, event_type), ()):
            if not filters or all(_matches(f, facts) for f in filters):
                return True
        return False


def _matches(filter_: dict, facts: dict) -> bool:
    """A filter holds when the event's fact of that entity type is one of its ids."""
    return facts.get(filter_["entity_type"]) in set(filter_["entity_ids"])


def note_request(version, environment: str, primary: bool) -> None:
    """What the request's token query read: the webhooks' version, and its environment
    (so that an event needs no query to name it)."""
    _noted.version = version
    _noted.environment = {"environment": environment, "is_environment_primary": primary}


def forget_version() -> None:
    _noted.version = _UNKNOWN
    _noted.environment = None


def noted_environment() -> dict | None:
    return getattr(_noted, "environment", None)


def _version():
    version = getattr(_noted, "version", _UNKNOWN)
    if version is _UNKNOWN:
        version = WebhooksVersion.objects.values_list("version", flat=True).first()
    return version


def listeners() -> tuple[Listener, ...]:
    """The enabled webhooks, as of the current version."""
    global _cached
    version = _version()
    if version is None:
        return ()
    known, found = _cached
    if known == version:
        return found
    found = tuple(_listener(hook) for hook in Webhook.objects.filter(enabled=True))
    with _lock:
        _cached = (version, found)
    return found


def _listener(hook: Webhook) -> Listener:
    events: dict = {}
    for entry in hook.events:
        for event_type in entry["event_types"]:
            key = (entry["entity_type"], event_type)
            events.setdefault(key, []).append(entry.get("filters") or None)
    return Listener(hook.id, events, hook.nested_items_in_payload)


def bump() -> None:
    """After any webhook write (inside its transaction)."""
    from cms.ids import new_id

    if not WebhooksVersion.objects.filter(pk=WebhooksVersion.SINGLETON_ID).update(version=new_id()):
        WebhooksVersion.objects.create()
    forget_version()
