"""PostgreSQL expression indexes for field filters, and the text comparisons that read them.

Each filterable, non-localized field gets a partial index over its model's rows, so that
``filter[fields][<field>]`` (and the record API's ``filter``) reads an index, not every
record. Its type's ``index`` says how: ``json`` (numbers and booleans) indexes the JSON
value (``data -> 'id'``), as filters compare them; ``text_prefix`` the text's prefix;
``lat_lon`` a point's latitude and longitude as doubles (``near``'s bounding box).

Text (strings, slugs, dates) can be longer than a btree entry may be (about 2,700 bytes):
it is indexed by its first ``PREFIX`` characters, in code point order (the "C" collation,
which is also SQLite's). In that order a prefix compares like the whole value (``x > v``
gives ``left(x) >= left(v)``), so each comparison tests the indexed prefix first, then the
whole value: any length works, and every value under ``PREFIX`` characters compares and
sorts as before.

Each index comes with statistics on its expression (``CREATE STATISTICS``, built by
ANALYZE): PostgreSQL ignores a partial index's own statistics when it estimates a filter
(they don't describe the whole table), so without them it guessed that a comparison such
as ``rating > 900`` keeps a third of the rows, and counted a model's every record rather
than read the index. These describe the whole table, where the field's model is only a
share of the rows: the planner then underestimates a model's matches rather than
overestimates them, so counts read the field's index; pages of many matches are walked in
list order by ``items.pages``, where the planner would read and sort them all.
"""

import hashlib

from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Collate
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    LessThan,
    LessThanOrEqual,
    Lookup,
)

from environments import selection
from environments.storages import PROJECT_STORAGE
from item_types.field_types import FIELD_TYPES

#: Characters of a text value the index holds: at most 4 bytes each, so an entry (with
#: created_at and id) stays far below btree's limit whatever the characters.
PREFIX = 256


def index_name(field_id: str) -> str:
    return "items_value_" + hashlib.sha1(field_id.encode()).hexdigest()[:20]


def _indexed_expression(field) -> str | None:
    """The SQL the field's index holds (its id a parameter), None for no index."""
    if field.localized:
        return None
    index = FIELD_TYPES[field.field_type].index
    if index == "json":
        return "(data -> %s)"
    if index == "text_prefix":
        return f'(left(data ->> %s, {PREFIX}) COLLATE "C")'
    if index == "lat_lon":  # as items.geo.Coordinate writes it: near's bounding box
        return ", ".join(
            f"((((data -> %s) ->> '{key}'))::double precision)" for key in ("latitude", "longitude")
        )
    return None


def statistics_name(field_id: str) -> str:
    return "items_stats_" + hashlib.sha1(field_id.encode()).hexdigest()[:20]


def _is_current(field, indexdef: str) -> bool:
    """Whether an existing index (pg_indexes.indexdef) has the shape this module builds."""
    index = FIELD_TYPES[field.field_type].index
    if index == "json":
        return "(data -> '" in indexdef
    if index == "lat_lon":
        return "->> 'longitude'" in indexdef
    return f', {PREFIX}) COLLATE "C"' in indexdef


def ensure_index(field) -> None:
    """Give the field the index it should have (or none), rebuilding one of another shape:
    an index already right stays (a rebuild would block writes for nothing)."""
    if connection.vendor != "postgresql":
        return
    name = index_name(field.id)
    expression = _indexed_expression(field)
    schema = _schema()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
            [schema, name],
        )
        existing = cursor.fetchone()
        if expression and existing and _is_current(field, existing[0]):
            if not _statistics(cursor, schema, field.id):
                _create_statistics(cursor, schema, field, expression)
            return
        # Foreign-key checks deferred to the commit would make CREATE INDEX refuse to run
        # ("pending trigger events") in a transaction that wrote records: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'DROP INDEX IF EXISTS "{schema}"."{name}"')
        _drop_statistics(cursor, schema, field.id)
        if expression is None:
            return
        # (value, created_at, id): an equality filter then reads the records already in the
        # list's default order (newest first), so a page stops after its 30 rows.
        cursor.execute(
            f'CREATE INDEX "{name}" ON items_item ({expression}, created_at, id) '
            "WHERE item_type_id = %s",
            [*_ids(field, expression), field.item_type_id],
        )
        _create_statistics(cursor, schema, field, expression)


def drop_index(field_id: str) -> None:
    if connection.vendor == "postgresql":
        schema = _schema()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP INDEX IF EXISTS "{schema}"."{index_name(field_id)}"')
            _drop_statistics(cursor, schema, field_id)


def _statistics(cursor, schema: str, field_id: str) -> list[str]:
    """The statistics objects on the field's value in ``schema``: by what they read, not
    by name, since a fork's copy (``CREATE TABLE … LIKE … INCLUDING STATISTICS``) names
    its own."""
    cursor.execute(
        "SELECT s.stxname FROM pg_statistic_ext s "
        "JOIN pg_namespace n ON n.oid = s.stxnamespace "
        "JOIN pg_class c ON c.oid = s.stxrelid "
        "WHERE n.nspname = %s AND c.relname = 'items_item' "
        "AND strpos(pg_get_statisticsobjdef(s.oid), %s) > 0",
        [schema, f"'{field_id}'"],
    )
    return [row[0] for row in cursor.fetchall()]


def _drop_statistics(cursor, schema: str, field_id: str) -> None:
    for name in _statistics(cursor, schema, field_id):
        cursor.execute(f'DROP STATISTICS IF EXISTS "{schema}"."{name}"')


def _create_statistics(cursor, schema: str, field, expression: str) -> None:
    """Statistics on the indexed expression (the next ANALYZE fills them)."""
    cursor.execute(
        f'CREATE STATISTICS IF NOT EXISTS "{schema}"."{statistics_name(field.id)}" '
        f"ON {expression} FROM items_item",
        _ids(field, expression),
    )


def _ids(field, expression: str) -> list[str]:
    """The field id once per placeholder of its expression."""
    return [field.id] * expression.count("%s")


def _schema() -> str:
    """The selected environment's schema: a fork keeps field ids, so every environment
    has an index of the same name, and only this one's may change."""
    return selection.schema(selection.wanted() or PROJECT_STORAGE)


# --- Comparing text as the index holds it ------------------------------------------------


class CodePointTextField(TextField):
    """Text compared through its indexed prefix, in code point order (lookups below)."""


class CodePointText(Collate):
    """A text value (``data ->> 'id'``) that compares and sorts in code point order, and
    whose comparisons read the field's prefix index. PostgreSQL only."""

    def __init__(self, expression):
        super().__init__(expression, "C")
        self.output_field = CodePointTextField()


def _raw(expression):
    """The value without the collation: what the index's ``left()`` is taken of."""
    if isinstance(expression, CodePointText):
        return expression.get_source_expressions()[0]
    return expression


class _ThroughPrefix:
    """``prefix <op'> prefix(value) AND whole <op> value``: the index narrows, the whole
    value decides. ``prefix_operator`` is the one a prefix satisfies when the values do."""

    whole_operator: str
    prefix_operator: str

    def as_sql(self, compiler, connection):
        if hasattr(self.rhs, "resolve_expression"):  # another column: no prefix to take
            return super().as_sql(compiler, connection)
        lhs, lhs_params = compiler.compile(_raw(self.lhs))
        rhs, rhs_params = self.process_rhs(compiler, connection)
        prefixes = [p[:PREFIX] if isinstance(p, str) else p for p in rhs_params]
        sql = (
            f'(left({lhs}, {PREFIX}) COLLATE "C" {self.prefix_operator} {rhs} '
            f'AND {lhs} COLLATE "C" {self.whole_operator} {rhs})'
        )
        return sql, [*lhs_params, *prefixes, *lhs_params, *rhs_params]


def _register(base, whole_operator: str, prefix_operator: str) -> None:
    lookup = type(
        f"Prefix{base.__name__}",
        (_ThroughPrefix, base),
        {"whole_operator": whole_operator, "prefix_operator": prefix_operator},
    )
    CodePointTextField.register_lookup(lookup)


for _base, _operator, _prefix_operator in [
    (Exact, "=", "="),
    (In, "IN", "IN"),
    (GreaterThan, ">", ">="),
    (GreaterThanOrEqual, ">=", ">="),
    (LessThan, "<", "<="),
    (LessThanOrEqual, "<=", "<="),
]:
    _register(_base, _operator, _prefix_operator)


class _InDatabaseCollation:
    """Every other lookup (``matches``' regex, IS NULL...) reads the value as before, in
    the database's collation (case-insensitive matching folds by it)."""

    def process_lhs(self, compiler, connection, lhs=None):
        return super().process_lhs(compiler, connection, _raw(lhs or self.lhs))


_through_prefix = set(CodePointTextField.__dict__["class_lookups"])
for _name, _lookup in TextField.get_class_lookups().items():
    if _name not in _through_prefix and issubclass(_lookup, Lookup):
        CodePointTextField.register_lookup(
            type(f"Raw{_lookup.__name__}", (_InDatabaseCollation, _lookup), {}), _name
        )
