"""Uploads in the admin: thumbnails, metadata edited through the API's rules, adding a file."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import change_url, create_upload, png_bytes, stored_files
from uploads.models import Upload


def test_list_shows_thumbnails(api, admin_client):
    upload = create_upload(api, png_bytes(), "dot.png")
    page = admin_client.get("/admin/uploads/upload/").content.decode()
    assert "<img src=" in page and upload["attributes"]["path"] in page
    detail = admin_client.get(change_url("uploads", "upload", upload["id"]))
    assert detail.status_code == 200


def test_metadata_edits_follow_the_api_rules(api, admin_client):
    upload = create_upload(api, png_bytes(), "dot.png")
    url = change_url("uploads", "upload", upload["id"])
    bad = admin_client.post(
        url, {"author": "A", "tags": "", "default_field_metadata": '{"xx": {"alt": "?"}}'}
    )
    assert bad.status_code == 200 and "INVALID_LOCALES" in bad.content.decode()
    assert Upload.objects.get(pk=upload["id"]).author is None
    good = admin_client.post(
        url, {"author": "A", "tags": "one, two", "default_field_metadata": '{"en": {"alt": "Dot"}}'}
    )
    assert good.status_code == 302
    saved = Upload.objects.get(pk=upload["id"])
    assert saved.author == "A" and saved.tags == ["one", "two"]
    assert saved.default_field_metadata["en"]["alt"] == "Dot"


def test_adding_a_file(admin_client, upload_storage):
    response = admin_client.post(
        "/admin/uploads/upload/add/",
        {
            "file": SimpleUploadedFile("added.png", png_bytes(4, 4), content_type="image/png"),
            "tags": "new",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    upload = Upload.objects.get()
    assert (upload.width, upload.is_image, upload.tags) == (4, True, ["new"])
    assert len(stored_files(upload_storage)) == 1
    refused = admin_client.post(
        "/admin/uploads/upload/add/",
        {
            "file": SimpleUploadedFile("x.png", png_bytes()),
            "default_field_metadata": '{"xx": {}}',
        },
    )
    assert refused.status_code == 200 and "INVALID_LOCALES" in refused.content.decode()
    assert Upload.objects.count() == 1 and len(stored_files(upload_storage)) == 1
