"""X-Environment selects the environment on both APIs; each environment's schema and
records are invisible from the others."""

from django.db import connection

from environments import selection
from item_types.models import ItemType
from items.models import Item
from tests.conftest import error_codes
from tests.environments.conftest import EnvironmentApi
from tests.items.conftest import make


def _model_with_a_title(api, api_key="post"):
    model = api.create_item_type(api_key)
    api.create_field(model["id"], "title", "string")
    return model


def _titles(api, api_key="post") -> list[str]:
    response = api.get(f"/items?filter[type]={api_key}")
    assert response.status_code == 200, response.body
    return sorted(r["attributes"]["title"] for r in response.body["data"])


def _rows_in(storage: str) -> tuple[int, int]:
    with selection.using(storage):
        return ItemType.objects.count(), Item.objects.count()


def test_schema_and_records_written_in_a_sandbox_stay_there(main_api, sandbox_api, sandbox):
    model = _model_with_a_title(sandbox_api)
    make(sandbox_api, model["id"], {"title": "only in the sandbox"})

    assert _titles(sandbox_api) == ["only in the sandbox"]
    assert main_api.get("/item-types").body["data"] == []
    response = main_api.get(f"/item-types/{model['id']}")
    assert response.status_code == 404
    assert main_api.get("/items").body["data"] == []
    assert _rows_in("") == (0, 0)
    assert _rows_in(sandbox.storage) == (1, 1)


def test_schema_and_records_written_in_the_primary_stay_there(main_api, sandbox_api, sandbox):
    model = _model_with_a_title(main_api)
    make(main_api, model["id"], {"title": "only in main"})

    assert _titles(main_api) == ["only in main"]
    assert sandbox_api.get("/item-types").body["data"] == []
    assert sandbox_api.get(f"/items/{model['id']}").status_code == 404
    assert _rows_in(sandbox.storage) == (0, 0)
    assert _rows_in("") == (1, 1)


def test_the_same_api_key_lives_in_each_environment(main_api, sandbox_api):
    """Each environment is a schema of its own: one api_key (unique per site) in both."""
    ours, theirs = _model_with_a_title(main_api), _model_with_a_title(sandbox_api)
    make(main_api, ours["id"], {"title": "main's"})
    make(sandbox_api, theirs["id"], {"title": "the sandbox's"})
    assert _titles(main_api) == ["main's"]
    assert _titles(sandbox_api) == ["the sandbox's"]


def test_naming_the_primary_is_the_same_as_naming_none(main_api, admin_token):
    model = _model_with_a_title(EnvironmentApi(admin_token, "main"))
    make(main_api, model["id"], {"title": "x"})
    assert _titles(EnvironmentApi(admin_token, "main")) == ["x"]


def test_the_record_api_works_in_the_environment_named(main_api, sandbox_api, sandbox):
    _model_with_a_title(sandbox_api, "contact")
    response = sandbox_api.post("/rest/db/contact", {"record": [{"title": "Ann"}]})
    assert response.status_code == 200, response.body

    listed = sandbox_api.get("/rest/db/contact?fields=title")
    assert [r["title"] for r in listed.body["record"]] == ["Ann"]
    assert [t["name"] for t in sandbox_api.get("/rest/db").body["resource"]] == ["contact"]
    # Without the header: the primary, which has no such table.
    response = main_api.get("/rest/db/contact")
    assert response.status_code == 404
    assert response.body["error"]["message"] == "Table 'contact' does not exist."
    assert main_api.get("/rest/db").body["resource"] == []
    assert _rows_in("") == (0, 0)


def test_dreamfactory_2s_paths_work_in_the_environment_named(main_api, sandbox_api, sandbox):
    _model_with_a_title(sandbox_api, "contact")
    created = sandbox_api.post("/api/v2/db/_table/contact", {"resource": [{"title": "Ann"}]})
    assert created.status_code == 200, created.body
    [record] = created.body["resource"]
    one = sandbox_api.get(f"/api/v2/db/_table/contact/{record['id']}")
    assert one.body == {"id": record["id"], "title": "Ann"}
    listed = sandbox_api.post("/api/v2/db/_table/contact?method=GET", {"filter": "title = 'Ann'"})
    assert listed.body == {"resource": [one.body]}
    schema = sandbox_api.get("/api/v2/db/_schema/contact").body
    assert [f["name"] for f in schema["field"]] == ["id", "title"]
    # The primary has no such table, nor the record.
    for path in ["/api/v2/db/_table/contact", f"/api/v2/db/_table/contact/{record['id']}"]:
        response = main_api.get(path)
        assert response.status_code == 404
        assert response.body["error"]["message"] == "Table 'contact' does not exist."
    assert main_api.get("/api/v2/db/_schema").body == {"resource": []}


def test_the_answer_names_the_environment(main_api, sandbox_api):
    assert sandbox_api.get("/site")["X-Environment"] == "sandbox"
    assert main_api.get("/site")["X-Environment"] == "main"
    assert sandbox_api.get("/rest/db")["X-Environment"] == "sandbox"


def test_uploads_go_to_the_environment_named(main_api, sandbox_api, sandbox):
    from tests.conftest import create_upload, png_bytes

    upload = create_upload(sandbox_api, png_bytes(), "sandboxed.png")
    assert [u["id"] for u in sandbox_api.get("/uploads").body["data"]] == [upload["id"]]
    assert main_api.get("/uploads").body["data"] == []
    assert main_api.get(f"/uploads/{upload['id']}").status_code == 404


def test_the_thread_is_back_on_the_project_storage_after_a_request(sandbox_api):
    _model_with_a_title(sandbox_api)
    assert selection.wanted() == ""
    assert not ItemType.objects.exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            assert cursor.fetchone()[0] == "public"


def test_an_error_in_an_environment_is_answered_from_it(sandbox_api):
    response = sandbox_api.post("/item-types", {"data": {"type": "item_type", "attributes": {}}})
    assert response.status_code == 422
    assert response["X-Environment"] == "sandbox"
    assert {code for code, _, _ in error_codes(response)} == {"INVALID_FIELD"}


def test_browsers_may_read_which_environment_answered(sandbox_api):
    response = sandbox_api.get("/site", headers={"Origin": "https://editor.example.com"})
    assert "x-environment" in response["Access-Control-Expose-Headers"].lower()
