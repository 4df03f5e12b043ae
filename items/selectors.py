"""Reading records: ``GET /items`` filters, ordering and pages, computed by the database.

Field filters read the JSON column with key lookups (``data -> '<field id>'``, JSONB on
PostgreSQL); links and uploads are filtered through the indexed ``Reference`` rows, so
that every database answers them the same way.
"""

from django.db import connection
from django.db.models import Case, F, Q, QuerySet, TextField, Value, When
from django.db.models.constants import LOOKUP_SEP
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast

from cms.api.errors import ApiError
from cms.api.filters import (
    COMPARISON,
    EQUALITY,
    FilterColumn,
    field_filters,
    listed,
    ordering,
)
from cms.api.query import comma_list, flag, page_bounds, refuse_unknown
from item_types.field_types import FIELD_TYPES
from items import filter_columns
from items.content_model import ContentModel
from items.counts import exact_count
from items.field_indexes import CodePointText
from items.filter_columns import EXISTS, field_column, text_alias
from items.models import Item, ItemVersion
from items.pages import model_page
from items.placement import list_columns, siblings_order
from items.search import search


def _moment(column: str) -> FilterColumn:
    """A meta date-time: compared with its argument truncated to the minute."""
    return FilterColumn(column, kind="datetime", ops=COMPARISON | EXISTS, minute=True)


#: Filters every model's records have; another meta key is one line here.
META_FILTERS = {
    "id": FilterColumn("id"),
    "_created_at": _moment("created_at"),
    "_updated_at": _moment("updated_at"),
    "_published_at": _moment("published_at"),
    "_first_published_at": _moment("first_published_at"),
    "_publication_scheduled_at": _moment("publication_scheduled_at"),
    "_unpublishing_scheduled_at": _moment("unpublishing_scheduled_at"),
    "_status": FilterColumn("status", ops=EQUALITY, convert=filter_columns.status),
    "_creator": filter_columns.CREATOR,
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
        elif (view := text_alias(field, _json_value(data_path, field, locale))) is not None:
            text_aliases[f"text_{index}"] = view
        # exists reads the JSON value itself; eq/in on links and files, the references.
        filters[field.api_key] = field_column(field, index, data_path, locale)
        if field_type.sortable:
            order[field.api_key] = column
    return filters, order, [json_aliases, text_aliases]


def with_aliases(records: QuerySet, aliases: list[dict], *uses) -> QuerySet:
    """``records`` with those of ``field_columns``' aliases that ``uses`` (conditions,
    orderings) read, and those these read in turn: every alias is copied and hashed by
    each statement built on ``records``, read or not."""
    wanted = set().union(*(_names(use) for use in uses))
    kept = []
    for step in reversed(aliases):  # text aliases read JSON aliases
        step = {name: value for name, value in step.items() if name in wanted}
        wanted.update(*(_names(value) for value in step.values()))
        kept.append(step)
    for step in reversed(kept):
        if step:
            records = records.alias(**step)
    return records


def _names(node) -> set[str]:
    """The names (the first part of each lookup) a condition, an ordering or an
    expression reads."""
    if isinstance(node, str):
        return {node.lstrip("-").split(LOOKUP_SEP)[0]}
    if isinstance(node, list | tuple) and not isinstance(node, Q):
        return set().union(*(_names(part) for part in node))
    if isinstance(node, Q):
        names = set()
        for child in node.children:
            if isinstance(child, tuple):  # (lookup, value): a value may be an expression
                lookup, value = child
                names |= _names(lookup)
                if hasattr(value, "resolve_expression") and not isinstance(value, str):
                    names |= _names(value)
            else:
                names |= _names(child)
        return names
    if isinstance(node, F):
        return _names(node.name)
    sources = getattr(node, "get_source_expressions", None)
    return _names([s for s in sources() if s is not None]) if sources else set()


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


def item_list(params: dict, model: ContentModel, readable=None) -> tuple[list[Item], int, dict]:
    """One page of records, the total, and what rendering needs (version, nested).
    ``readable``: the role's record permissions (access.permissions.EntrySet): a model it
    may not read asked for by type is refused, and no record it may not read is listed."""
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
    if readable is not None:
        records = readable.restrict(records, [it.id for it in item_types])
    if "ids" in filters:
        records = records.filter(pk__in=listed(filters["ids"], "filter[ids]"))
    # What the records must match beyond their model (and ids): the page may be looked
    # for in the newest records first (items.pages), so it is kept apart.
    condition = Q()
    filter_columns, order_columns = dict(META_FILTERS), dict(META_ORDER)
    validity = _read_validity(version, filter_columns, order_columns)
    if "only_valid" in filters and _only_valid(filters["only_valid"]):
        condition &= Q(**{validity: True})
    order_by = params.get("order_by")
    if filters.get("query"):
        found, rank = search(filters["query"])
        condition &= found
        records = records.alias(search_rank=rank)
        order_columns["_rank"] = "search_rank"
    elif order_by and any(rule.startswith("_rank_") for rule in comma_list(order_by)):
        raise ApiError(
            "INVALID_ORDERING",
            422,
            order_by=order_by,
            message="Ordering by _rank (relevance) needs filter[query].",
        )
    aliases = []
    if len(item_types) == 1:
        fields_filters, fields_order, aliases = field_columns(
            model.fields[item_types[0].id], data_path, locale
        )
        filter_columns.update(fields_filters)
        order_columns.update(fields_order)
        # position (sortable and tree models), parent_id / parent (trees).
        placement_filters, placement_order = list_columns(item_types[0])
        filter_columns.update(placement_filters)
        order_columns.update(placement_order)
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
    if (
        order_by
        and len(item_types) != 1
        and any(rule.rpartition("_")[0] not in order_columns for rule in comma_list(order_by))
    ):
        raise ApiError(
            "INVALID_ORDERING",
            422,
            order_by=order_by,
            message="Ordering by a model's fields needs exactly one filter[type].",
        )
    order = ordering(order_by, order_columns, ["-created_at", "-id"])
    always = Q()
    if len(item_types) == 1:
        always, order = siblings_order(order, item_types[0])
    records = with_aliases(records, aliases, condition, always, order)
    records = records.filter(always).order_by(*order)
    total = exact_count(records.filter(condition))
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
