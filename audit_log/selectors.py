"""``POST /audit-log-events/query``'s reading: the time range and ``next_token`` are ranges
on the id (a ULID sorts as its time), the filter a parsed ``Q``; one query a page."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from audit_log import filter_parser
from audit_log.filter_query import to_q
from audit_log.models import AuditLogEvent
from audit_log.ulid import is_ulid, min_ulid
from cms.api.errors import ApiError


@dataclass(frozen=True)
class Query:
    since: datetime | None = None
    before: datetime | None = None
    filter: str = ""
    next_token: str | None = None
    detailed_log: bool = False


def page(query: Query) -> tuple[list[AuditLogEvent], str | None]:
    """The events of one page, oldest first, and the next page's token (None: no more)."""
    events = AuditLogEvent.objects.all()
    if not query.detailed_log:
        events = events.defer("request_payload", "response_payload")
    if query.since is not None:
        events = events.filter(id__gte=min_ulid(query.since.timestamp()))
    if query.before is not None:
        events = events.filter(id__lt=min_ulid(query.before.timestamp()))
    if query.next_token is not None:
        if not is_ulid(query.next_token):
            raise ApiError(
                "INVALID_NEXT_TOKEN",
                422,
                field="next_token",
                message="Pass the meta.next_token of the previous answer, as it was.",
            )
        events = events.filter(id__gt=query.next_token)
    if query.filter.strip():
        events = events.filter(_parsed(query.filter))
    size = settings.CMS_AUDIT_LOG_PAGE_SIZE
    found = list(events.order_by("id")[: size + 1])
    if len(found) > size:
        return found[:size], found[size - 1].id
    return found, None


def _parsed(text: str):
    try:
        return to_q(filter_parser.parse(text))
    except filter_parser.FilterError as error:
        raise ApiError(
            "INVALID_AUDIT_LOG_FILTER",
            422,
            field="filter",
            code=error.code,
            position=error.position,
            token=error.token,
            message=error.message,
        ) from None
