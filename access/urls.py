from django.urls import path

from access import views

urlpatterns = [
    path("roles", views.RoleListView.as_view()),
    path("roles/<str:role_id>", views.RoleDetailView.as_view()),
    path("roles/<str:role_id>/duplicate", views.RoleDuplicateView.as_view()),
    path("access_tokens", views.TokenListView.as_view()),
    path("access_tokens/<str:token_id>", views.TokenDetailView.as_view()),
    path("access_tokens/<str:token_id>/regenerate_token", views.TokenRegenerateView.as_view()),
]
