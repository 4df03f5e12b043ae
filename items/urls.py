from django.urls import path, re_path

from items import rest, views

urlpatterns = [
    path("items", views.ItemListView.as_view()),
    path("items/validate", views.ItemValidateView.as_view()),
    path("items/<str:item_id>", views.ItemDetailView.as_view()),
    path("items/<str:item_id>/validate", views.ItemValidateExistingView.as_view()),
    path("items/<str:item_id>/publish", views.PublishView.as_view(action="publish")),
    path("items/<str:item_id>/unpublish", views.PublishView.as_view(action="unpublish")),
    path("items/<str:item_id>/references", views.ReferencesView.as_view()),
    path("items/<str:item_id>/versions", views.ItemVersionListView.as_view()),
    path("versions/<str:version_id>", views.VersionDetailView.as_view()),
    path("versions/<str:version_id>/restore", views.VersionRestoreView.as_view()),
    path("rest/<str:service>", rest.RecordServiceView.as_view()),
    path("rest/<str:service>/<str:table>", rest.RecordTableView.as_view()),
    # [\s\S], not ".": a path holding a newline (%0A) is under /rest/ too, and answered in
    # its shape. (An inline (?s) flag would break URL reversing.)
    re_path(r"^rest(/[\s\S]*)?$", rest.RecordNotFoundView.as_view()),
]
