"""Maintenance mode (SPEC-2 §1.4): while it is on, the primary environment takes no writes,
from either API or the admin; reads go on, and sandboxes stay writable. An environment in
read-only mode refuses writes the same way."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cms.models import ApiToken, IdempotencyKey
from environments.models import Environment, MaintenanceMode
from environments.services import set_maintenance_mode
from item_types.models import ItemType
from items.models import Item
from tests.conftest import Api, error_codes
from tests.environments.conftest import EnvironmentApi
from tests.items.conftest import item_body

ITEM_TYPE = {"data": {"type": "item_type", "attributes": {"name": "Post", "api_key": "post"}}}


def _activate(api, query=""):
    response = api.put(f"/maintenance-mode/activate{query}")
    assert response.status_code == 200, response.body
    return response


def _refused(response, code="MAINTENANCE_MODE_ACTIVE"):
    assert response.status_code == 423, response.body
    assert error_codes(response) == [(code, None, None)]


@pytest.fixture
def post(main_api):
    model = main_api.create_item_type("post")
    main_api.create_field(model["id"], "title", "string")
    return model


def test_the_resource_on_the_wire(main_api):
    response = main_api.get("/maintenance-mode")
    assert response.body == {
        "data": {
            "type": "maintenance_mode",
            "id": "maintenance_mode",
            "attributes": {"active": False},
        }
    }
    assert _activate(main_api).body["data"]["attributes"] == {"active": True}
    assert _activate(main_api, "?force=true").body["data"]["attributes"] == {"active": True}
    assert main_api.get("/maintenance-mode").body["data"]["attributes"] == {"active": True}
    response = main_api.put("/maintenance-mode/deactivate")
    assert response.body["data"]["attributes"] == {"active": False}
    assert MaintenanceMode.load().active is False


@pytest.mark.parametrize("query", ["?force=maybe", "?hurry=true"])
def test_a_bad_query_parameter_is_refused(main_api, query):
    response = main_api.put(f"/maintenance-mode/activate{query}")
    assert response.status_code == 422
    assert error_codes(response)[0][0] == "INVALID_QUERY_PARAMETERS"
    assert MaintenanceMode.load().active is False


@pytest.mark.parametrize("role", ["editor", "readonly"])
def test_only_admin_tokens_switch_it(environments, role):
    api = Api(ApiToken.create(name=role, role=role)[1])
    assert api.get("/maintenance-mode").status_code == 200
    for action in ("activate", "deactivate"):
        response = api.put(f"/maintenance-mode/{action}")
        assert response.status_code == 403
    assert MaintenanceMode.load().active is False


def test_writes_to_the_primary_are_refused_and_reads_go_on(main_api, post):
    record = main_api.post("/items", item_body(post["id"], {"title": "before"})).body["data"]
    _activate(main_api)

    _refused(main_api.post("/item-types", ITEM_TYPE))
    _refused(main_api.post("/items", item_body(post["id"], {"title": "x"})))
    _refused(main_api.put(f"/items/{record['id']}", item_body(post["id"], {"title": "y"})))
    _refused(main_api.delete(f"/items/{record['id']}"))
    _refused(main_api.put("/site", {"data": {"type": "site", "attributes": {"name": "S"}}}))
    _refused(
        main_api.post(
            "/items", item_body(post["id"], {"title": "z"}), headers={"Idempotency-Key": "k"}
        )
    )
    refused = main_api.post("/rest/db/post", {"record": [{"title": "r"}]})
    assert refused.status_code == 423
    assert refused.body["error"]["context"]["error"][0]["error"] == "MAINTENANCE_MODE_ACTIVE"
    # Nothing was written.
    title = ItemType.objects.get(pk=post["id"]).fields.get(api_key="title").id
    assert list(Item.objects.values_list("data", flat=True)) == [{title: "before"}]
    assert ItemType.objects.count() == 1
    assert not IdempotencyKey.objects.exists()

    # Reads, and checks that write nothing, go on.
    assert main_api.get("/items").status_code == 200
    assert main_api.get("/rest/db/post?fields=title").body["record"][0]["title"] == "before"
    validated = main_api.post("/items/validate", item_body(post["id"], {"title": "ok?"}))
    assert validated.status_code == 200, validated.body

    main_api.put("/maintenance-mode/deactivate")
    assert main_api.post("/items", item_body(post["id"], {"title": "after"})).status_code == 201


def test_sandboxes_stay_writable(main_api, sandbox_api):
    _activate(main_api)
    assert sandbox_api.post("/item-types", ITEM_TYPE).status_code == 201
    _refused(main_api.post("/item-types", ITEM_TYPE))
    assert main_api.get("/item-types").body["data"] == []


def test_after_a_promote_the_new_primary_is_the_one_refusing(main_api, sandbox_api):
    _activate(main_api)
    assert main_api.put("/environments/sandbox/promote").status_code == 200
    _refused(sandbox_api.post("/item-types", ITEM_TYPE))
    _refused(main_api.post("/item-types", ITEM_TYPE))  # header-less: the sandbox now
    old_primary = EnvironmentApi(main_api.token, "main")
    assert old_primary.post("/item-types", ITEM_TYPE).status_code == 201


def test_the_admin_refuses_content_writes_and_still_shows_pages(environments):
    user = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")
    client = Client()
    client.force_login(user)
    set_maintenance_mode(True)

    response = client.post(
        "/admin/item_types/itemtype/add/",
        {
            "name": "Post",
            "api_key": "post",
            "collection_appearance": "compact",
            "fields-TOTAL_FORMS": "0",
            "fields-INITIAL_FORMS": "0",
        },
    )
    # An editor reads why, in the admin's look (environments/admin_environment.py).
    assert response.status_code == 423
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "Nothing was saved" in page and "MAINTENANCE_MODE_ACTIVE" in page
    assert not ItemType.objects.exists()
    assert client.get("/admin/item_types/itemtype/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_an_environment_in_read_only_mode_refuses_writes(main_api, sandbox_api, sandbox):
    sandbox_api.post("/item-types", ITEM_TYPE)
    Environment.objects.filter(pk=sandbox.pk).update(read_only_mode=True)
    _refused(
        sandbox_api.post(
            "/item-types",
            {"data": {"type": "item_type", "attributes": {"name": "Page", "api_key": "page"}}},
        ),
        "ENVIRONMENT_READ_ONLY",
    )
    assert [m["attributes"]["api_key"] for m in sandbox_api.get("/item-types").body["data"]] == [
        "post"
    ]
    assert main_api.post("/item-types", ITEM_TYPE).status_code == 201  # others unaffected
    assert main_api.get("/environments/sandbox").body["data"]["meta"]["read_only_mode"] is True
