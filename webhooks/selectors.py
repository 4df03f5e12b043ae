"""``GET /webhook_calls``: its filters and lower-case ``order_by`` (SPEC-2 §8.3)."""

from datetime import datetime

from cms.api.errors import ApiError
from cms.api.query import comma_list, page_bounds, refuse_unknown
from webhooks import batch_events
from webhooks.models import WebhookCall

EQUALS = {
    "webhook_id": "webhook_id",
    "entity_type": "entity_type",
    "event_type": "event_type",
    "status": "status",
}
MOMENTS = ("last_sent_at", "next_retry_at", "created_at")
ORDERS = {
    f"{name}_{way}": (f"-{column}" if way == "desc" else column)
    for name, column in (
        ("webhook_id", "webhook_id"),
        ("created_at", "created_at"),
        ("last_sent_at", "last_sent_at"),
        ("next_retry_at", "next_retry_at"),
    )
    for way in ("asc", "desc")
}


def _bad(parameter: str, **details):
    raise ApiError("INVALID_QUERY_PARAMETERS", 422, parameter=parameter, **details)


def calls(params: dict) -> tuple[list[WebhookCall], int]:
    refuse_unknown(params, {"filter", "page", "order_by"})
    query = WebhookCall.objects.all()
    filters = params.get("filter", {})
    if not isinstance(filters, dict) or set(filters) - {"ids", "fields"}:
        _bad("filter", allowed=["filter[ids]", "filter[fields]"])
    if "ids" in filters:
        ids = comma_list(filters["ids"])
        if not all(i.isdigit() and len(i) < 19 for i in ids):
            _bad("filter[ids]", message="Webhook call ids are numbers.")
        query = query.filter(pk__in=[int(i) for i in ids])
    fields = filters.get("fields", {})
    if not isinstance(fields, dict):
        _bad("filter[fields]")
    for name, condition in fields.items():
        query = query.filter(**_condition(name, condition))
    order = params.get("order_by", "created_at_desc")
    if not isinstance(order, str) or order not in ORDERS:
        _bad("order_by", allowed=sorted(ORDERS))
    offset, limit = page_bounds(params)
    # The question is valid: the calls of batches that answered first (unless being written).
    batch_events.write_deferred()
    query = query.order_by(ORDERS[order], "-pk" if order.endswith("desc") else "pk")
    return list(query[offset : offset + limit]), query.count()


def _condition(name: str, condition) -> dict:
    where = f"filter[fields][{name}]"
    if not isinstance(condition, dict) or len(condition) != 1:
        _bad(where, message="One operator per field.")
    ((operator, value),) = condition.items()
    if name in EQUALS and operator == "eq" and isinstance(value, str):
        return {EQUALS[name]: value}
    if name in MOMENTS and operator in ("gt", "lt") and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            _bad(where, message="An ISO 8601 date and time.")
        return {f"{name}__{operator}": moment}
    _bad(where, allowed=[*(f"{n}[eq]" for n in EQUALS), *(f"{m}[gt|lt]" for m in MOMENTS)])
