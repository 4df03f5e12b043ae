"""Tokens and roles: who may read and write what."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cms.models import ApiToken, hash_secret
from environments.access import find_token
from item_types.models import ItemType
from tests.conftest import Api, error_codes

ITEM_TYPE = {"data": {"type": "item_type", "attributes": {"name": "Post", "api_key": "post"}}}


def test_no_token(anonymous_api):
    response = anonymous_api.get("/site")
    assert response.status_code == 401
    assert error_codes(response)[0][0] == "INVALID_AUTHORIZATION_HEADER"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer", "Basic dXNlcjpwYXNz", "token"])
def test_bad_token(anonymous_api, header):
    response = anonymous_api.post("/item-types", ITEM_TYPE, headers={"Authorization": header})
    assert response.status_code == 401
    assert error_codes(response)[0][0] == "INVALID_AUTHORIZATION_HEADER"
    assert not ItemType.objects.exists()


def test_dreamfactory_header_carries_a_token(db):
    _, secret = ApiToken.create(name="df", role="admin")
    client = Api(None)
    response = client.get("/site", headers={"X-DreamFactory-Api-Key": secret})
    assert response.status_code == 200


def test_token_use_is_recorded(api):
    token = ApiToken.objects.get(secret_hash=hash_secret(api.token))
    assert token.last_used_at is None
    api.get("/site")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_secrets_are_not_stored(api):
    token = ApiToken.objects.get(secret_hash=hash_secret(api.token))
    assert api.token not in token.secret_hash


@pytest.mark.parametrize("fixture", ["editor_api", "readonly_api"])
def test_only_admins_change_the_schema(request, fixture):
    client = request.getfixturevalue(fixture)
    response = client.post("/item-types", ITEM_TYPE)
    assert response.status_code == 403
    assert error_codes(response)[0][0] == "INSUFFICIENT_PERMISSIONS"
    response = client.put("/site", {"data": {"type": "site", "attributes": {"name": "x"}}})
    assert response.status_code == 403
    assert not ItemType.objects.exists()


@pytest.mark.parametrize("fixture", ["editor_api", "readonly_api"])
def test_every_role_reads_the_schema(request, api, fixture):
    api.create_item_type("post")
    client = request.getfixturevalue(fixture)
    assert client.get("/item-types").status_code == 200
    assert client.get("/item-types/post").status_code == 200
    assert client.get("/site").status_code == 200


def test_create_token_prints_the_token_last(db):
    out = StringIO()
    call_command("create_token", "ci", "--role", "editor", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.find(secret)
    assert token is not None and token.role.builtin == "editor" and token.name == "ci"
    assert Api(secret).get("/site").status_code == 200


def test_create_token_refuses_unknown_roles(db):
    with pytest.raises(CommandError, match="No role is called"):
        call_command("create_token", "x", "--role", "owner", stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_the_compiled_token_query_reads_what_the_orm_reads(db):
    """environments.access.find_token runs its SQL compiled once, with Django's converters
    applied by hand: the token it returns is the ORM's, types included (SQLite answers
    dates as text and booleans as integers), with the environment and role beside it."""
    token, secret = ApiToken.create(name="compiled", role="editor")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    expected = ApiToken.objects.get(pk=token.pk)

    found = find_token(secret, None)

    for field in ApiToken._meta.concrete_fields:
        value, wanted = getattr(found, field.attname), getattr(expected, field.attname)
        assert (type(value), value) == (type(wanted), wanted), field.attname
    assert found.cms_environment["primary"] in (True, 1)  # JSON: SQLite's booleans are 0 and 1
    assert found.cms_environment["name"] == "main"
    assert isinstance(found.cms_role, dict) and found.cms_role_name == "Editor"
    assert find_token(secret, "main").cms_environment["name"] == "main"
    assert find_token(secret, "nowhere").cms_environment is None
    assert find_token("not-a-secret", None) is None
