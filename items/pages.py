"""A page of one model's filtered records in list order, as cheaply as the matches allow.

Both lists (``GET /items`` and the record API's) order a model's records by created_at and
id, which the model's order index (``items_model_order``) holds: when matches are many, the
cheapest page walks that index from the top and tests each record, stopping at the page's
end (25 of 10,000 matches for ``rating > 900``: some 300 records). When they are few, the
cheapest reads them through the field's index and sorts them.

PostgreSQL cannot tell which: a field's statistics describe the whole table, so it
underestimates a model's matches (``items.field_indexes``) and sorts 10,000 of them for 25.
The exact count, which the lists compute first anyway, can: with more matches than
``PROBE_FACTOR`` times the rows wanted, the page is first looked for in a walk of the
model's first records in list order (``probe_window``), the filter hidden from the planner
in a CASE so that the only plan walks the order index; the walk stops at the page's last
match. If the walk holds the whole page it is the page, since every record past it comes
later in the order. Otherwise (the matches sit further down) the planner's own query
answers. Either way the page is the plain query's; only the work differs. Without a count
(the record API's list without ``include_count``) the probe is tried with a short walk.
"""

from django.db import connection
from django.db.models import BooleanField, Case, Q, QuerySet, When, prefetch_related_objects

from items.models import Item

#: Records walked per record wanted: enough when one record in 20 matches.
PROBE_FACTOR = 20
#: The longest walk a probe makes (a deep page or a long one is left to the planner).
MAX_WINDOW = 10_000
#: The orders the model's order index serves (a forward or backward scan), and as SQL.
INDEX_ORDERS = {
    ("-created_at", "-id"): 'walk."created_at" DESC, walk."id" DESC',
    ("created_at", "id"): 'walk."created_at" ASC, walk."id" ASC',
}
#: The walk's column saying whether a record matches.
MATCH = "walk_match"


def probe_window(wanted: int, total: int | None) -> int | None:
    """How many of the model's first records the page is looked for among (None: the
    planner's query answers). With few matches (at most ``PROBE_FACTOR`` times the rows
    wanted) the planner's query reads them all cheaply. With more, the walk may go as far
    as there are matches (up to ``MAX_WINDOW``): it stops at the page's last match anyway,
    and when the page isn't there, the planner's query, which reads every match, costs
    about as much again. Without a count, ``PROBE_FACTOR`` times the rows wanted."""
    shortest = wanted * PROBE_FACTOR
    if shortest > MAX_WINDOW or (total is not None and total <= shortest):
        return None
    return shortest if total is None else min(total, MAX_WINDOW)


def model_page(
    records: QuerySet,
    condition: Q,
    *,
    item_type_id: str,
    offset: int,
    limit: int,
    total: int | None = None,
) -> list[Item]:
    """``records.filter(condition)[offset:offset + limit]``; ``records`` are some of
    ``item_type_id``'s, ordered; ``total``, if known, is how many match. Without a
    condition (``Q()``) the page is the plain slice."""
    wanted = offset + limit
    window = probe_window(wanted, total)
    order = INDEX_ORDERS.get(tuple(records.query.order_by))
    if (
        condition
        and connection.vendor == "postgresql"
        and order is not None
        and window is not None
        and records.query.select_related is not True  # (all relations: not walked)
    ):
        page = _walk(records, condition, order, window, offset, limit)
        if len(page) == limit:
            return page
    return list(records.filter(condition)[offset:wanted])


def _walk(records: QuerySet, condition: Q, order: str, window: int, offset: int, limit: int):
    """The matches among the first ``window`` records, from ``offset``, at most ``limit``.

    The walk is a subquery (``LIMIT window``, in the index's order), each record with the
    condition's value inside a CASE: true where it is true, as in a WHERE, but no index
    matches it, so the only plan walks the order index; the statement around it keeps the
    matches. Rows are pulled one by one, so the walk stops at the page's last match: its
    length is only the bound. Related rows (``select_related``) are read after, by id."""
    related = records.query.select_related
    walk = records.select_related(None).annotate(
        **{MATCH: Case(When(condition, then=True), default=False, output_field=BooleanField())}
    )
    names, deferring = walk.query.deferred_loading
    if not deferring:  # .only(...): the order's columns too, for the statement around
        walk = walk.only(*names, "created_at")
    sql, params = walk[:window].query.sql_with_params()
    page = list(
        Item.objects.raw(
            f'SELECT * FROM ({sql}) AS walk WHERE walk."{MATCH}" ORDER BY {order} '
            "LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
    )
    if related and page:
        prefetch_related_objects(page, *related)
    return page
