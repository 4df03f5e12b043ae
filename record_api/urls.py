"""The record API's two path forms, one implementation (a view's ``wrapper`` is the only
difference): DreamFactory 2's ``/api/v2/<service>/_table/...`` and ``_schema/...`` (the
``resource`` wrapper), and the seed's ``/rest/<service>/...`` (``record``, as DSP 1.x)."""

from django.urls import path, re_path, register_converter

from record_api import schema_views, session_views, views

V2 = {"wrapper": "resource"}


class RecordIdConverter:
    """A record id: URL-safe characters only (cms.ids)."""

    regex = "[A-Za-z0-9_-]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RecordIdConverter, "record_id")

urlpatterns = [
    # DreamFactory's session login (record_api.session_views), before the services' paths.
    path("api/v2/user/session", session_views.UserSessionView.as_view(**V2)),
    path("rest/user/session", session_views.UserSessionView.as_view()),
    path("api/v2/<str:service>/_table", views.RecordServiceView.as_view(**V2)),
    path("api/v2/<str:service>/_table/<str:table>", views.RecordTableView.as_view(**V2)),
    path(
        "api/v2/<str:service>/_table/<str:table>/<str:record_id>",
        views.RecordByIdView.as_view(**V2),
    ),
    # _schema: reads, and writes needing can_edit_schema (record_api.schema_views). The
    # _field paths (DreamFactory 2.4's) before <field>, which would take "_field" as a name.
    path("api/v2/<str:service>/_schema", schema_views.SchemaView.as_view(**V2)),
    path("api/v2/<str:service>/_schema/<str:table>", schema_views.SchemaTableView.as_view(**V2)),
    path(
        "api/v2/<str:service>/_schema/<str:table>/_related",
        schema_views.SchemaRelatedView.as_view(**V2),
    ),
    path(
        "api/v2/<str:service>/_schema/<str:table>/_related/<str:relation>",
        schema_views.SchemaRelatedView.as_view(**V2),
    ),
    path(
        "api/v2/<str:service>/_schema/<str:table>/_field",
        schema_views.SchemaFieldListView.as_view(**V2),
    ),
    path(
        "api/v2/<str:service>/_schema/<str:table>/_field/<str:field>",
        schema_views.SchemaFieldView.as_view(**V2),
    ),
    path(
        "api/v2/<str:service>/_schema/<str:table>/<str:field>",
        schema_views.SchemaFieldView.as_view(**V2),
    ),
    path("rest/<str:service>", views.RecordServiceView.as_view()),
    path("rest/<str:service>/<str:table>", views.RecordTableView.as_view()),
    # One record: an id is URL-safe characters (cms.ids); anything else is the catch-all's.
    path("rest/<str:service>/<str:table>/<record_id:record_id>", views.RecordByIdView.as_view()),
    # [\s\S], not ".": a path holding a newline (%0A) is under /rest/ too, and answered in
    # its shape. (An inline (?s) flag would break URL reversing.) _proc and _func land here.
    re_path(r"^rest(/[\s\S]*)?$", views.RecordNotFoundView.as_view()),
    re_path(r"^api/v2(/[\s\S]*)?$", views.RecordNotFoundView.as_view(**V2)),
]
