"""``POST /audit-log-events/query`` (SPEC-2 §11). Thin: parse, select, render."""

from datetime import UTC

from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_aware, make_aware
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from audit_log import selectors
from audit_log.actors import may_read_audit_log
from audit_log.resources import event_resource
from cms.api.attributes import BOOLEAN, Attribute, clean_attributes
from cms.api.errors import ApiErrors, invalid_field
from cms.api.parsing import parse_resource
from cms.api.query import nested_params, refuse_unknown

TEXT = Attribute(nullable=True)
QUERY_ATTRIBUTES = {
    "since": TEXT,
    "before": TEXT,
    "filter": TEXT,
    "next_token": TEXT,
    "detailed_log": Attribute(check=BOOLEAN.check, expected=BOOLEAN.expected, nullable=True),
}


class AuditLogReader(BasePermission):
    def has_permission(self, request, view):
        return may_read_audit_log(request.auth)


class AuditLogQueryView(APIView):
    project_wide = True  # one log for every environment; X-Environment is ignored
    permission_classes = [AuditLogReader]

    def post(self, request):
        refuse_unknown(nested_params(request.query_params), set())
        document = parse_resource(request.data, "audit_log_query")
        attributes, errors = clean_attributes(document.attributes, QUERY_ATTRIBUTES, creating=False)
        moments = {}
        for name in ("since", "before"):
            moments[name] = _moment(attributes.get(name), name, errors)
        if errors:
            raise ApiErrors(errors)
        query = selectors.Query(
            since=moments["since"],
            before=moments["before"],
            filter=attributes.get("filter") or "",
            next_token=attributes.get("next_token"),
            detailed_log=bool(attributes.get("detailed_log")),
        )
        events, next_token = selectors.page(query)
        return Response(
            {
                "data": [event_resource(e, query.detailed_log) for e in events],
                "meta": {"next_token": next_token},
            }
        )


def _moment(text, name, errors):
    if text is None:
        return None
    try:
        moment = parse_datetime(text.strip())
    except ValueError:
        moment = None
    if moment is None:
        errors.append(
            invalid_field(name, "VALIDATION_FORMAT", message=f"{name} is an ISO 8601 date-time.")
        )
        return None
    return moment if is_aware(moment) else make_aware(moment, UTC)
