"""What ``filter[fields][<field>]`` can ask of one model's field, by its type (SPEC-2 §4.3).

Each field becomes a :class:`~cms.api.filters.FilterColumn`: the expression it filters on
(its JSON value, the text view of it, or its references) and the operators its type takes.
Links and uploads are filtered through the indexed ``Reference`` rows, lists of them as
sets (``eq`` the exact set, ``any_in``, ``all_in``); a structured text's ``matches``
reads its text (:func:`item_types.field_types.dast.filter_text`); a lat_lon's ``near``
reads :mod:`items.geo`.
"""

from functools import partial

from django.db.models import Count, F, Func, Q, TextField

from cms.api.errors import ApiError
from cms.api.filters import (
    COMPARISON,
    EQUALITY,
    MATCHING,
    TEXT,
    FilterColumn,
    absent,
    as_utc,
    matching,
    negated,
    sub_object,
    values_of,
)
from cms.api.filters import CONVERTERS as _CONVERTERS
from item_types.field_types import FIELD_TYPES, FieldValueError
from item_types.field_types.dast import TEXT_NODES
from item_types.field_types.scalar import format_date_time, parse_date, parse_date_time
from items import geo
from items.models import Reference

EXISTS = frozenset({"exists"})
#: Lists of links or uploads: sets.
SETS = frozenset({"eq", "neq", "in", "any_in", "all_in", "not_in", "exists"})


def _refuse(field: str, message: str, **details) -> ApiError:
    return ApiError("INVALID_FILTER_FIELDS_PARAM", 422, field=field, message=message, **details)


def as_moment(raw, field: str):
    """A date-time parameter, in UTC (``Z``, an offset, or none: UTC)."""
    try:
        moment = parse_date_time(str(raw))
    except FieldValueError:
        raise _refuse(field, f"{raw!r} is not an ISO 8601 date and time.") from None
    return as_utc(moment, raw, field)


def _as_stored_date(raw, field: str) -> str:
    """A date parameter, ``YYYY-MM-DD`` as values are stored."""
    try:
        return parse_date(str(raw)).isoformat()
    except FieldValueError:
        raise _refuse(field, f"{raw!r} is not a YYYY-MM-DD date.") from None


def referencing(field_id: str, target: str):
    """eq/neq/in on one reference (link, file): the records whose field points at it.
    The record API reads it too (``=``, ``IN``: a list holding it)."""

    def build(op: str, value) -> Q:
        targets = value if isinstance(value, list) else [value]
        holders = Reference.objects.filter(field_id=field_id, **{f"{target}__in": targets})
        condition = Q(pk__in=holders.values("record_id"))
        return ~condition if op == "neq" else condition

    return build


def _set_operators(field_id: str, target: str) -> dict:
    """A list of links or uploads as a set of ids (empty lists are sets too)."""
    references = Reference.objects.filter(field_id=field_id)

    def any_in(values: list) -> Q:
        if not values:
            return Q(pk__in=[])
        return Q(pk__in=references.filter(**{f"{target}__in": values}).values("record_id"))

    def all_in(values: list) -> Q:
        if not values:
            return Q()
        holding = (
            references.filter(**{f"{target}__in": values})
            .values("record_id")
            .annotate(held=Count(target, distinct=True))
            .filter(held=len(set(values)))
            .values("record_id")
        )
        return Q(pk__in=holding)

    def exactly(values: list) -> Q:
        others = references.exclude(**{f"{target}__in": values}) if values else references
        return all_in(values) & ~Q(pk__in=others.values("record_id"))

    def operator(build, negate: bool, raw, field: str, op: str) -> Q:
        condition = build(values_of(raw, field, op))
        return ~condition if negate else condition

    table = {
        "eq": (exactly, False),
        "neq": (exactly, True),
        "in": (any_in, False),
        "any_in": (any_in, False),
        "all_in": (all_in, False),
        "not_in": (any_in, True),
    }
    return {
        op: (lambda raw, field, op=op, spec=spec: operator(*spec, raw, field, op))
        for op, spec in table.items()
    }


class DastText(Func):
    """A structured-text value's text (:func:`dast.filter_text`): each paragraph's and
    heading's spans joined, one line each; '' for a document without text. PostgreSQL
    walks the JSON with jsonpath in document order; SQLite calls the Python function."""

    output_field = TextField()

    def as_sqlite(self, compiler, connection):
        return self.as_sql(compiler, connection, function="CMS_DAST_TEXT")

    def as_postgresql(self, compiler, connection):
        value, params = compiler.compile(self.source_expressions[0])
        blocks = " || ".join(f'@.type == "{kind}"' for kind in TEXT_NODES)
        sql = (
            # Each text node's spans joined, the nodes joined by newlines, in document
            # order (jsonpath's .** walks it depth first); silent: a non-object is no match.
            "coalesce((SELECT string_agg(coalesce((SELECT string_agg(s #>> '{}', '' "
            "ORDER BY m) FROM jsonb_path_query(b, %s, '{}', true) "
            "WITH ORDINALITY AS t(s, m)), ''), "
            f"E'\\n' ORDER BY n) FROM jsonb_path_query({value}, %s, '{{}}', true) "
            "WITH ORDINALITY AS u(b, n)), '')"
        )
        spans = 'strict $.**?(@.type == "span").value'
        return sql, [spans, *params, f"strict $.document.**?({blocks})"]


def _structured_text(json_column: str, text_column: str) -> FilterColumn:
    missing = absent(json_column)
    # Blank: no value, or a document with no content (as the required validator says).
    blank = missing | Q(**{f"{json_column}__document__children": []})

    def present(raw, field, op):
        wanted = _CONVERTERS["boolean"](raw, field) == (op != "is_blank")
        return ~blank if wanted else blank

    def matches(raw, field, op):
        condition = matching(text_column, raw, field, op) & ~missing
        return condition if op == "matches" else negated(condition, missing)

    special = {op: partial(present, op=op) for op in ("is_blank", "is_present")}
    special |= {op: partial(matches, op=op) for op in ("matches", "not_matches")}
    return FilterColumn(json_column, ops=MATCHING | EXISTS, special=special, blank_values=([],))


#: near's sub-keys: (lowest, highest) each may be; a radius is above 0.
NEAR = {"latitude": (-90, 90), "longitude": (-180, 180), "radius": (0, None)}


def _coordinates(raw, name: str) -> dict[str, float]:
    point = sub_object(raw, name, "near", set(NEAR), set(NEAR))
    numbers = {}
    for key, (low, high) in NEAR.items():
        where = f"filter[fields][{name}][near][{key}]"
        try:
            number = float(_CONVERTERS["number"](point[key], name))
        except ApiError as error:
            error.details["parameter"] = where
            raise
        if number < low or (high is not None and number > high) or number == low == 0:
            bounds = "above 0" if high is None else f"from {low} to {high}"
            raise _refuse(name, f"{key} must be a number {bounds}.", parameter=where)
        numbers[key] = number
    return numbers


def _near_column(data_path: str, field, locale: str, value: str) -> FilterColumn:
    def near(raw, name):
        point = _coordinates(raw, name)
        return geo.near(
            F(data_path),
            field.id,
            locale if field.localized else None,
            point["latitude"],
            point["longitude"],
            point["radius"],
        )

    return FilterColumn(
        value, ops=frozenset({"near", "exists"}), special={"near": near}, blank_values=([],)
    )


def field_column(field, index: int, data_path: str, locale: str) -> FilterColumn | None:
    """How field number ``index`` of the model filters (by its type's filter kind), on
    the aliases :func:`items.selectors.field_columns` gives it (``value_<index>``, the
    JSON value; ``text_<index>``, text views)."""
    field_type = FIELD_TYPES[field.field_type]
    kind = field_type.filter_kind
    value, text = f"value_{index}", f"text_{index}"
    if kind == "text":
        ops = TEXT | MATCHING if field_type.matchable else TEXT
        return FilterColumn(text, ops=ops, blank_values=("",))
    if kind == "number":
        return FilterColumn(value, kind="number", ops=COMPARISON | EXISTS)
    if kind == "date":
        return FilterColumn(text, ops=COMPARISON | EXISTS, convert=_as_stored_date)
    if kind == "date_time":
        return FilterColumn(
            text,
            ops=COMPARISON | EXISTS,
            convert=as_moment,
            minute=True,
            store=format_date_time,
        )
    if kind == "boolean":
        return FilterColumn(value, kind="boolean", ops=frozenset({"eq"}))
    if kind in ("link", "upload"):
        target = "target_item_id" if kind == "link" else "target_upload_id"
        if field_type.filters_as_set:
            special = _set_operators(field.id, target)
            return FilterColumn(
                value,
                ops=SETS,
                build=referencing(field.id, target),
                special=special,
                blank_values=([],),
            )
        return FilterColumn(
            value, ops=EQUALITY | EXISTS, build=referencing(field.id, target), blank_values=([],)
        )
    if kind == "structured_text":
        return _structured_text(value, text)
    if kind == "lat_lon":
        return _near_column(data_path, field, locale, value)
    return FilterColumn(value, ops=EXISTS, blank_values=([],))


def text_alias(field, json_value):
    """The text view a field's filters read beyond its JSON value, if any: a structured
    text's text."""
    if FIELD_TYPES[field.field_type].filter_kind == "structured_text":
        return DastText(json_value)
    return None


# --- Meta keys -----------------------------------------------------------------------

STATUSES = ("draft", "updated", "published")
CREATOR_TYPES = ("account", "access_token", "organization", "sso_user", "user")


def status(raw, field: str) -> str:
    if raw not in STATUSES:
        raise _refuse(field, f"{raw!r} is not one of {', '.join(STATUSES)}.", allowed=STATUSES)
    return raw


def _creator_condition(raw, field: str) -> Q:
    """One creator: ``{type, id}`` (the relationship as the client writes it), ``type:id``,
    or a bare id (of any type)."""
    if isinstance(raw, dict):
        raw = sub_object(raw, field, "eq", {"type", "id"}, {"type", "id"})
        kind, creator_id = raw["type"], raw["id"]
    elif isinstance(raw, str) and raw:
        kind, _, creator_id = raw.rpartition(":")
    else:
        raise _refuse(field, "A creator is {type, id}, type:id, or an id.")
    if kind and kind not in CREATOR_TYPES or not creator_id:
        raise _refuse(field, f"{raw!r} is not a creator.", allowed_types=CREATOR_TYPES)
    condition = Q(creator_id=creator_id)
    return condition & Q(creator_type=kind) if kind else condition


def _creators(raw, field: str, op: str) -> Q:
    if op in ("eq", "neq"):
        condition = _creator_condition(raw, field)
    else:
        condition = Q(pk__in=[])
        for value in values_of(raw, field, op):
            condition |= _creator_condition(value, field)
    return negated(condition, Q(creator_id__isnull=True)) if op in ("neq", "not_in") else condition


CREATOR = FilterColumn(
    "creator_id",
    ops=EQUALITY,
    special={op: partial(_creators, op=op) for op in EQUALITY},
)
