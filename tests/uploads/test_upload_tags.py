"""Upload tags and smart tags over HTTP (SPEC-2 §7.4), tags given to uploads recorded for the
list, bad tags refused naming them, and an upload's ``upload_collection`` relationship."""

import pytest

from cms.ids import new_id
from tests.conftest import create_upload, error_codes, png_bytes, put_bytes
from tests.uploads.library import create_collection, link, make_uploads, stored
from uploads.models import TAG_MAX_LENGTH, Upload, UploadTag


def tag_names(api, query="") -> tuple[list[str], int]:
    response = api.get(f"/upload-tags{query}")
    assert response.status_code == 200, response.body
    assert all(
        t["type"] == "upload_tag" and t["id"] == t["attributes"]["name"]
        for t in response.body["data"]
    )
    return [t["id"] for t in response.body["data"]], response.body["meta"]["total_count"]


def test_tags_given_to_uploads_are_listed(api):
    upload = create_upload(api, png_bytes(), tags=["sea", "sky", "sea"])
    assert upload["attributes"]["tags"] == ["sea", "sky"]
    response = api.put(
        f"/uploads/{upload['id']}",
        {"data": {"type": "upload", "attributes": {"tags": [" sun ", "sea"]}}},
    )
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["tags"] == ["sun", "sea"]
    # "sky" stays known though no upload carries it any more.
    assert tag_names(api) == (["sea", "sky", "sun"], 3)


def test_create_a_tag_and_refuse_it_twice(api):
    response = api.post(
        "/upload-tags", {"data": {"type": "upload_tag", "attributes": {"name": "blue"}}}
    )
    assert response.status_code == 201, response.body
    assert response.body["data"] == {
        "type": "upload_tag",
        "id": "blue",
        "attributes": {"name": "blue"},
    }
    again = api.post(
        "/upload-tags", {"data": {"type": "upload_tag", "attributes": {"name": "blue"}}}
    )
    assert again.status_code == 422
    assert error_codes(again) == [("INVALID_FIELD", "name", "VALIDATION_UNIQUENESS")]
    assert tag_names(api) == (["blue"], 1)


BAD_TAGS = [
    ("", "VALIDATION_REQUIRED"),
    ("   ", "VALIDATION_REQUIRED"),
    ("x" * (TAG_MAX_LENGTH + 1), "VALIDATION_LENGTH"),
    (7, "VALIDATION_FORMAT"),
    (None, "VALIDATION_FORMAT"),
]


@pytest.mark.parametrize(("tag", "code"), BAD_TAGS)
def test_a_bad_tag_is_refused_naming_it(api, tag, code):
    create_upload(api, png_bytes(), tags=["kept"])
    before = stored()
    created = api.post(
        "/upload-tags", {"data": {"type": "upload_tag", "attributes": {"name": tag}}}
    )
    assert created.status_code == 422, created.body
    assert error_codes(created) == [("INVALID_FIELD", "name", code)]
    upload_id = Upload.objects.get().id
    updated = api.put(
        f"/uploads/{upload_id}",
        {"data": {"type": "upload", "attributes": {"tags": ["fine", tag]}}},
    )
    assert updated.status_code == 422, updated.body
    assert error_codes(updated) == [("INVALID_FIELD", "tags", code)]
    details = updated.body["data"][0]["attributes"]["details"]
    assert details["index"] == 1 and "tag" in details
    assert stored() == before


def test_a_tag_of_the_longest_length_is_taken(api):
    longest = "é" * TAG_MAX_LENGTH
    response = api.post(
        "/upload-tags", {"data": {"type": "upload_tag", "attributes": {"name": longest}}}
    )
    assert response.status_code == 201, response.body


def test_tags_are_filtered_and_paged(api):
    UploadTag.objects.bulk_create(UploadTag(name=f"tag{n:03}") for n in range(120))
    UploadTag.objects.create(name="Blue_sky")
    names, total = tag_names(api)
    assert (len(names), total) == (50, 121)  # 50 by default
    assert names[0] == "Blue_sky" and names[1] == "tag000"
    names, total = tag_names(api, "?page[offset]=100&page[limit]=500")
    assert (names[0], len(names), total) == ("tag099", 21, 121)
    assert tag_names(api, "?filter[query]=BLUE") == (["Blue_sky"], 1)
    assert tag_names(api, "?filter[query]=_") == (["Blue_sky"], 1)  # no wildcard
    assert tag_names(api, "?filter[query]=tag11&page[limit]=2") == (["tag110", "tag111"], 10)
    for query in ("?page[limit]=501", "?page[limit]=0", "?filter[name]=x", "?sort=name"):
        assert api.get(f"/upload-tags{query}").status_code == 422, query


def test_smart_tags_list_the_distinct_ones_of_the_uploads(api):
    make_uploads(2, smart_tags=["image", "landscape", "red"])
    make_uploads(1, smart_tags=["image", "portrait", "100%_blue"])
    make_uploads(1)  # none
    response = api.get("/upload-smart-tags")
    assert response.status_code == 200, response.body
    assert response.body["data"][0] == {
        "type": "upload_smart_tag",
        "id": "100%_blue",
        "attributes": {"name": "100%_blue"},
    }
    names = [t["id"] for t in response.body["data"]]
    assert names == ["100%_blue", "image", "landscape", "portrait", "red"]
    assert response.body["meta"]["total_count"] == 5
    paged = api.get("/upload-smart-tags?page[offset]=1&page[limit]=2").body
    assert ([t["id"] for t in paged["data"]], paged["meta"]["total_count"]) == (
        ["image", "landscape"],
        5,
    )
    past = api.get("/upload-smart-tags?page[offset]=10").body
    assert (past["data"], past["meta"]["total_count"]) == ([], 5)
    found = api.get("/upload-smart-tags?filter[query]=%25_").body  # "%_", literally
    assert [t["id"] for t in found["data"]] == ["100%_blue"]
    assert api.get("/upload-smart-tags?filter[query]=AIT").body["data"][0]["id"] == "portrait"
    assert api.get("/upload-smart-tags?page[limit]=501").status_code == 422


def test_smart_tags_cost_one_query(api, django_assert_max_num_queries):
    make_uploads(30, smart_tags=["image", "square"])
    api.get("/upload-smart-tags")  # warm: the token
    with django_assert_max_num_queries(6) as few:
        api.get("/upload-smart-tags")
    make_uploads(100, smart_tags=["video"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/upload-smart-tags").body["meta"]["total_count"] == 3


# --- An upload's collection ---------------------------------------------------------------


def upload_body(attributes=None, collection=...) -> dict:
    data = {"type": "upload", "attributes": attributes or {}}
    if collection is not ...:
        data["relationships"] = {"upload_collection": link("upload_collection", collection)}
    return {"data": data}


def test_an_upload_goes_into_a_collection_and_out(api):
    photos = create_collection(api, "Photos")
    upload = create_upload(api, png_bytes())
    response = api.put(f"/uploads/{upload['id']}", upload_body(collection=photos["id"]))
    assert response.status_code == 200, response.body
    assert response.body["data"]["relationships"]["upload_collection"] == link(
        "upload_collection", photos["id"]
    )
    metadata_only = api.put(f"/uploads/{upload['id']}", upload_body({"notes": "n"}))
    assert (
        metadata_only.body["data"]["relationships"]["upload_collection"]["data"]["id"]
        == photos["id"]
    )
    out = api.put(f"/uploads/{upload['id']}", upload_body(collection=None))
    assert out.body["data"]["relationships"]["upload_collection"] == {"data": None}
    assert Upload.objects.get().upload_collection_id is None


def test_an_upload_is_created_in_a_collection(api):
    photos = create_collection(api, "Photos")
    upload = create_upload(api, png_bytes())  # the helper sends attributes only
    request = api.post(
        "/upload-requests",
        {"data": {"type": "upload_request", "attributes": {"filename": "b.png"}}},
    ).body["data"]
    put_bytes(api, request["attributes"]["url"], png_bytes(4, 4))
    response = api.post("/uploads", upload_body({"path": request["id"]}, collection=photos["id"]))
    assert response.status_code == 201, response.body
    assert response.body["data"]["relationships"]["upload_collection"]["data"]["id"] == photos["id"]
    assert upload["relationships"]["upload_collection"] == {"data": None}


def test_an_unknown_collection_is_refused_naming_it(api):
    upload = create_upload(api, png_bytes(), tags=["a"])
    before = stored()
    unknown = new_id()
    response = api.put(f"/uploads/{upload['id']}", upload_body({"tags": ["b"]}, collection=unknown))
    assert response.status_code == 422, response.body
    assert error_codes(response) == [
        ("INVALID_RELATIONSHIP", "upload_collection", "VALIDATION_NOT_FOUND")
    ]
    assert response.body["data"][0]["attributes"]["details"]["id"] == unknown
    wrong_type = api.put(
        f"/uploads/{upload['id']}",
        {"data": {"type": "upload", "relationships": {"upload_collection": link("item", unknown)}}},
    )
    assert error_codes(wrong_type) == [
        ("INVALID_RELATIONSHIP", "upload_collection", "INVALID_TYPE")
    ]
    assert stored() == before


def test_the_migration_lists_the_tags_uploads_carried_before(db):
    from importlib import import_module

    from django.apps import apps

    make_uploads(2, tags=["old", " spaced ", "x" * 65])
    make_uploads(1, tags=["old", "other"])
    UploadTag.objects.all().delete()
    migration = import_module("uploads.migrations.0003_upload_tags_known")
    migration.record_existing_tags(apps, None)
    assert sorted(UploadTag.objects.values_list("name", flat=True)) == ["old", "other", "spaced"]


def test_an_edit_keeps_a_bulk_tag_and_move_committed_after_its_read(api):
    """PUT /uploads/:id reads the upload, then saves: a bulk tag and a collection move
    committed in between (run here through their services, between the stale read and
    the update) survive the save."""
    from cms.api.parsing import ResourceDocument
    from tests.uploads.library import create_collection, make_uploads
    from uploads import bulk, services
    from uploads.models import Upload

    (upload_id,) = make_uploads(1, tags=["old"])
    folder = create_collection(api, "Folder")["id"]
    stale = Upload.objects.get(pk=upload_id)  # what the view's find_upload read
    bulk.bulk_tag(tags_to_add=["added"], upload_ids=[upload_id])
    bulk.bulk_set_collection(collection_id=folder, upload_ids=[upload_id])
    document = ResourceDocument(type="upload", attributes={"notes": "edited"})
    answered = services.upload_update(upload=stale, document=document)
    row = Upload.objects.get(pk=upload_id)
    assert (row.notes, row.tags, row.upload_collection_id) == ("edited", ["old", "added"], folder)
    assert answered.tags == ["old", "added"] and "added" in row.search_text
