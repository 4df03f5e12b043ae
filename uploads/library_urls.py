"""Routes of the media library, included by uploads/urls.py before ``uploads/<id>`` (which
would take ``uploads/bulk``)."""

from django.urls import path

from menus.views import MenuDetailView, MenuListView, MenuReorderView
from uploads import bulk, library_views
from uploads.collections import UPLOAD_COLLECTIONS
from uploads.tasks import COLLECTIONS_REORDER

# Writes need can_manage_upload_collections (access/permissions.py).
collection = {
    "menu": UPLOAD_COLLECTIONS,
    "scope": "content",
    "write_flag": "can_manage_upload_collections",
}

urlpatterns = [
    path("upload-collections", MenuListView.as_view(**collection)),
    path(
        "upload-collections/reorder",
        MenuReorderView.as_view(**collection, job_kind=COLLECTIONS_REORDER),
    ),
    path("upload-collections/<str:item_id>", MenuDetailView.as_view(**collection)),
    path("upload-tags", library_views.UploadTagListView.as_view()),
    path("upload-smart-tags", library_views.UploadSmartTagListView.as_view()),
    path(
        "uploads/bulk/tag",
        library_views.BulkView.as_view(operation=bulk.TAG, checker=bulk.check_tag),
    ),
    path(
        "uploads/bulk/set-upload-collection",
        library_views.BulkView.as_view(
            operation=bulk.SET_COLLECTION, checker=bulk.check_set_collection
        ),
    ),
]
