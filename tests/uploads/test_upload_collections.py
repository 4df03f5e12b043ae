"""Upload collections over HTTP (SPEC-2 §7.3): CRUD, nesting, dense positions, children on
update, cycles refused, the reorder job, and a delete that keeps the uploads."""

import pytest

from cms.ids import new_id
from jobs.models import Job
from tests.conftest import error_codes, make_api
from tests.menus.conftest import queue  # noqa: F401 (a fixture)
from tests.uploads.library import (
    create_collection,
    job_done,
    library,
    link,
    make_uploads,
    stored,
)
from uploads.models import Upload, UploadCollection

UNKNOWN = new_id()


@pytest.fixture
def api(transactional_db):
    """Committed: jobs read what the requests wrote."""
    return make_api("editor")  # collections are content: an editor's


def put(api, collection_id, attributes=None, **relationships):
    data = {"type": "upload_collection", "attributes": attributes or {}}
    data["relationships"] = {
        name: (
            {"data": [{"type": "upload_collection", "id": i} for i in value]}
            if isinstance(value, list)
            else link("upload_collection", value)
        )
        for name, value in relationships.items()
    }
    return api.put(f"/upload-collections/{collection_id}", {"data": data})


def test_create_find_list_and_filter_by_ids(api):
    chosen = new_id()
    photos = create_collection(api, "Photos")
    response = api.post(
        "/upload-collections",
        {"data": {"type": "upload_collection", "id": chosen, "attributes": {"label": "Docs"}}},
    )
    assert response.status_code == 201, response.body
    assert response.body["data"]["id"] == chosen
    assert response.body["data"]["attributes"] == {"label": "Docs", "position": 2}
    first = create_collection(api, "First", position=1)
    inside = create_collection(api, "Summer", parent=photos["id"])
    assert inside["relationships"]["parent"]["data"] == {
        "type": "upload_collection",
        "id": photos["id"],
    }

    found = api.get(f"/upload-collections/{photos['id']}").body["data"]
    assert found["attributes"] == {"label": "Photos", "position": 2}
    assert found["relationships"]["children"]["data"] == [
        {"type": "upload_collection", "id": inside["id"]}
    ]
    assert library(api) == [
        ("First", None, 1),
        ("Photos", None, 2),
        ("Summer", "Photos", 1),
        ("Docs", None, 3),
    ]
    some = api.get(f"/upload-collections?filter[ids]={chosen},{first['id']}").body["data"]
    assert [c["id"] for c in some] == [first["id"], chosen]
    assert api.get(f"/upload-collections/{UNKNOWN}").status_code == 404


def test_update_moves_a_collection_and_closes_the_gap(api):
    a, b, c = (create_collection(api, label) for label in "ABC")
    response = put(api, a["id"], {"label": "A2", "position": 2}, parent=c["id"])
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"] == {"label": "A2", "position": 1}
    assert library(api) == [("B", None, 1), ("C", None, 2), ("A2", "C", 1)]
    assert put(api, a["id"], {"position": 1}, parent=None).status_code == 200
    assert library(api) == [("A2", None, 1), ("B", None, 2), ("C", None, 3)]


def test_children_on_update_become_exactly_those_listed(api):
    group, x, y, z = (create_collection(api, label) for label in ("G", "X", "Y", "Z"))
    put(api, group["id"], children=[x["id"], y["id"]])
    response = put(api, group["id"], children=[y["id"], z["id"]])  # x leaves, z comes in
    assert response.status_code == 200, response.body
    assert response.body["data"]["relationships"]["children"]["data"] == [
        {"type": "upload_collection", "id": y["id"]},
        {"type": "upload_collection", "id": z["id"]},
    ]
    assert library(api) == [("G", None, 1), ("Y", "G", 1), ("Z", "G", 2), ("X", None, 2)]


def test_a_collection_under_itself_is_refused_naming_it(api):
    a = create_collection(api, "A")
    b = create_collection(api, "B", parent=a["id"])
    before = stored()
    for response in (
        put(api, a["id"], parent=b["id"]),
        put(api, a["id"], parent=a["id"]),
        put(api, b["id"], children=[a["id"]]),
    ):
        assert response.status_code == 422, response.body
        codes = error_codes(response)
        assert codes[0][0] == "INVALID_RELATIONSHIP" and codes[0][2] == "VALIDATION_CYCLE"
        assert response.body["data"][0]["attributes"]["details"]["id"] == a["id"]
    assert stored() == before


@pytest.mark.parametrize(
    ("attributes", "relationships", "expected"),
    [
        ({}, {}, ("INVALID_FIELD", "label", "VALIDATION_REQUIRED")),
        ({"label": " "}, {}, ("INVALID_FIELD", "label", "VALIDATION_REQUIRED")),
        ({"label": 3}, {}, ("INVALID_FIELD", "label", "VALIDATION_FORMAT")),
        ({"label": "x" * 256}, {}, ("INVALID_FIELD", "label", "VALIDATION_LENGTH")),
        (
            {"label": "L", "position": 0},
            {},
            ("INVALID_FIELD", "position", "VALIDATION_NUMBER_RANGE"),
        ),
        ({"label": "L", "position": "1"}, {}, ("INVALID_FIELD", "position", "VALIDATION_FORMAT")),
        (
            {"label": "L", "color": "red"},
            {},
            ("INVALID_ATTRIBUTES", "color", "VALIDATION_UNKNOWN_ATTRIBUTE"),
        ),
        (
            {"label": "L"},
            {"parent": link("upload_collection", UNKNOWN)},
            ("INVALID_RELATIONSHIP", "parent", "VALIDATION_NOT_FOUND"),
        ),
        (
            {"label": "L"},
            {"parent": link("menu_item", UNKNOWN)},
            ("INVALID_RELATIONSHIP", "parent", "INVALID_TYPE"),
        ),
    ],
)
def test_a_bad_create_is_refused_and_writes_nothing(api, attributes, relationships, expected):
    create_collection(api, "Existing")
    before = stored()
    body = {
        "data": {
            "type": "upload_collection",
            "attributes": attributes,
            "relationships": relationships,
        }
    }
    response = api.post("/upload-collections", body)
    assert response.status_code == 422, response.body
    assert expected in error_codes(response), error_codes(response)
    assert stored() == before


def test_a_taken_id_is_refused(api):
    taken = create_collection(api, "A")["id"]
    response = api.post(
        "/upload-collections",
        {"data": {"type": "upload_collection", "id": taken, "attributes": {"label": "B"}}},
    )
    assert response.status_code == 422
    assert error_codes(response) == [("INVALID_ENTITY_ID", "id", "VALIDATION_UNIQUENESS")]
    assert library(api) == [("A", None, 1)]


def test_delete_takes_the_sub_collections_and_keeps_their_uploads(api):
    a, b = create_collection(api, "A"), create_collection(api, "B")
    a1 = create_collection(api, "A1", parent=a["id"])
    a11 = create_collection(api, "A11", parent=a1["id"])
    kept = make_uploads(1, upload_collection_id=b["id"])
    loose = make_uploads(3, upload_collection_id=a1["id"])
    loose += make_uploads(1, upload_collection_id=a11["id"])

    response = api.delete(f"/upload-collections/{a['id']}")

    assert response.status_code == 200, response.body
    assert response.body["data"]["id"] == a["id"]
    assert library(api) == [("B", None, 1)]  # B moved up
    assert not UploadCollection.objects.filter(pk__in=[a1["id"], a11["id"]]).exists()
    assert Upload.objects.filter(pk__in=loose, upload_collection=None).count() == 4
    assert Upload.objects.get(pk=kept[0]).upload_collection_id == b["id"]
    assert api.get(f"/uploads/{loose[0]}").body["data"]["relationships"]["upload_collection"] == {
        "data": None
    }


def entry(id_, position, parent=...):
    found = {"type": "upload_collection", "id": id_, "attributes": {"position": position}}
    if parent is not ...:
        found["relationships"] = {"parent": link("upload_collection", parent)}
    return found


@pytest.mark.usefixtures("queue")
def test_reorder_is_a_job_that_moves_every_collection_named(api):
    a, b, c = (create_collection(api, label) for label in "ABC")
    response = api.post(
        "/upload-collections/reorder",
        {"data": [entry(c["id"], 1, None), entry(a["id"], 1, c["id"]), entry(b["id"], 2)]},
    )
    result = job_done(api, response)
    assert result["status"] == 200
    assert [r["id"] for r in result["payload"]["data"]] == [c["id"], a["id"], b["id"]]
    assert result["payload"]["data"][0]["type"] == "upload_collection"
    assert library(api) == [("C", None, 1), ("A", "C", 1), ("B", None, 2)]


@pytest.mark.usefixtures("queue")
@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (lambda a, b: [entry(a, 1, b), entry(b, 1, a)], "VALIDATION_CYCLE"),
        (lambda a, b: [entry(a, 1), entry(UNKNOWN, 2)], "VALIDATION_NOT_FOUND"),
        (lambda a, b: [entry(a, 1, UNKNOWN)], "VALIDATION_NOT_FOUND"),
        (lambda a, b: [entry(a, 0)], "VALIDATION_NUMBER_RANGE"),
        (lambda a, b: [entry(a, 1), entry(a, 2)], "VALIDATION_UNIQUENESS"),
    ],
)
def test_a_bad_reorder_is_refused_before_anything_is_queued(api, entries, expected):
    a, b = create_collection(api, "A"), create_collection(api, "B")
    before = stored()
    response = api.post("/upload-collections/reorder", {"data": entries(a["id"], b["id"])})
    assert response.status_code == 422, response.body
    assert expected in [code for _, _, code in error_codes(response)], error_codes(response)
    assert "index" in response.body["data"][0]["attributes"]["details"]
    assert not Job.objects.exists()
    assert stored() == before


def test_collections_need_a_writer(api):
    create_collection(api, "A")
    readonly = make_api("readonly")
    body = {"data": {"type": "upload_collection", "attributes": {"label": "B"}}}
    assert readonly.post("/upload-collections", body).status_code == 403
    assert readonly.get("/upload-collections").status_code == 200
    assert library(api) == [("A", None, 1)]
