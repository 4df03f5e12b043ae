"""A create in one statement (PostgreSQL): the record, its blocks, its unique values, its
references and its version, written only if the content model is still the one the
values were checked against.

::

    WITH ok AS (SELECT 1 FROM item_types_site
                WHERE singleton_key = 1 AND schema_version = <the model's version>),
         w0 AS (INSERT INTO items_item (...)
                SELECT r.id, ... FROM jsonb_populate_recordset(NULL::items_item, <rows>) r, ok),
         ...
    SELECT count(*) FROM ok

One statement outside a transaction needs no BEGIN or COMMIT: it is its own transaction,
all of it or nothing. Honest against a schema change: a schema write locks the record
tables (``item_types.locking``) until it commits, this statement waits for that lock
while it is parsed, and PostgreSQL (READ COMMITTED) takes the statement's snapshot only
after, so it reads the version the schema write committed and writes nothing. The
foreign keys are checked at the statement's end (they are deferred, so inside a
transaction at its commit) and fail as the general path's INSERTs would.

Each table's rows go as one JSON array, which PostgreSQL turns into rows of the table's
own types: the SQL depends only on which tables get rows, so it is short and built once,
and no value is adapted one by one in Python.
"""

from django.db import connection, transaction

from cms.prepared import prepared_cursor
from item_types.models import Site
from items.models import Item, ItemVersion, Reference, UniqueValue
from items.services import rows

_statements: dict[tuple, str] = {}  # (table, columns) of each table written -> SQL


def write_in_one_statement(record, also: list[tuple] = ()) -> bool:
    """Write a new record (a :class:`items.services.create.NewRecord`) in one statement;
    False, with nothing written, if the content model changed since it was checked. A
    lost race (a unique value, the id) raises ``IntegrityError``, as the general path.
    ``also``: more rows written with it, all or nothing, as ``(model, columns, JSON array
    of rows)`` (the request's audit log event: audit_log/folding.py)."""
    tables = [
        (model, found)
        for model, found in (
            (Item, [record.item_row(), *record.block_rows]),
            (UniqueValue, rows.unique_rows(record.id, record)),
            (Reference, rows.reference_rows(record.id, record)),
            (ItemVersion, [record.version_row()]),
        )
        if found
    ]
    shape = tuple((model, tuple(found[0])) for model, found in tables)
    shape += tuple((model, columns) for model, columns, _ in also)
    sql = _statements.get(shape)
    if sql is None:
        sql = _statements[shape] = _statement(shape)
    params = [record.model.version, *(rows.json_text(found) for _, found in tables)]
    params += [encoded for *_, encoded in also]
    if connection.in_atomic_block:
        # Inside a transaction (an Idempotency-Key's): a savepoint, so that a lost race
        # leaves the transaction usable.
        with transaction.atomic():
            return _run(sql, params)
    return _run(sql, params)


def _run(sql: str, params: list) -> bool:
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        (matched,) = cursor.fetchone()
    return matched == 1


def _statement(shape: tuple) -> str:
    quote = connection.ops.quote_name
    site = Site._meta
    parts = [
        f"ok AS (SELECT 1 FROM {quote(site.db_table)} "
        f"WHERE {quote(site.get_field('singleton_key').column)} = 1 "
        f"AND {quote(site.get_field('schema_version').column)} = %s)"
    ]
    for index, (model, names) in enumerate(shape):
        column_of = {f.attname: f.column for f in model._meta.concrete_fields}
        if any(column_of.get(name) != name for name in names):
            # Rows are keyed by attname; jsonb_populate_recordset reads column names.
            raise ValueError(f"{model.__name__}: rows keyed by other than column names")
        columns = [quote(name) for name in names]
        table = quote(model._meta.db_table)
        parts.append(
            f"w{index} AS (INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(f'r.{c}' for c in columns)} "
            f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) AS r CROSS JOIN ok)"
        )
    return "WITH " + ", ".join(parts) + " SELECT count(*) FROM ok"
