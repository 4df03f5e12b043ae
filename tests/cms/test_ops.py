"""``GET /`` (JSON for clients, HTML for a browser), ``/healthz`` and ``/readyz`` through
Django's HTTP stack; tests/cms/test_production.py shows them on the production server,
including a 503 from /readyz."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_index_is_json_by_default(client):
    for accept in (None, "*/*", "application/json"):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/", headers=headers)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        links = json.loads(response.content)["links"]
        assert links["api"] == "http://testserver/site"
        assert links["record_api"] == "http://testserver/rest/db"
        assert links["admin"] == "http://testserver/admin/"
        assert links["health"] == "http://testserver/healthz"
        assert links["docs"]
        assert links["api_docs"] == "http://testserver/docs"
        assert links["openapi"] == "http://testserver/docs/openapi.json"


def test_index_is_a_page_for_a_browser(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/", headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert b'<a href="http://testserver/admin/">Admin</a>' in response.content


def test_health_and_readiness(client):
    assert json.loads(client.get("/healthz").content) == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content)["checks"] == {
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
    }


@pytest.mark.parametrize("path", ["/", "/healthz", "/readyz"])
def test_only_reads_are_allowed(client, path):
    response = client.post(path, data="{}", content_type="application/json")
    assert response.status_code == 405
    error = json.loads(response.content)["data"][0]["attributes"]
    assert error["code"] == "METHOD_NOT_ALLOWED"
    assert error["details"]["allowed"] == ["GET", "HEAD"]
