"""Forks and destroys over HTTP, against `manage.py serve` (the server and its job worker,
as `make run` starts them) on a fresh database: the 202 job and its result, ids kept,
isolation both ways, refusals that write nothing, destroy, and upload files shared by the
environments until the last one lets go."""

import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import png_bytes
from tests.serving import FAST_JOBS, serving

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("forks") / "data"


@pytest.fixture(scope="module")
def served(data_dir):
    with serving(data_dir, "forks", **FAST_JOBS) as server:
        yield server


def _ok(answer, status=200):
    assert answer[0] == status, answer
    return answer[1]


def create_model(served, api_key: str, environment=None) -> dict:
    body = {"data": {"type": "item_type", "attributes": {"name": api_key, "api_key": api_key}}}
    model = _ok(served.request("POST", "/item-types", body, environment), 201)["data"]
    field = {
        "data": {
            "type": "field",
            "attributes": {"label": "Title", "api_key": "title", "field_type": "string"},
        }
    }
    _ok(served.request("POST", f"/item-types/{model['id']}/fields", field, environment), 201)
    return model


def create_record(served, model: dict, title: str, environment=None, **attributes) -> dict:
    body = {
        "data": {
            "type": "item",
            "attributes": {"title": title, **attributes},
            "relationships": {"item_type": {"data": {"type": "item_type", "id": model["id"]}}},
        }
    }
    return _ok(served.request("POST", "/items", body, environment), 201)["data"]


def fork(served, source: str, new_id: str, query: str = ""):
    body = {"data": {"type": "environment", "id": new_id}}
    return served.request("POST", f"/environments/{source}/fork{query}", body)


def forked(served, source: str, new_id: str) -> dict:
    """A fork run to its end through the job protocol; the job's payload."""
    job = _ok(fork(served, source, new_id), 202)["data"]
    assert job["type"] == "job"
    result = served.job_result(job["id"])
    assert result["status"] == 200, result
    return result["payload"]


def names(served) -> list[str]:
    return sorted(e["id"] for e in served.get("/environments")["data"])


def ids(served, path: str, environment=None) -> list[str]:
    return sorted(r["id"] for r in served.get(path, environment)["data"])


def test_a_fork_copies_everything_and_keeps_every_id(served):
    post = create_model(served, "post")
    records = [create_record(served, post, f"Post {n}") for n in range(3)]
    post_item = next(  # made with the model
        item
        for item in served.get("/menu-items")["data"]
        if item["relationships"]["item_type"]["data"] == {"type": "item_type", "id": post["id"]}
    )
    under = {"data": {"type": "menu_item", "attributes": {"label": "Under"}, "relationships": {}}}
    under["data"]["relationships"]["parent"] = {
        "data": {"type": "menu_item", "id": post_item["id"]}
    }
    _ok(served.request("POST", "/menu-items", under), 201)
    fieldset = {"data": {"type": "fieldset", "attributes": {"title": "Main", "collapsible": True}}}
    fieldset = _ok(served.request("POST", f"/item-types/{post['id']}/fieldsets", fieldset), 201)
    [title] = served.get(f"/item-types/{post['id']}/fields")["data"]
    into = {"fieldset": {"data": {"type": "fieldset", "id": fieldset["data"]["id"]}}}
    body = {"data": {"type": "field", "relationships": into}}
    _ok(served.request("PUT", f"/fields/{title['id']}", body))
    payload = forked(served, "main", "sandbox-a")

    meta = payload["data"]["meta"]
    assert payload["data"]["id"] == "sandbox-a"
    assert (meta["status"], meta["primary"], meta["forked_from"]) == ("ready", False, "main")
    assert "fork_completion_percentage" not in meta
    assert ids(served, "/item-types", "sandbox-a") == ids(served, "/item-types")
    assert ids(served, f"/item-types/{post['id']}/fields", "sandbox-a") == ids(
        served, f"/item-types/{post['id']}/fields"
    )
    # Fieldsets too, with their ids, and the fields keep theirs.
    fieldsets = served.get(f"/item-types/{post['id']}/fieldsets", "sandbox-a")["data"]
    assert [f["id"] for f in fieldsets] == [fieldset["data"]["id"]]
    assert fieldsets == served.get(f"/item-types/{post['id']}/fieldsets")["data"]
    fields = served.get(f"/item-types/{post['id']}/fields", "sandbox-a")["data"]
    assert fields[0]["relationships"]["fieldset"] == into["fieldset"]
    copied = served.get(f"/items?filter[type]={post['id']}", "sandbox-a")["data"]
    assert sorted(r["id"] for r in copied) == sorted(r["id"] for r in records)
    assert {r["attributes"]["title"] for r in copied} == {"Post 0", "Post 1", "Post 2"}
    versions = served.get(f"/items/{records[0]['id']}/versions", "sandbox-a")["data"]
    assert versions == served.get(f"/items/{records[0]['id']}/versions")["data"]
    # The menus, ids, parents and positions included.
    for path in ("/menu-items", "/schema-menu-items"):
        assert served.get(path, "sandbox-a") == served.get(path)
    copied_menu = served.get("/menu-items", "sandbox-a")["data"]
    assert "Under" in {item["attributes"]["label"] for item in copied_menu}


def test_after_a_fork_each_side_writes_only_to_itself(served):
    page = create_model(served, "page")
    forked(served, "main", "sandbox-b")

    in_sandbox = create_model(served, "only_in_sandbox", "sandbox-b")
    sandbox_record = create_record(served, page, "Sandbox page", "sandbox-b")
    main_record = create_record(served, page, "Main page")

    assert in_sandbox["id"] not in ids(served, "/item-types")
    assert in_sandbox["id"] in ids(served, "/item-types", "sandbox-b")
    in_main = ids(served, f"/items?filter[type]={page['id']}")
    in_sandbox_records = ids(served, f"/items?filter[type]={page['id']}", "sandbox-b")
    assert main_record["id"] in in_main and main_record["id"] not in in_sandbox_records
    assert sandbox_record["id"] in in_sandbox_records and sandbox_record["id"] not in in_main
    # The record API too.
    table = served.get("/rest/db/page", "sandbox-b")["record"]
    assert sandbox_record["id"] in {r["id"] for r in table}
    assert main_record["id"] not in {r["id"] for r in table}


def test_an_immediate_fork_answers_creating_then_becomes_ready(served):
    body = _ok(fork(served, "main", "sandbox-c", "?immediate_return=true"), 201)["data"]
    assert body["id"] == "sandbox-c"
    assert body["meta"]["status"] == "creating"
    assert 0 <= body["meta"]["fork_completion_percentage"] <= 100
    for _ in range(600):
        meta = served.get("/environments/sandbox-c")["data"]["meta"]
        if meta["status"] == "ready":
            break
        time.sleep(0.1)
    assert meta["status"] == "ready"
    assert ids(served, "/item-types", "sandbox-c") == ids(served, "/item-types")


@pytest.mark.parametrize(
    ("new_id", "status", "code", "detail"),
    [
        ("main", 422, "INVALID_FIELD", "VALIDATION_UNIQUENESS"),
        ("Not Valid", 422, "INVALID_FIELD", "VALIDATION_FORMAT"),
        (None, 422, "INVALID_FIELD", "VALIDATION_REQUIRED"),
    ],
)
def test_a_fork_to_a_taken_or_malformed_id_writes_nothing(served, new_id, status, code, detail):
    before = names(served)
    answer = fork(served, "main", new_id)
    assert answer[0] == status, answer
    error = answer[1]["data"][0]["attributes"]
    assert (error["code"], error["details"]["field"], error["details"]["code"]) == (
        code,
        "name",
        detail,
    )
    assert names(served) == before


def test_a_fork_of_an_unknown_environment_is_404_and_writes_nothing(served):
    before = names(served)
    status, body = fork(served, "no-such-env", "sandbox-z")
    assert status == 404, body
    assert body["data"][0]["attributes"]["code"] == "NOT_FOUND"
    assert names(served) == before


def test_an_unknown_fork_parameter_is_refused(served):
    before = names(served)
    status, body = fork(served, "main", "sandbox-q", "?quick=true")
    assert status == 422, body
    assert body["data"][0]["attributes"]["code"] == "INVALID_QUERY_PARAMETERS"
    assert names(served) == before


def test_destroy_removes_a_sandbox_and_never_the_primary(served):
    forked(served, "main", "sandbox-d")
    status, body = served.request("DELETE", "/environments/main")
    assert status == 422, body
    assert body["data"][0]["attributes"]["code"] == "PRIMARY_ENVIRONMENT"
    assert "main" in names(served)

    job = _ok(served.request("DELETE", "/environments/sandbox-d"), 202)["data"]
    result = served.job_result(job["id"])
    assert result["status"] == 200, result
    assert result["payload"]["data"]["id"] == "sandbox-d"
    assert "sandbox-d" not in names(served)
    status, body = served.request("GET", "/item-types", environment="sandbox-d")
    assert status == 404, body
    assert body["data"][0]["attributes"]["code"] == "ENVIRONMENT_NOT_FOUND"


def test_a_fast_fork_leaves_its_source_writable_again(served):
    forked_env = _ok(fork(served, "main", "sandbox-f", "?fast=true&force=true"), 202)["data"]
    assert served.job_result(forked_env["id"])["status"] == 200
    assert served.get("/environments/main")["data"]["meta"]["read_only_mode"] is False
    create_model(served, "after_fast_fork")  # main takes writes again


def test_promote_a_fork_then_destroy_the_old_primary(served):
    model = create_model(served, "promoted_model")
    forked(served, "main", "sandbox-p")
    create_model(served, "sandbox_only_model", "sandbox-p")
    _ok(served.request("PUT", "/environments/sandbox-p/promote"))
    try:
        assert served.get("/environments/sandbox-p")["data"]["meta"]["primary"] is True
        header_less = served.get("/item-types/sandbox_only_model")["data"]
        assert header_less["attributes"]["api_key"] == "sandbox_only_model"
        assert model["id"] in ids(served, "/item-types")
    finally:
        _ok(served.request("PUT", "/environments/main/promote"))
    assert served.request("GET", "/item-types/sandbox_only_model")[0] == 404


def create_upload(served, environment=None) -> dict:
    body = {"data": {"type": "upload_request", "attributes": {"filename": "shared.png"}}}
    upload_request = _ok(served.request("POST", "/upload-requests", body, environment), 201)
    upload_request = upload_request["data"]
    put = urllib.request.Request(
        upload_request["attributes"]["url"],
        png_bytes(),
        {"Content-Type": "image/png"},
        method="PUT",
    )
    with urllib.request.urlopen(put, timeout=30) as response:
        assert response.status == 200
    body = {"data": {"type": "upload", "attributes": {"path": upload_request["id"]}}}
    return _ok(served.request("POST", "/uploads", body, environment), 201)["data"]


def test_environments_share_upload_files_until_the_last_lets_go(served, data_dir):
    upload = create_upload(served)
    file = data_dir / "uploads" / upload["attributes"]["path"].lstrip("/")
    assert file.exists()
    forked(served, "main", "sandbox-u1")
    forked(served, "main", "sandbox-u2")

    # Deleted in one sandbox: the others still use the file.
    _ok(served.request("DELETE", f"/uploads/{upload['id']}", environment="sandbox-u1"))
    assert file.exists()
    assert served.get(f"/uploads/{upload['id']}", "sandbox-u2")["data"]["id"] == upload["id"]
    # A destroyed sandbox lets go of its uploads: main still uses the file.
    job = _ok(served.request("DELETE", "/environments/sandbox-u2"), 202)["data"]
    assert served.job_result(job["id"])["status"] == 200
    assert file.exists()
    # The last upload using it goes: so does the file.
    _ok(served.request("DELETE", f"/uploads/{upload['id']}"))
    deadline = time.monotonic() + 10  # deleted once the transaction commits
    while file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not file.exists()


def test_a_fork_copies_the_media_library_with_its_ids(served):
    def collection(label, parent=None):
        data = {"type": "upload_collection", "attributes": {"label": label}}
        if parent:
            data["relationships"] = {
                "parent": {"data": {"type": "upload_collection", "id": parent}}
            }
        return _ok(served.request("POST", "/upload-collections", {"data": data}), 201)["data"]

    photos = collection("Photos")
    collection("Summer", photos["id"])
    tag = {"data": {"type": "upload_tag", "attributes": {"name": "only-listed"}}}
    _ok(served.request("POST", "/upload-tags", tag), 201)
    upload = create_upload(served)
    into = {
        "data": {
            "type": "upload",
            "attributes": {"tags": ["sea"]},
            "relationships": {
                "upload_collection": {"data": {"type": "upload_collection", "id": photos["id"]}}
            },
        }
    }
    _ok(served.request("PUT", f"/uploads/{upload['id']}", into))

    forked(served, "main", "sandbox-m")

    for path in ("/upload-collections", "/upload-tags", f"/uploads/{upload['id']}"):
        assert served.get(path, "sandbox-m") == served.get(path), path
    assert [t["id"] for t in served.get("/upload-tags", "sandbox-m")["data"]] == [
        "only-listed",
        "sea",
    ]
    # Each side's library is its own after the fork.
    _ok(served.request("DELETE", f"/upload-collections/{photos['id']}", environment="sandbox-m"))
    assert served.get("/upload-collections", "sandbox-m")["data"] == []
    assert len(served.get("/upload-collections")["data"]) == 2


def test_roles_entries_follow_a_fork_a_rename_and_a_destroy(served):
    def environments_of_admin() -> set:
        roles = served.get("/roles")["data"]
        admin = next(r for r in roles if r["attributes"]["name"] == "Admin")
        entries = admin["attributes"]["positive_item_type_permissions"]
        return {e["environment"] for e in entries}

    forked(served, "main", "sandbox-r")
    assert {"main", "sandbox-r"} <= environments_of_admin()
    body = {"data": {"type": "environment", "id": "sandbox-s"}}
    _ok(served.request("PUT", "/environments/sandbox-r/rename", body))
    assert "sandbox-s" in environments_of_admin() and "sandbox-r" not in environments_of_admin()
    job = _ok(served.request("DELETE", "/environments/sandbox-s"), 202)["data"]
    assert served.job_result(job["id"])["status"] == 200
    assert "sandbox-s" not in environments_of_admin()
