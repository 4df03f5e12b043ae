from django.urls import path

from items import bulk_views, views

urlpatterns = [
    path("items", views.ItemListView.as_view()),
    path("items/validate", views.ItemValidateView.as_view()),
    # Before items/<id>/...: "bulk" is no record's id.
    *(
        path(f"items/bulk/{action}", bulk_views.BulkView.as_view(action=action))
        for action in ("publish", "unpublish", "destroy")
    ),
    path("items/bulk/move-to-stage", bulk_views.MoveToStageView.as_view()),
    path("items/<str:item_id>", views.ItemDetailView.as_view()),
    path("items/<str:item_id>/validate", views.ItemValidateExistingView.as_view()),
    path("items/<str:item_id>/publish", views.PublishView.as_view(action="publish")),
    path("items/<str:item_id>/unpublish", views.PublishView.as_view(action="unpublish")),
    path("items/<str:item_id>/references", views.ReferencesView.as_view()),
    path("items/<str:item_id>/duplicate", views.DuplicateView.as_view()),
    path("items/<str:item_id>/current-vs-published-state", views.PublicationStateView.as_view()),
    path("items/<str:item_id>/versions", views.ItemVersionListView.as_view()),
    path("versions/<str:version_id>", views.VersionDetailView.as_view()),
    path("versions/<str:version_id>/restore", views.VersionRestoreView.as_view()),
]
