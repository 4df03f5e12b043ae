"""Exact counts of a list, remembered until a record changes (PostgreSQL).

A list's exact total (``meta.total_count``, the record API's ``include_count``) reads the
filter's index and then every matching row's page of the table, to check that the row is
visible: 1,500 pages and 5 ms for 10,000 matches, most of a list's cost in PostgreSQL. An
index-only scan can't replace it (PostgreSQL plans none over an expression index such as
``data -> 'rating'``). Records are read far more often than written, so each worker
remembers the totals it counted, keyed by the storage and the count's SQL and parameters,
and answers the same question again without counting as long as no record has changed.

"No record has changed" is a number: every statement that writes to the tables a count
reads (records and blocks, versions, references) draws the next value of one sequence,
``public.cms_record_changes``, in a statement trigger (``items.0016``; a fork copies the
triggers). A remembered total is used only while the sequence still holds the value read
before it was counted. Sequences are not transactional, so the value alone would let a
total be counted while a writer that has drawn it has yet to commit; a total is therefore
remembered only if, after the value was read, no transaction of this database held a
transaction id (``pg_stat_activity.backend_xid``). A writer draws its value after its rows
are written, when it has an id, so every writer that drew a value up to the one read had
finished before the count's snapshot: the count saw all of them, and any later writer
draws a new value. A rolled-back writer's value only makes the next list count again.

So the total is always exact; what is saved is the counting. Inside a transaction (a test's,
or a write's) nothing is remembered or reused. SQLite always counts.
"""

import functools
import json
import threading
from collections import OrderedDict
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import connection
from django.db.models import QuerySet
from psycopg.types.json import Json, Jsonb

from cms.prepared import prepared_cursor
from environments import selection
from items.models import Item, ItemVersion, Reference

SEQUENCE = "public.cms_record_changes"
#: The tables whose writes draw from the sequence: a count reading any other isn't kept.
TRACKED = frozenset(model._meta.db_table for model in (Item, ItemVersion, Reference))
#: Totals a worker remembers (the least recently used go first).
REMEMBERED = 512

# The sequence's value, then whether any other session of this database holds a transaction
# id (pg_stat_activity's function: the view costs more to plan than the rest to run). The
# subquery reads the sequence's row, so it runs after the value is read.
_CHANGES_COLUMNS = (
    "s.last_value, s.is_called, NOT EXISTS (SELECT 1 FROM pg_stat_get_activity(NULL) a "
    "WHERE a.datid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid() AND s.last_value IS NOT NULL)"
)
_CHANGES = f"SELECT {_CHANGES_COLUMNS} FROM {SEQUENCE} s"
# The first time a worker counts in a storage: also whether its tables have the trigger.
_CHANGES_AND_TRIGGERS = (
    f"SELECT {_CHANGES_COLUMNS}, (SELECT count(DISTINCT t.tgrelid) FROM pg_trigger t "
    "WHERE t.tgname = 'cms_record_changed' AND t.tgrelid = ANY(ARRAY["
    + ", ".join(f"to_regclass('{table}')" for table in sorted(TRACKED))
    + f"])) = {len(TRACKED)} FROM {SEQUENCE} s"
)

_lock = threading.Lock()
_totals: "OrderedDict[tuple, tuple[tuple, int]]" = OrderedDict()  # key -> (changes, total)
_triggered: dict[str, bool] = {}  # storage -> its tables draw from the sequence


def exact_count(records: QuerySet) -> int:
    """``records.count()``, remembered while no record changes (see the module)."""
    statement = _statement(records)
    if statement is None:
        return records.count()
    key, sql, params = statement
    storage = key[0]
    triggered = _triggered.get(storage)
    with prepared_cursor() as cursor:  # the same every time: planned once per connection
        if triggered is None:  # (one statement either way: a query count stays the same)
            cursor.execute(_CHANGES_AND_TRIGGERS)
            last_value, is_called, quiet, triggered = cursor.fetchone()
            _triggered[storage] = triggered
        else:
            cursor.execute(_CHANGES)
            last_value, is_called, quiet = cursor.fetchone()
    changes = (last_value, is_called)
    remembered = _totals.get(key)
    if triggered and remembered is not None and remembered[0] == changes:
        with _lock:
            _totals.move_to_end(key, last=True)
        return remembered[1]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS listed", params)
        total = cursor.fetchone()[0]
    if quiet and triggered:
        with _lock:
            _totals[key] = (changes, total)
            _totals.move_to_end(key, last=True)
            while len(_totals) > REMEMBERED:
                _totals.popitem(last=False)
    return total


def forget() -> None:
    """Forget every remembered total (tests, benchmarks): the next lists count."""
    with _lock:
        _totals.clear()


def _statement(records: QuerySet) -> tuple[tuple, str, list] | None:
    """The total's key (storage, SQL, parameters as values), the rows' SQL and its
    parameters; None where a total can't be kept."""
    query = records.query
    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block
        or not connection.get_autocommit()
        or query.distinct
        or query.group_by is not None
        or query.combinator
        or query.is_sliced
    ):
        return None
    sql, params = records.order_by().values_list("pk").query.sql_with_params()
    values = _hashable(params)
    if values is None or not _reads_only_tracked(sql):
        return None
    return (selection.current(), sql, values), sql, list(params)


def _reads_only_tracked(sql: str) -> bool:
    return not any(f'"{table}"' in sql for table in _untracked_tables())


@functools.cache
def _untracked_tables() -> tuple[str, ...]:
    from django.apps import apps

    return tuple(m._meta.db_table for m in apps.get_models() if m._meta.db_table not in TRACKED)


def _hashable(params) -> tuple | None:
    """The parameters as a key, each with its type (``True == 1`` in Python, not in SQL)."""
    kept = []
    for value in params:
        if isinstance(value, list | tuple):
            value = _hashable(value)
            if value is None:
                return None
        elif isinstance(value, Json | Jsonb):  # JSON, compared with a field's value
            try:
                value = json.dumps(value.obj)
            except (TypeError, ValueError):
                return None
        elif not isinstance(value, str | int | float | Decimal | date | UUID | type(None)):
            return None  # another adapter: no key
        kept.append((type(value).__name__, value))
    return tuple(kept)
