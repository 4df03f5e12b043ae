"""The media library in the admin: collections edited through the tree services (dense
positions, no cycles), tags listed and added through the API's rules, and an upload's
collection shown."""

from tests.conftest import change_url, create_upload, png_bytes
from tests.uploads.library import create_collection, library
from uploads.models import Upload, UploadCollection, UploadTag


def test_collections_are_listed_added_and_moved_by_the_api_rules(api, admin_client):
    photos = create_collection(api, "Photos")
    page = admin_client.get("/admin/uploads/uploadcollection/")
    assert page.status_code == 200 and "Photos" in page.content.decode()
    added = admin_client.post(
        "/admin/uploads/uploadcollection/add/", {"label": "Docs", "parent": "", "position": "1"}
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    assert library(api) == [("Docs", None, 1), ("Photos", None, 2)]
    summer = create_collection(api, "Summer", parent=photos["id"])
    url = change_url("uploads", "uploadcollection", photos["id"])
    loop = admin_client.post(url, {"label": "Photos", "parent": summer["id"], "position": ""})
    assert loop.status_code == 200 and "VALIDATION_CYCLE" in loop.content.decode()
    assert UploadCollection.objects.get(pk=photos["id"]).parent_id is None
    delete = admin_client.post(
        f"/admin/uploads/uploadcollection/{photos['id']}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 302
    assert library(api) == [("Docs", None, 1)]


def test_tags_are_listed_and_added_by_the_api_rules(api, admin_client):
    create_upload(api, png_bytes(), tags=["sea"])
    page = admin_client.get("/admin/uploads/uploadtag/")
    assert page.status_code == 200 and "sea" in page.content.decode()
    added = admin_client.post("/admin/uploads/uploadtag/add/", {"name": "sky"})
    assert added.status_code == 302, added.content.decode()[:2000]
    again = admin_client.post("/admin/uploads/uploadtag/add/", {"name": "sky"})
    assert again.status_code == 200 and "VALIDATION_UNIQUENESS" in again.content.decode()
    assert sorted(UploadTag.objects.values_list("name", flat=True)) == ["sea", "sky"]


def test_an_upload_shows_its_collection(api, admin_client):
    photos = create_collection(api, "Photos")
    upload = create_upload(api, png_bytes())
    Upload.objects.filter(pk=upload["id"]).update(upload_collection_id=photos["id"])
    listed = admin_client.get("/admin/uploads/upload/").content.decode()
    assert "Photos" in listed
    detail = admin_client.get(change_url("uploads", "upload", upload["id"])).content.decode()
    assert "Photos" in detail
