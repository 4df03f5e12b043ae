"""``filter[fields][<name>][<op>]`` and ``order_by`` turned into database queries.

A list endpoint declares its filterable columns once (:class:`FilterColumn`); every
operator becomes a ``Q`` the database evaluates. Unknown names, operators or values are
refused with 422, never ignored and never a 500.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime, timedelta

from django.db.models import Q

from cms.api.errors import ApiError
from cms.api.patterns import MAX_PATTERN_LENGTH, check_pattern
from cms.api.query import comma_list

#: Filter numbers the databases' 64-bit integers hold (SQLite refuses larger ones).
MAX_FILTER_NUMBER = 2**63 - 1
#: ``in``/``not_in``, ``filter[ids]`` and ``filter[type]`` lists: longer ones are refused
#: rather than sent as huge queries.
MAX_FILTER_VALUES = 1000
MAX_ORDER_RULES = 10
#: ``filter[query]``: each word is a scan of the search text.
MAX_QUERY_WORDS = 10
MAX_QUERY_LENGTH = 500

EQUALITY = frozenset({"eq", "neq", "in", "not_in"})
COMPARISON = frozenset({"eq", "neq", "gt", "gte", "lt", "lte"})
TEXT = EQUALITY | {"matches", "exists"}
#: ``matches`` and its negation, and the two blank tests (blank: no value, or a blank one).
MATCHING = frozenset({"matches", "not_matches", "is_blank", "is_present"})
#: Operators whose value is a list (``key[]=a&key[]=b``, or ``a,b``).
LIST_OPS = frozenset({"in", "not_in"})
#: Spellings the official client sends for an operator (``notIn`` on ``id`` and ``_status``).
ALIASES = {"notIn": "not_in"}
MINUTE = timedelta(minutes=1)


def _bad(field: str, message: str, **details) -> ApiError:
    return ApiError("INVALID_FILTER_FIELDS_PARAM", 422, field=field, message=message, **details)


def _as_number(value, field: str):
    text = str(value).strip()
    try:
        number = int(text)  # exactly: a float would round 2**63 - 1 up
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            raise _bad(field, f"{value!r} is not a number.") from None
        if math.isfinite(number) and number.is_integer():
            number = int(number)
    if not math.isfinite(number) or abs(number) > MAX_FILTER_NUMBER:
        raise _bad(
            field, f"{value!r} is not a finite number within ±{MAX_FILTER_NUMBER}.", code="RANGE"
        )
    return number


def as_utc(moment: datetime, raw, field: str) -> datetime:
    """``moment`` in UTC; an offset that takes it past year 1 or 9999 is refused."""
    try:
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except OverflowError:
        message = f"{raw!r} is out of the supported range of dates."
        raise _bad(field, message, code="RANGE") from None


def _as_datetime(value, field: str):
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise _bad(field, f"{value!r} is not an ISO 8601 date and time.") from None
    return as_utc(moment, value, field)


def _as_boolean(value, field: str) -> bool:
    if str(value).lower() in ("true", "1"):
        return True
    if str(value).lower() in ("false", "0"):
        return False
    raise _bad(field, f"{value!r} is not true or false.")


def _as_text(value, field: str) -> str:
    if not isinstance(value, str):
        raise _bad(field, "Expected a text value.")
    return value


CONVERTERS: dict[str, Callable] = {
    "text": _as_text,
    "number": _as_number,
    "datetime": _as_datetime,
    "boolean": _as_boolean,
}


@dataclass(frozen=True)
class FilterColumn:
    column: str
    kind: str = "text"  # text | number | datetime | boolean
    ops: frozenset = EQUALITY
    #: For a computed filter: (op, converted value) -> Q.
    build: Callable[[str, object], Q] | None = None
    #: Overrides ``kind``'s conversion of a raw parameter: (raw, field name) -> value.
    convert: Callable | None = None
    #: Values that count as "not there" for ``exists``, besides SQL and JSON null.
    blank_values: tuple = ()
    #: Operators this column answers itself: op -> (raw parameter, field name) -> Q. They
    #: come first (a links field's ``eq`` is a set, a lat_lon's ``near`` an object).
    special: Mapping[str, Callable[[object, str], Q]] = dataclass_field(default_factory=dict)
    #: Date-times: arguments are truncated to the minute, ``eq`` is "within that minute";
    #: ``store`` turns the converted moment into what the column holds.
    minute: bool = False
    store: Callable | None = None


def absent(column: str, blank_values: tuple = ()) -> Q:
    """No value: no such key, null (SQL or JSON; on a plain column, the same thing), or
    one of ``blank_values``. Each API says which blanks count (``exists``, ``IS NULL``)."""
    condition = Q(**{f"{column}__isnull": True}) | Q(**{column: None})
    for blank in blank_values:
        condition |= Q(**{column: blank})
    return condition


def negated(condition: Q, missing: Q) -> Q:
    """A negation (``neq``, ``not_in``, ``not_matches``) keeps the records with no value
    too, as DatoCMS's do: SQL would drop them (NOT NULL is not true)."""
    return ~condition | missing


def values_of(raw, field: str, op: str) -> list[str]:
    """A list operator's values: ``key[]=a&key[]=b`` or ``a,b``; at most
    :data:`MAX_FILTER_VALUES`."""
    if isinstance(raw, dict):
        raise _bad(field, f"{op} takes a list of values ({op}[]=a&{op}[]=b, or a,b).")
    listed = comma_list(raw)
    if len(listed) > MAX_FILTER_VALUES:
        raise _bad(field, f"{op} lists at most {MAX_FILTER_VALUES} values.", code="TOO_LONG")
    return listed


def sub_object(raw, field: str, op: str, keys: set[str], required: set[str]) -> dict:
    """An operator whose value is an object (``[near][latitude]=…``): only ``keys``, with
    every one of ``required``; each refusal names the sub-key."""
    if not isinstance(raw, dict):
        raise _bad(field, f"{op} takes [{'], ['.join(sorted(keys))}].")
    where = f"filter[fields][{field}][{op}]"
    for key in sorted(set(raw) - keys):
        raise _bad(field, f"{op} has no [{key}].", parameter=f"{where}[{key}]")
    for key in sorted(required - set(raw)):
        raise _bad(field, f"{op} needs [{key}].", parameter=f"{where}[{key}]")
    for key, value in raw.items():
        if not isinstance(value, str):
            raise _bad(field, f"[{key}] is one value.", parameter=f"{where}[{key}]")
    return raw


def literal_pattern(text: str) -> str:
    """``text`` as a pattern matching it literally (``regexp=false``): every ASCII
    punctuation character escaped, which both engines read as that character."""
    escaped = (c.isascii() and not c.isalnum() and not c.isspace() for c in text)
    return "".join("\\" + c if escape else c for c, escape in zip(text, escaped, strict=True))


def matching(expression, raw, field: str, op: str = "matches") -> Q:
    """``matches``: ``{pattern, case_sensitive (default false), regexp (default true)}``, or
    a bare pattern. The pattern is RE2-checked (:mod:`cms.api.patterns`) before any query."""
    parameter = f"filter[fields][{field}][{op}]"
    if isinstance(raw, str):
        raw = {"pattern": raw}
    else:
        raw = sub_object(raw, field, op, {"pattern", "case_sensitive", "regexp"}, {"pattern"})
        parameter += "[pattern]"
    flags = {}
    for name, default in (("case_sensitive", False), ("regexp", True)):
        try:
            flags[name] = _as_boolean(raw[name], field) if name in raw else default
        except ApiError as error:
            error.details["parameter"] = f"filter[fields][{field}][{op}][{name}]"
            raise
    pattern = raw["pattern"]
    if not flags["regexp"]:
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise _bad(field, f"A pattern is at most {MAX_PATTERN_LENGTH} characters.")
        pattern = literal_pattern(pattern)
    pattern = check_pattern(pattern, parameter, "INVALID_FILTER_FIELDS_PARAM", field=field)
    lookup = "regex" if flags["case_sensitive"] else "iregex"
    # (?s): "." matches a newline on both databases (PostgreSQL's default).
    return Q(**{f"{expression}__{lookup}": "(?s)" + pattern})


def _condition(spec: FilterColumn, field: str, op: str, raw) -> Q:
    """One operator's ``Q``; every refusal names its parameter."""
    try:
        return _operator(spec, field, ALIASES.get(op, op), raw)
    except ApiError as error:
        error.details.setdefault("parameter", f"filter[fields][{field}][{op}]")
        raise


def _operator(spec: FilterColumn, field: str, op: str, raw) -> Q:
    if op not in spec.ops:
        raise _bad(field, f"Unknown operator {op!r}.", operator=op, allowed=sorted(spec.ops))
    if op in spec.special:
        return spec.special[op](raw, field)
    convert = spec.convert or CONVERTERS[spec.kind]
    missing = absent(spec.column, spec.blank_values)
    if op in ("exists", "is_present", "is_blank"):
        wanted = _as_boolean(raw, field) == (op != "is_blank")
        return ~missing if wanted else missing
    if op in ("matches", "not_matches"):
        condition = matching(spec.column, raw, field, op)
        return condition if op == "matches" else negated(condition, missing)
    if op in LIST_OPS:
        values = [convert(v, field) for v in values_of(raw, field, op)]
        if not values:  # in: [] matches nothing, not_in: [] everything
            return Q(pk__in=[]) if op == "in" else Q()
        condition = spec.build("in", values) if spec.build else Q(**{f"{spec.column}__in": values})
        return negated(condition, missing) if op == "not_in" else condition
    value = convert(raw, field)
    if spec.minute:
        return _in_minutes(spec, op, value, missing)
    if spec.build:
        return spec.build(op, value)
    if op == "neq":
        return negated(Q(**{spec.column: value}), missing)
    lookup = "" if op == "eq" else f"__{op}"
    condition = Q(**{f"{spec.column}{lookup}": value})
    if op in ("gt", "gte", "lt", "lte"):
        # No value is never in a range: PostgreSQL orders JSON null below every number.
        condition &= Q(**{f"{spec.column}__isnull": False}) & ~Q(**{spec.column: None})
    return condition


def _in_minutes(spec: FilterColumn, op: str, moment: datetime, missing: Q) -> Q:
    """A date-time comparison with its argument truncated to the minute; ``eq``/``neq``:
    within / outside that minute."""
    store = spec.store or (lambda value: value)
    start = moment.replace(second=0, microsecond=0)
    try:
        end = store(start + MINUTE)
    except OverflowError:  # the last minute of 9999 has no end
        end = None
    if op in ("eq", "neq"):
        condition = Q(**{f"{spec.column}__gte": store(start)})
        if end is not None:
            condition &= Q(**{f"{spec.column}__lt": end})
        return condition if op == "eq" else negated(condition, missing)
    condition = Q(**{f"{spec.column}__{op}": store(start)})
    return condition & Q(**{f"{spec.column}__isnull": False}) & ~Q(**{spec.column: None})


def field_filters(fields_param, columns: dict[str, FilterColumn]) -> Q:
    """``filter[fields]`` as one ``Q``: every field and operator must hold."""
    if not isinstance(fields_param, dict):
        raise _bad("fields", "Use filter[fields][<field>][<operator>]=<value>.")
    condition = Q()
    for field, ops in fields_param.items():
        spec = columns.get(field)
        if spec is None:
            raise _bad(field, f"Can't filter on {field!r}.", allowed=sorted(columns))
        if not isinstance(ops, dict) or not ops:
            raise _bad(field, f"Use filter[fields][{field}][<operator>]=<value>.")
        for op, raw in ops.items():
            condition &= _condition(spec, field, op, raw)
    return condition


def listed(value, parameter: str) -> list[str]:
    """A comma list parameter (``filter[ids]``, ``filter[type]``), refused past
    :data:`MAX_FILTER_VALUES` entries."""
    values = comma_list(value)
    if len(values) > MAX_FILTER_VALUES:
        raise ApiError(
            "INVALID_FILTER_FIELDS_PARAM",
            422,
            parameter=parameter,
            message=f"{parameter} lists at most {MAX_FILTER_VALUES} values.",
        )
    return values


def search_words(value) -> list[str]:
    """``filter[query]``'s words, lowercased; too long a query is refused."""
    text = str(value)
    words = text.lower().split()
    if len(text) > MAX_QUERY_LENGTH or len(words) > MAX_QUERY_WORDS:
        raise ApiError(
            "INVALID_FILTER_FIELDS_PARAM",
            422,
            parameter="filter[query]",
            message=f"A query is at most {MAX_QUERY_WORDS} words and "
            f"{MAX_QUERY_LENGTH} characters.",
        )
    return words


def ordering(order_by, columns: dict[str, str], default: list[str]) -> list[str]:
    """``name_ASC,other_DESC`` as ORM ordering; the id always breaks ties."""
    if not order_by:
        return default
    rules = comma_list(order_by)
    if len(rules) > MAX_ORDER_RULES:
        raise ApiError(
            "INVALID_ORDERING",
            422,
            parameter="order_by",
            message=f"order_by takes at most {MAX_ORDER_RULES} rules.",
        )
    result = []
    for rule in rules:
        name, _, direction = rule.rpartition("_")
        if direction not in ("ASC", "DESC") or name not in columns:
            raise ApiError(
                "INVALID_ORDERING",
                422,
                order_by=rule,
                allowed=[f"{c}_{d}" for c in sorted(columns) for d in ("ASC", "DESC")],
            )
        result.append(("-" if direction == "DESC" else "") + columns[name])
    return [*result, "id"]
