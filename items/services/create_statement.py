"""A create in one statement (PostgreSQL): the record, its blocks, its unique values, its
references and its version, written only if the content model is still the one the
values were checked against.

::

    WITH ok AS (SELECT 1 FROM item_types_site
                WHERE singleton_key = 1 AND schema_version = <the model's version>),
         w0 AS (INSERT INTO items_item (...) SELECT v.* FROM (VALUES (...), ...) v, ok),
         ...
    SELECT count(*) FROM ok

One statement outside a transaction needs no BEGIN or COMMIT: it is its own transaction,
all of it or nothing. Honest against a schema change: a schema write locks the record
tables (``item_types.locking``) until it commits, this statement waits for that lock
while it is parsed, and PostgreSQL (READ COMMITTED) takes the statement's snapshot only
after, so it reads the version the schema write committed and writes nothing. The
foreign keys are checked at the statement's end (they are deferred, so inside a
transaction at its commit) and fail as the general path's INSERTs would.

Each value is cast to its column's type: values in a ``VALUES`` list are not coerced to
the target's types as an ``INSERT ... VALUES`` is. The SQL depends only on how many rows
go to each table, so it is built once per shape.
"""

import re

from django.db import connection, transaction

from item_types.models import Site
from items.models import Item, ItemVersion, Reference, UniqueValue
from items.services import rows

_statements: dict[tuple, str] = {}  # shape -> SQL
_fields: dict[type, dict] = {}  # model -> {attname: field}
MAX_SHAPES = 256  # a fuse: shapes are few (rows per table), but a client chooses them


def write_in_one_statement(record) -> bool:
    """Write a new record (a :class:`items.services.create.NewRecord`) in one statement;
    False, with nothing written, if the content model changed since it was checked. A
    lost race (a unique value, the id) raises ``IntegrityError``, as the general path."""
    tables = (
        (Item, [record.item_row(), *record.block_rows]),
        (UniqueValue, rows.unique_rows(record.id, record)),
        (Reference, rows.reference_rows(record.id, record)),
        (ItemVersion, [record.version_row()]),
    )
    shape = tuple((model, tuple(found[0]) if found else (), len(found)) for model, found in tables)
    sql = _statements.get(shape)
    if sql is None:
        if len(_statements) >= MAX_SHAPES:
            _statements.clear()
        sql = _statements[shape] = _statement(shape)
    params = [record.model.version]
    for model, found in tables:
        fields = _fields_of(model)
        for row in found:
            params.extend(
                fields[name].get_db_prep_save(value, connection) for name, value in row.items()
            )
    if connection.in_atomic_block:
        # Inside a transaction (an Idempotency-Key's): a savepoint, so that a lost race
        # leaves the transaction usable.
        with transaction.atomic():
            return _run(sql, params)
    return _run(sql, params)


def _run(sql: str, params: list) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (matched,) = cursor.fetchone()
    return matched == 1


def _fields_of(model) -> dict:
    fields = _fields.get(model)
    if fields is None:
        fields = _fields[model] = {f.attname: f for f in model._meta.concrete_fields}
    return fields


def _statement(shape: tuple) -> str:
    quote = connection.ops.quote_name
    site = Site._meta
    ok = (
        f"ok AS (SELECT 1 FROM {quote(site.db_table)} "
        f"WHERE {quote(site.get_field('singleton_key').column)} = 1 "
        f"AND {quote(site.get_field('schema_version').column)} = %s)"
    )
    parts = [ok]
    for index, (model, names, count) in enumerate(shape):
        if not count:
            continue
        fields = _fields_of(model)
        columns = ", ".join(quote(fields[name].column) for name in names)
        row = "(" + ", ".join(f"%s::{_cast(fields[name])}" for name in names) + ")"
        values = ", ".join([row] * count)
        parts.append(
            f"w{index} AS (INSERT INTO {quote(model._meta.db_table)} ({columns}) "
            f"SELECT v.* FROM (VALUES {values}) AS v CROSS JOIN ok)"
        )
    return "WITH " + ", ".join(parts) + " SELECT count(*) FROM ok"


def _cast(field) -> str:
    """The column's type, without a length (a cast to varchar(n) would cut a longer value
    silently, where the INSERT's own check refuses it)."""
    return re.sub(r"^varchar\(\d+\)$", "varchar", field.db_type(connection))
