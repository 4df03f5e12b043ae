"""/access_tokens over HTTP (SPEC-2 §10.5): CRUD, regenerate (the old secret 401 at once),
``token`` shown to token managers only, ``can_access_cma`` enforced, last_cma_access."""

from datetime import timedelta

import pytest
from django.utils import timezone

from access.models import Role
from access.resources import last_access
from cms.models import ApiToken
from tests.conftest import Api, make_api


def token_body(role_id, name="build server", **attributes) -> dict:
    flags = {"can_access_cma": True, "can_access_cda": True, "can_access_cda_preview": False}
    return {
        "data": {
            "type": "access_token",
            "attributes": {"name": name, **flags, **attributes},
            "relationships": {"role": {"data": {"type": "role", "id": role_id}}},
        }
    }


@pytest.fixture
def admin(db) -> Api:
    return make_api("admin")


def editor_role() -> str:
    return Role.named("editor").pk


def test_create_shows_a_working_token_to_a_manager(admin):
    created = admin.post("/access_tokens", token_body(editor_role()))
    assert created.status_code == 201, created.body
    data = created.body["data"]
    assert data["type"] == "access_token"
    assert data["attributes"]["hardcoded_type"] is None
    assert data["attributes"]["last_cma_access"] == "never"
    assert data["relationships"]["role"]["data"] == {"type": "role", "id": editor_role()}
    secret = data["attributes"]["token"]
    assert Api(secret).get("/site").status_code == 200
    # Every endpoint shows it again; the hash alone is stored in clear.
    assert admin.get(f"/access_tokens/{data['id']}").body["data"]["attributes"]["token"] == secret
    listed = {t["id"]: t for t in admin.get("/access_tokens").body["data"]}
    assert listed[data["id"]]["attributes"]["token"] == secret
    stored = ApiToken.objects.get(pk=data["id"])
    assert secret not in stored.secret_hash and secret not in stored.secret_encrypted


def test_tokens_made_before_answer_null_until_regenerated(admin):
    old = ApiToken.objects.create(name="old", role=Role.named("readonly"), secret_hash="x" * 64)
    assert admin.get(f"/access_tokens/{old.pk}").body["data"]["attributes"]["token"] is None
    regenerated = admin.post(f"/access_tokens/{old.pk}/regenerate_token")
    assert regenerated.status_code == 200
    assert isinstance(regenerated.body["data"]["attributes"]["token"], str)


def test_regenerate_invalidates_the_old_secret_at_once(admin):
    data = admin.post("/access_tokens", token_body(editor_role())).body["data"]
    old = Api(data["attributes"]["token"])
    assert old.get("/site").status_code == 200
    regenerated = admin.post(f"/access_tokens/{data['id']}/regenerate_token")
    assert regenerated.status_code == 200
    new = regenerated.body["data"]["attributes"]["token"]
    assert new != data["attributes"]["token"]
    assert old.get("/site").status_code == 401
    assert Api(new).get("/site").status_code == 200
    # Role and flags are kept.
    assert regenerated.body["data"]["relationships"] == data["relationships"]


def test_update_and_delete(admin):
    data = admin.post("/access_tokens", token_body(editor_role())).body["data"]
    readonly = Role.named("readonly").pk
    updated = admin.put(
        f"/access_tokens/{data['id']}", token_body(readonly, name="renamed", can_access_cda=False)
    )
    assert updated.status_code == 200, updated.body
    assert updated.body["data"]["attributes"]["name"] == "renamed"
    assert updated.body["data"]["attributes"]["can_access_cda"] is False
    assert updated.body["data"]["relationships"]["role"]["data"]["id"] == readonly
    deleted = admin.delete(
        f"/access_tokens/{data['id']}?destination_user_type=access_token&destination_user_id=x"
    )
    assert deleted.status_code == 200
    assert Api(data["attributes"]["token"]).get("/site").status_code == 401
    assert admin.get(f"/access_tokens/{data['id']}").status_code == 404


def test_a_token_without_cma_access_gets_401(admin):
    data = admin.post("/access_tokens", token_body(editor_role(), can_access_cma=False)).body
    secret = data["data"]["attributes"]["token"]
    response = Api(secret).get("/site")
    assert response.status_code == 401
    assert response.body["data"][0]["attributes"]["code"] == "INVALID_AUTHORIZATION_HEADER"
    assert Api(secret).get("/rest/db").status_code == 401


def test_tokens_are_for_roles_that_manage_them(db):
    editor = make_api("editor")
    assert editor.get("/access_tokens").status_code == 403
    assert editor.post("/access_tokens", token_body(editor_role())).status_code == 403
    # A role that manages tokens but not users: reads tokens with their secrets.
    manager = Role.objects.create(name="Token managers", can_manage_access_tokens=True)
    from access.final import recompute_all

    recompute_all()
    _, secret = ApiToken.create(name="m", role=manager)
    listed = Api(secret).get("/access_tokens")
    assert listed.status_code == 200
    assert all(isinstance(t["attributes"]["token"], str) for t in listed.body["data"])


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"name": ""}, "name"),
        ({"can_access_cma": "yes"}, "can_access_cma"),
        ({"secret": "x"}, "secret"),
    ],
)
def test_bad_bodies_write_nothing(admin, attributes, field):
    before = ApiToken.objects.count()
    response = admin.post("/access_tokens", token_body(editor_role(), **attributes))
    assert response.status_code == 422
    assert field in [e["attributes"]["details"].get("field") for e in response.body["data"]]
    assert ApiToken.objects.count() == before


def test_a_token_without_a_role_or_with_an_unknown_one_is_refused(admin):
    before = ApiToken.objects.count()
    body = token_body("x")
    del body["data"]["relationships"]
    missing = admin.post("/access_tokens", body)
    unknown = admin.post("/access_tokens", token_body("NoSuchRoleAAAAAAAAAAAA"))
    flags_missing = admin.post(
        "/access_tokens",
        {
            "data": {
                "type": "access_token",
                "attributes": {"name": "n"},
                "relationships": {"role": {"data": {"type": "role", "id": editor_role()}}},
            }
        },
    )
    for response in (missing, unknown, flags_missing):
        assert response.status_code == 422, response.body
    assert missing.body["data"][0]["attributes"]["details"]["field"] == "role"
    assert ApiToken.objects.count() == before


def test_last_cma_access_buckets():
    now = timezone.localtime()
    assert last_access(None) == "never"
    assert last_access(now) == "today"
    assert last_access(now - timedelta(days=1)) == "yesterday"
    assert last_access(now - timedelta(days=70)) == "last_month"


def test_a_factory_token_is_not_edited_but_may_be_regenerated(admin):
    factory, _ = ApiToken.create(name="read-only", role="readonly", hardcoded_type="readonly")
    body = token_body(editor_role(), name="renamed")
    refused = admin.put(f"/access_tokens/{factory.pk}", body)
    assert refused.status_code == 422
    assert refused.body["data"][0]["attributes"]["code"] == "NON_EDITABLE_ACCESS_TOKEN"
    factory.refresh_from_db()
    assert factory.name == "read-only" and factory.role.builtin == "readonly"
    regenerated = admin.post(f"/access_tokens/{factory.pk}/regenerate_token")
    assert regenerated.status_code == 200
    assert regenerated.body["data"]["attributes"]["hardcoded_type"] == "readonly"
