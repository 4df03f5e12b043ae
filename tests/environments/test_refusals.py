"""An environment that can't be worked in is refused before the view runs: nothing is read
or written, and the answer names it (in the record API's shape under /rest/)."""

import pytest

from cms.models import ApiToken, IdempotencyKey
from environments.models import Environment
from item_types.models import ItemType
from items.models import Item
from tests.conftest import error_codes
from tests.environments.conftest import EnvironmentApi

ITEM_TYPE = {"data": {"type": "item_type", "attributes": {"name": "Post", "api_key": "post"}}}


def _details(response) -> dict:
    return response.body["data"][0]["attributes"]["details"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unknown_environment_is_a_404_naming_it(main_api, admin_token, method):
    nowhere = EnvironmentApi(admin_token, "nowhere")
    response = nowhere.request(method, "/item-types", ITEM_TYPE if method == "POST" else None)
    assert response.status_code == 404
    assert error_codes(response) == [("ENVIRONMENT_NOT_FOUND", None, None)]
    assert _details(response)["environment"] == "nowhere"
    assert "X-Environment" not in response
    assert not ItemType.objects.exists()


def test_an_unknown_environment_writes_nothing_even_with_an_idempotency_key(main_api, admin_token):
    main_api.create_item_type("post")
    body = {"record": [{}]}
    response = EnvironmentApi(admin_token, "nowhere").post(
        "/rest/db/post", body, headers={"Idempotency-Key": "k1"}
    )
    assert response.status_code == 404
    error = response.body["error"]
    assert error["status_code"] == 404
    assert error["context"]["error"] == [
        {"error": "ENVIRONMENT_NOT_FOUND", "environment": "nowhere", "message": error["message"]}
    ]
    assert not Item.objects.exists()
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("name", ["Main", "main ", "a_b", "-main", "ünï", "", "x" * 65])
def test_a_malformed_environment_id_is_a_400(main_api, admin_token, name):
    response = EnvironmentApi(admin_token, name).post("/item-types", ITEM_TYPE)
    assert response.status_code == 400
    assert error_codes(response) == [("INVALID_ENVIRONMENT", None, None)]
    assert not ItemType.objects.exists()


@pytest.mark.parametrize("status", ["creating", "destroying"])
def test_an_environment_not_ready_is_a_409_naming_it(environments, admin_token, status):
    Environment.objects.create(name="half", storage="env_notmadeyet", status=status)
    response = EnvironmentApi(admin_token, "half").post("/item-types", ITEM_TYPE)
    assert response.status_code == 409
    assert error_codes(response) == [("ENVIRONMENT_NOT_READY", None, None)]
    assert _details(response)["environment"] == "half"
    assert _details(response)["status"] == status
    assert not ItemType.objects.exists()


def test_without_a_token_the_environment_is_not_looked_at(main_api):
    response = EnvironmentApi(None, "nowhere").get("/item-types")
    assert response.status_code == 401
    response = EnvironmentApi("not-a-token", "sandbox").get("/item-types")
    assert response.status_code == 401
    assert error_codes(response) == [("INVALID_AUTHORIZATION_HEADER", None, None)]


def test_tokens_are_project_wide_and_roles_hold_in_every_environment(sandbox_api, sandbox):
    _, secret = ApiToken.create(name="reader", role="readonly")
    reader = EnvironmentApi(secret, sandbox.name)
    sandbox_api.create_item_type("post")
    assert [m["attributes"]["api_key"] for m in reader.get("/item-types").body["data"]] == ["post"]
    refused = reader.post("/item-types", ITEM_TYPE)
    assert refused.status_code == 403
    assert error_codes(refused) == [("INSUFFICIENT_PERMISSIONS", None, None)]


@pytest.mark.parametrize("path", ["/environments", "/environments/main", "/maintenance-mode"])
def test_project_wide_endpoints_ignore_the_header(main_api, admin_token, path):
    for name in ("nowhere", "NOT VALID"):
        response = EnvironmentApi(admin_token, name).get(path)
        assert response.status_code == 200, response.body
        assert "X-Environment" not in response
