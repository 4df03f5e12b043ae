from django.urls import path

from items import views

urlpatterns = [
    path("items", views.ItemListView.as_view()),
    path("items/validate", views.ItemValidateView.as_view()),
    path("items/<str:item_id>", views.ItemDetailView.as_view()),
]
