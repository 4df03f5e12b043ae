from django.urls import path

from environments import views

urlpatterns = [
    path("environments", views.EnvironmentListView.as_view()),
    path("environments/<str:name>", views.EnvironmentDetailView.as_view()),
    path("environments/<str:name>/fork", views.ForkView.as_view()),
    path("environments/<str:name>/promote", views.PromoteView.as_view()),
    path("environments/<str:name>/rename", views.RenameView.as_view()),
    path("maintenance-mode", views.MaintenanceModeView.as_view()),
    path("maintenance-mode/activate", views.ActivateMaintenanceModeView.as_view()),
    path("maintenance-mode/deactivate", views.DeactivateMaintenanceModeView.as_view()),
]
