from django.urls import path

from audit_log import views

urlpatterns = [
    path("audit-log-events/query", views.AuditLogQueryView.as_view()),
]
