"""``/build-triggers`` over HTTP (SPEC-2 §9): CRUD with every attribute, refusals naming
the attribute and writing nothing, who may do what, the CI's report on ``webhook_url``."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from build_triggers import services
from build_triggers.models import BuildTrigger
from cms.api.parsing import ResourceDocument
from tests.build_triggers.conftest import create, trigger_body
from tests.conftest import error_codes


def rows() -> list[tuple]:
    return sorted(BuildTrigger.objects.values_list("id", "name", "adapter_settings", "enabled"))


def test_crud_round_trip(api):
    trigger = create(api)
    attributes = trigger["attributes"]
    assert trigger["type"] == "build_trigger"
    assert attributes["adapter"] == "custom" and attributes["enabled"] is True
    assert attributes["indexing_enabled"] is False
    assert attributes["build_status"] == "unknown" and attributes["indexing_status"] == "unknown"
    assert attributes["last_build_completed_at"] is None
    assert attributes["frontend_url"] == "https://www.example.com/"
    token = attributes["webhook_token"]
    assert len(token) >= 16
    # Absolute, from the request's scheme and host (CMS_PUBLIC_URL unset).
    assert attributes["webhook_url"] == f"http://testserver/build-triggers/{token}/deploy-results"
    assert [t["id"] for t in api.get("/build-triggers").body["data"]] == [trigger["id"]]
    changes = {
        "name": "Staging",
        "enabled": False,
        "indexing_enabled": True,
        "autotrigger_on_scheduled_publications": True,
        "frontend_url": None,
    }
    body = {"data": {"type": "build_trigger", "id": trigger["id"], "attributes": changes}}
    updated = api.put(f"/build-triggers/{trigger['id']}", body)
    assert updated.status_code == 200, updated.body
    assert {k: updated.body["data"]["attributes"][k] for k in changes} == changes
    found = api.get(f"/build-triggers/{trigger['id']}").body["data"]
    assert found["attributes"]["webhook_token"] == token  # unchanged
    assert found["attributes"]["adapter_settings"]["payload"] == {
        "type": "build_request",
        "branch": "main",
    }
    destroyed = api.delete(f"/build-triggers/{trigger['id']}")
    assert destroyed.status_code == 200 and destroyed.body["data"]["id"] == trigger["id"]
    assert api.get(f"/build-triggers/{trigger['id']}").status_code == 404


def test_webhook_token_chosen_on_create_and_public_url(api, settings):
    settings.CMS_PUBLIC_URL = "https://cms.example.com/"
    trigger = create(api, webhook_token="my-own-token-0123456789")
    url = trigger["attributes"]["webhook_url"]
    assert url == "https://cms.example.com/build-triggers/my-own-token-0123456789/deploy-results"
    response = api.post("/build-triggers", trigger_body(webhook_token="my-own-token-0123456789"))
    assert response.status_code == 422
    assert error_codes(response) == [("INVALID_FIELD", "webhook_token", "VALIDATION_UNIQUENESS")]
    assert BuildTrigger.objects.count() == 1


def test_project_wide_the_environment_header_is_ignored(api):
    trigger = create(api)
    found = api.get(f"/build-triggers/{trigger['id']}", headers={"X-Environment": "nowhere"})
    assert found.status_code == 200


SETTINGS = trigger_body()["data"]["attributes"]["adapter_settings"]


@pytest.mark.parametrize(
    ("attributes", "field", "code"),
    [
        ({"name": ""}, "name", "VALIDATION_REQUIRED"),
        ({"name": "x" * 256}, "name", "VALIDATION_LENGTH"),
        ({"adapter": "jenkins"}, "adapter", "VALIDATION_INCLUSION"),
        ({"adapter": "netlify"}, "adapter", "VALIDATION_NOT_SUPPORTED"),
        ({"adapter": "vercel"}, "adapter", "VALIDATION_NOT_SUPPORTED"),
        ({"adapter": "gitlab"}, "adapter", "VALIDATION_NOT_SUPPORTED"),
        ({"adapter_settings": "https://x"}, "adapter_settings", "VALIDATION_FORMAT"),
        (
            {"adapter_settings": {**SETTINGS, "trigger_url": "ftp://x"}},
            "adapter_settings",
            "VALIDATION_URL",
        ),  # noqa: E501
        (
            {"adapter_settings": {**SETTINGS, "trigger_url": 3}},
            "adapter_settings",
            "VALIDATION_FORMAT",
        ),  # noqa: E501
        (
            {"adapter_settings": {**SETTINGS, "headers": {"Bad\nName": "x"}}},
            "adapter_settings",
            "VALIDATION_FORMAT",
        ),  # noqa: E501
        (
            {"adapter_settings": {**SETTINGS, "headers": {"X-A": 1}}},
            "adapter_settings",
            "VALIDATION_FORMAT",
        ),  # noqa: E501
        (
            {"adapter_settings": {**SETTINGS, "payload": "text"}},
            "adapter_settings",
            "VALIDATION_FORMAT",
        ),  # noqa: E501
        (
            {"adapter_settings": {"trigger_url": "https://x.example"}},
            "adapter_settings",
            "VALIDATION_REQUIRED",
        ),  # noqa: E501
        (
            {"adapter_settings": {**SETTINGS, "token": "t"}},
            "adapter_settings",
            "VALIDATION_UNKNOWN_ATTRIBUTE",
        ),  # noqa: E501
        ({"frontend_url": "www.example.com"}, "frontend_url", "VALIDATION_URL"),
        ({"frontend_url": 7}, "frontend_url", "VALIDATION_FORMAT"),
        (
            {"autotrigger_on_scheduled_publications": "yes"},
            "autotrigger_on_scheduled_publications",
            "VALIDATION_FORMAT",
        ),  # noqa: E501
        ({"enabled": None}, "enabled", "VALIDATION_FORMAT"),
        ({"indexing_enabled": 1}, "indexing_enabled", "VALIDATION_FORMAT"),
        ({"webhook_token": "short"}, "webhook_token", "VALIDATION_FORMAT"),
        ({"webhook_token": "has spaces in it, oh no"}, "webhook_token", "VALIDATION_FORMAT"),
        ({"build_status": "success"}, "build_status", "VALIDATION_READ_ONLY"),
        ({"webhook_url": "https://x"}, "webhook_url", "VALIDATION_READ_ONLY"),
        ({"colour": "red"}, "colour", "VALIDATION_UNKNOWN_ATTRIBUTE"),
    ],
)
def test_bad_input_names_the_attribute_and_writes_nothing(api, attributes, field, code):
    response = api.post("/build-triggers", trigger_body(**attributes))
    assert response.status_code == 422, response.body
    assert ("INVALID_FIELD", field, code) in error_codes(response), response.body
    assert not BuildTrigger.objects.exists()


def test_unsupported_adapter_says_which_exist(api):
    response = api.post("/build-triggers", trigger_body(adapter="netlify"))
    details = response.body["data"][0]["attributes"]["details"]
    assert details["allowed"] == ["custom"] and "netlify" in details["message"]


def test_missing_required_attributes_are_all_named(api):
    response = api.post("/build-triggers", {"data": {"type": "build_trigger", "attributes": {}}})
    assert response.status_code == 422
    assert {e[1] for e in error_codes(response)} == {
        "name",
        "adapter",
        "adapter_settings",
        "frontend_url",
        "autotrigger_on_scheduled_publications",
    }
    assert not BuildTrigger.objects.exists()


@pytest.mark.parametrize(
    ("attributes", "field", "code"),
    [
        ({"webhook_token": "another-token-0123456789"}, "webhook_token", "VALIDATION_IMMUTABLE"),
        ({"adapter": "vercel"}, "adapter", "VALIDATION_NOT_SUPPORTED"),
        (
            {"adapter_settings": {"trigger_url": "https://x.example"}},
            "adapter_settings",
            "VALIDATION_REQUIRED",
        ),  # noqa: E501
        ({"name": None}, "name", "VALIDATION_REQUIRED"),
        ({"last_build_completed_at": None}, "last_build_completed_at", "VALIDATION_READ_ONLY"),
    ],
)
def test_bad_update_writes_nothing(api, attributes, field, code):
    trigger = create(api)
    before = rows()
    body = {"data": {"type": "build_trigger", "id": trigger["id"], "attributes": attributes}}
    response = api.put(f"/build-triggers/{trigger['id']}", body)
    assert response.status_code == 422, response.body
    assert ("INVALID_FIELD", field, code) in error_codes(response), response.body
    assert rows() == before


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"data": {"type": "webhook", "attributes": {}}},
        {"data": {"type": "build_trigger", "attributes": []}},
    ],
)
def test_malformed_documents_are_refused(api, body):
    response = api.post("/build-triggers", body)
    assert response.status_code == 422, response.body
    assert error_codes(response)[0][0] in {"INVALID_FORMAT", "INVALID_TYPE"}
    assert not BuildTrigger.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ""),
        ("PUT", ""),
        ("DELETE", ""),
        ("POST", "/trigger"),
        ("DELETE", "/abort"),
        ("DELETE", "/abort_indexing"),
        ("PUT", "/reindex"),
    ],
)
def test_unknown_id_is_404(api, method, path):
    response = api.request(method, f"/build-triggers/nope{path}", {"data": {"type": "x"}})
    assert response.status_code == 404
    assert response.body["data"][0]["attributes"]["code"] == "NOT_FOUND"


def test_wrong_method_on_an_action(api):
    trigger = create(api)
    response = api.get(f"/build-triggers/{trigger['id']}/trigger")
    assert response.status_code == 405


def test_who_may_do_what(api, editor_api, readonly_api):
    trigger = create(api)
    path = f"/build-triggers/{trigger['id']}"
    # Only admins read or write triggers: they hold the CI's secrets.
    assert editor_api.get("/build-triggers").status_code == 403
    assert editor_api.get(path).status_code == 403
    assert editor_api.post("/build-triggers", trigger_body()).status_code == 403
    assert editor_api.delete(path).status_code == 403
    assert readonly_api.get(path).status_code == 403
    # Triggering and aborting is content work: editors may, readonly tokens may not.
    assert readonly_api.post(f"{path}/trigger").status_code == 403
    assert readonly_api.delete(f"{path}/abort").status_code == 403
    assert BuildTrigger.objects.get().build_status == "unknown"
    assert editor_api.delete(f"{path}/abort").status_code == 204


def test_void_site_search_actions(api):
    trigger = create(api)
    before = rows()
    for method, action in (("DELETE", "abort_indexing"), ("PUT", "reindex")):
        response = api.request(method, f"/build-triggers/{trigger['id']}/{action}")
        assert response.status_code == 204 and response.content == b""
    assert rows() == before


def test_a_disabled_trigger_is_not_triggered(api):
    trigger = create(api, enabled=False)
    response = api.post(f"/build-triggers/{trigger['id']}/trigger")
    assert response.status_code == 422
    assert response.body["data"][0]["attributes"]["code"] == "BUILD_TRIGGER_DISABLED"
    assert BuildTrigger.objects.get().build_status == "unknown"


def test_the_ci_reports_success_and_error(api, results_client):
    trigger = create(api)
    url = trigger["attributes"]["webhook_url"].removeprefix("http://testserver")
    response = results_client.post(url, {"status": "success"})
    assert response.status_code == 204, response.body
    found = api.get(f"/build-triggers/{trigger['id']}").body["data"]["attributes"]
    assert found["build_status"] == "success" and found["last_build_completed_at"]
    assert results_client.post(url, {"status": "error"}).status_code == 204
    found = api.get(f"/build-triggers/{trigger['id']}").body["data"]["attributes"]
    assert found["build_status"] == "failure"


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        ('{"status": "failed"}', "INVALID_FIELD", "status"),
        ('{"status": "SUCCESS"}', "INVALID_FIELD", "status"),
        ('{"status": null}', "INVALID_FIELD", "status"),
        ('{"state": "success"}', "INVALID_FIELD", "status"),
        ('["success"]', "INVALID_FIELD", "status"),
        ('"success"', "INVALID_FIELD", "status"),
        ("", "INVALID_FORMAT", None),
        ("status=success", "INVALID_FORMAT", None),
        ('{"status": "success"', "INVALID_FORMAT", None),
    ],
)
def test_the_ci_report_refuses_anything_else(api, results_client, raw, code, field):
    trigger = create(api)
    before = list(BuildTrigger.objects.values_list("build_status", "last_build_completed_at"))
    url = trigger["attributes"]["webhook_url"].removeprefix("http://testserver")
    response = results_client.request("POST", url, raw=raw)
    assert response.status_code == 422, response.body
    assert error_codes(response)[0][:2] == (code, field)
    after = list(BuildTrigger.objects.values_list("build_status", "last_build_completed_at"))
    assert after == before


def test_the_ci_report_with_an_unknown_token_is_404(api, results_client):
    create(api)
    for token in ("x" * 32, "bad token", "a" * 65):
        response = results_client.post(
            f"/build-triggers/{token}/deploy-results", {"status": "success"}
        )
        assert response.status_code == 404, token
    assert BuildTrigger.objects.get().build_status == "unknown"


def test_the_ci_report_is_bounded(api, results_client):
    trigger = create(api)
    url = trigger["attributes"]["webhook_url"].removeprefix("http://testserver")
    response = results_client.request(
        "POST", url, raw='{"status": "success", "x": "' + "a" * 20000 + '"}'
    )
    assert response.status_code == 413


def test_an_update_leaves_the_build_state_alone(api, results_client):
    trigger = create(api)
    url = trigger["attributes"]["webhook_url"].removeprefix("http://testserver")
    stale = BuildTrigger.objects.get()  # read before the CI reports
    assert results_client.post(url, {"status": "success"}).status_code == 204
    for attributes in ({}, {"name": "Renamed"}):
        document = ResourceDocument(type="build_trigger", attributes=attributes)
        services.trigger_update(trigger=stale, document=document)
        assert BuildTrigger.objects.get().build_status == "success"


def test_the_list_costs_the_same_queries_for_one_or_many(api):
    create(api)
    with CaptureQueriesContext(connection) as one:
        assert api.get("/build-triggers").status_code == 200
    for n in range(4):
        create(api, name=f"t{n}")
    with CaptureQueriesContext(connection) as five:
        assert len(api.get("/build-triggers").body["data"]) == 5
    assert len(five) == len(one)
