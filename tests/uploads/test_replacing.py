"""Replacing an upload's file: ``PUT /uploads/:id`` with a new ``path`` and
``replace_strategy`` (create_new_url, keep_url); facts read again from the new bytes;
refusals change nothing, neither the row nor the files."""

import hashlib
from urllib.parse import urlsplit

import pytest

from tests.conftest import create_upload, error_codes, png_bytes, put_bytes, request_upload
from tests.conftest import stored_files as files_in
from uploads.models import Upload

NEW = png_bytes(10, 6, color=(1, 200, 3))


def uploaded(api, content=NEW, filename="new.png") -> str:
    """An upload request's path, its bytes PUT."""
    upload_request = request_upload(api, filename)
    assert put_bytes(api, upload_request["attributes"]["url"], content).status_code == 200
    return upload_request["id"]


def replace(api, upload_id, path, strategy=None, **attributes):
    query = f"?replace_strategy={strategy}" if strategy else ""
    return api.put(
        f"/uploads/{upload_id}{query}",
        {"data": {"type": "upload", "attributes": {"path": path, **attributes}}},
    )


def download(api, url) -> bytes:
    response = api.client.get(urlsplit(url).path)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("strategy", [None, "create_new_url"])
def test_create_new_url_moves_the_upload_to_the_new_file(
    api, upload_storage, django_capture_on_commit_callbacks, strategy
):
    upload = create_upload(api, png_bytes(3, 2), "old.png", author="Ann")
    path = uploaded(api)
    with django_capture_on_commit_callbacks(execute=True):
        response = replace(api, upload["id"], path, strategy)
    assert response.status_code == 200, response.body
    attributes = response.body["data"]["attributes"]
    assert attributes["path"] == path and attributes["url"] != upload["attributes"]["url"]
    assert (attributes["width"], attributes["height"], attributes["size"]) == (10, 6, len(NEW))
    assert attributes["md5"] == hashlib.md5(NEW).hexdigest()
    assert (attributes["filename"], attributes["author"]) == ("new.png", "Ann")
    assert download(api, attributes["url"]) == NEW
    assert files_in(upload_storage) == [path.lstrip("/")]  # the old file is gone


def test_keep_url_replaces_the_bytes_behind_the_same_url(
    api, upload_storage, django_capture_on_commit_callbacks
):
    old = png_bytes(3, 2)
    upload = create_upload(api, old, "photo.png")
    path = uploaded(api, NEW, "other-name.png")
    with django_capture_on_commit_callbacks(execute=True):
        response = replace(api, upload["id"], path, "keep_url")
    assert response.status_code == 200, response.body
    attributes = response.body["data"]["attributes"]
    before = upload["attributes"]
    assert (attributes["path"], attributes["url"]) == (before["path"], before["url"])
    assert attributes["filename"] == "photo.png"
    assert (attributes["width"], attributes["size"]) == (10, len(NEW))
    assert attributes["md5"] == hashlib.md5(NEW).hexdigest() != before["md5"]
    # The metadata too is the new bytes' (read before they replace the old ones).
    assert attributes["colors"] != before["colors"]
    assert attributes["thumbhash"] != before["thumbhash"]
    assert download(api, before["url"]) == NEW
    # The request's own copy is gone: one file, at the upload's path.
    assert files_in(upload_storage) == [before["path"].lstrip("/")]
    assert (
        api.get(f"/uploads/{upload['id']}").body["data"]["attributes"]["md5"] == (attributes["md5"])
    )


def test_keep_url_with_a_new_basename_renames_only(api):
    upload = create_upload(api, png_bytes(3, 2), "photo.png")
    response = replace(api, upload["id"], uploaded(api), "keep_url", basename="renamed")
    assert response.status_code == 200, response.body
    attributes = response.body["data"]["attributes"]
    assert attributes["filename"] == "renamed.png"
    assert attributes["path"] == upload["attributes"]["path"]


def _unchanged(api, upload, storage_root, files):
    assert api.get(f"/uploads/{upload['id']}").body["data"] == upload
    assert files_in(storage_root) == files


@pytest.mark.parametrize("strategy", ["replace", "KEEP_URL", ""])
def test_an_unknown_strategy_is_refused(api, upload_storage, strategy):
    upload = create_upload(api, png_bytes(3, 2))
    path = uploaded(api)
    files = files_in(upload_storage)
    response = api.put(
        f"/uploads/{upload['id']}?replace_strategy={strategy}x",
        {"data": {"type": "upload", "attributes": {"path": path, "author": "X"}}},
    )
    assert response.status_code == 422, response.body
    attributes = response.body["data"][0]["attributes"]
    assert (attributes["code"], attributes["details"]["parameter"]) == (
        "INVALID_QUERY_PARAMETERS",
        "replace_strategy",
    )
    _unchanged(api, upload, upload_storage, files)


@pytest.mark.parametrize("strategy", ["keep_url", "create_new_url"])
def test_bad_paths_change_nothing(api, upload_storage, strategy):
    upload = create_upload(api, png_bytes(3, 2))
    other = create_upload(api, png_bytes(4, 4))
    requested = request_upload(api, "never-sent.png")["id"]
    files = files_in(upload_storage)
    cases = {
        "/never/issued.png": "VALIDATION_NOT_UPLOADED",
        requested: "VALIDATION_NOT_UPLOADED",  # issued, its bytes never PUT
        other["attributes"]["path"]: "VALIDATION_UNIQUENESS",  # another upload's file
        "": "VALIDATION_REQUIRED",
    }
    for path, code in cases.items():
        response = replace(api, upload["id"], path, strategy, author="X")
        assert response.status_code == 422, (path, response.body)
        assert error_codes(response) == [("INVALID_FIELD", "path", code)], path
    _unchanged(api, upload, upload_storage, files)


def test_a_replacement_over_the_size_limit_keeps_the_old_bytes(api, upload_storage, settings):
    old = png_bytes(3, 2)
    upload = create_upload(api, old, "photo.png")
    path = uploaded(api, NEW)
    settings.CMS_MAX_UPLOAD_BYTES = len(NEW) - 1
    response = replace(api, upload["id"], path, "keep_url")
    assert response.status_code == 413, response.body
    assert api.get(f"/uploads/{upload['id']}").body["data"] == upload
    assert download(api, upload["attributes"]["url"]) == old
    assert Upload.objects.get(pk=upload["id"]).md5 == hashlib.md5(old).hexdigest()


def test_keep_url_deletes_the_old_bytes_variants(
    api, upload_storage, django_capture_on_commit_callbacks
):
    upload = create_upload(api, png_bytes(30, 20), "photo.png")
    media = urlsplit(upload["attributes"]["url"]).path
    assert api.client.get(f"{media}?w=10").status_code == 200
    folder = upload_storage / "_variants" / upload["attributes"]["path"].strip("/")
    assert len(list(folder.iterdir())) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = replace(api, upload["id"], uploaded(api), "keep_url")
    assert response.status_code == 200, response.body
    assert list(folder.iterdir()) == []  # the old bytes' variant went after the commit
    served = api.client.get(f"{media}?w=5")
    assert served.status_code == 200  # the new bytes' variants are made anew
    assert list(folder.iterdir()) != []


def test_a_keep_url_copy_that_fails_keeps_the_old_bytes(api, upload_storage, monkeypatch):
    from uploads import storage

    old = png_bytes(3, 2)
    upload = create_upload(api, old, "photo.png")
    path = uploaded(api, NEW)

    def broken_copy(source, out, size):
        out.write(source.read(5))
        raise OSError("disk full")

    monkeypatch.setattr(storage.shutil, "copyfileobj", broken_copy)
    assert replace(api, upload["id"], path, "keep_url").status_code == 500  # a failed disk
    assert download(api, upload["attributes"]["url"]) == old
    assert Upload.objects.get(pk=upload["id"]).md5 == hashlib.md5(old).hexdigest()
    assert not [p for p in upload_storage.rglob(".partial-*")]  # no half copy left
