"""Uploads over HTTP: the signed three-step flow, one-step multipart, the uploads API."""

import hashlib
import io
import json
import time
from urllib.parse import urlsplit

import pytest
from django.core import signing

from tests.conftest import (
    create_upload,
    error_codes,
    jpeg_bytes,
    png_bytes,
    put_bytes,
    request_upload,
    stored_files,
)
from uploads import services, storage
from uploads.models import Upload, UploadRequest

CORRUPT_PNG = png_bytes()[:40] + b"\x00garbage" * 10


def test_upload_request_answers_a_path_and_a_signed_url(api):
    data = request_upload(api, "My Photo.png")
    assert data["type"] == "upload_request"
    assert data["id"].startswith("/") and data["id"].endswith("/My_Photo.png")
    assert data["attributes"]["request_headers"] == {}
    url = data["attributes"]["url"]
    assert url.startswith("http://testserver/upload-content/")


def test_the_three_step_flow_reads_facts_from_the_file(api, upload_storage):
    content = png_bytes(3, 2)
    upload = create_upload(
        api,
        content,
        "photo.png",
        author="Ann",
        copyright="CC-BY",
        notes="n",
        tags=["red", "tiny", "red"],
        default_field_metadata={"en": {"alt": "A red dot"}},
    )
    attributes = upload["attributes"]
    assert upload["type"] == "upload"
    assert attributes["width"] == 3 and attributes["height"] == 2
    assert attributes["size"] == len(content)
    assert attributes["md5"] == hashlib.md5(content).hexdigest()
    assert attributes["mime_type"] == "image/png"
    assert attributes["format"] == "png"
    assert attributes["is_image"] is True
    assert attributes["filename"] == "photo.png" and attributes["basename"] == "photo"
    assert attributes["tags"] == ["red", "tiny"]
    assert (attributes["author"], attributes["copyright"], attributes["notes"]) == (
        "Ann",
        "CC-BY",
        "n",
    )
    assert attributes["default_field_metadata"] == {
        "en": {"alt": "A red dot", "title": None, "custom_data": {}, "focal_point": None}
    }
    assert upload["relationships"]["creator"]["data"]["type"] == "access_token"
    served = api.client.get(urlsplit(attributes["url"]).path)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == content
    assert "sandbox" in served["Content-Security-Policy"]
    assert stored_files(upload_storage) == [attributes["path"].lstrip("/")]


def test_the_client_cannot_lie_about_image_facts(api):
    upload = create_upload(api, jpeg_bytes(8, 4), "photo.png", width=1000, height=1000)
    assert upload["attributes"]["width"] == 8
    assert upload["attributes"]["mime_type"] == "image/jpeg"
    assert upload["attributes"]["format"] == "jpg"


def test_a_corrupt_image_is_a_plain_file(api):
    upload = create_upload(api, CORRUPT_PNG, "broken.png")
    attributes = upload["attributes"]
    assert attributes["is_image"] is False
    assert attributes["width"] is None and attributes["height"] is None
    assert attributes["mime_type"] == "image/png"  # from the name; the bytes aren't an image
    assert attributes["size"] == len(CORRUPT_PNG)


def test_a_document(api):
    upload = create_upload(api, b"%PDF-1.4 not really", "report.pdf")
    assert upload["attributes"]["is_image"] is False
    assert upload["attributes"]["mime_type"] == "application/pdf"
    assert upload["attributes"]["format"] == "pdf"


@pytest.mark.parametrize(
    ("filename", "stored_as"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("/abs/path/x.png", "x.png"),
        ("héllo wörld.PNG", "héllo_wörld.PNG"),
        ("...", "file"),
        ("a\x01b\nc.png", "abc.png"),  # (a NUL is refused: tests/cms/test_malformed_input.py)
        ("<script>.png", "script.png"),
        ("x" * 500 + ".png", "x" * 116 + ".png"),
    ],
)
def test_odd_file_names_are_neutralised(api, upload_storage, filename, stored_as):
    upload = create_upload(api, png_bytes(), filename)
    assert upload["attributes"]["filename"] == stored_as
    [stored] = stored_files(upload_storage)
    assert stored.endswith("/" + stored_as)
    assert ".." not in stored


def test_upload_request_needs_a_filename(api):
    for attributes in ({}, {"filename": ""}, {"filename": 3}):
        response = api.post(
            "/upload-requests", {"data": {"type": "upload_request", "attributes": attributes}}
        )
        assert response.status_code == 422
        assert error_codes(response) == [("INVALID_FIELD", "filename", "VALIDATION_REQUIRED")]
    assert not UploadRequest.objects.exists()


def test_a_forged_signature_is_refused_and_stores_nothing(api, upload_storage):
    data = request_upload(api)
    url = data["attributes"]["url"]
    response = put_bytes(api, url[:-3] + "xyz", png_bytes())
    assert response.status_code == 403
    assert response.json()["data"][0]["attributes"]["code"] == "INVALID_UPLOAD_SIGNATURE"
    other = put_bytes(api, "http://testserver/upload-content/nope", png_bytes())
    assert other.status_code == 403
    assert stored_files(upload_storage) == []


def test_an_expired_url_is_refused(api, upload_storage, monkeypatch, settings):
    real_time = time.time
    monkeypatch.setattr(
        signing.time, "time", lambda: real_time() - settings.CMS_UPLOAD_URL_MAX_AGE - 5
    )
    data = request_upload(api)
    monkeypatch.setattr(signing.time, "time", real_time)
    response = put_bytes(api, data["attributes"]["url"], png_bytes())
    assert response.status_code == 403
    assert response.json()["data"][0]["attributes"]["code"] == "UPLOAD_URL_EXPIRED"
    assert stored_files(upload_storage) == []


def test_a_url_works_once(api, upload_storage):
    data = request_upload(api)
    first = png_bytes(color=(1, 2, 3))
    assert put_bytes(api, data["attributes"]["url"], first).status_code == 200
    again = put_bytes(api, data["attributes"]["url"], png_bytes(color=(9, 9, 9)))
    assert again.status_code == 403
    assert again.json()["data"][0]["attributes"]["code"] == "UPLOAD_URL_ALREADY_USED"
    assert (upload_storage / data["id"].lstrip("/")).read_bytes() == first


def test_the_signed_url_takes_only_put(api):
    data = request_upload(api)
    response = api.client.get(urlsplit(data["attributes"]["url"]).path)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_an_oversized_put_is_refused_before_reading(api, upload_storage, settings):
    settings.CMS_MAX_UPLOAD_BYTES = 100
    data = request_upload(api)
    response = put_bytes(api, data["attributes"]["url"], b"x" * 101)
    assert response.status_code == 413
    assert response.json()["data"][0]["attributes"]["code"] == "UPLOAD_TOO_LARGE"
    assert stored_files(upload_storage) == []


def test_a_body_longer_than_announced_is_cut_off_while_streaming(upload_storage, settings):
    settings.CMS_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(services.ApiError) as raised:
        storage.save_stream("x/big.bin", io.BytesIO(b"y" * 5000), 1000)
    assert raised.value.code == "UPLOAD_TOO_LARGE"
    assert stored_files(upload_storage) == []


def test_creating_from_a_path_that_was_never_uploaded(api):
    data = request_upload(api)
    for path in (data["id"], "/nope/never.png", "../../etc/passwd"):
        response = api.post("/uploads", {"data": {"type": "upload", "attributes": {"path": path}}})
        assert response.status_code == 422
        assert error_codes(response) == [("INVALID_FIELD", "path", "VALIDATION_NOT_UPLOADED")]
    response = api.post("/uploads", {"data": {"type": "upload", "attributes": {}}})
    assert error_codes(response) == [("INVALID_FIELD", "path", "VALIDATION_REQUIRED")]
    assert not Upload.objects.exists()


def test_one_file_makes_one_upload(api):
    data = request_upload(api)
    put_bytes(api, data["attributes"]["url"], png_bytes())
    body = {"data": {"type": "upload", "attributes": {"path": data["id"]}}}
    assert api.post("/uploads", body).status_code == 201
    again = api.post("/uploads", body)
    assert again.status_code == 422
    assert error_codes(again) == [("INVALID_FIELD", "path", "VALIDATION_UNIQUENESS")]
    assert Upload.objects.count() == 1


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"tags": "a,b"}, ("INVALID_FIELD", "tags", "VALIDATION_FORMAT")),
        ({"tags": [""]}, ("INVALID_FIELD", "tags", "VALIDATION_REQUIRED")),  # uploads.tags
        ({"author": 5}, ("INVALID_FIELD", "author", "VALIDATION_FORMAT")),
        (
            {"default_field_metadata": {"xx": {}}},
            ("INVALID_FIELD", "default_field_metadata", "INVALID_LOCALES"),
        ),
        (
            {"default_field_metadata": {"en": {"alt": 1}}},
            ("INVALID_FIELD", "default_field_metadata", "INVALID_FORMAT"),
        ),
        (
            {"default_field_metadata": {"en": {"focal_point": {"x": 2, "y": 0}}}},
            ("INVALID_FIELD", "default_field_metadata", "INVALID_FORMAT"),
        ),
        ({"shiny": True}, ("INVALID_ATTRIBUTES", "shiny", "VALIDATION_UNKNOWN_ATTRIBUTE")),
    ],
)
def test_bad_attributes_write_nothing(api, attributes, expected):
    data = request_upload(api)
    put_bytes(api, data["attributes"]["url"], png_bytes())
    response = api.post(
        "/uploads", {"data": {"type": "upload", "attributes": {"path": data["id"], **attributes}}}
    )
    assert response.status_code == 422
    assert error_codes(response) == [expected]
    assert not Upload.objects.exists()


def test_one_step_multipart_upload(api, upload_storage):
    content = png_bytes(5, 4)
    response = api.client.post(
        "/uploads",
        {
            "file": io.BytesIO(content),
            "author": "Bo",
            "tags": "x, y",
            "default_field_metadata": '{"en": {"title": "T"}}',
        },
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 201, response.content
    attributes = response.json()["data"]["attributes"]
    assert (attributes["width"], attributes["height"]) == (5, 4)
    assert attributes["md5"] == hashlib.md5(content).hexdigest()
    assert attributes["author"] == "Bo" and attributes["tags"] == ["x", "y"]
    assert attributes["default_field_metadata"]["en"]["title"] == "T"
    assert len(stored_files(upload_storage)) == 1


def test_multipart_refusals_store_nothing(api, upload_storage, settings):
    auth = {"Authorization": f"Bearer {api.token}"}
    missing = api.client.post("/uploads", {"author": "Bo"}, headers=auth)
    assert missing.status_code == 422
    assert missing.json()["data"][0]["attributes"]["details"]["field"] == "file"
    bad_metadata = api.client.post(
        "/uploads",
        {"file": io.BytesIO(png_bytes()), "default_field_metadata": "{nope"},
        headers=auth,
    )
    assert bad_metadata.status_code == 422
    bad_locale = api.client.post(
        "/uploads",
        {"file": io.BytesIO(png_bytes()), "default_field_metadata": '{"xx": {}}'},
        headers=auth,
    )
    assert bad_locale.status_code == 422
    settings.CMS_MAX_UPLOAD_BYTES = 1000
    too_big = api.client.post("/uploads", {"file": io.BytesIO(b"z" * 5000)}, headers=auth)
    assert too_big.status_code == 413
    assert too_big.json()["data"][0]["attributes"]["code"] == "UPLOAD_TOO_LARGE"
    assert stored_files(upload_storage) == []
    assert not Upload.objects.exists()


def test_a_multipart_form_of_too_many_parts_is_a_bad_request(api, upload_storage, settings):
    """Found by the fuzz test: Django's TooManyFieldsSent was a 500."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = api.client.post(
        "/uploads",
        {"file": io.BytesIO(png_bytes()), "tags": [f"t{i}" for i in range(11)]},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 400
    assert response.json()["data"][0]["attributes"]["code"] == "TOO_MANY_FIELDS"
    assert stored_files(upload_storage) == []
    assert not Upload.objects.exists()


def test_roles(api, editor_api, readonly_api, anonymous_api):
    upload = create_upload(api, png_bytes())
    assert request_upload(editor_api)["type"] == "upload_request"
    body = {"data": {"type": "upload_request", "attributes": {"filename": "x.png"}}}
    assert readonly_api.post("/upload-requests", body).status_code == 403
    assert readonly_api.get(f"/uploads/{upload['id']}").status_code == 200
    assert readonly_api.delete(f"/uploads/{upload['id']}").status_code == 403
    assert anonymous_api.get("/uploads").status_code == 401


def test_list_pages_and_counts(api):
    ids = [create_upload(api, png_bytes(color=(i, 0, 0)))["id"] for i in range(5)]
    page = api.get("/uploads?page[offset]=0&page[limit]=2")
    assert page.body["meta"]["total_count"] == 5
    assert len(page.body["data"]) == 2
    seen = []
    for offset in range(0, 5, 2):
        seen += [
            u["id"] for u in api.get(f"/uploads?page[offset]={offset}&page[limit]=2").body["data"]
        ]
    assert sorted(seen) == sorted(ids)
    assert [u["id"] for u in api.get("/uploads?order_by=created_at_ASC").body["data"]] == ids


def test_list_filters(api):
    red = png_bytes(color=(255, 0, 0))
    photo = create_upload(
        api,
        red,
        "sunset.png",
        tags=["holiday"],
        default_field_metadata={"en": {"alt": "Orange sky", "title": "Evening"}},
    )
    document = create_upload(api, b"%PDF-1.4", "invoice.pdf")
    video = create_upload(api, b"\x00\x00\x00\x18ftypmp42", "clip.mp4")

    def ids(query):
        response = api.get("/uploads?" + query)
        assert response.status_code == 200, response.body
        return {u["id"] for u in response.body["data"]}

    md5 = hashlib.md5(red).hexdigest()
    assert ids(f"filter[fields][md5][eq]={md5}") == {photo["id"]}
    assert ids("filter[type]=image") == {photo["id"]}
    assert ids("filter[type]=document") == {document["id"]}
    assert ids("filter[type]=video") == {video["id"]}
    assert ids("filter[type]=video,document") == {video["id"], document["id"]}
    assert ids("filter[query]=orange") == {photo["id"]}
    assert ids("filter[query]=EVENING") == {photo["id"]}
    assert ids("filter[query]=holiday") == {photo["id"]}
    assert ids("filter[query]=invoice") == {document["id"]}
    assert ids(f"filter[ids]={photo['id']},{video['id']}") == {photo["id"], video["id"]}
    assert ids("filter[fields][size][gt]=20") == {photo["id"]}
    assert ids("filter[fields][width][exists]=true") == {photo["id"]}
    assert ids("filter[fields][format][in]=pdf,mp4") == {document["id"], video["id"]}
    assert ids("filter[fields][filename][matches][pattern]=^SUN") == {photo["id"]}
    assert ids("filter[fields][type][neq]=image") == {document["id"], video["id"]}
    assert ids(f"filter[fields][md5][in][]={md5}&filter[fields][md5][in][]=x") == {photo["id"]}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("filter[fields][colour][eq]=red", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[fields][size][near]=3", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[fields][size][gt]=big", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[fields][created_at][gt]=yesterday", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[type]=hologram", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[kind]=image", "INVALID_FILTER_FIELDS_PARAM"),
        ("order_by=colour_ASC", "INVALID_ORDERING"),
        ("order_by=size_UP", "INVALID_ORDERING"),
        ("page[limit]=501", "INVALID_PAGINATION"),
        ("page[limit]=0", "INVALID_PAGINATION"),
        ("page[offset]=-1", "INVALID_PAGINATION"),
        ("page[size]=3", "INVALID_PAGINATION"),
        ("sort=size", "INVALID_QUERY_PARAMETERS"),
    ],
)
def test_bad_list_parameters_are_refused(api, query, code):
    response = api.get("/uploads?" + query)
    assert response.status_code == 422
    assert error_codes(response)[0][0] == code


def test_list_query_count_is_constant(api, django_assert_max_num_queries):
    for index in range(6):
        create_upload(api, png_bytes(color=(index, 1, 1)))
    with django_assert_max_num_queries(4):  # token, last-used, page, count
        response = api.get("/uploads")
    assert len(response.body["data"]) == 6


def test_update_metadata(api):
    upload = create_upload(api, png_bytes())
    response = api.put(
        f"/uploads/{upload['id']}",
        {
            "data": {
                "type": "upload",
                "id": upload["id"],
                "attributes": {
                    "author": "Zed",
                    "tags": ["b"],
                    "default_field_metadata": {
                        "en": {"alt": "New alt", "focal_point": {"x": 0.5, "y": 0.25}}
                    },
                },
            }
        },
    )
    assert response.status_code == 200, response.body
    attributes = response.body["data"]["attributes"]
    assert attributes["author"] == "Zed" and attributes["tags"] == ["b"]
    assert attributes["default_field_metadata"]["en"]["focal_point"] == {"x": 0.5, "y": 0.25}
    assert attributes["md5"] == upload["attributes"]["md5"]
    assert api.get("/uploads?filter[query]=new alt").body["meta"]["total_count"] == 1


def test_a_previous_answer_can_be_sent_back(api):
    upload = create_upload(api, png_bytes())
    upload["attributes"]["notes"] = "edited"
    upload["attributes"]["width"] = 9999
    response = api.put(f"/uploads/{upload['id']}", {"data": upload})
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["notes"] == "edited"
    assert response.body["data"]["attributes"]["width"] == 3


def test_rename_and_replace_the_file(api, upload_storage, django_capture_on_commit_callbacks):
    upload = create_upload(api, png_bytes(3, 2), "old.png")
    renamed = api.put(
        f"/uploads/{upload['id']}",
        {"data": {"type": "upload", "attributes": {"basename": "new name"}}},
    )
    assert renamed.body["data"]["attributes"]["filename"] == "new_name.png"
    replacement = request_upload(api, "bigger.png")
    put_bytes(api, replacement["attributes"]["url"], png_bytes(10, 10))
    with django_capture_on_commit_callbacks(execute=True):
        replaced = api.put(
            f"/uploads/{upload['id']}",
            {"data": {"type": "upload", "attributes": {"path": replacement["id"]}}},
        )
    assert replaced.status_code == 200, replaced.body
    attributes = replaced.body["data"]["attributes"]
    assert (attributes["width"], attributes["path"]) == (10, replacement["id"])
    assert stored_files(upload_storage) == [replacement["id"].lstrip("/")]


def test_bad_updates_change_nothing(api):
    upload = create_upload(api, png_bytes())
    response = api.put(
        f"/uploads/{upload['id']}",
        {
            "data": {
                "type": "upload",
                "attributes": {"author": "X", "default_field_metadata": {"fr": {}}},
            }
        },
    )
    assert response.status_code == 422
    assert api.get(f"/uploads/{upload['id']}").body["data"] == upload
    missing = api.put(
        f"/uploads/{upload['id']}",
        {"data": {"type": "upload", "attributes": {"path": "/never/uploaded.png"}}},
    )
    assert error_codes(missing) == [("INVALID_FIELD", "path", "VALIDATION_NOT_UPLOADED")]


def test_delete_answers_the_upload_and_removes_the_file(
    api, upload_storage, django_capture_on_commit_callbacks
):
    upload = create_upload(api, png_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"/uploads/{upload['id']}")
    assert response.status_code == 200
    assert response.body["data"]["id"] == upload["id"]
    assert stored_files(upload_storage) == []
    assert api.get(f"/uploads/{upload['id']}").status_code == 404


def test_delete_is_refused_while_something_uses_the_upload(api, upload_storage, monkeypatch):
    upload = create_upload(api, png_bytes())
    monkeypatch.setattr(
        services,
        "REFERENCE_FINDERS",
        [lambda u: [{"type": "item", "id": "rec1"}] if u.pk == upload["id"] else []],
    )
    response = api.delete(f"/uploads/{upload['id']}")
    assert response.status_code == 422
    assert error_codes(response)[0][0] == "DELETE_RESTRICTION"
    assert Upload.objects.filter(pk=upload["id"]).exists()
    assert len(stored_files(upload_storage)) == 1


def test_media_answers_only_reads_and_a_404_for_names_the_file_system_refuses(api):
    content = png_bytes()
    upload = create_upload(api, content)
    path = urlsplit(upload["attributes"]["url"]).path
    refused = api.client.delete(path)
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD"
    assert json.loads(refused.content)["data"][0]["attributes"]["code"] == "METHOD_NOT_ALLOWED"
    assert b"".join(api.client.get(path).streaming_content) == content  # still there
    too_long = api.client.get("/media/" + "x" * 300)  # past the file system's 255 bytes
    assert too_long.status_code == 404
    assert json.loads(too_long.content)["data"][0]["attributes"]["code"] == "NOT_FOUND"
