from django.urls import path

from build_triggers import views

urlpatterns = [
    path("build-triggers", views.BuildTriggerListView.as_view()),
    path("build-triggers/<str:trigger_id>", views.BuildTriggerDetailView.as_view()),
    path(
        "build-triggers/<str:trigger_id>/trigger",
        views.BuildActionView.as_view(action="trigger", http_method_names=["post"]),
    ),
    path(
        "build-triggers/<str:trigger_id>/abort",
        views.BuildActionView.as_view(action="abort", http_method_names=["delete"]),
    ),
    path(
        "build-triggers/<str:trigger_id>/abort_indexing",
        views.BuildActionView.as_view(action="abort_indexing", http_method_names=["delete"]),
    ),
    path(
        "build-triggers/<str:trigger_id>/reindex",
        views.BuildActionView.as_view(action="reindex", http_method_names=["put"]),
    ),
    # webhook_url: where the CI reports, with the trigger's token (not its id) in the path.
    path(
        "build-triggers/<str:token>/deploy-results",
        views.DeployResultsView.as_view(),
        name="build-trigger-results",
    ),
]
