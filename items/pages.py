"""A page of one model's filtered records in list order, as cheaply as the matches allow.

Both lists (``GET /items`` and the record API's) order a model's records by created_at and
id, which the model's order index (``items_model_order``) holds: when matches are many, the
cheapest page walks that index from the top and tests each record, stopping at the page's
end (25 of 10,000 matches for ``rating > 900``: some 300 records). When they are few, the
cheapest reads them through the field's index and sorts them.

PostgreSQL cannot tell which: a field's statistics describe the whole table, so it
underestimates a model's matches (``items.field_indexes``) and sorts 10,000 of them for 25.
The exact count, which the lists compute first anyway, can: with more matches than
``PROBE_FACTOR`` times the rows wanted, the page is first looked for among that many of
the model's first records in list order (a range of the order index, the filter hidden
from the planner in a CASE so that it can only walk that range); if they hold the whole
page it is the page, since every record past them comes later in the order. Otherwise
(the matches sit further down, or the model is large) the planner's own query answers.
Either way the page is the plain query's; only the work differs. Without a count (the
record API's list without ``include_count``) the probe is tried whenever its walk is short.
"""

from django.db import connection
from django.db.models import BooleanField, Case, F, Q, QuerySet, When
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThanOrEqual,
    TupleLessThanOrEqual,
)

from items.models import Item

#: Records walked per record wanted: enough when one record in 20 matches.
PROBE_FACTOR = 20
#: The longest walk a probe makes (a deep page or a long one is left to the planner).
MAX_WINDOW = 10_000
#: The orders the model's order index serves (a forward or backward scan).
INDEX_ORDERS = (("-created_at", "-id"), ("created_at", "id"))


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
    window = wanted * PROBE_FACTOR
    order = records.query.order_by
    if (
        condition
        and connection.vendor == "postgresql"
        and tuple(order) in INDEX_ORDERS
        and window <= MAX_WINDOW
        and (total is None or total > window)
    ):
        # The window: the records up to the window's last (found by a subquery that reads
        # the order index alone), a range of that index.
        last = Item.objects.filter(item_type_id=item_type_id).order_by(*order)
        last = last.values("created_at", "id")[window - 1 : window]
        within = TupleGreaterThanOrEqual if order[0].startswith("-") else TupleLessThanOrEqual
        newest = records.filter(within(Tuple(F("created_at"), F("id")), last.query))
        # The condition inside a CASE: true where it is true, as in a WHERE, but no index
        # matches it, so the only plan walks that range of the order index in order.
        hidden = Case(When(condition, then=True), default=False, output_field=BooleanField())
        page = list(newest.filter(hidden)[offset:wanted])
        if len(page) == limit:
            return page
    return list(records.filter(condition)[offset:wanted])
