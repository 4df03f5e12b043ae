from django.urls import path

from item_types import operation_views, views

urlpatterns = [
    path("site", views.SiteView.as_view()),
    path("item-types", views.ItemTypeListView.as_view()),
    path("item-types/<str:id_or_api_key>", views.ItemTypeDetailView.as_view()),
    path("item-types/<str:id_or_api_key>/fields", views.FieldListView.as_view()),
    path("fields/<str:id_or_api_key>", views.FieldDetailView.as_view()),
    path("item-types/<str:id_or_api_key>/fieldsets", views.FieldsetListView.as_view()),
    path("fieldsets/<str:id_or_api_key>", views.FieldsetDetailView.as_view()),
    path(
        "item-types/<str:id_or_api_key>/schema.json",
        operation_views.ItemTypeSchemaView.as_view(),
    ),
    path(
        "item-types/<str:id_or_api_key>/duplicate",
        operation_views.ItemTypeDuplicateView.as_view(),
    ),
    path(
        "item-types/<str:id_or_api_key>/referencing",
        operation_views.ItemTypeReferencingView.as_view(),
    ),
    path(
        "item-types/<str:id_or_api_key>/fields/referencing",
        operation_views.FieldsReferencingView.as_view(),
    ),
    path(
        "item-types/<str:id_or_api_key>/fields/related",
        operation_views.FieldsRelatedView.as_view(),
    ),
    path(
        "item-types/<str:id_or_api_key>/reorder-fields-and-fieldsets",
        operation_views.ReorderFieldsAndFieldsetsView.as_view(),
    ),
    path("fields/<str:id_or_api_key>/duplicate", operation_views.FieldDuplicateView.as_view()),
]
