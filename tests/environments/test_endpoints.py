"""GET /environments, GET /environments/:id, promote and rename (SPEC-2 §1.2, §1.3)."""

import pytest

from cms.models import ApiToken
from environments.models import Environment
from tests.conftest import Api, error_codes
from tests.environments.conftest import EnvironmentApi
from tests.items.conftest import make

META_KEYS = {"status", "read_only_mode", "created_at", "last_data_change_at", "primary"}


def _rename(api, name, body):
    return api.put(f"/environments/{name}/rename", body)


def _renaming_to(new_id):
    return {"data": {"type": "environment", "id": new_id}}


def test_the_list_and_one_environment_on_the_wire(main_api, sandbox):
    sandbox.forked_from = Environment.objects.get(name="main")
    sandbox.save()
    response = main_api.get("/environments")
    assert response.status_code == 200
    main, theirs = response.body["data"]
    assert set(main) == {"type", "id", "meta"}  # no attributes, no relationships
    assert (main["type"], main["id"]) == ("environment", "main")
    assert set(main["meta"]) == META_KEYS | {"forked_from"}
    assert main["meta"]["primary"] is True
    assert main["meta"]["status"] == "ready"
    assert main["meta"]["read_only_mode"] is False
    assert main["meta"]["forked_from"] is None
    assert main["meta"]["created_at"].endswith("+00:00")
    assert theirs["id"] == "sandbox"
    assert theirs["meta"]["primary"] is False
    assert theirs["meta"]["forked_from"] == "main"
    assert main_api.get("/environments/sandbox").body == {"data": theirs}


def test_an_environment_being_made_shows_its_progress(main_api, environments):
    Environment.objects.create(name="copying", storage="env_copying", fork_completion_percentage=40)
    meta = main_api.get("/environments/copying").body["data"]["meta"]
    assert (meta["status"], meta["fork_completion_percentage"]) == ("creating", 40)


def test_an_unknown_environment_is_a_404(main_api):
    for request in (
        lambda: main_api.get("/environments/nowhere"),
        lambda: main_api.put("/environments/nowhere/promote"),
        lambda: _rename(main_api, "nowhere", _renaming_to("somewhere")),
    ):
        response = request()
        assert response.status_code == 404
        assert error_codes(response) == [("NOT_FOUND", None, None)]
    assert list(Environment.objects.values_list("name", flat=True)) == ["main"]


def test_promote_switches_what_header_less_clients_see(main_api, sandbox_api):
    model = sandbox_api.create_item_type("post")
    sandbox_api.create_field(model["id"], "title", "string")
    make(sandbox_api, model["id"], {"title": "from the sandbox"})

    response = main_api.put("/environments/sandbox/promote")
    assert response.status_code == 200, response.body
    assert response.body["data"]["id"] == "sandbox"
    assert response.body["data"]["meta"]["primary"] is True

    # Header-less requests now work in the promoted environment, the old primary is a sandbox.
    listed = main_api.get("/items?filter[type]=post")
    assert [r["attributes"]["title"] for r in listed.body["data"]] == ["from the sandbox"]
    assert listed["X-Environment"] == "sandbox"
    main = EnvironmentApi(main_api.token, "main")
    assert main.get("/item-types").body["data"] == []
    primaries = {e["id"]: e["meta"]["primary"] for e in main_api.get("/environments").body["data"]}
    assert primaries == {"main": False, "sandbox": True}

    # And back.
    assert main_api.put("/environments/main/promote").status_code == 200
    assert main_api.get("/item-types").body["data"] == []
    assert list(Environment.objects.filter(primary=True).values_list("name", flat=True)) == ["main"]


def test_promoting_the_primary_changes_nothing(main_api):
    response = main_api.put("/environments/main/promote")
    assert response.status_code == 200
    assert response.body["data"]["meta"]["primary"] is True


def test_an_environment_not_ready_can_t_be_promoted_or_renamed(main_api, environments):
    Environment.objects.create(name="copying", storage="env_copying")
    for response in (
        main_api.put("/environments/copying/promote"),
        _rename(main_api, "copying", _renaming_to("copied")),
    ):
        assert response.status_code == 409
        assert error_codes(response) == [("ENVIRONMENT_NOT_READY", None, None)]
    assert Environment.objects.get(primary=True).name == "main"
    assert Environment.objects.filter(name="copying").exists()


def test_rename_changes_the_id_and_keeps_the_data(main_api, sandbox_api, sandbox):
    sandbox_api.create_item_type("post")
    response = _rename(main_api, "sandbox", _renaming_to("feature-x2"))
    assert response.status_code == 200, response.body
    assert response.body["data"]["id"] == "feature-x2"
    assert Environment.objects.get(name="feature-x2").storage == sandbox.storage

    renamed = EnvironmentApi(main_api.token, "feature-x2")
    assert [m["attributes"]["api_key"] for m in renamed.get("/item-types").body["data"]] == ["post"]
    assert sandbox_api.get("/item-types").status_code == 404  # the old id names nothing


def test_renaming_the_primary_keeps_it_primary(main_api):
    response = _rename(main_api, "main", _renaming_to("production"))
    assert response.status_code == 200
    assert response.body["data"]["meta"]["primary"] is True
    assert main_api.get("/site")["X-Environment"] == "production"


@pytest.mark.parametrize(
    ("new_id", "code"),
    [
        ("main", "VALIDATION_UNIQUENESS"),
        ("Not-Valid", "VALIDATION_FORMAT"),
        ("has space", "VALIDATION_FORMAT"),
        (42, "VALIDATION_FORMAT"),
        ("x" * 65, "VALIDATION_FORMAT"),
        (None, "VALIDATION_REQUIRED"),
    ],
)
def test_a_rename_to_a_taken_or_malformed_id_is_refused(main_api, sandbox, new_id, code):
    response = _rename(main_api, "sandbox", _renaming_to(new_id))
    assert response.status_code == 422, response.body
    assert error_codes(response) == [("INVALID_FIELD", "name", code)]
    assert sorted(Environment.objects.values_list("name", flat=True)) == ["main", "sandbox"]


def test_a_rename_body_of_another_type_is_refused(main_api, sandbox):
    response = _rename(main_api, "sandbox", {"data": {"type": "item", "id": "x"}})
    assert response.status_code == 422
    assert error_codes(response)[0][0] == "INVALID_TYPE"
    assert Environment.objects.filter(name="sandbox").exists()


def test_renaming_to_its_own_id_changes_nothing(main_api, sandbox):
    response = _rename(main_api, "sandbox", _renaming_to("sandbox"))
    assert response.status_code == 200
    assert response.body["data"]["id"] == "sandbox"


@pytest.mark.parametrize("role", ["editor", "readonly"])
def test_only_admin_tokens_promote_and_rename(sandbox, role):
    api = Api(ApiToken.create(name=role, role=role)[1])
    assert api.get("/environments").status_code == 200
    for response in (
        api.put("/environments/sandbox/promote"),
        _rename(api, "sandbox", _renaming_to("other")),
    ):
        assert response.status_code == 403
        assert error_codes(response) == [("INSUFFICIENT_PERMISSIONS", None, None)]
    assert Environment.objects.get(primary=True).name == "main"
    assert Environment.objects.filter(name="sandbox").exists()


def test_a_write_notes_when_the_environment_last_changed(main_api, sandbox_api, sandbox):
    before = Environment.objects.get(name="sandbox").last_data_change_at
    Environment.objects.filter(name="sandbox").update(last_data_change_at=before.replace(year=2000))
    sandbox_api.create_item_type("post")
    changed = Environment.objects.get(name="sandbox").last_data_change_at
    assert changed >= before
    assert Environment.objects.get(name="main").last_data_change_at < changed
    sandbox_api.get("/item-types")  # a read changes nothing
    assert Environment.objects.get(name="sandbox").last_data_change_at == changed
