"""``GET /uploads``: every ``filter[fields]`` key of SPEC-2 §7.2 and the sortable columns.

The operators are :mod:`cms.api.filters`' (the record filters'), with their refusals
(``INVALID_FILTER_FIELDS_PARAM``, ``INVALID_ORDERING``). What is upload-specific:

- ``type``, ``orientation``, ``resolution`` are conditions on the MIME type and the
  dimensions, from the same tables that derive the smart tags (:mod:`uploads.kinds`);
- ``tags``, ``smart_tags`` and ``colors`` are JSON lists read as sets (:class:`ListHas`:
  jsonb operators on PostgreSQL, ``json_each`` on SQLite); ``colors`` names colour
  buckets, which are the colour smart tags;
- ``in_use`` asks the record references; ``alt``/``title`` read the default metadata in
  ``locale`` (the main locale by default); ``path`` ignores case.
"""

import json
from functools import partial

from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q
from django.db.models.functions import Greatest, Lower
from django.db.models.lookups import In

from cms.api.errors import ApiError
from cms.api.filters import (
    COMPARISON,
    CONVERTERS,
    EQUALITY,
    TEXT,
    FilterColumn,
    negated,
    ordering,
    values_of,
)
from items.models import Reference
from uploads import kinds

EXISTS = frozenset({"exists"})
MATCHES = frozenset({"matches", "not_matches"})
LIST_OPERATORS = frozenset({"contains", "any_in", "all_in", "not_in", "eq"})


def _refuse(field: str, message: str, **details) -> ApiError:
    return ApiError("INVALID_FILTER_FIELDS_PARAM", 422, field=field, message=message, **details)


def _one_of(value, field: str, allowed) -> str:
    if value not in allowed:
        raise _refuse(field, f"{value!r} is not one of {', '.join(allowed)}.", allowed=allowed)
    return value


def _enum_column(field: str, allowed, condition, missing: Q) -> FilterColumn:
    """eq/neq/in/not_in over named conditions (``type``, ``orientation``...)."""

    def build(raw, name, op):
        values = values_of(raw, name, op) if op in ("in", "not_in") else [raw]
        matched = Q(pk__in=[])
        for value in values:
            matched |= condition(_one_of(value, name, allowed))
        return negated(matched, missing) if op in ("neq", "not_in") else matched

    return FilterColumn(field, ops=EQUALITY, special={op: partial(build, op=op) for op in EQUALITY})


# --- type, orientation, resolution ---------------------------------------------------------


def type_condition(kind: str) -> Q:
    if kind in kinds.TYPE_PREFIXES:
        return Q(mime_type__istartswith=kinds.TYPE_PREFIXES[kind])
    if kind in kinds.TYPE_MIME_TYPES:
        return Q(mime_type__in=kinds.TYPE_MIME_TYPES[kind])
    if kind in kinds.LEGACY_TYPES:
        return ~_any_type(kinds.LEGACY_TYPES[kind]) | Q(mime_type__isnull=True)
    return ~_any_type([*kinds.TYPE_PREFIXES, *kinds.TYPE_MIME_TYPES]) | Q(mime_type__isnull=True)


def _any_type(names) -> Q:
    condition = Q(pk__in=[])
    for name in names:
        condition |= type_condition(name)
    return condition


TYPE_NAMES = (*kinds.UPLOAD_TYPES, *kinds.LEGACY_TYPES)


def of_types(names: list[str]) -> Q:
    """``filter[type]=image,video``: any of the types named."""
    return _any_type([_one_of(name, "type", TYPE_NAMES) for name in names])


NO_DIMENSIONS = Q(width__isnull=True) | Q(height__isnull=True) | Q(width=0) | Q(height=0)
HAS_DIMENSIONS = Q(width__gt=0, height__gt=0)


def orientation_condition(name: str) -> Q:
    lookup = {"landscape": "width__gt", "portrait": "width__lt", "square": "width"}[name]
    return HAS_DIMENSIONS & Q(**{lookup: F("height")})


def resolution_condition(name: str) -> Q:
    """The longest side within the bucket's limits (:data:`kinds.RESOLUTION_LIMITS`)."""
    lower = 0
    for bucket, upper in kinds.RESOLUTION_LIMITS.items():
        if bucket == name:
            within = Q(width__lte=upper, height__lte=upper)
            return HAS_DIMENSIONS & within & (Q(width__gt=lower) | Q(height__gt=lower))
        lower = upper
    return HAS_DIMENSIONS & (Q(width__gt=lower) | Q(height__gt=lower))


# --- JSON lists as sets ------------------------------------------------------------------


class ListHas(Func):
    """Whether a JSON list of strings holds ``any``, ``all`` or ``only`` (each, and nothing
    else) of some values. PostgreSQL: jsonb's ``?|``, ``?&``, ``@>``/``<@``; SQLite:
    ``json_each``."""

    output_field = BooleanField()

    def __init__(self, column: str, values: list[str], mode: str):
        super().__init__(F(column))
        self.values, self.mode = sorted(set(values)), mode

    def as_postgresql(self, compiler, connection):
        column, params = compiler.compile(self.source_expressions[0])
        if self.mode == "only":
            listed = json.dumps(self.values)
            return f"({column} @> %s::jsonb AND {column} <@ %s::jsonb)", [
                *params,
                listed,
                *params,
                listed,
            ]
        operator = "?|" if self.mode == "any" else "?&"
        return f"({column} {operator} %s::text[])", [*params, self.values]

    def as_sqlite(self, compiler, connection):
        column, params = compiler.compile(self.source_expressions[0])
        marks = ", ".join(["%s"] * len(self.values))
        held = f"SELECT 1 FROM json_each({column}) AS e WHERE e.value IN ({marks})"
        if self.mode == "any":
            return f"EXISTS ({held})", [*params, *self.values]
        count = (
            f"(SELECT count(DISTINCT e.value) FROM json_each({column}) AS e "
            f"WHERE e.value IN ({marks})) = {len(self.values)}"
        )
        if self.mode == "all":
            return count, [*params, *self.values]
        others = f"SELECT 1 FROM json_each({column}) AS e WHERE e.value NOT IN ({marks})"
        return f"({count} AND NOT EXISTS ({others}))", [
            *params,
            *self.values,
            *params,
            *self.values,
        ]


def _has(column: str, values: list[str], mode: str) -> Q:
    if not values:  # nothing held any of none; every list holds all of none
        return Q(pk__in=[]) if mode == "any" else Q() if mode == "all" else Q(**{column: []})
    return Q(ListHas(column, values, mode))


def _list_column(column: str, vocabulary: tuple | None = None) -> FilterColumn:
    """``contains`` one value, ``any_in``/``all_in``/``not_in``/``eq`` (the exact set) a
    list. With a ``vocabulary`` (``colors``), values must be in it and ``eq`` only looks
    at the list's words from it."""

    def build(raw, field, op):
        values = [raw] if op == "contains" else values_of(raw, field, op)
        for value in values:
            if not isinstance(value, str) or not value:
                raise _refuse(field, f"{op} takes non-empty text values.")
            if vocabulary is not None:
                _one_of(value, field, vocabulary)
        if op == "not_in":
            return ~_has(column, values, "any")
        if op == "eq" and vocabulary is not None:
            others = sorted(set(vocabulary) - set(values))
            return _has(column, values, "all") & ~_has(column, others, "any")
        mode = {"contains": "any", "any_in": "any", "all_in": "all", "eq": "only"}[op]
        return _has(column, values, mode)

    special = {op: partial(build, op=op) for op in LIST_OPERATORS}
    return FilterColumn(column, ops=LIST_OPERATORS, special=special)


# --- The columns -------------------------------------------------------------------------


def _in_use(raw, field) -> Q:
    used = Q(Exists(Reference.objects.filter(target_upload=OuterRef("pk"))))
    return used if CONVERTERS["boolean"](raw, field) else ~used


def _path(raw, field, op) -> Q:
    """Case-insensitive, as DatoCMS's (added 2025-11)."""
    values = values_of(raw, field, op) if op in ("in", "not_in") else [raw]
    if not all(isinstance(value, str) for value in values):
        raise _refuse(field, "Expected a text value.")
    condition = Q(In(Lower("path"), [value.lower() for value in values]))
    return ~condition if op in ("neq", "not_in") else condition


def _moment(column: str) -> FilterColumn:
    return FilterColumn(column, kind="datetime", ops=COMPARISON | EXISTS, minute=True)


STATIC_COLUMNS = {
    "id": FilterColumn("id"),
    "md5": FilterColumn("md5"),
    "format": FilterColumn("format", ops=TEXT | MATCHES, blank_values=("",)),
    "path": FilterColumn("path", special={op: partial(_path, op=op) for op in EQUALITY}),
    "filename": FilterColumn("filename", ops=TEXT | MATCHES, blank_values=("",)),
    "basename": FilterColumn("basename", ops=TEXT | MATCHES, blank_values=("",)),
    "mime_type": FilterColumn("mime_type", ops=TEXT | MATCHES, blank_values=("",)),
    "author": FilterColumn("author", ops=TEXT | MATCHES, blank_values=("",)),
    "copyright": FilterColumn("copyright", ops=TEXT | MATCHES, blank_values=("",)),
    "notes": FilterColumn("notes", ops=TEXT | MATCHES, blank_values=("",)),
    "size": FilterColumn("size", kind="number", ops=COMPARISON),
    "width": FilterColumn("width", kind="number", ops=COMPARISON | EXISTS),
    "height": FilterColumn("height", kind="number", ops=COMPARISON | EXISTS),
    "is_image": FilterColumn("is_image", kind="boolean", ops=frozenset({"eq"})),
    "_created_at": _moment("created_at"),
    "_updated_at": _moment("updated_at"),
    # The names this API answered before SPEC-2's.
    "created_at": _moment("created_at"),
    "updated_at": _moment("updated_at"),
    "type": _enum_column("type", TYPE_NAMES, type_condition, Q(pk__in=[])),
    "orientation": _enum_column(
        "orientation", kinds.ORIENTATIONS, orientation_condition, NO_DIMENSIONS
    ),
    "resolution": _enum_column(
        "resolution", kinds.RESOLUTIONS, resolution_condition, NO_DIMENSIONS
    ),
    "in_use": FilterColumn("in_use", ops=frozenset({"eq"}), special={"eq": _in_use}),
    "tags": _list_column("tags"),
    "smart_tags": _list_column("smart_tags"),
    "colors": _list_column("smart_tags", kinds.COLOR_NAMES),
    "upload_collection": FilterColumn("upload_collection_id", ops=EQUALITY | EXISTS),
}
#: Filter keys read in a locale.
LOCALIZED = ("alt", "title")


def filter_columns(locale: str) -> dict[str, FilterColumn]:
    """Every filterable key, ``alt`` and ``title`` read in ``locale``."""
    localized = {
        key: FilterColumn(
            f"default_field_metadata__{locale}__{key}", ops=TEXT | MATCHES, blank_values=("",)
        )
        for key in LOCALIZED
    }
    return {**STATIC_COLUMNS, **localized}


# --- order_by ----------------------------------------------------------------------------

ORDER_COLUMNS = {
    **{
        name: name
        for name in ("size", "width", "height", "filename", "basename", "format", "mime_type")
    },
    "_created_at": "created_at",
    "_updated_at": "updated_at",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "resolution": "longest_side",
}
DEFAULT_ORDER = ["-created_at", "id"]


def order(queryset, order_by):
    """``order_by``: no value sorts last ascending and first descending, on both databases
    (PostgreSQL's own default); ``resolution`` sorts by the longest side."""
    rules = ordering(order_by, ORDER_COLUMNS, DEFAULT_ORDER)
    if any(rule.lstrip("-") == "longest_side" for rule in rules):
        queryset = queryset.annotate(longest_side=Greatest("width", "height"))
    expressions = [
        F(rule[1:]).desc(nulls_first=True) if rule.startswith("-") else F(rule).asc(nulls_last=True)
        for rule in rules
    ]
    return queryset.order_by(*expressions)
