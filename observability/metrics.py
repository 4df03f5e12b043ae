"""Prometheus metrics (prometheus_client) at ``GET /metrics``.

- ``cms_http_requests_total{method,route,status}`` and
  ``cms_http_request_duration_seconds{method,route}``: this host's server processes. Under
  ``manage.py serve`` the workers share them through PROMETHEUS_MULTIPROC_DIR (the command
  makes a fresh one), so a scrape sees every worker's counts, not only the one it hit.
- ``cms_jobs{state}``, ``cms_job_queue_depth`` and ``cms_jobs_failed_total``: read from the
  jobs table when scraped, so they are the whole installation's, whichever host answers
  (job rows are never deleted, so the failed count only grows).
"""

import hmac
import logging
import os

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from cms.api.errors import json_error

logger = logging.getLogger("cms.metrics")
disable_created_metrics()  # the *_created series double the output and tell nothing here

REQUESTS = Counter("cms_http_requests", "HTTP requests answered", ["method", "route", "status"])
DURATION = Histogram(
    "cms_http_request_duration_seconds",
    "Time to answer an HTTP request, middleware included",
    ["method", "route"],
)
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "MERGE"})


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in KNOWN_METHODS else "other"  # a client can't add labels
    REQUESTS.labels(method, route, str(status)).inc()
    DURATION.labels(method, route).observe(seconds)


class JobsCollector:
    """The job queue, counted in the database at scrape time: one GROUP BY query."""

    def collect(self):
        from jobs.models import Job

        try:
            counts = dict(
                Job.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
            )
        except DatabaseError:
            logger.warning("metrics: the jobs table could not be read", exc_info=True)
            return
        jobs = GaugeMetricFamily("cms_jobs", "Background jobs by state", labels=["state"])
        for state in Job.State.values:
            jobs.add_metric([state], counts.get(state, 0))
        yield jobs
        yield GaugeMetricFamily(
            "cms_job_queue_depth",
            "Jobs waiting for a worker",
            value=counts.get(Job.State.QUEUED, 0),
        )
        yield CounterMetricFamily(
            "cms_jobs_failed", "Jobs that finished failed", value=counts.get(Job.State.FAILED, 0)
        )


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, DURATION):
            registry.register(collector)
    registry.register(JobsCollector())
    return generate_latest(registry)


def _allowed(request) -> bool:
    expected = settings.CMS_METRICS_TOKEN
    if not expected:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {expected}".encode())


@csrf_exempt
def metrics_view(request):
    if request.method not in ("GET", "HEAD"):
        return json_error("METHOD_NOT_ALLOWED", 405, method=request.method, allowed=["GET", "HEAD"])
    if not _allowed(request):
        return json_error("INVALID_AUTHORIZATION_HEADER", 401)
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
