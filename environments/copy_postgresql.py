"""A storage copied inside PostgreSQL: one schema's tables into a new schema, in one
transaction, from one snapshot.

- One transaction (REPEATABLE READ): the schema, its tables, their rows, indexes and
  constraints appear together at the commit, or not at all; a process killed midway leaves
  nothing (the server rolls back when the connection drops).
- One snapshot: every table is read as it was at one instant. The source tables are locked
  first (ACCESS SHARE, the lock any SELECT takes: readers and writers go on), so no ALTER
  or DROP lands between the snapshot and the copy; the catalog is then read under the same
  snapshot, so the indexes copied are those of the rows copied. (So a schema change that
  needs a source table to itself, such as dropping a field's index, waits for the copy.)
- Fast: the tables are created from the source's definition (``LIKE``: columns, defaults,
  identity columns, NOT NULL, CHECK constraints) without indexes, filled with
  ``INSERT … SELECT`` inside the server, then given their keys and indexes (one sort per
  index instead of an insertion per row), then the foreign keys between the copies.
- Definitions come from the catalog (``pg_get_indexdef``, ``pg_get_constraintdef``), so
  the per-field expression indexes of :mod:`items.field_indexes` and the partial indexes
  come too. They are printed with ``search_path`` = ``pg_catalog``, so every table they
  name is schema-qualified; the source table's name is then replaced, at the one place the
  definition's grammar puts it, by the copy's. A foreign key to a table that is not copied
  (a project-wide one) keeps pointing where it did.
"""

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, connections

from environments.errors import StorageExists, StorageMissing

# CREATE SCHEMA's SQLSTATE for a name taken; a unique violation if it was taken by a
# transaction that committed while this one waited for it.
NAME_TAKEN = ("42P06", "23505")
Progress = Callable[[int, "str | None"], None]

#: Everything a table's definition holds but its indexes, which are built after the data.
_LIKE_OPTIONS = " ".join(
    f"INCLUDING {option}"
    for option in (
        "DEFAULTS",
        "CONSTRAINTS",
        "IDENTITY",
        "GENERATED",
        "STORAGE",
        "COMPRESSION",
        "COMMENTS",
        "STATISTICS",
    )
)
#: For this transaction only.
_TUNING = {
    # Index builds sort in memory (a parallel one needs 32MB per process).
    "maintenance_work_mem": "256MB",
    # A killed copier's server process notices within a second, even mid-statement, and
    # rolls back, instead of copying on until the statement ends.
    "client_connection_check_interval": "1000",
}


def quote(name: str) -> str:
    """An identifier, always quoted (``pg_catalog``'s ``quote_ident`` quotes only when
    needed; the two never meet, see ``_repoint``)."""
    return '"' + name.replace('"', '""') + '"'


def schema_of(storage: str) -> str:
    return storage or "public"


@dataclass
class _Table:
    oid: int
    name: str
    #: ``quote_ident``-qualified name as the catalog prints it (``public.items_item``).
    printed: str
    weight: int  # bytes of rows, TOAST and indexes: its share of the work
    columns: list[str] = field(default_factory=list)  # those an INSERT writes, in order
    identity: list[str] = field(default_factory=list)
    keys: list[tuple[str, str]] = field(default_factory=list)  # (name, definition)
    indexes: list[tuple[str, str, str]] = field(default_factory=list)  # (name, printed, def)
    #: (name, definition, printed name of the referenced table, its oid)
    foreign_keys: list[tuple[str, str, str, int]] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)  # definitions


def schema_exists(cursor, schema: str) -> bool:
    cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [schema])
    return cursor.fetchone()[0] > 0


def existing_tables(cursor, schema: str, names: list[str]) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = ANY(%s) AND c.relkind = 'r'",
        [schema, names],
    )
    found = {row[0] for row in cursor.fetchall()}
    return [name for name in names if name in found]


def copy_schema(
    source: str,
    target: str,
    tables: list[str],
    on_progress: Progress | None = None,
    *,
    alias: str = "default",
) -> dict[str, float]:
    """Copy ``tables`` of schema ``source`` into the new schema ``target`` (which must not
    exist). Runs on a connection of its own, so the caller's (and ``on_progress``, which
    may write with it) stays outside the copy's transaction. Answers the seconds each
    table took."""
    connection = connections.create_connection(alias)
    try:
        with connection.cursor() as cursor:
            present = existing_tables(cursor, source, tables)
            if not present:
                raise StorageMissing(f"schema {source} holds none of the tables")
            if schema_exists(cursor, target):
                raise StorageExists(f"schema {target} exists")
        connection.set_autocommit(False)
        try:
            seconds = _copy_in_transaction(connection, source, target, present, on_progress)
            connection.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                connection.rollback()  # nothing was made (killed: the server rolls back)
            raise
        finally:
            with contextlib.suppress(Exception):
                connection.set_autocommit(True)
    finally:
        connection.close()
    if on_progress:
        on_progress(100, None)
    return seconds


def _copy_in_transaction(connection, source, target, present, on_progress):
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SET LOCAL search_path = pg_catalog")
        for name, value in _TUNING.items():
            cursor.execute(f"SET LOCAL {name} = '{value}'")
        # An index build may take one helper process (if the server allows any): two cores
        # at most, the rest left to the source's traffic. (On 2 cores it was also faster
        # than two helpers, which the third process only slowed down.)
        cursor.execute(
            "SELECT set_config('max_parallel_maintenance_workers', least(1, "
            "current_setting('max_parallel_maintenance_workers')::int)::text, true)"
        )
        listed = ", ".join(f"{quote(source)}.{quote(t)}" for t in present)
        cursor.execute(f"LOCK TABLE {listed} IN ACCESS SHARE MODE")
        # The first query: the snapshot every read below shares.
        catalog = _read_catalog(cursor, source, present)
        try:
            cursor.execute(f"CREATE SCHEMA {quote(target)}")
        except DatabaseError as exc:
            if getattr(exc.__cause__, "sqlstate", None) in NAME_TAKEN:
                raise StorageExists(f"schema {target} exists") from exc  # made meanwhile
            raise
        seconds = _copy_tables(cursor, source, target, catalog, on_progress)
        started = time.perf_counter()
        _add_foreign_keys(cursor, target, catalog)
        seconds["(foreign keys)"] = time.perf_counter() - started
    return seconds


def _read_catalog(cursor, schema: str, names: list[str]) -> list[_Table]:
    cursor.execute(
        "SELECT c.oid, c.relname, quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
        "pg_total_relation_size(c.oid) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = ANY(%s) AND c.relkind = 'r'",
        [schema, names],
    )
    tables = {row[0]: _Table(*row) for row in cursor.fetchall()}
    oids = list(tables)
    cursor.execute(
        "SELECT a.attrelid, a.attname, a.attidentity, a.attgenerated, "
        "pg_get_expr(d.adbin, d.adrelid) "
        "FROM pg_attribute a LEFT JOIN pg_attrdef d "
        "ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attrelid, a.attnum",
        [oids],
    )
    for oid, column, identity, generated, default in cursor.fetchall():
        table = tables[oid]
        if default and "nextval(" in default:
            # LIKE would keep drawing from the source's sequence: ids shared by two storages.
            raise ValueError(
                f"{table.name}.{column} draws its default from a sequence (a serial column);"
                " make it an identity column to copy it"
            )
        if not generated:
            table.columns.append(column)
        if identity:
            table.identity.append(column)
    cursor.execute(
        "SELECT c.conrelid, c.conname, c.contype, pg_get_constraintdef(c.oid), "
        "quote_ident(rn.nspname) || '.' || quote_ident(r.relname), c.confrelid "
        "FROM pg_constraint c LEFT JOIN pg_class r ON r.oid = c.confrelid "
        "LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace "
        "WHERE c.conrelid = ANY(%s) AND c.contype IN ('p', 'u', 'x', 'f') "
        "ORDER BY c.conrelid, c.contype <> 'p', c.conname",  # a primary key first
        [oids],
    )
    for oid, name, kind, definition, referenced, referenced_oid in cursor.fetchall():
        if kind == "f":
            tables[oid].foreign_keys.append((name, definition, referenced, referenced_oid))
        else:
            tables[oid].keys.append((name, definition))
    # Indexes of their own (not those behind a key, which the key builds), valid ones only
    # (an interrupted CREATE INDEX CONCURRENTLY leaves an invalid one behind, unused).
    cursor.execute(
        "SELECT i.indrelid, ic.relname, quote_ident(ic.relname), pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
        "WHERE i.indrelid = ANY(%s) AND i.indisvalid AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid"
        "  AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) "
        "ORDER BY i.indrelid, ic.relname",
        [oids],
    )
    for oid, name, printed, definition in cursor.fetchall():
        tables[oid].indexes.append((name, printed, definition))
    # Triggers of their own (not those behind a foreign key): items.counts needs the copy's
    # writes to draw from the changes sequence as the source's do.
    cursor.execute(
        "SELECT tgrelid, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = ANY(%s) AND NOT tgisinternal ORDER BY tgrelid, tgname",
        [oids],
    )
    for oid, definition in cursor.fetchall():
        tables[oid].triggers.append(definition)
    order = {name: position for position, name in enumerate(names)}
    return sorted(tables.values(), key=lambda table: order[table.name])


def _copy_tables(cursor, source, target, catalog, on_progress) -> dict[str, float]:
    total = sum(table.weight for table in catalog) or 1
    done = 0
    seconds = {}
    for table in catalog:
        started = time.perf_counter()
        copied = f"{quote(target)}.{quote(table.name)}"
        cursor.execute(
            f"CREATE TABLE {copied} (LIKE {quote(source)}.{quote(table.name)} {_LIKE_OPTIONS})"
        )
        columns = ", ".join(quote(column) for column in table.columns)
        overriding = " OVERRIDING SYSTEM VALUE" if table.identity else ""
        cursor.execute(
            f"INSERT INTO {copied} ({columns}){overriding} "
            f"SELECT {columns} FROM ONLY {quote(source)}.{quote(table.name)}"
        )
        for name, definition in table.keys:
            cursor.execute(f"ALTER TABLE {copied} ADD CONSTRAINT {quote(name)} {definition}")
        for _, printed_index, definition in table.indexes:
            cursor.execute(_repoint_index(definition, printed_index, table.printed, copied))
        for definition in table.triggers:  # after the rows: the copy itself changes nothing
            cursor.execute(
                _repoint(
                    definition,
                    f" ON {table.printed} FOR EACH ",
                    f" ON {copied} FOR EACH ",
                    "CREATE TRIGGER ",
                )
            )
        for column in table.identity:
            # The copy's own sequence (LIKE made one) goes on where the source's is, or past
            # the largest id copied: no id the source handed out is handed out again.
            last = (
                f"greatest(max({quote(column)}), pg_sequence_last_value("
                "pg_get_serial_sequence(%s, %s)::regclass))"
            )
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), {last}) "
                f"FROM {copied} HAVING {last} IS NOT NULL",
                [copied, column, table.printed, column, table.printed, column],
            )
        seconds[table.name] = time.perf_counter() - started
        done += table.weight
        if on_progress:
            on_progress(min(99, done * 100 // total), table.name)
    return seconds


def _add_foreign_keys(cursor, target: str, catalog: list[_Table]) -> None:
    """The foreign keys, NOT VALID: enforced on every row written from now on, without
    checking the rows copied. They hold already: they were read from one snapshot of
    committed data, and the source enforced these same keys on every commit (a deferred
    check included) before that snapshot. Checking them again would read every row of
    the largest tables once more for each key (a third of a big copy's time)."""
    copied_oids = {table.oid for table in catalog}
    names = {table.oid: table.name for table in catalog}
    for table in catalog:
        clauses = []
        for name, definition, referenced, referenced_oid in table.foreign_keys:
            if referenced_oid in copied_oids:
                definition = _repoint(
                    definition,
                    f" REFERENCES {referenced}(",
                    f" REFERENCES {quote(target)}.{quote(names[referenced_oid])}(",
                    "FOREIGN KEY (",
                )
            if not definition.endswith(" NOT VALID"):  # (one the source has not checked)
                definition += " NOT VALID"
            clauses.append(f"ADD CONSTRAINT {quote(name)} {definition}")
        if clauses:
            cursor.execute(f"ALTER TABLE {quote(target)}.{quote(table.name)} {', '.join(clauses)}")


def _repoint_index(definition: str, printed_index: str, printed_table: str, copied: str) -> str:
    """``CREATE [UNIQUE] INDEX name ON schema.table USING …`` on the copy instead."""
    for head in (f"CREATE INDEX {printed_index}", f"CREATE UNIQUE INDEX {printed_index}"):
        if definition.startswith(head + " ON "):
            return _repoint(definition, f" ON {printed_table} USING ", f" ON {copied} USING ", head)
    raise ValueError(f"unexpected index definition: {definition}")


def _repoint(definition: str, old: str, new: str, head: str) -> str:
    """``definition`` with its one occurrence of ``old``, right after ``head``'s part of
    the grammar, replaced by ``new``; refuses anything else rather than guess."""
    before, found, after = definition.partition(old)
    if not found or not definition.startswith(head) or old in after:
        raise ValueError(f"unexpected definition: {definition}")
    return before + new + after


def drop_schema(schema: str, *, alias: str = "default") -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote(schema)} CASCADE")


def empty_tables(schema: str, tables: list[str], *, alias: str = "default") -> None:
    """Every row of ``tables`` gone, in one statement (so foreign keys between them don't
    need an order); one referenced from another table makes it fail, not cascade."""
    with connections[alias].cursor() as cursor:
        present = existing_tables(cursor, schema, tables)
        if present:
            cursor.execute("TRUNCATE " + ", ".join(f"{quote(schema)}.{quote(t)}" for t in present))


def schemas_holding_upload(path: str, schemas: list[str], *, alias: str = "default") -> set[str]:
    """Which of ``schemas`` (those that exist) hold an upload stored at ``path``."""
    return {schema for schema, _ in schemas_holding_uploads([path], schemas, alias=alias)}


def schemas_holding_uploads(
    paths: list[str], schemas: list[str], *, alias: str = "default"
) -> set[tuple[str, str]]:
    """(schema, path) for each of ``schemas`` (those that exist) holding an upload stored at
    one of ``paths``: two statements, whatever the number of paths."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ANY(%s) AND c.relname = 'uploads_upload' AND c.relkind = 'r'",
            [schemas],
        )
        present = [row[0] for row in cursor.fetchall()]
        if not present:
            return set()
        queries = [
            f"SELECT %s, path FROM {quote(s)}.uploads_upload WHERE path = ANY(%s)" for s in present
        ]
        cursor.execute(" UNION ALL ".join(queries), [v for s in present for v in (s, paths)])
        return {(row[0], row[1]) for row in cursor.fetchall()}
