"""The rows a record write makes, and writing new ones in bulk: one statement per table
whatever their number (a COPY on PostgreSQL for big batches, a multi-row INSERT otherwise)."""

import contextlib
import itertools
import json
import operator
from datetime import datetime
from typing import TYPE_CHECKING

import orjson
from django.db import connection
from django.db.models import JSONField

from cms.ids import new_id
from items.models import Item, ItemVersion, Reference, UniqueValue
from items.services.records import RecordWrite
from items.validation import RecordValidation
from webhooks import records as webhook_records

if TYPE_CHECKING:
    from items.services.create import NewRecord


def item_row(**columns) -> dict:
    """A row of items_item (attname -> value): every column, null unless given, so that
    records and blocks go through one COPY with the same columns (COPY refuses rows whose
    columns differ, and ``Item(**row)`` a column that doesn't exist)."""
    return {**_ITEM_COLUMNS, **columns}


_ITEM_COLUMNS = {
    **dict.fromkeys(f.attname for f in Item._meta.concrete_fields),
    "creator_type": "access_token",
    "search_text": "",
    # A write validates what it writes (items/validity.py re-checks after a rule change).
    "is_current_version_valid": True,
    "is_published_version_valid": True,
}


#: Each model's columns in the table's order (rows.instance), read from its fields once.
_COLUMNS: dict[type, tuple[str, ...]] = {}


def instance(model_class, row: dict):
    """``model_class(**row)``, unsaved, built from positional arguments when ``row`` holds
    every column in the table's order (``item_row``'s and ``version_row``'s do): Django
    matches each keyword argument to its field, which cost 21 µs an Item against 6."""
    columns = _COLUMNS.get(model_class)
    if columns is None:
        columns = _COLUMNS[model_class] = tuple(
            f.attname for f in model_class._meta.concrete_fields
        )
    if tuple(row) == columns:
        return model_class(*row.values())
    return model_class(**row)


def block_rows(
    validation: RecordValidation, *, record_id: str, creator_id, status: str, moment
) -> list[dict]:
    """The rows of the record's blocks (column -> value), parents before what they hold."""
    rows = []
    for block in sorted(validation.blocks, key=lambda b: b.depth):
        # A kept block keeps its creation (an update writes only its values and place).
        kept = validation.existing_blocks[block.id] if block.existing else None
        rows.append(
            item_row(
                id=block.id,
                item_type_id=block.item_type.id,
                data=block.data,
                root_id=record_id,
                parent_id=block.parent_id,
                parent_field_id=block.parent_field.id,
                creator_id=kept.creator_id if kept else creator_id,
                status=status,
                current_version=kept.current_version if kept else new_id(),
                created_at=kept.created_at if kept else moment,
                updated_at=moment,
            )
        )
    return rows


def version_row(*, version_id, item_id, item_type_id, data, block_rows, editor_id, moment) -> dict:
    """The version a write makes: the record's values and a snapshot of its blocks'."""
    return {
        "id": version_id,
        "item_id": item_id,
        "item_type_id": item_type_id,
        "data": data,
        "blocks": {
            row["id"]: {
                "item_type": row["item_type_id"],
                "data": row["data"],
                "parent": row["parent_id"],
                "parent_field": row["parent_field_id"],
            }
            for row in block_rows
        },
        "editor_type": "access_token",
        "editor_id": editor_id,
        "created_at": moment,
    }


# Below this many records a multi-row INSERT costs no more than a COPY.
COPY_FROM = 50


def write_new(records: list["NewRecord"]) -> None:
    """Insert new records: one statement per table, whatever their number (a COPY on
    PostgreSQL for big batches, a multi-row INSERT otherwise). Their ``create`` events
    go with them (one insert of webhook calls for the lot, when a webhook listens), after
    them: a payload with nested blocks reads the blocks just written."""
    _insert_new(records)
    if records:
        webhook_records.announce_new(records)


def _insert_new(records: list["NewRecord"]) -> None:
    def item_rows():
        for record in records:
            yield record.item_row()
            yield from record.block_rows

    version_rows = (record.version_row() for record in records)
    uniques = (row for record in records for row in unique_rows(record.id, record))
    references = (row for record in records for row in reference_rows(record.id, record))
    if connection.vendor != "postgresql" or len(records) <= COPY_FROM:
        _bulk_insert(Item, [instance(Item, row) for row in item_rows()])
        _bulk_insert(UniqueValue, [UniqueValue(**row) for row in uniques])
        _bulk_insert(Reference, [Reference(**row) for row in references])
        _bulk_insert(ItemVersion, [instance(ItemVersion, row) for row in version_rows])
        return
    # Rows are made as they are written: the batch never holds them all at once. A
    # record's values go into its row and its version's: encoded once, for both.
    encoded: dict[str, _Encoded] = {}

    def record_rows():
        for row in item_rows():
            if row["root_id"] is None:  # a record, not a block
                row["data"] = encoded[row["id"]] = _Encoded(_json(row["data"]))
            yield row

    def versions_once_encoded():
        for row in version_rows:
            row["data"] = encoded.pop(row["item_id"])
            yield row

    _copy(Item, record_rows())
    _copy(UniqueValue, uniques)
    _copy(Reference, references)
    _copy(ItemVersion, versions_once_encoded())


def unique_rows(record_id: str, record: "NewRecord | RecordWrite") -> list[dict]:
    return [
        {"field_id": field_.id, "locale": locale, "value_hash": digest, "item_id": record_id}
        for field_, locale, digest in record.unique_values
    ]


def reference_rows(record_id: str, record: "NewRecord | RecordWrite") -> list[dict]:
    return [
        {
            "record_id": record_id,
            "holder_id": holder_id,
            "field_id": field_.id,
            "target_item_id": target if kind == "item" else None,
            "target_upload_id": target if kind == "upload" else None,
        }
        for holder_id, field_, kind, target in record.references
    ]


def _bulk_insert(model, rows: list) -> None:
    model.objects.bulk_create(rows, batch_size=2000)


def _copy(model, rows) -> None:
    """COPY rows (column attname -> value, every row the same columns) into ``model``'s
    table: PostgreSQL's fastest way in, with no per-row SQL."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    names = list(first)
    unset = [
        name
        for name, f in fields.items()
        if name not in names and not f.null and f is not model._meta.auto_field
    ]
    if unset:  # the database knows none of Django's defaults: every NOT NULL column is sent
        raise ValueError(f"COPY into {model.__name__} without {unset}")
    json_at = [i for i, name in enumerate(names) if isinstance(fields[name], JSONField)]
    columns = ", ".join(connection.ops.quote_name(fields[name].column) for name in names)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    values_of = _values_of(names)
    width, encode = len(names), json_text
    with (
        connection.wrap_database_errors,  # psycopg's errors as Django's (IntegrityError...)
        connection.cursor() as cursor,
        _logged(cursor, sql),
        cursor.cursor.copy(sql) as feed,
    ):
        write_row = feed.write_row
        for row in itertools.chain([first], rows):
            if len(row) != width:  # a row with other columns would land in wrong ones
                raise ValueError(f"COPY into {model.__name__}: rows differ in their columns")
            values = values_of(row)
            if json_at:
                values = list(values)
                for i in json_at:  # _json, inlined: it runs for every JSON value
                    value = values[i]
                    if value is not None and type(value) is not _Encoded:
                        values[i] = encode(value)
            write_row(values)


copy_rows = _copy  # for other apps' bulk inserts (webhooks/events.py)


def _values_of(names: list[str]):
    """A row's values in the order of ``names``, the same for every row, as a tuple."""
    if len(names) == 1:  # itemgetter of one name answers the value itself

        def one(row):
            return (row[names[0]],)

        return one
    return operator.itemgetter(*names)


def _logged(cursor, sql: str):
    """The COPY goes past Django's cursor: log it as Django logs a statement (the query
    log under DEBUG, and what tests count), or nothing when Django isn't logging."""
    return cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else contextlib.nullcontext()


def _time_text(value):
    if isinstance(value, datetime):
        return value.isoformat()  # with its offset (times are aware), as orjson writes it
    raise TypeError(f"{type(value).__name__} in a row")


# One encoder for every value (json.dumps with options builds a new one per call).
_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False, default=_time_text)
JSON_ENCODER = _JSON


def json_text(value) -> str:
    """``value`` as JSON text, for the database to parse: orjson's (a few times faster), or
    the standard library's where orjson can't write a value (an integer past 64 bits, a
    key that is not text). PostgreSQL reads the same values from either."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return _JSON.encode(value)


class _Encoded(str):
    """A value already encoded as JSON: COPY writes it as it is."""


def encoded_json(value) -> "_Encoded | None":
    """``value`` encoded as JSON once, for several rows (COPY writes it as it is)."""
    return None if value is None else _Encoded(_json(value))


def _json(value) -> str | None:
    if value is None or isinstance(value, _Encoded):
        return value
    return json_text(value)


def write_indexes(record: RecordWrite) -> None:
    UniqueValue.objects.bulk_create(
        UniqueValue(**row) for row in unique_rows(record.item.id, record)
    )
    Reference.objects.bulk_create(
        Reference(**row) for row in reference_rows(record.item.id, record)
    )
