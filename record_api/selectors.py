"""The record API's read query: one table's records, filtered and ordered by the database."""

from django.db.models import Case, F, Q, QuerySet, Value, When

from items.models import Item
from items.placement import siblings_order
from items.selectors import with_aliases
from record_api import filter_parser, filter_query, limits
from record_api.errors import RecordApiError, refused


def _columns(item_type, fields, locale):
    aliases, columns, ordering = filter_query.record_columns(fields, locale)
    placement_columns, placement_order = filter_query.placement_columns(item_type)
    columns.update(placement_columns)
    ordering.update(placement_order)
    return aliases, columns, ordering


def _condition(filter_text: str, params: dict | None, columns) -> Q:
    if not filter_text.strip():
        return Q()
    try:
        tree = filter_parser.parse(filter_text, params)
        limits.check_filter(tree)
        return filter_query.to_q(tree, columns)
    except filter_parser.FilterError as error:
        raise refused("filter", filter_text, error) from None


def _by_ids(ids: list, id_field: str, columns) -> tuple[Q, list]:
    """``ids`` as a condition on ``id_field`` (a unique field, not ``id``), and the
    ordering that answers them in the order listed."""
    try:
        condition = filter_query.to_q(filter_parser.In(id_field, tuple(ids)), columns)
        order = [
            When(filter_query.to_q(filter_parser.Compare(id_field, "=", id_), columns), then=i)
            for i, id_ in enumerate(ids)
        ]
    except filter_parser.FilterError as error:
        raise refused("ids", ",".join(map(str, ids)), error) from None
    return condition, [Case(*order, default=Value(len(ids)))]


def table_records(
    item_type,
    fields: list,
    *,
    locale: str,
    filter_text: str,
    order_text: str,
    ids: list,
    params: dict | None = None,
    id_field: str = "id",
) -> tuple[QuerySet, Q]:
    """The table's records (those of ``ids``, if given), ordered by ``order_text``: by
    default ``created_at``, or, with ``ids``, in the order they are listed; then ``id``;
    and the condition ``filter_text`` puts on them (``Q()`` for none). The records that
    match are ``records.filter(condition)`` (``items.pages`` reads a page of them).
    Localized fields are read in ``locale``; ``position`` and ``parent_id`` are columns of
    a sortable or tree model. ``:name`` in the filter is bound from ``params``; ``ids``
    name records by ``id_field`` (``id``, or a unique field)."""
    records = Item.objects.filter(item_type_id=item_type.id)
    aliases, columns, ordering = _columns(item_type, fields, locale)
    condition = _condition(filter_text, params, columns)
    order = []
    if order_text.strip():
        try:
            limits.check_order(order_text)
            order = filter_query.parse_order(order_text, ordering)
        except filter_parser.FilterError as error:
            raise refused("order", order_text, error) from None
    if ids:
        if len(ids) > limits.MAX_READ_LIMIT:
            raise RecordApiError(
                400, f"ids lists at most {limits.MAX_READ_LIMIT} ids.", {"ids": len(ids)}
            )
        if id_field == "id":
            records = records.filter(pk__in=ids)
            by_order = [Case(*[When(pk=id_, then=Value(i)) for i, id_ in enumerate(ids)])]
        else:
            by_ids, by_order = _by_ids(ids, id_field, columns)
            condition &= by_ids
        if not order:  # DreamFactory answers ids in the order they were asked for
            order = by_order
    always, _ = siblings_order(order, item_type)  # position first: the siblings' index
    order = [*(order or ["created_at"]), "id"]
    ordered = with_aliases(records, aliases, condition, always, order)
    ordered = ordered.filter(always).order_by(*order)
    return ordered.only("id", "item_type_id", "data", "position", "tree_parent_id"), condition


def table_groups(
    item_type, fields: list, *, locale: str, filter_text: str, params: dict | None, group: list
) -> QuerySet:
    """``group``: the distinct values of those fields among the records the filter keeps,
    as dicts by field name, in the order of their values (DreamFactory's ``group``)."""
    aliases, columns, ordering = _columns(item_type, fields, locale)
    unknown = [name for name in group if name not in ordering]
    if unknown:
        raise RecordApiError(
            400,
            f"Can't group by {', '.join(unknown)}.",
            {"group": unknown, "allowed": sorted(ordering)},
        )
    condition = _condition(filter_text, params, columns)
    expressions = [ordering[name] for name in group]
    records = with_aliases(
        Item.objects.filter(item_type_id=item_type.id), aliases, condition, expressions
    )
    named = {f"group_{index}": F(expression) for index, expression in enumerate(expressions)}
    return records.filter(condition).annotate(**named).values(*named).order_by(*named).distinct()
