"""The record API's read query: one table's records, filtered and ordered by the database."""

from django.db.models import Case, Q, QuerySet, Value, When

from items.models import Item
from items.placement import siblings_order
from items.selectors import with_aliases
from record_api import filter_parser, filter_query, limits
from record_api.errors import RecordApiError, refused


def table_records(
    item_type, fields: list, *, locale: str, filter_text: str, order_text: str, ids: list
) -> tuple[QuerySet, Q]:
    """The table's records (those of ``ids``, if given), ordered by ``order_text``: by
    default ``created_at``, or, with ``ids``, in the order they are listed; then ``id``;
    and the condition ``filter_text`` puts on them (``Q()`` for none). The records that
    match are ``records.filter(condition)`` (``items.pages`` reads a page of them).
    Localized fields are read in ``locale``; ``position`` and ``parent_id`` are columns of
    a sortable or tree model."""
    records = Item.objects.filter(item_type_id=item_type.id)
    aliases, columns, ordering = filter_query.record_columns(fields, locale)
    placement_columns, placement_order = filter_query.placement_columns(item_type)
    columns.update(placement_columns)
    ordering.update(placement_order)
    condition = Q()
    if filter_text.strip():
        try:
            tree = filter_parser.parse(filter_text)
            limits.check_filter(tree)
            condition = filter_query.to_q(tree, columns)
        except filter_parser.FilterError as error:
            raise refused("filter", filter_text, error) from None
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
        records = records.filter(pk__in=ids)
        if not order:  # DreamFactory answers ids in the order they were asked for
            order = [Case(*[When(pk=id_, then=Value(i)) for i, id_ in enumerate(ids)])]
    always, _ = siblings_order(order, item_type)  # position first: the siblings' index
    order = [*(order or ["created_at"]), "id"]
    ordered = with_aliases(records, aliases, condition, always, order)
    ordered = ordered.filter(always).order_by(*order)
    return ordered.only("id", "item_type_id", "data", "position", "tree_parent_id"), condition
