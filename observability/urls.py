from django.urls import path

from observability.metrics import metrics_view

urlpatterns = [path("metrics", metrics_view)]
