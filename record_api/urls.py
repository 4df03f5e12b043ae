from django.urls import path, re_path

from record_api import views

urlpatterns = [
    path("rest/<str:service>", views.RecordServiceView.as_view()),
    path("rest/<str:service>/<str:table>", views.RecordTableView.as_view()),
    # One record: an id is URL-safe characters (cms.ids); anything else is the catch-all's.
    re_path(
        r"^rest/(?P<service>[^/]+)/(?P<table>[^/]+)/(?P<record_id>[A-Za-z0-9_-]+)$",
        views.RecordView.as_view(),
    ),
    # [\s\S], not ".": a path holding a newline (%0A) is under /rest/ too, and answered in
    # its shape. (An inline (?s) flag would break URL reversing.)
    re_path(r"^rest(/[\s\S]*)?$", views.RecordNotFoundView.as_view()),
]
