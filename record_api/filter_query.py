"""The record API's filter tree (see :mod:`record_api.filter_parser`) and ``order``
parameter as a query: checked against the model's fields and built into ``Q`` objects over
the same per-field expressions ``GET /items`` filters on, so every value is a query
parameter.

Semantics are SQL's: a record without a value (null, or an empty list for links and
files) matches no comparison, negated or not: ``name != 'x'`` and ``NOT (name = 'x')``
both leave it out; only ``IS NULL`` finds it. (The tree is put in negation normal form
before it becomes ``Q`` objects, so that holds on every database and for JSON values.)
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.db.models import Q

from cms.api.filters import absent
from item_types.field_types import FIELD_TYPES, FieldValueError
from item_types.field_types.scalar import (
    DATE_PATTERN,
    format_date_time,
    parse_date,
    parse_date_time,
)
from items.selectors import field_columns
from record_api.filter_parser import (
    COMPARISONS,
    QUOTED_NAME,
    And,
    Compare,
    FilterError,
    In,
    IsNull,
    Like,
    Not,
    Or,
)

NEGATED = {"=": "!=", "!=": "=", ">": "<=", ">=": "<", "<": ">=", "<=": ">"}
LOOKUPS = {"=": "", ">": "__gt", ">=": "__gte", "<": "__lt", "<=": "__lte"}


# Columns: what each name filters and orders on.


@dataclass(frozen=True)
class Column:
    """A filterable name: the ORM expression (a field or an alias) and how it compares.

    ``kind``: text (also id) | date | date_time (stored as text) | datetime (a real column)
    | number | boolean | reference (links and uploads, through ``build``) | opaque (IS NULL
    only).
    """

    expression: str
    kind: str
    blank_values: tuple = ()
    build: Callable[[str, object], Q] | None = None
    nullable: bool = True


#: The field type's filter kind as a column kind: links and uploads both compare ids.
REFERENCE_KINDS = frozenset({"link", "upload"})
KIND_OPS = {
    "text": frozenset({*COMPARISONS, "like", "in", "null"}),
    "date": frozenset({*COMPARISONS, "like", "in", "null"}),
    "date_time": frozenset({*COMPARISONS, "like", "in", "null"}),
    "datetime": frozenset({*COMPARISONS, "in", "null"}),
    "number": frozenset({*COMPARISONS, "in", "null"}),
    "boolean": frozenset({"=", "!=", "null"}),
    "reference": frozenset({"=", "!=", "in", "null"}),
    "opaque": frozenset({"null"}),
}
SHOWN = {"like": "LIKE", "in": "IN", "null": "IS NULL"}
META_COLUMNS = {
    "id": Column("id", "text", nullable=False),
    "created_at": Column("created_at", "datetime", nullable=False),
    "updated_at": Column("updated_at", "datetime", nullable=False),
}


def record_columns(fields, locale: str) -> tuple[list[dict], dict[str, Column], dict[str, str]]:
    """(alias steps to apply in order, filter columns by name, order expressions by name)
    for one model's records, localized fields read in ``locale``."""
    filters, order, aliases = field_columns(fields, "data", locale)
    columns = dict(META_COLUMNS)
    for field in fields:
        spec = filters[field.api_key]
        kind = _column_kind(FIELD_TYPES[field.field_type].filter_kind)
        # IS NULL matches what the record answers as null or [], not an empty string.
        blanks = tuple(blank for blank in spec.blank_values if blank != "")
        columns[field.api_key] = Column(spec.column, kind, blanks, spec.build)
    ordering = {name: column.expression for name, column in META_COLUMNS.items()}
    ordering.update(order)
    return aliases, columns, ordering


def placement_columns(item_type) -> tuple[dict[str, Column], dict[str, str]]:
    """``position`` (sortable and tree models: compared as a number, never null) and
    ``parent_id`` (trees: an id, ``IS NULL`` for the roots), and their order."""
    columns, ordering = {}, {}
    if item_type.sortable or item_type.tree:
        columns["position"] = Column("position", "number", nullable=False)
        ordering["position"] = "position"
    if item_type.tree:
        columns["parent_id"] = Column("tree_parent_id", "reference")
        ordering["parent_id"] = "tree_parent_id"
    return columns, ordering


def _column_kind(filter_kind: str | None) -> str:
    if filter_kind in REFERENCE_KINDS:
        return "reference"
    # Kinds only GET /items reads (structured text's text, lat_lon's near): null only here.
    return filter_kind if filter_kind in KIND_OPS else "opaque"


# The tree as Q objects.


def _bad_value(field: str, kind: str, value) -> FilterError:
    wanted = {
        "text": "a 'quoted' text value",
        "date": "a 'YYYY-MM-DD' date",
        "date_time": "a quoted ISO 8601 date and time",
        "datetime": "a quoted ISO 8601 date and time",
        "number": "a number",
        "boolean": "true or false",
        "reference": "a quoted id",
    }[kind]
    return FilterError(f"{field!r} compares with {wanted}, not {_written(value)}", field=field)


def _written(value) -> str:
    """A value as the filter writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _moment(value: str) -> datetime:
    """An ISO 8601 date and time, or a date (its midnight, UTC)."""
    if DATE_PATTERN.match(value):
        return datetime.combine(parse_date(value), time(), tzinfo=UTC)
    return parse_date_time(value)


def _convert(field: str, column: Column, value):
    kind = column.kind
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad_value(field, kind, value)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _bad_value(field, kind, value)
        return value
    if not isinstance(value, str):
        raise _bad_value(field, kind, value)
    try:
        if kind == "date":
            return parse_date(value).isoformat()
        if kind == "date_time":  # as stored (UTC, milliseconds), so that text compares
            return format_date_time(_moment(value).astimezone(UTC))
        if kind == "datetime":
            return _moment(value).astimezone(UTC)
    except (FieldValueError, OverflowError):  # overflow: an offset past year 1 or 9999
        raise _bad_value(field, kind, value) from None
    return value


SPECIAL = frozenset("\\.^$|?*+()[]{}-#&~")


def like_regex(pattern: str) -> str:
    """A LIKE pattern as a regular expression both databases read the same way: ``%`` any
    run of characters, ``_`` one, ``\\x`` a literal x; everything else literal."""
    parts, escaped = ["(?s)^"], False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
            continue
        elif char == "%":
            parts.append(".*")
            continue
        elif char == "_":
            parts.append(".")
            continue
        parts.append("\\" + char if char in SPECIAL else char)
    if escaped:
        parts.append("\\\\")
    parts.append("$")
    return "".join(parts)


def _absent(column: Column) -> Q:
    """No value: no key, null (JSON or SQL), or a blank value (an empty list)."""
    if not column.nullable:
        return Q(pk__in=[])
    return absent(column.expression, column.blank_values)


def _with_value(column: Column, condition: Q) -> Q:
    """``condition``, and never true for a record without a value (SQL's rule)."""
    return condition & ~_absent(column) if column.nullable else condition


def _leaf(node, columns: dict[str, Column], negated: bool) -> Q:
    field = node.field
    column = columns.get(field)
    if column is None:
        raise FilterError(
            f"unknown field {field!r}", field=field, allowed=sorted(columns, key=str.lower)
        )
    op = {Compare: None, Like: "like", In: "in", IsNull: "null"}[type(node)] or node.op
    if op not in KIND_OPS[column.kind]:
        allowed = sorted(SHOWN.get(o, o) for o in KIND_OPS[column.kind])
        raise FilterError(
            f"{SHOWN.get(op, op)} can't be used on {field!r}; it takes {', '.join(allowed)}",
            field=field,
            operator=SHOWN.get(op, op),
        )
    name = column.expression
    if op == "null":
        missing = _absent(column)
        return ~missing if negated else missing
    if op == "like":
        condition = Q(**{f"{name}__iregex": like_regex(node.pattern)})
        return _with_value(column, ~condition if negated else condition)
    if op == "in":
        values = [_convert(field, column, value) for value in node.values]
        if column.build:
            condition = column.build("in", values)
        elif column.kind in ("number", "boolean"):
            # JSON values: an equality each, as GET /items compares them.
            condition = Q(pk__in=[])
            for value in values:
                condition |= Q(**{name: value})
        else:
            condition = Q(**{f"{name}__in": values})
        return _with_value(column, ~condition if negated else condition)
    value = _convert(field, column, node.value)
    op = NEGATED[op] if negated else op
    if column.build:
        condition = column.build("eq" if op == "=" else "neq", value)
    elif op == "!=":
        condition = ~Q(**{name: value})
    else:
        condition = Q(**{f"{name}{LOOKUPS[op]}": value})
    return _with_value(column, condition)


def to_q(node, columns: dict[str, Column], negated: bool = False) -> Q:
    """The tree as one ``Q``, negations pushed down to the comparisons (De Morgan)."""
    if isinstance(node, Not):
        return to_q(node.operand, columns, not negated)
    if isinstance(node, And | Or):
        conjunction = isinstance(node, And) != negated
        parts = [to_q(operand, columns, negated) for operand in node.operands]
        result = parts[0]
        for part in parts[1:]:
            result = result & part if conjunction else result | part
        return result
    return _leaf(node, columns, negated)


# Order.


def parse_order(text: str, ordering: dict[str, str]) -> list[str]:
    """``name ASC, other DESC`` (direction optional, ASC by default) as ORM ordering; a
    name may be quoted in backticks, as in filters."""
    result = []
    for rule in text.split(","):
        words = rule.split()
        if words and QUOTED_NAME.fullmatch(words[0]):
            words[0] = words[0][1:-1]
        if not words:
            raise FilterError("an empty order rule", rule=rule)
        direction = words[1].upper() if len(words) == 2 else "ASC"
        if len(words) > 2 or direction not in ("ASC", "DESC"):
            raise FilterError(
                f"order takes 'name ASC' or 'name DESC', not {rule.strip()!r}", rule=rule.strip()
            )
        expression = ordering.get(words[0])
        if expression is None:
            raise FilterError(
                f"can't order by {words[0]!r}", field=words[0], allowed=sorted(ordering)
            )
        result.append(("-" if direction == "DESC" else "") + expression)
    return result
