"""Updating many records of one call at once (the record API's ``PUT`` and ``PATCH`` of a
batch, of ``ids`` or of a ``filter``), each by the single update's rules
(``items.services.update``), read and written for all of them together.

Each record is validated as ``PUT /items/:id`` validates one, in memory; the checks
against the database (links, uploads, unique values, across the batch too) are one bulk
pass for all; the rows are written with a few statements per table, not per record. Each
record written gets a new version, and the ``update`` events go in one insert.

Not here (``update_locked``, record by record, covers them): moving records (``position``,
``parent_id``), a record named twice in one call.
"""

from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField

from cms.api.errors import ApiError
from items.content_model import ContentModel
from items.models import Item, ItemVersion, Reference, UniqueValue
from items.services import rows
from items.services.records import RecordWrite
from items.services.update import ITEM_STATE, finish_update, validate_values
from items.validation import check_against_database
from webhooks import events
from webhooks import records as webhook_records

BLOCK_STATE = ["data", "parent", "parent_field", "updated_at", "status"]
ROWS_PER_UPDATE = 500  # a CASE per column and row: bounded, for SQLite's parameter limit


def plan_updates(
    items: list[Item],
    attributes: list[dict],
    *,
    replace: bool,
    model: ContentModel,
    known: dict | None = None,
) -> list[tuple]:
    """Per record (in order): ``(validation, data, errors)``, every error found, with one
    query for all the records' blocks and the bulk pass's for the rest. ``known``: records
    the same write creates first (id -> model id), which the updates may link to."""
    blocks: dict[str, dict] = {}
    for block in Item.objects.filter(root_id__any_of=[item.id for item in items]):
        blocks.setdefault(block.root_id, {})[block.id] = block
    planned = [
        validate_values(item, values, blocks.get(item.id, {}), model, replace=replace)
        for item, values in zip(items, attributes, strict=True)
    ]
    check_against_database(
        [
            (validation, item.id, False)
            for (validation, _), item in zip(planned, items, strict=True)
        ],
        known,
    )
    return [(validation, data, list(validation.errors)) for validation, data in planned]


def save_updates(
    items: list[Item], planned: list[tuple], *, editor_id: str | None, model: ContentModel
) -> list[RecordWrite]:
    """Write the planned updates (none with errors), in a savepoint: an ``IntegrityError``
    (a concurrent write won a unique value meanwhile) leaves nothing written and
    ``items`` as they were, for the caller to try record by record."""
    previous = {}
    if events.listening("item"):
        for item in items:
            previous.update(webhook_records.before_update(item, model) or {})
    before = [dict(item.__dict__) for item in items]  # their columns, no related row read
    writes = [
        finish_update(item, validation, data, editor_id, model)
        for item, (validation, data, _) in zip(items, planned, strict=True)
    ]
    try:
        with transaction.atomic():
            _save(writes)
    except IntegrityError:
        for item, state in zip(items, before, strict=True):
            item.__dict__.update(state)
        raise
    webhook_records.announce("update", items, model, previous)
    return writes


def _save(writes: list[RecordWrite]) -> None:
    ids = [write.item.id for write in writes]
    new = [b for write in writes for b in write.blocks if b.id in write.new_block_ids]
    kept = [b for write in writes for b in write.blocks if b.id not in write.new_block_ids]
    # Moved blocks get their new parents before the dropped ones (and what they hold) go.
    if kept:
        Item.objects.bulk_update(kept, BLOCK_STATE, batch_size=ROWS_PER_UPDATE)
    dropped = Item.objects.filter(root_id__any_of=ids).exclude(pk__any_of=[b.id for b in kept])
    if dropped.exists():
        dropped.delete()
    if new:
        Item.objects.bulk_create(new, batch_size=2000)
    UniqueValue.objects.filter(item_id__any_of=ids).delete()
    Reference.objects.filter(record_id__any_of=ids).delete()
    if connection.vendor == "postgresql" and len(writes) > rows.COPY_FROM:
        _copy_versions_and_update(writes)
    else:
        ItemVersion.objects.bulk_create([write.version for write in writes], batch_size=2000)
        _update_rows([write.item for write in writes], ITEM_STATE)
    UniqueValue.objects.bulk_create(
        [UniqueValue(**row) for w in writes for row in rows.unique_rows(w.item.id, w)],
        batch_size=2000,
    )
    Reference.objects.bulk_create(
        [Reference(**row) for w in writes for row in rows.reference_rows(w.item.id, w)],
        batch_size=2000,
    )


VERSION_COLUMNS = [f.attname for f in ItemVersion._meta.concrete_fields]


def _copy_versions_and_update(writes: list[RecordWrite]) -> None:
    """PostgreSQL, many records: the versions in one COPY, and the records' rows in one
    ``UPDATE ... FROM json_to_recordset(%s)``, the new columns of every row sent as one
    JSON document (one parameter, encoded in C, parsed by the database). Each record's
    values are encoded as JSON once, for its version and its row. (The VALUES lists of
    ``_update_rows`` cost a statement per 500 records and a placeholder per value, which
    psycopg parses out of a query of 100,000; arrays per column are dumped by psycopg in
    Python, an element at a time.)"""
    encoded = {write.item.id: rows.encoded_json(write.item.data) for write in writes}

    def versions():
        for write in writes:
            row = {name: getattr(write.version, name) for name in VERSION_COLUMNS}
            row["data"] = encoded[write.item.id]
            yield row

    rows.copy_rows(ItemVersion, versions())
    quote = connection.ops.quote_name
    fields = [Item._meta.pk, *(Item._meta.get_field(name) for name in ITEM_STATE)]
    others = [field for field in fields if field.name != "data"]
    if any(isinstance(field, JSONField) for field in others):  # only ``data`` is sent encoded
        raise ValueError("ITEM_STATE holds another JSON column")
    encode = rows.json_text  # times as ISO 8601, as json_to_recordset reads them
    document = ",".join(
        '{"data":'
        + (encoded[write.item.id] or "null")
        + ","
        + encode({f.column: getattr(write.item, f.attname) for f in others})[1:]
        for write in writes
    )
    table, names = quote(Item._meta.db_table), [quote(field.column) for field in fields]
    typed = ", ".join(
        f"{name} {field.db_type(connection)}" for name, field in zip(names, fields, strict=True)
    )
    sets = ", ".join(f"{name} = v.{name}" for name in names[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM json_to_recordset(%s::json) AS v({typed}) "
            f"WHERE {table}.{names[0]} = v.{names[0]}",
            [f"[{document}]"],
        )


def _update_rows(items: list[Item], names: list[str]) -> None:
    """``UPDATE ... FROM (VALUES ...)``: each row its own values, joined on the id, a
    statement per ``ROWS_PER_UPDATE`` records. (Django's ``bulk_update`` writes a CASE per
    column listing every row: its cost grows with the square of the rows.)"""
    quote = connection.ops.quote_name
    pk = Item._meta.pk
    fields = [Item._meta.get_field(name) for name in names]
    columns = [pk, *fields]
    table = quote(Item._meta.db_table)
    if connection.vendor == "postgresql":  # VALUES' columns typed as the table's
        row = ", ".join(f"%s::{field.db_type(connection)}" for field in columns)
        aliases = "v(" + ", ".join(quote(field.column) for field in columns) + ")"
        names_in_v = [f"v.{quote(field.column)}" for field in columns]
    else:  # SQLite names VALUES' columns column1, column2...
        row = ", ".join("%s" for _ in columns)
        aliases = "v"
        names_in_v = [f"v.column{position}" for position in range(1, len(columns) + 1)]
    sets = ", ".join(
        f"{quote(field.column)} = {name}"
        for field, name in zip(fields, names_in_v[1:], strict=True)
    )
    where = f"{table}.{quote(pk.column)} = {names_in_v[0]}"
    with connection.cursor() as cursor:
        for start in range(0, len(items), ROWS_PER_UPDATE):
            chunk = items[start : start + ROWS_PER_UPDATE]
            values = ", ".join([f"({row})"] * len(chunk))
            params = [
                field.get_db_prep_save(getattr(item, field.attname), connection)
                for item in chunk
                for field in columns
            ]
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS {aliases} WHERE {where}",
                params,
            )


def failed(planned: list[tuple]) -> dict[int, list[ApiError]]:
    """The records (by position) whose update can't be written, and why."""
    return {index: errors for index, (_, _, errors) in enumerate(planned) if errors}
