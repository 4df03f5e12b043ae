"""/roles over HTTP (SPEC-2 §10.1–10.4): CRUD, duplicate, final permissions, and every bad
body a 422 naming its attribute with nothing written."""

import pytest

from access.models import Role
from tests.conftest import Api, error_codes, make_api


def role_body(name="Translators", relationships=None, **attributes) -> dict:
    data = {"type": "role", "attributes": {"name": name, **attributes}}
    if relationships:
        data["relationships"] = relationships
    return {"data": data}


def entry(action="read", **keys) -> dict:
    keys.setdefault("environment", "main")
    if action in ("all", "read", "update", "publish", "delete"):
        keys.setdefault("on_creator", "anyone")
    if action in ("all", "create", "update", "publish"):
        keys.setdefault("localization_scope", "all")
    return {"action": action, **keys}


def parents(*ids) -> dict:
    return {"inherits_permissions_from": {"data": [{"type": "role", "id": i} for i in ids]}}


@pytest.fixture
def admin(db) -> Api:
    return make_api("admin")


def test_built_in_roles_are_listed_with_their_final_permissions(admin):
    response = admin.get("/roles")
    assert response.status_code == 200
    by_name = {r["attributes"]["name"]: r for r in response.body["data"]}
    assert {"Admin", "Editor", "Read-only"} <= set(by_name)
    readonly = by_name["Read-only"]["meta"]["final_permissions"]
    assert [e["action"] for e in readonly["positive_item_type_permissions"]] == ["read"]
    assert readonly["can_edit_schema"] is False
    assert by_name["Admin"]["meta"]["final_permissions"]["can_manage_access_tokens"] is True


def test_create_find_update_delete(admin):
    created = admin.post(
        "/roles",
        role_body(
            can_edit_schema=True,
            environments_access="primary_only",
            positive_item_type_permissions=[entry("read")],
            negative_item_type_permissions=[],
        ),
    )
    assert created.status_code == 201, created.body
    role = created.body["data"]
    assert role["type"] == "role" and role["attributes"]["can_edit_schema"] is True
    assert role["attributes"]["can_manage_webhooks"] is False
    assert role["attributes"]["environments_access"] == "primary_only"
    assert role["relationships"]["inherits_permissions_from"]["data"] == []
    found = admin.get(f"/roles/{role['id']}")
    assert found.status_code == 200 and found.body["data"] == role
    updated = admin.put(f"/roles/{role['id']}", role_body("Renamed", can_edit_schema=False))
    assert updated.status_code == 200, updated.body
    attributes = updated.body["data"]["attributes"]
    assert attributes["name"] == "Renamed" and attributes["can_edit_schema"] is False
    # Arrays not sent stay as they were.
    assert attributes["positive_item_type_permissions"][0]["action"] == "read"
    deleted = admin.delete(f"/roles/{role['id']}")
    assert deleted.status_code == 200 and deleted.body["data"]["id"] == role["id"]
    assert admin.get(f"/roles/{role['id']}").status_code == 404


def test_inheritance_unions_and_a_negative_entry_wins(admin):
    base = admin.post(
        "/roles",
        role_body(
            "Base",
            can_manage_webhooks=True,
            positive_item_type_permissions=[entry("read"), entry("update")],
            negative_item_type_permissions=[],
        ),
    ).body["data"]
    child = admin.post(
        "/roles",
        role_body(
            "Child",
            relationships=parents(base["id"]),
            positive_item_type_permissions=[entry("create")],
            negative_item_type_permissions=[entry("update")],
        ),
    )
    assert child.status_code == 201, child.body
    final = child.body["data"]["meta"]["final_permissions"]
    assert final["can_manage_webhooks"] is True  # inherited
    assert child.body["data"]["attributes"]["can_manage_webhooks"] is False  # declared only
    assert sorted(e["action"] for e in final["positive_item_type_permissions"]) == [
        "create",
        "read",
    ]
    assert [e["action"] for e in final["negative_item_type_permissions"]] == ["update"]
    # The parent changes: the child's final permissions follow.
    admin.put(f"/roles/{base['id']}", role_body("Base", can_manage_webhooks=False))
    again = admin.get(f"/roles/{child.body['data']['id']}").body["data"]
    assert again["meta"]["final_permissions"]["can_manage_webhooks"] is False


def test_duplicate_copies_everything_and_numbers_the_name(admin):
    base = admin.post("/roles", role_body("Base")).body["data"]
    role = admin.post(
        "/roles",
        role_body(
            "Writers",
            relationships=parents(base["id"]),
            can_manage_menu=True,
            positive_upload_permissions=[
                {"action": "read", "environment": "main", "on_creator": "anyone"}
            ],
            negative_upload_permissions=[],
        ),
    ).body["data"]
    first = admin.post(f"/roles/{role['id']}/duplicate")
    assert first.status_code == 200, first.body
    copy = first.body["data"]
    assert copy["id"] != role["id"]
    assert copy["attributes"]["name"] == "Writers (duplicate #1)"
    assert {k: v for k, v in copy["attributes"].items() if k != "name"} == {
        k: v for k, v in role["attributes"].items() if k != "name"
    }
    assert copy["relationships"] == role["relationships"]
    second = admin.post(f"/roles/{copy['id']}/duplicate").body["data"]
    assert second["attributes"]["name"] == "Writers (duplicate #2)"


def test_a_role_in_use_or_built_in_is_not_deleted(admin):
    role = admin.post("/roles", role_body("Used")).body["data"]
    token = admin.post(
        "/access_tokens",
        {
            "data": {
                "type": "access_token",
                "attributes": {
                    "name": "t",
                    "can_access_cma": True,
                    "can_access_cda": False,
                    "can_access_cda_preview": False,
                },
                "relationships": {"role": {"data": {"type": "role", "id": role["id"]}}},
            }
        },
    )
    assert token.status_code == 201, token.body
    refused = admin.delete(f"/roles/{role['id']}")
    assert refused.status_code == 422 and error_codes(refused)[0][0] == "ROLE_IN_USE"
    assert refused.body["data"][0]["attributes"]["details"]["tokens"] == 1
    child = admin.post("/roles", role_body("Child", relationships=parents(role["id"])))
    admin.delete(f"/access_tokens/{token.body['data']['id']}")
    refused = admin.delete(f"/roles/{role['id']}")
    assert refused.status_code == 422
    assert refused.body["data"][0]["attributes"]["details"]["inherited_by"] == [
        child.body["data"]["id"]
    ]
    builtin = Role.objects.get(builtin="editor")
    assert admin.delete(f"/roles/{builtin.pk}").status_code == 422
    assert Role.objects.filter(pk__in=[role["id"], builtin.pk]).count() == 2


BAD_BODIES = [
    # only one of a positive/negative pair
    (
        {"positive_item_type_permissions": []},
        "negative_item_type_permissions",
        "VALIDATION_REQUIRED",
    ),
    # a key its action doesn't take
    (
        {
            "positive_item_type_permissions": [entry("create", on_creator="self")],
            "negative_item_type_permissions": [],
        },
        "positive_item_type_permissions[0].on_creator",
        "VALIDATION_NOT_ALLOWED",
    ),
    (
        {
            "positive_item_type_permissions": [],
            "negative_item_type_permissions": [entry("read"), entry("read", locale="it")],
        },
        "negative_item_type_permissions[1].locale",
        "VALIDATION_NOT_ALLOWED",
    ),
    # "all" covers every locale
    (
        {
            "positive_item_type_permissions": [
                entry("all", localization_scope="localized", locale="it")
            ],
            "negative_item_type_permissions": [],
        },
        "positive_item_type_permissions[0].localization_scope",
        "VALIDATION_ENUM",
    ),
    # localized without a locale
    (
        {
            "positive_item_type_permissions": [entry("update", localization_scope="localized")],
            "negative_item_type_permissions": [],
        },
        "positive_item_type_permissions[0].locale",
        "VALIDATION_REQUIRED",
    ),
    # a required key missing, an unknown action
    (
        {
            "positive_item_type_permissions": [{"action": "read", "environment": "main"}],
            "negative_item_type_permissions": [],
        },
        "positive_item_type_permissions[0].on_creator",
        "VALIDATION_REQUIRED",
    ),
    (
        {
            "positive_item_type_permissions": [entry("fly")],
            "negative_item_type_permissions": [],
        },
        "positive_item_type_permissions[0].action",
        "VALIDATION_ENUM",
    ),
    # an unknown environment, an unknown model
    (
        {
            "positive_item_type_permissions": [entry("read", environment="nowhere")],
            "negative_item_type_permissions": [],
        },
        "positive_item_type_permissions[0].environment",
        "VALIDATION_NOT_FOUND",
    ),
    (
        {
            "positive_item_type_permissions": [entry("read", item_type="NoSuchModelAAAAAAAAAAA")],
            "negative_item_type_permissions": [],
        },
        "positive_item_type_permissions[0].item_type",
        "VALIDATION_NOT_FOUND",
    ),
    (
        {
            "positive_upload_permissions": [
                {"action": "read", "environment": "main", "on_creator": "x"}
            ],
            "negative_upload_permissions": [],
        },
        "positive_upload_permissions[0].on_creator",
        "VALIDATION_ENUM",
    ),
    # values of the wrong JSON type
    (
        {
            "positive_item_type_permissions": [{"action": ["read"], "environment": "main"}],
            "negative_item_type_permissions": [],
        },
        "positive_item_type_permissions[0].action",
        "VALIDATION_ENUM",
    ),
    (
        {
            "positive_item_type_permissions": [entry("read", on_creator={"a": 1})],
            "negative_item_type_permissions": [5],
        },
        "positive_item_type_permissions[0].on_creator",
        "VALIDATION_ENUM",
    ),
    ({"environments_access": ["all"]}, "environments_access", "VALIDATION_ENUM"),
    ({"environments_access": "some"}, "environments_access", "VALIDATION_ENUM"),
    ({"can_edit_schema": "yes"}, "can_edit_schema", "VALIDATION_FORMAT"),
    ({"can_fly": True}, "can_fly", "VALIDATION_UNKNOWN_ATTRIBUTE"),
    ({"name": ""}, "name", "VALIDATION_REQUIRED"),
    (
        {"positive_item_type_permissions": "x", "negative_item_type_permissions": []},
        "positive_item_type_permissions",
        "VALIDATION_FORMAT",
    ),
]


@pytest.mark.parametrize(("attributes", "field", "reason"), BAD_BODIES)
def test_bad_bodies_name_the_field_and_write_nothing(admin, attributes, field, reason):
    before = Role.objects.count()
    response = admin.post("/roles", role_body(**attributes))
    assert response.status_code == 422, response.body
    details = [e["attributes"]["details"] for e in response.body["data"]]
    assert (field, reason) in [(d.get("field"), d.get("code")) for d in details], details
    assert Role.objects.count() == before


def test_a_role_cant_inherit_from_itself(admin):
    a = admin.post("/roles", role_body("A")).body["data"]
    b = admin.post("/roles", role_body("B", relationships=parents(a["id"]))).body["data"]
    direct = admin.put(f"/roles/{a['id']}", role_body("A", relationships=parents(a["id"])))
    through = admin.put(f"/roles/{a['id']}", role_body("A", relationships=parents(b["id"])))
    for response in (direct, through):
        assert response.status_code == 422
        assert response.body["data"][0]["attributes"]["details"]["code"] == "VALIDATION_CYCLE"
    unknown = admin.post("/roles", role_body("C", relationships=parents("nope")))
    assert unknown.status_code == 422
    assert (
        admin.get(f"/roles/{a['id']}").body["data"]["relationships"]["inherits_permissions_from"][
            "data"
        ]
        == []
    )


def test_only_roles_that_manage_users_write_roles(db):
    editor = make_api("editor")
    assert editor.get("/roles").status_code == 200
    refused = editor.post("/roles", role_body())
    assert refused.status_code == 403
    assert error_codes(refused)[0][0] == "INSUFFICIENT_PERMISSIONS"
    assert not Role.objects.filter(name="Translators").exists()
