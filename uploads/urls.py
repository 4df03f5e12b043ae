from django.urls import path

from uploads import library_urls, views

urlpatterns = [
    path("upload-requests", views.UploadRequestView.as_view()),
    path("upload-content/<str:token>", views.upload_content, name="upload-content"),
    path("uploads", views.UploadListView.as_view()),
    *library_urls.urlpatterns,  # before uploads/<upload_id>: uploads/bulk/...
    path("uploads/<str:upload_id>", views.UploadDetailView.as_view()),
    path("media/<path:path>", views.serve_media, name="media"),
]
