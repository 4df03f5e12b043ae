from django.urls import path

from webhooks import views

urlpatterns = [
    path("webhooks", views.WebhookListView.as_view()),
    path("webhooks/<str:webhook_id>", views.WebhookDetailView.as_view()),
    path("webhook_calls", views.WebhookCallListView.as_view()),
    path("webhook_calls/<str:call_id>", views.WebhookCallDetailView.as_view()),
    path("webhook_calls/<str:call_id>/resend_webhook", views.WebhookCallResendView.as_view()),
]
