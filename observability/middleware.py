"""One middleware, outermost, per request: its id (``X-Request-ID`` in and out), its access
line in the log, and its count and duration in the metrics. Outermost so that what it
measures includes every other middleware, and answers they give themselves (a 429, a
refused API version) are logged and counted too."""

import logging
import time

from observability import metrics
from observability.context import current_request_id, request_id_for
from observability.logs import redacted_query

access_log = logging.getLogger("cms.access")


class RequestObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_for(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        reset = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            route = route_of(request)
            metrics.observe_request(request.method, route, response.status_code, duration)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "query": redacted_query(request.META.get("QUERY_STRING", "")),
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 2),
                    "client": request.META.get("REMOTE_ADDR"),
                    "environment": request.headers.get("X-Environment"),
                },
            )
            return response
        finally:
            current_request_id.reset(reset)


def route_of(request) -> str:
    """The URL pattern that answered (``items/<str:item_id>``), never the raw path: the
    metrics' labels stay few whatever clients ask for."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return "unmatched"
    return "/" + match.route.lstrip("^").rstrip("$")
