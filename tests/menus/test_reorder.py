"""Reorders as jobs (SPEC-2 §3): the 202, the job run as a worker runs it, its result at
/job-results/:id; bad bodies refused before anything is queued."""

import pytest

from cms.ids import new_id
from jobs.models import Job
from tests.conftest import error_codes, make_api
from tests.menus.conftest import PATHS, create, menu, rows, run_jobs

pytestmark = pytest.mark.usefixtures("queue")
UNKNOWN = new_id()  # well formed, and no item's


@pytest.fixture
def api(transactional_db):
    """Committed: the job reads what the requests wrote."""
    return make_api("admin")


def entry(type_, id_, position, parent=...):
    found = {"type": type_, "id": id_, "attributes": {"position": position}}
    if parent is not ...:
        found["relationships"] = {"parent": {"data": parent and {"type": type_, "id": parent}}}
    return found


def reordered(api, type_, entries, raw=False) -> dict:
    """POST the reorder, run its job; the job's result as /job-results answers it."""
    body = entries if raw else {"data": entries}
    response = api.post(f"{PATHS[type_]}/reorder", body)
    assert response.status_code == 202, response.body
    assert response.body["data"]["type"] == "job"
    job_id = response.body["data"]["id"]
    assert api.get(f"/job-results/{job_id}").status_code == 404  # not run yet
    (job,) = run_jobs()
    assert job.id == job_id
    result = api.get(f"/job-results/{job_id}")
    assert result.status_code == 200
    return result.body["data"]["attributes"]


@pytest.mark.parametrize("type_", ["menu_item", "schema_menu_item"])
def test_a_reorder_is_a_job_and_moves_every_item_named(api, type_):
    a, b, c = (create(api, label, type_=type_) for label in "ABC")
    c1 = create(api, "C1", parent=c["id"], type_=type_)

    result = reordered(
        api,
        type_,
        [
            entry(type_, c["id"], 1, None),
            entry(type_, a["id"], 1, c["id"]),
            entry(type_, c1["id"], 2, c["id"]),
            entry(type_, b["id"], 2, None),
        ],
    )

    assert result["status"] == 200
    payload = result["payload"]["data"]
    assert [r["id"] for r in payload] == [c["id"], a["id"], c1["id"], b["id"]]
    assert payload[1]["relationships"]["parent"]["data"] == {"type": type_, "id": c["id"]}
    assert menu(api, type_) == [("C", None, 1), ("A", "C", 1), ("C1", "C", 2), ("B", None, 2)]


def test_items_left_out_keep_their_order_around_the_ones_named(api):
    a, b, c, d = (create(api, label) for label in "ABCD")
    # A bare array, as DatoCMS's docs example sends; no parent: the item's own.
    result = reordered(api, "menu_item", [entry("menu_item", d["id"], 2)], raw=True)
    assert result["status"] == 200
    assert menu(api) == [("A", None, 1), ("D", None, 2), ("B", None, 3), ("C", None, 4)]


BAD_BODIES = [
    ("not a list", {"data": {"type": "menu_item"}}, ("INVALID_FORMAT", None, None)),
    ("no body", None, ("INVALID_FORMAT", None, None)),
    ("wrong type", [("schema_menu_item", "A", 1, ...)], ("INVALID_TYPE", "type", None)),
    (
        "unknown id",
        [("menu_item", UNKNOWN, 1, ...)],
        ("INVALID_FIELD", "id", "VALIDATION_NOT_FOUND"),
    ),
    ("no id", [("menu_item", None, 1, ...)], ("INVALID_FIELD", "id", "VALIDATION_REQUIRED")),
    (
        "twice",
        [("menu_item", "A", 1, ...), ("menu_item", "A", 2, ...)],
        ("INVALID_FIELD", "id", "VALIDATION_UNIQUENESS"),
    ),
    (
        "no position",
        [("menu_item", "A", None, ...)],
        ("INVALID_FIELD", "position", "VALIDATION_REQUIRED"),
    ),
    (
        "position 0",
        [("menu_item", "A", 0, ...)],
        ("INVALID_FIELD", "position", "VALIDATION_NUMBER_RANGE"),
    ),
    (
        "position as text",
        [("menu_item", "A", "1", ...)],
        ("INVALID_FIELD", "position", "VALIDATION_FORMAT"),
    ),
    (
        "unknown parent",
        [("menu_item", "A", 1, UNKNOWN)],
        ("INVALID_RELATIONSHIP", "parent", "VALIDATION_NOT_FOUND"),
    ),
    (
        "itself as parent",
        [("menu_item", "A", 1, "A")],
        ("INVALID_RELATIONSHIP", "parent", "VALIDATION_CYCLE"),
    ),
    (
        "a loop of two",
        [("menu_item", "A", 1, "B"), ("menu_item", "B", 1, "A")],
        ("INVALID_RELATIONSHIP", "parent", "VALIDATION_CYCLE"),
    ),
]


@pytest.mark.parametrize("case, entries, expected", BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_a_bad_reorder_is_refused_before_anything_is_queued(api, case, entries, expected):
    ids = {label: create(api, label)["id"] for label in "AB"}
    if isinstance(entries, list):
        body = {"data": []}
        for type_, id_, position, parent in entries:
            found = entry(type_, ids.get(id_, id_), position, ids.get(parent, parent))
            if id_ is None:
                del found["id"]
            if position is None:
                del found["attributes"]["position"]
            body["data"].append(found)
    else:
        body = entries
    before = rows()

    response = api.post("/menu-items/reorder", body)

    assert response.status_code == 422, response.body
    assert expected in error_codes(response), error_codes(response)
    assert not Job.objects.exists()
    assert rows() == before


def test_a_reorder_that_became_impossible_fails_as_a_job(api):
    a, b = create(api, "A"), create(api, "B")
    response = api.post("/menu-items/reorder", {"data": [entry("menu_item", a["id"], 1, b["id"])]})
    assert response.status_code == 202
    api.delete(f"/menu-items/{b['id']}")  # before the job runs

    (job,) = run_jobs()

    assert (job.state, job.status) == (Job.State.FAILED, 422)
    codes = [e["attributes"]["details"].get("field") for e in job.payload["data"]]
    assert codes == ["parent"]
    assert menu(api) == [("A", None, 1)]


def test_reorder_needs_a_writer(api, transactional_db):
    a = create(api, "A")
    readonly = make_api("readonly")
    response = readonly.post("/menu-items/reorder", {"data": [entry("menu_item", a["id"], 1)]})
    assert response.status_code == 403
    editor = make_api("editor")
    refused = editor.post(
        "/schema-menu-items/reorder", {"data": []}
    )  # the schema sidebar is an admin's
    assert refused.status_code == 403
    assert not Job.objects.exists()
