"""Reading records: ``GET /items`` filters, ordering and pages, computed by the database.

Field filters read the JSON column with key lookups (``data -> '<field id>'``, JSONB on
PostgreSQL); links and uploads are filtered through the indexed ``Reference`` rows, so
that every database answers them the same way.
"""

from django.db import connection
from django.db.models import Case, Q, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast

from cms.api.errors import ApiError
from cms.api.filters import (
    COMPARISON,
    EQUALITY,
    TEXT,
    FilterColumn,
    as_utc,
    field_filters,
    listed,
    ordering,
    search_words,
)
from cms.api.query import comma_list, flag, page_bounds, refuse_unknown
from item_types.field_types import FIELD_TYPES, FieldValueError
from item_types.field_types.scalar import format_date_time, parse_date, parse_date_time
from items.content_model import ContentModel
from items.field_indexes import CodePointText
from items.models import Item, ItemVersion, Reference
from items.pages import model_page

EXISTS = frozenset({"exists"})
META_FILTERS = {
    "id": FilterColumn("id"),
    "_created_at": FilterColumn("created_at", kind="datetime", ops=COMPARISON),
    "_updated_at": FilterColumn("updated_at", kind="datetime", ops=COMPARISON | EXISTS),
    "_published_at": FilterColumn("published_at", kind="datetime", ops=COMPARISON | EXISTS),
    "_first_published_at": FilterColumn(
        "first_published_at", kind="datetime", ops=COMPARISON | EXISTS
    ),
    "_status": FilterColumn("status", ops=EQUALITY),
    # The version read's validity (items/validity.py); see _read_validity.
    "_is_valid": FilterColumn("is_current_version_valid", kind="boolean", ops=frozenset({"eq"})),
}
META_ORDER = {
    "id": "id",
    "_created_at": "created_at",
    "_updated_at": "updated_at",
    "_published_at": "published_at",
    "_first_published_at": "first_published_at",
    "_status": "status",
    "_is_valid": "is_current_version_valid",
}
LIST_PARAMETERS = {"filter", "page", "order_by", "version", "locale", "nested"}
FILTERS = {"type", "ids", "query", "fields", "only_valid"}
PUBLISHED_VALIDITY = "is_published_version_valid"


def _read_validity(version: str, filter_columns: dict, order_columns: dict) -> str:
    """``_is_valid`` and ``only_valid`` read the validity of the version listed."""
    if version != "published":
        return META_ORDER["_is_valid"]
    filter_columns["_is_valid"] = FilterColumn(
        PUBLISHED_VALIDITY, kind="boolean", ops=frozenset({"eq"})
    )
    order_columns["_is_valid"] = PUBLISHED_VALIDITY
    return PUBLISHED_VALIDITY


def _only_valid(raw) -> bool:
    """``filter[only_valid]``: ``true`` keeps valid records only; ``false`` keeps all."""
    text = raw.lower() if isinstance(raw, str) else None
    if text not in ("true", "false"):
        raise ApiError(
            "INVALID_FILTER_FIELDS_PARAM",
            422,
            parameter="filter[only_valid]",
            message=f"{raw!r} is not true or false.",
        )
    return text == "true"


def _as_stored_date_time(raw, field: str) -> str:
    """A date-time parameter in the form values are stored in (UTC), so text compares."""
    try:
        moment = parse_date_time(str(raw))
    except FieldValueError:
        raise ApiError(
            "INVALID_FILTER_FIELDS_PARAM",
            422,
            field=field,
            message=f"{raw!r} is not an ISO 8601 date and time.",
        ) from None
    return format_date_time(as_utc(moment, raw, field))


def _as_stored_date(raw, field: str) -> str:
    """A date parameter, ``YYYY-MM-DD`` as values are stored."""
    try:
        return parse_date(str(raw)).isoformat()
    except FieldValueError:
        raise ApiError(
            "INVALID_FILTER_FIELDS_PARAM",
            422,
            field=field,
            message=f"{raw!r} is not a YYYY-MM-DD date.",
        ) from None


def _referencing(field_id: str, target: str):
    def build(op: str, value) -> Q:
        targets = value if isinstance(value, list) else [value]
        holders = Reference.objects.filter(field_id=field_id, **{f"{target}__in": targets})
        condition = Q(pk__in=holders.values("record_id"))
        return ~condition if op == "neq" else condition

    return build


def _field_column(field, path: str) -> FilterColumn | None:
    """How a field of the model filters (by its type's filter kind): its JSON value, or
    its references."""
    kind = FIELD_TYPES[field.field_type].filter_kind
    if kind == "text":
        return FilterColumn(path, ops=TEXT, blank_values=("",))
    if kind == "number":
        return FilterColumn(path, kind="number", ops=COMPARISON | EXISTS)
    if kind == "date":
        return FilterColumn(path, ops=COMPARISON | EXISTS, convert=_as_stored_date)
    if kind == "date_time":
        return FilterColumn(path, ops=COMPARISON | EXISTS, convert=_as_stored_date_time)
    if kind == "boolean":
        return FilterColumn(path, kind="boolean", ops=frozenset({"eq"}))
    if kind == "link":
        return FilterColumn(
            path,
            ops=frozenset({"eq", "neq", "in", "exists"}),
            build=_referencing(field.id, "target_item_id"),
            blank_values=([],),
        )
    if kind == "upload":
        return FilterColumn(
            path,
            ops=frozenset({"eq", "in", "exists"}),
            build=_referencing(field.id, "target_upload_id"),
            blank_values=([],),
        )
    return FilterColumn(path, ops=EXISTS, blank_values=([],))


def _json_value(data_path: str, field, locale: str):
    """The field's JSON value (in ``locale`` when localized), as an expression.

    Built from key transforms rather than a ``data__<id>`` lookup string: ids may hold
    "__", which a lookup string would split.
    """
    value = KeyTransform(field.id, data_path)
    return KeyTransform(locale, value) if field.localized else value


def _as_text(data_path: str, field, locale: str, json_alias: str):
    """The value as SQL text, JSON null as SQL NULL, on either database."""
    # PostgreSQL: data ->> 'key' (NULL for JSON null already), compared in code point order
    # as SQLite does, through the field's prefix index (items.field_indexes).
    if connection.vendor == "postgresql":
        if field.localized:
            return CodePointText(KeyTextTransform(locale, KeyTransform(field.id, data_path)))
        return CodePointText(KeyTextTransform(field.id, data_path))
    # SQLite's JSON_EXTRACT gives 'null' for JSON null, and a key-text transform there
    # parses the compared value as JSON; so: a plain text cast, with null made NULL.
    json_null = Q(**{json_alias: None}) | Q(**{f"{json_alias}__isnull": True})
    return Case(
        When(json_null, then=Value(None)),
        default=Cast(_json_value(data_path, field, locale), TextField()),
        output_field=TextField(),
    )


def field_columns(fields, data_path: str, locale: str) -> tuple[dict, dict, list[dict]]:
    """Filter and order columns of one model's fields (in ``locale`` when localized), and
    the aliases they read: JSON values first, then text views of some of them."""
    filters, order, json_aliases, text_aliases = {}, {}, {}, {}
    for index, field in enumerate(fields):
        column = json_alias = f"value_{index}"
        json_aliases[json_alias] = _json_value(data_path, field, locale)
        field_type = FIELD_TYPES[field.field_type]
        # Text as text (->> on PostgreSQL), not as JSON: JSON string comparisons differ.
        if field_type.compared_as_text:
            column = f"text_{index}"
            text_aliases[column] = _as_text(data_path, field, locale, json_alias)
        # exists reads the JSON value itself; eq/in on links and files, the references.
        filters[field.api_key] = _field_column(field, column)
        if field_type.sortable:
            order[field.api_key] = column
    return filters, order, [json_aliases, text_aliases]


def _item_types(value, model: ContentModel) -> list:
    found = []
    for key in listed(value, "filter[type]"):
        item_type = model.find(key)
        if item_type is None or item_type.modular_block:
            raise ApiError(
                "INVALID_FILTER_FIELDS_PARAM",
                422,
                field="type",
                value=key,
                message="No such model.",
            )
        found.append(item_type)
    return found


def item_list(params: dict, model: ContentModel) -> tuple[list[Item], int, dict]:
    """One page of records, the total, and what rendering needs (version, nested)."""
    refuse_unknown(params, LIST_PARAMETERS)
    offset, limit = page_bounds(params)
    version = params.get("version", "current")
    if version not in ("current", "published"):
        raise ApiError(
            "INVALID_QUERY_PARAMETERS", 422, parameter="version", allowed=["current", "published"]
        )
    locale = params.get("locale") or model.locales[0]
    if locale not in model.locales:
        raise ApiError("INVALID_QUERY_PARAMETERS", 422, parameter="locale", allowed=model.locales)
    nested = flag(params, "nested")
    filters = params.get("filter") or {}
    if not isinstance(filters, dict) or set(filters) - FILTERS:
        raise ApiError(
            "INVALID_FILTER_FIELDS_PARAM",
            422,
            allowed=sorted(FILTERS),
            unknown=sorted(set(filters) - FILTERS) if isinstance(filters, dict) else None,
        )

    records = Item.objects.filter(root__isnull=True)
    data_path = "data"
    if version == "published":
        records = records.filter(published_version__isnull=False)
        data_path = "published_version__data"
    item_types = _item_types(filters["type"], model) if "type" in filters else []
    if item_types:
        # Records of these (non-block) models are never blocks: no root filter needed,
        # which leaves the per-model indexes usable on their own.
        records = Item.objects.filter(item_type_id__in=[it.id for it in item_types])
        if version == "published":
            records = records.filter(published_version__isnull=False)
    if "ids" in filters:
        records = records.filter(pk__in=listed(filters["ids"], "filter[ids]"))
    # What the records must match beyond their model (and ids): the page may be looked
    # for in the newest records first (items.pages), so it is kept apart.
    condition = Q()
    if filters.get("query"):
        for word in search_words(filters["query"]):
            condition &= Q(search_text__contains=word)

    filter_columns, order_columns = dict(META_FILTERS), dict(META_ORDER)
    validity = _read_validity(version, filter_columns, order_columns)
    if "only_valid" in filters and _only_valid(filters["only_valid"]):
        condition &= Q(**{validity: True})
    if len(item_types) == 1:
        fields_filters, fields_order, aliases = field_columns(
            model.fields[item_types[0].id], data_path, locale
        )
        for step in aliases:  # text aliases read JSON aliases: two steps
            records = records.alias(**step)
        filter_columns.update(fields_filters)
        order_columns.update(fields_order)
    if "fields" in filters:
        fields_param = filters["fields"]
        model_fields = isinstance(fields_param, dict) and set(fields_param) - set(META_FILTERS)
        if model_fields and len(item_types) != 1:
            raise ApiError(
                "INVALID_FILTER_FIELDS_PARAM",
                422,
                fields=sorted(model_fields),
                message="Filtering on a model's fields needs exactly one filter[type].",
            )
        condition &= field_filters(fields_param, filter_columns)
    order_by = params.get("order_by")
    if (
        order_by
        and len(item_types) != 1
        and any(rule.rpartition("_")[0] not in META_ORDER for rule in comma_list(order_by))
    ):
        raise ApiError(
            "INVALID_ORDERING",
            422,
            order_by=order_by,
            message="Ordering by a model's fields needs exactly one filter[type].",
        )
    records = records.order_by(*ordering(order_by, order_columns, ["-created_at", "-id"]))
    total = records.filter(condition).count()
    if version == "published":
        records = records.select_related("published_version")
    if len(item_types) == 1:
        page = model_page(
            records,
            condition,
            item_type_id=item_types[0].id,
            offset=offset,
            limit=limit,
            total=total,
        )
    else:
        page = list(records.filter(condition)[offset : offset + limit])
    return page, total, {"version": version, "nested": nested}


def blocks_for(records: list[Item], version: str) -> dict[str, Item]:
    """Every block of these records (one query), for nested answers; from the published
    snapshots when reading the published version."""
    if version == "published":
        blocks = {}
        for record in records:
            snapshot = record.published_version.blocks if record.published_version else {}
            for block_id, block in snapshot.items():
                blocks[block_id] = Item(
                    id=block_id,
                    item_type_id=block["item_type"],
                    data=block["data"],
                    root_id=record.id,
                    parent_id=block["parent"],
                    parent_field_id=block["parent_field"],
                    status=record.status,
                    created_at=record.created_at,
                    updated_at=record.updated_at,
                    creator_id=record.creator_id,
                    current_version=record.current_version,
                    published_version_id=record.published_version_id,
                )
        return blocks
    return {block.id: block for block in Item.objects.filter(root__in=records)}


def record_versions(item: Item, params: dict) -> tuple[list[ItemVersion], int]:
    refuse_unknown(params, {"page", "nested"})
    offset, limit = page_bounds(params)
    versions = item.versions.order_by("-created_at", "-id")
    return list(versions[offset : offset + limit]), versions.count()


def records_linking_to(item: Item) -> list[Item]:
    """The records whose links point at ``item`` (not itself), for ``GET
    /items/:id/references``."""
    record_ids = (
        Reference.objects.filter(target_item=item)
        .exclude(record=item)
        .values_list("record_id", flat=True)
        .distinct()
    )
    return list(Item.objects.filter(pk__in=list(record_ids)))


def records_using_upload(upload) -> list[dict]:
    record_ids = (
        Reference.objects.filter(target_upload=upload)
        .values_list("record_id", flat=True)
        .distinct()
    )
    return [{"type": "item", "id": record_id} for record_id in record_ids]
