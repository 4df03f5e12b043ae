"""API tokens in the Django admin: the secret is shown once, and it works."""

import re

import pytest

from access.models import Role
from cms.models import ApiToken
from tests.conftest import Api


@pytest.mark.parametrize("url", ["/admin/", "/admin/cms/apitoken/", "/admin/cms/apitoken/add/"])
def test_admin_pages_render(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]


def test_a_token_created_in_the_admin_is_shown_once_and_works(admin_client):
    response = admin_client.post(
        "/admin/cms/apitoken/add/",
        {"name": "site", "role": Role.named("editor").pk, "can_access_cma": "on"},
        follow=True,
    )
    assert response.status_code == 200
    match = re.search(r"will not be shown again: ([A-Za-z0-9_-]{40,})", response.content.decode())
    assert match, "the secret was not shown"
    secret = match.group(1)
    token = ApiToken.objects.get(name="site")
    assert token.role.builtin == "editor" and secret not in token.secret_hash
    assert Api(secret).get("/site").status_code == 200
    listing = admin_client.get("/admin/cms/apitoken/").content.decode()
    assert secret not in listing
