"""A big batch's create events: one row (:class:`DeferredCalls`) in the batch's
transaction, written as calls later by PostgreSQL itself, one ``INSERT … SELECT`` over
arrays of the records' ids, versions and dates joined by model to the (webhook, event
type) pairs that want that model's events. The calls are those :func:`events.emit`
writes (same columns, same order, the same reference in ``event``).

Why deferred: a 10,000-record batch with a webhook wrote 10,000 calls and 50,000 index
entries in its own transaction, a third of the batch's time (bench/webhook_fanout.py).
Now the batch takes the calls' ids from their sequence (so they sort where the batch
happened) and stores the statement's arguments; whoever next needs the calls writes
them (:func:`write_deferred`), oldest batch first: the delivery pass (each batch by one
worker), a read of ``/webhook_calls`` (what no other transaction holds: a read never
waits), a record's deletion (the batches holding that record, waited for). A row that
fails to be written is set aside with its error, so that it stops neither delivery nor
deletes.

Only when no webhook filters these events by record (a filter on ``item`` ids is
evaluated per record, in Python, by :func:`events.emit`); filters on models and
environments hold for a whole group of records of one model.
"""

import logging
from datetime import datetime

import orjson
from django.db import OperationalError, connection, transaction
from django.utils.timezone import now

from cms.api.wire import timestamp
from environments import selection
from webhooks import config, events
from webhooks.models import DeferredCalls, Webhook, WebhookCall

logger = logging.getLogger("cms.webhooks")
#: Fewer records go through events.emit (one statement either way).
SMALLEST = 50  # as events.COPY_FROM: below it, emit's one INSERT costs as little


def emitted(records: list, kinds_of, where: dict | None = None) -> bool:
    """Write the create events of ``records`` (new records of one write, as
    items.services.NewRecord), ``kinds_of(record)`` their event types, if this path
    can; whether it did (else the caller emits them one by one)."""
    if connection.vendor != "postgresql" or len(records) < SMALLEST:
        return False
    hooks = config.listeners()
    if any(_per_record(hook) for hook in hooks):
        return False
    where = where or events.current_environment()
    environment = {
        "environment": where["environment"],
        "environment_type": "primary" if where["is_environment_primary"] else "sandbox",
    }
    pairs: dict = {}  # item type id -> [(webhook, event type, nested)], per model
    for record in records:
        item_type_id = record.item_type.id
        if item_type_id not in pairs:  # one model: the same event types and webhooks
            facts = {"item_type": item_type_id, **environment}
            pairs[item_type_id] = [
                (hook.id, kind, hook.nested)
                for kind in kinds_of(record)
                for hook in hooks
                if hook.wants("item", kind, facts)
            ]
    calls = sum(len(pairs[record.item_type.id]) for record in records)
    if calls:
        moment = now()
        arguments = _arguments(records, pairs, moment, where)
        item_ids = ",".join(arguments.pop("record_ids"))  # stored apart: searchable
        stored = orjson.dumps({"format": FORMAT, "arguments": arguments}).decode()
        with connection.cursor() as cursor:
            cursor.execute(DEFER, [moment, stored, item_ids, _sequence(cursor), calls])
    return True


def write_deferred(item_ids: list[str] | None = None) -> int:
    """Write the calls of deferred batches, oldest first, each in its own transaction (a
    savepoint inside the caller's); how many batches. A batch another transaction is
    writing (or holding) is left to it. With ``item_ids``, only the batches holding these
    records, and those are waited for: their calls must exist before the records go."""
    if connection.vendor != "postgresql":
        return 0  # SQLite writes its calls at once (SMALLEST applies to PostgreSQL)
    written = 0
    with connection.cursor() as cursor:
        if item_ids is not None:
            cursor.execute(HOLDING, [list(item_ids)])
            for (batch_id,) in cursor.fetchall():
                written += _write_one(cursor, TAKE_ONE, [batch_id])
            return written
        while taken := _write_one(cursor, TAKE_NEXT, []):
            written += max(taken, 0)
    return written


def _write_one(cursor, take: str, params: list) -> int:
    """1 when a batch's calls were written, 0 when none was left to take (or the
    database said not now), -1 when one failed (set aside with its error, logged: it
    must not stop delivery or deletes)."""
    batch_id = None
    try:
        with transaction.atomic():
            cursor.execute(take, params)
            row = cursor.fetchone()
            if row is None:
                return 0  # none left, or taken by another transaction meanwhile
            batch_id, stored, item_ids, call_ids = row
            cursor.execute(INSERT, _insert_parameters(stored, item_ids, call_ids))
        return 1
    except OperationalError:  # a timeout, a lock not granted: left for a later pass
        logger.warning("Deferred webhook calls not written now", exc_info=True)
        return 0
    except Exception as error:
        if batch_id is None:
            raise  # taking failed: the connection's problem, not the batch's
        logger.exception("Writing the calls of deferred batch %s failed", batch_id)
        cursor.execute(SET_ASIDE, [f"{type(error).__name__}: {error}", batch_id])
        return -1


def _insert_parameters(stored: str, item_ids: str, call_ids: str) -> dict:
    found = orjson.loads(stored)
    if found.get("format") != FORMAT:
        raise ValueError(f"Unknown format {found.get('format')!r} (this code writes {FORMAT})")
    return {
        **found["arguments"],
        "moment": datetime.fromisoformat(found["arguments"]["moment"]),
        "record_ids": item_ids.split(","),
        "call_ids": sorted(int(call_id) for call_id in call_ids.split(",")),
    }


_sequences: dict = {}


def _sequence(cursor) -> str:
    """The calls' id sequence (its name: once per process)."""
    if TABLE not in _sequences:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        _sequences[TABLE] = cursor.fetchone()[0]
    return _sequences[TABLE]


def _per_record(hook: config.Listener) -> bool:
    """Whether some filter of the webhook's record events names records."""
    return any(
        any(f["entity_type"] == "item" for f in filters or ())
        for (entity_type, _), entries in hook.events.items()
        if entity_type == "item"
        for filters in entries
    )


def _arguments(records: list, pairs: dict, moment, where: dict) -> dict:
    """The statement's arguments but the calls' ids: its arrays have one entry per record,
    and one per (model, webhook, event type); the model's place in ``pairs`` joins them."""
    models = {item_type_id: n for n, item_type_id in enumerate(pairs)}
    moments: dict = {}

    def stamp(value):
        if value not in moments:
            moments[value] = timestamp(value)
        return moments[value]

    ids, versions, statuses, published, firsts, groups = [], [], [], [], [], []
    for record in records:
        draft_mode = record.item_type.draft_mode_active
        ids.append(record.id)
        versions.append(record.version_id)
        statuses.append("draft" if draft_mode else "published")
        published.append(None if draft_mode else stamp(record.moment))
        firsts.append(None if draft_mode else stamp(record.first_published_at or record.moment))
        groups.append(models[record.item_type.id])
    flat = [(models[type_id], *pair) for type_id, found in pairs.items() for pair in found]
    return {
        "moment": moment,
        "storage": selection.wanted() or "",
        "environment": where["environment"],
        "primary": where["is_environment_primary"],
        "status": PENDING,
        "record_ids": ids,
        "versions": versions,
        "statuses": statuses,
        "published": published,
        "firsts": firsts,
        "groups": groups,
        "hooks": [hook for _, hook, _, _ in flat],
        "kinds": [kind for _, _, kind, _ in flat],
        "nested": [nested for _, _, _, nested in flat],
        "hook_groups": [group for group, _, _, _ in flat],
    }


PENDING = WebhookCall.Status.PENDING.value
TABLE = WebhookCall._meta.db_table
DEFERRED = DeferredCalls._meta.db_table
HOOKS = Webhook._meta.db_table

# The calls' ids, one nextval each (not a range: other writers take ids meanwhile).
DEFER = f"""
INSERT INTO {DEFERRED} (created_at, arguments, item_ids, call_ids)
SELECT %s, %s, %s, string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)
"""
#: What the stored arguments look like: a row of another format is set aside, not misread.
FORMAT = 1
TAKE_NEXT = f"""
DELETE FROM {DEFERRED} WHERE id = (
    SELECT id FROM {DEFERRED} WHERE error IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
)
RETURNING id, arguments, item_ids, call_ids
"""
HOLDING = f"""
SELECT id FROM {DEFERRED}
WHERE error IS NULL AND string_to_array(item_ids, ',') && %s::text[] ORDER BY id
"""
TAKE_ONE = f"""
DELETE FROM {DEFERRED} WHERE id = %s AND error IS NULL
RETURNING id, arguments, item_ids, call_ids
"""
SET_ASIDE = f"UPDATE {DEFERRED} SET error = %s WHERE id = %s"

# The event text is the reference events.emit writes ({"ref": {...}, "environment": …,
# "is_environment_primary": …}), as json (not jsonb: its keys keep their order). Calls
# are numbered record by record, each record's event types in order, then webhooks, as
# events.emit numbers them: the delivery pass sends them in that order.
INSERT = f"""
INSERT INTO {TABLE} (id, webhook_id, entity_type, event_type, created_at, event,
                     attempted_auto_retries_count, status, ref_item)
SELECT (%(call_ids)s::bigint[])[row_number() OVER (ORDER BY r.n, w.n)], w.hook, 'item',
       w.kind, %(moment)s,
       json_build_object(
           'ref', json_build_object(
               'item', r.id, 'version', r.version,
               'meta', json_build_object(
                   'status', r.status, 'published_at', r.published,
                   'first_published_at', r.first, 'publication_scheduled_at', NULL,
                   'unpublishing_scheduled_at', NULL),
               'storage', %(storage)s::text, 'nested', w.nested),
           'environment', %(environment)s::text,
           'is_environment_primary', %(primary)s::boolean)::text,
       0, %(status)s, r.id
FROM unnest(%(record_ids)s::text[], %(versions)s::text[], %(statuses)s::text[],
            %(published)s::text[], %(firsts)s::text[], %(groups)s::int[])
    WITH ORDINALITY AS r(id, version, status, published, first, model, n)
JOIN unnest(%(hooks)s::text[], %(kinds)s::text[], %(nested)s::boolean[], %(hook_groups)s::int[])
    WITH ORDINALITY AS w(hook, kind, nested, model, n) ON w.model = r.model
JOIN {HOOKS} h ON h.id = w.hook  -- not a webhook deleted since (its ids stay unused)
ORDER BY r.n, w.n
"""
