from django.urls import path

from item_types import views

urlpatterns = [
    path("site", views.SiteView.as_view()),
    path("item-types", views.ItemTypeListView.as_view()),
    path("item-types/<str:id_or_api_key>", views.ItemTypeDetailView.as_view()),
    path("item-types/<str:id_or_api_key>/fields", views.FieldListView.as_view()),
    path("fields/<str:id_or_api_key>", views.FieldDetailView.as_view()),
]
