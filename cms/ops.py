"""What an operator or a newcomer asks the server itself: ``/`` (where things are),
``/healthz`` (the process answers) and ``/readyz`` (what it depends on is reachable)."""

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from cms.api.errors import ApiError, error_document, json_error

logger = logging.getLogger("cms.ops")

READ_METHODS = ("GET", "HEAD")


def _method_not_allowed(request):
    return json_error("METHOD_NOT_ALLOWED", 405, method=request.method, allowed=READ_METHODS)


def _json(document: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(document, status=status)
    response["Content-Type"] = "application/json; charset=utf-8"
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
def index(request):
    """JSON by default; the same links as a page when a browser asks for HTML."""
    if request.method not in READ_METHODS:
        return _method_not_allowed(request)
    url = request.build_absolute_uri
    links = {
        "api": url("/site"),
        "record_api": url(f"/rest/{settings.CMS_REST_SERVICES[0]}"),
        "admin": url("/admin/"),
        "docs": settings.CMS_DOCS_URL,
        "api_docs": url("/docs"),
        "openapi": url("/docs/openapi.json"),
        "health": url("/healthz"),
        "ready": url("/readyz"),
    }
    if request.get_preferred_type(["application/json", "text/html"]) == "text/html":
        return render(request, "cms/index.html", {"links": links})
    return _json(
        {
            "name": "cms",
            "description": "A headless CMS: a DatoCMS-compatible Content Management API, "
            "a DreamFactory-style record API and the Django admin.",
            "authentication": "Authorization: Bearer <token>",
            "links": links,
        }
    )


@csrf_exempt
def healthz(request):
    """The process answers; nothing else is touched."""
    if request.method not in READ_METHODS:
        return _method_not_allowed(request)
    return _json({"status": "ok"})


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    value = secrets.token_hex(8)
    cache.set("cms:readyz", value, timeout=10)
    if cache.get("cms:readyz") != value:
        raise RuntimeError("the cache did not keep a value")


def _check_storage():
    # A real write and delete: reachable is not enough, uploads must be storable.
    name = default_storage.save("readyz/probe", ContentFile(b"ok"))
    default_storage.delete(name)


CHECKS = {"database": _check_database, "cache": _check_cache, "storage": _check_storage}


@csrf_exempt
def readyz(request):
    """200 when the database, the cache and the storage all work; 503 naming each that doesn't."""
    if request.method not in READ_METHODS:
        return _method_not_allowed(request)
    down = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready", and is named, not raised
            logger.warning("readyz: %s is down: %r", name, exc)
            down.append(
                ApiError("SERVICE_UNAVAILABLE", 503, component=name, reason=type(exc).__name__)
            )
    if down:
        return _json(error_document(down), status=503)
    return _json({"status": "ready", "checks": dict.fromkeys(CHECKS, "ok")})
