"""Transport rules every endpoint shares: JSON in and out, error documents, headers, ids."""

import pytest

from cms.ids import is_valid_id, new_id
from item_types.models import ItemType
from tests.conftest import error_codes

ITEM_TYPE = {"data": {"type": "item_type", "attributes": {"name": "Post", "api_key": "post"}}}


def test_new_ids_have_the_datocms_shape():
    ids = {new_id() for _ in range(2000)}
    assert len(ids) == 2000
    for value in ids:
        assert len(value) == 22
        assert value[0] in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
        assert is_valid_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "short",
        "hWl-mnkWRYmMCSTq4z_piQ=",
        "hWl-mnkWRYmMCSTq4z_piQA",
        "hWl-mnkWRYmMCSTq4z_pi!",
        123,
        None,
        "hWl-mnkWRYmMCSTq4z_piR",
    ],
)
def test_malformed_ids_are_refused(value):
    assert not is_valid_id(value)


def test_the_documented_example_ids_are_valid():
    # DatoCMS's docs use an id whose first bit is set: clients may send such ids.
    for value in ("hWl-mnkWRYmMCSTq4z_piQ", "DxMaW10UQiCmZcuuA-IkkA", "WxrWMPl3TjeSJYcl6lNCbg"):
        assert is_valid_id(value)


def test_an_id_must_encode_an_rfc4122_uuid():
    # 22 valid characters, but the variant bits of the decoded bytes are not RFC 4122's.
    assert not is_valid_id("AAAAAAAAAAAAAAAAAAAAAA")


def test_unknown_route_answers_json_404(api):
    response = api.get("/no-such-thing")
    assert response.status_code == 404
    assert error_codes(response) == [("NOT_FOUND", None, None)]
    assert response.body["data"][0]["type"] == "api_error"


def test_the_record_routes_are_tried_first_and_shadow_nothing():
    """cms/urls.py puts the record routes first (they are the traffic, and Django tries
    patterns in order); the paths that share their first segment still reach their own
    views."""
    from django.urls import get_resolver, resolve

    first = [getattr(p, "urlconf_name", None) for p in get_resolver().url_patterns[:2]]
    assert [getattr(m, "__name__", m) for m in first] == ["items.urls", "record_api.urls"]
    views = {
        "/items": "ItemListView",
        "/items/bulk/publish": "BulkView",
        "/items/hWl-mnkWRYmMCSTq4z_piQ/scheduled-publication": "ScheduleView",
        "/uploads/hWl-mnkWRYmMCSTq4z_piQ": "UploadDetailView",
        "/uploads/hWl-mnkWRYmMCSTq4z_piQ/references": "ReferencesView",
        "/api/v2/db/_table/post": "RecordTableView",
        "/rest/db/post": "RecordTableView",
        "/item-types": "ItemTypeListView",
        "/healthz": "healthz",
    }
    resolved = {path: resolve(path).func for path in views}
    assert {path: getattr(f, "view_class", f).__name__ for path, f in resolved.items()} == views


def test_trailing_slash_is_not_redirected(api):
    response = api.get("/item-types/")
    assert response.status_code == 404
    assert error_codes(response)[0][0] == "NOT_FOUND"


def test_method_not_allowed_is_json(api):
    response = api.request("PATCH", "/site", {"data": {"type": "site", "attributes": {}}})
    assert response.status_code == 405
    assert error_codes(response)[0][0] == "METHOD_NOT_ALLOWED"


def test_malformed_json_body(api):
    response = api.post("/item-types", raw='{"data": {"type": ')
    assert response.status_code == 400
    assert error_codes(response)[0][0] == "INVALID_JSON_BODY"
    assert not ItemType.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"item_type": {}}, {"data": []}, {"data": "x"}, [], "text", {"data": None}],
)
def test_body_without_a_resource_object(api, body):
    response = api.post("/item-types", body)
    assert response.status_code == 422
    assert error_codes(response)[0][0] == "INVALID_FORMAT"
    assert not ItemType.objects.exists()


def test_attributes_must_be_an_object(api):
    response = api.post("/item-types", {"data": {"type": "item_type", "attributes": [1]}})
    assert response.status_code == 422
    assert error_codes(response)[0][0] == "INVALID_FORMAT"


def test_wrong_resource_type(api):
    body = {"data": {"type": "field", "attributes": {"name": "Post", "api_key": "post"}}}
    response = api.post("/item-types", body)
    assert response.status_code == 422
    assert error_codes(response) == [("INVALID_TYPE", "type", None)]
    assert response.body["data"][0]["attributes"]["details"]["expected"] == "item_type"
    assert not ItemType.objects.exists()


def test_jsonapi_media_type_is_accepted(api):
    response = api.post("/item-types", ITEM_TYPE, content_type="application/vnd.api+json")
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_unsupported_content_type(api):
    response = api.post("/item-types", raw="name=Post", content_type="text/plain")
    assert response.status_code == 415
    assert error_codes(response)[0][0] == "INVALID_CONTENT_TYPE_HEADER"
    assert not ItemType.objects.exists()


def test_any_accept_header_gets_json(api):
    response = api.get("/site", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.body["data"]["type"] == "site"


def test_api_version_is_echoed(api):
    response = api.get("/site")
    assert response["X-Api-Version"] == "3"


def test_unsupported_api_version_is_refused(api):
    response = api.post("/item-types", ITEM_TYPE, headers={"X-Api-Version": "1"})
    assert response.status_code == 400
    assert error_codes(response)[0][0] == "INVALID_API_VERSION"
    assert not ItemType.objects.exists()


def test_unsupported_api_version_under_rest_is_refused_in_dreamfactorys_shape(api):
    response = api.get("/rest/db", headers={"X-Api-Version": "1"})
    assert response.status_code == 400
    assert response.body["error"]["status_code"] == 400
    assert response.body["error"]["context"]["error"][0]["error"] == "INVALID_API_VERSION"


def test_cors_preflight_allows_the_client_headers(api):
    response = api.client.options(
        "/items",
        headers={
            "Origin": "https://editor.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, x-api-version, "
            "x-environment",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] in ("*", "https://editor.example.com")
    allowed = response["Access-Control-Allow-Headers"].lower()
    for header in ("authorization", "content-type", "x-api-version", "x-environment"):
        assert header in allowed


def test_every_invalid_attribute_is_reported_at_once(api):
    body = {
        "data": {
            "type": "item_type",
            "attributes": {
                "name": 5,
                "api_key": "Not Snake",
                "singleton": "yes",
                "ordering_meta": "title",
                "colour": "red",
            },
        }
    }
    response = api.post("/item-types", body)
    assert response.status_code == 422
    assert sorted(error_codes(response)) == sorted(
        [
            ("INVALID_FIELD", "name", "VALIDATION_FORMAT"),
            ("INVALID_FIELD", "api_key", "VALIDATION_FORMAT"),
            ("INVALID_FIELD", "singleton", "VALIDATION_FORMAT"),
            ("INVALID_FIELD", "ordering_meta", "VALIDATION_INCLUSION"),
            ("INVALID_ATTRIBUTES", "colour", "VALIDATION_UNKNOWN_ATTRIBUTE"),
        ]
    )
    assert not ItemType.objects.exists()


def test_unexpected_errors_answer_json_500(api, monkeypatch):
    from item_types import views

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.services, "item_type_create", explode)
    api.client.raise_request_exception = False
    response = api.post("/item-types", ITEM_TYPE)
    assert response.status_code == 500
    assert error_codes(response) == [("INTERNAL_SERVER_ERROR", None, None)]


def test_a_body_over_the_limit_is_a_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = {"data": {"type": "item_type", "attributes": {"name": "x" * 200, "api_key": "post"}}}
    response = api.post("/item-types", body)
    assert response.status_code == 413
    assert error_codes(response)[0][0] == "REQUEST_TOO_LARGE"
    assert not ItemType.objects.exists()
