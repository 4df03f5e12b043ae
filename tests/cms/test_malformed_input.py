"""Input no database or answer can hold is refused with 400 before anything is written,
naming where it is: in JSON bodies (both APIs), paths, query strings and headers."""

import json
from urllib.parse import urlencode

import pytest

from cms.api.json_body import MAX_JSON_DEPTH
from cms.models import IdempotencyKey
from item_types.models import Field, ItemType
from items.models import Item
from tests.conftest import error_codes
from tests.items.conftest import item_body


@pytest.fixture
def contact(api):
    item_type = api.create_item_type("contact")
    api.create_field(item_type["id"], "first_name", "string")
    api.create_field(item_type["id"], "age", "integer")
    api.create_field(item_type["id"], "score", "float")
    record = api.post("/items", item_body(item_type["id"], {"first_name": "Ann"}))
    assert record.status_code == 201
    return {"id": item_type["id"], "record": record.body["data"]["id"]}


def counts():
    return Item.objects.count(), ItemType.objects.count(), Field.objects.count()


def api_error(response, status=400) -> dict:
    assert response.status_code == status, response.body
    [error] = response.body["data"]
    return {"code": error["attributes"]["code"], **error["attributes"]["details"]}


def record_api_error(response, status=400) -> dict:
    assert response.status_code == status, response.body
    assert response.body["error"]["status_code"] == status
    [error] = response.body["error"]["context"]["error"]
    return error


def items_raw(item_type_id: str, attributes_json: str) -> str:
    """A POST /items body whose attributes are given as raw JSON text."""
    body = json.dumps(item_body(item_type_id, {"first_name": "PLACEHOLDER"}))
    return body.replace('{"first_name": "PLACEHOLDER"}', attributes_json)


# --- JSON bodies --------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_batch_writes_nothing(api, contact):
    before = counts()
    response = api.post("/rest/db/contact", raw='[{}, {"\\udfff": 1}]')
    error = record_api_error(response)
    assert error["error"] == "INVALID_JSON_BODY"
    assert error["path"] == "1.\\udfff"
    assert counts() == before


@pytest.mark.parametrize(
    "attributes",
    [
        '{"first_name": "a\\ud800"}',
        '{"first_name": "\\udc00b"}',
        '{"first_name": "\\ud83d\\ud83d"}',
        '{"first_\\udfffname": "x"}',
    ],
)
def test_lone_surrogates_in_a_record_are_refused_naming_the_field(api, contact, attributes):
    before = counts()
    error = api_error(api.post("/items", raw=items_raw(contact["id"], attributes)))
    assert error["code"] == "INVALID_JSON_BODY"
    assert error["path"].startswith("data.attributes.first_")
    assert "surrogate" in error["message"]
    assert counts() == before


def test_a_surrogate_pair_is_an_ordinary_character(api, contact):
    response = api.post("/items", raw=items_raw(contact["id"], '{"first_name": "\\ud83d\\ude00"}'))
    assert response.status_code == 201, response.body
    assert response.body["data"]["attributes"]["first_name"] == "\U0001f600"


def test_a_lone_surrogate_deep_in_a_schema_body_is_refused(api):
    before = counts()
    raw = (
        '{"data": {"type": "item_type", "attributes": {"name": "X", "api_key": "x",'
        ' "meta": {"a": [{"b": ["\\uDFFF"]}]}}}}'
    )
    error = api_error(api.post("/item-types", raw=raw))
    assert error["code"] == "INVALID_JSON_BODY"
    assert error["path"] == "data.attributes.meta.a.0.b.0"
    assert counts() == before


@pytest.mark.parametrize("where", ["value", "key"])
def test_a_nul_in_a_record_is_refused_on_every_database(api, contact, where):
    before = counts()
    attributes = '{"first_name": "a\\u0000b"}' if where == "value" else '{"a\\u0000": "b"}'
    error = api_error(api.post("/items", raw=items_raw(contact["id"], attributes)))
    assert error["code"] == "INVALID_JSON_BODY"
    assert error["path"] in ("data.attributes.first_name", "data.attributes.a\\u0000")
    assert "NUL" in error["message"]
    rest = record_api_error(api.post("/rest/db/contact", raw='{"first_name": "\\u0000"}'))
    assert rest["error"] == "INVALID_JSON_BODY"
    assert rest["path"] == "first_name"
    assert counts() == before


def test_an_escaped_backslash_before_u0000_is_just_text(api, contact):
    response = api.post("/items", raw=items_raw(contact["id"], '{"first_name": "\\\\u0000"}'))
    assert response.status_code == 201, response.body
    assert response.body["data"]["attributes"]["first_name"] == "\\u0000"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 900, 10_000])
def test_a_body_nested_too_deep_is_refused_naming_the_limit(api, contact, depth):
    before = counts()
    raw = "[" * depth + "]" * depth
    for path in ("/items", "/item-types", "/uploads", f"/items/{contact['record']}"):
        method = api.put if path.startswith("/items/") else api.post
        error = api_error(method(path, raw=raw))
        assert error["code"] == "BODY_TOO_DEEP"
        assert error["max_depth"] == MAX_JSON_DEPTH
    rest = record_api_error(api.post("/rest/db/contact", raw=raw))
    assert rest["error"] == "BODY_TOO_DEEP"
    assert counts() == before


def test_a_body_at_the_depth_limit_is_parsed(api, contact):
    nested = "[" * (MAX_JSON_DEPTH - 4) + "]" * (MAX_JSON_DEPTH - 4)
    response = api.post("/items", raw=items_raw(contact["id"], f'{{"first_name": {nested}}}'))
    assert error_codes(response) == [("INVALID_FIELD", "first_name", "INVALID_FORMAT")]


@pytest.mark.parametrize(
    ("literal", "refusal"),
    [("1e400", "out of range"), ("-1e400", "out of range"), ("NaN", "not JSON")],
)
def test_numbers_json_or_a_double_cannot_hold_are_refused(api, contact, literal, refusal):
    before = counts()
    error = api_error(api.post("/items", raw=items_raw(contact["id"], f'{{"score": {literal}}}')))
    assert error["code"] == "INVALID_JSON_BODY"
    assert refusal in error["message"]
    if refusal == "out of range":
        assert error["path"] == "data.attributes.score"
    for token in ("Infinity", "-Infinity"):
        rest = record_api_error(api.post("/rest/db/contact", raw=f'{{"score": {token}}}'))
        assert rest["error"] == "INVALID_JSON_BODY"
    assert counts() == before


def test_an_integer_too_large_for_the_database_is_invalid_field(api, contact):
    before = counts()
    nines = "9" * 40
    response = api.post("/items", raw=items_raw(contact["id"], f'{{"age": {nines}}}'))
    assert error_codes(response) == [("INVALID_FIELD", "age", "INVALID_FORMAT")]
    rest = api.post("/rest/db/contact", raw=f'{{"age": {nines}}}')
    assert rest.status_code == 422
    assert rest.body["error"]["context"]["error"][0]["field"] == "age"
    assert counts() == before


def test_a_body_that_is_not_utf8_is_refused(api, contact):
    before = counts()
    raw = items_raw(contact["id"], '{"first_name": "X"}').encode().replace(b'"X"', b'"\xff"')
    response = api.client.generic(
        "POST",
        "/items",
        data=raw,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 400
    assert response.json()["data"][0]["attributes"]["code"] == "INVALID_JSON_BODY"
    assert counts() == before


# --- Paths, query strings, headers -----------------------------------------------------


def read_paths(contact) -> list[str]:
    record = contact["record"]
    return [
        "/site",
        "/item-types",
        f"/item-types/{contact['id']}",
        f"/item-types/{contact['id']}/fields",
        "/fields/contact.age",
        "/items",
        f"/items/{record}",
        f"/items/{record}/references",
        f"/items/{record}/versions",
        "/uploads",
        "/rest/db",
        "/rest/db/contact",
    ]


def refusal_code(response) -> tuple:
    """(code, details) whichever API answered."""
    assert response.status_code == 400, response.body
    if "error" in response.body:
        [error] = response.body["error"]["context"]["error"]
        return error.pop("error"), error
    [error] = response.body["data"]
    return error["attributes"]["code"], error["attributes"]["details"]


@pytest.mark.parametrize(
    "path",
    [
        "/items/a%00b",
        "/items/a%00/versions",
        "/item-types/a%00",
        "/fields/a%00",
        "/uploads/%00",
        "/versions/%00",
        "/rest/db/a%00",
        "/rest/%00",
    ],
)
def test_a_nul_in_a_path_is_refused(readonly_api, api, path):
    for client in (readonly_api, api):
        code, _ = refusal_code(client.get(path))
        assert code == "INVALID_PATH"
    before = counts()
    code, _ = refusal_code(api.put(path, {"data": {}}))
    assert code == "INVALID_PATH"
    assert counts() == before


def test_a_nul_in_any_query_parameter_is_refused_naming_it(readonly_api, contact):
    for path in read_paths(contact):
        for query in ("filter[query]=a%00", "a%00b=1", "filter=x%00", "ids=%00"):
            code, details = refusal_code(readonly_api.get(f"{path}?{query}"))
            assert code == "INVALID_QUERY_STRING", path
            assert details["parameter"] == query.split("=")[0].replace("%00", "\\u0000")


def test_a_query_parameter_without_a_name_is_refused(readonly_api, contact):
    for path in read_paths(contact):
        for query in ("=1", "=", "a=1&=2"):
            code, details = refusal_code(readonly_api.get(f"{path}?{query}"))
            assert (code, details["parameter"]) == ("INVALID_QUERY_STRING", ""), path


def test_brackets_without_a_name_are_refused(readonly_api, contact):
    """(Found by the long fuzz run: ``?[=x`` on a record was a 500.)"""
    record = contact["record"]
    for path in ("/items", f"/items/{record}", f"/items/{record}/versions", "/uploads"):
        for key in ("[", "[]", "[x]", "[x][]"):
            response = readonly_api.get(f"{path}?{urlencode({key: '1'})}")
            code, details = refusal_code(response)
            assert (response.status_code, code) == (400, "INVALID_QUERY_STRING"), (path, key)
            assert details["parameter"] == key


def test_a_query_string_that_is_not_utf8_is_refused(readonly_api, contact):
    for path in read_paths(contact):
        code, _ = refusal_code(readonly_api.get(f"{path}?filter[query]=%ff"))
        assert code == "INVALID_QUERY_STRING"


def test_ordinary_query_strings_still_work(readonly_api, contact):
    response = readonly_api.get("/items?filter[query]=Ann&filter[type]=contact&page[limit]=5")
    assert response.status_code == 200, response.body
    assert [r["id"] for r in response.body["data"]] == [contact["record"]]
    response = readonly_api.get("/rest/db/contact?fields=first_name&filter=first_name%3D%27Ann%27")
    assert response.status_code == 200, response.body
    assert response.body["record"] == [{"id": contact["record"], "first_name": "Ann"}]


@pytest.mark.parametrize("header", ["Idempotency-Key", "X-Environment", "X-Dreamfactory-Api-Key"])
def test_a_nul_in_a_header_is_refused_naming_it(api, contact, header):
    before = counts()
    response = api.post("/rest/db/contact", {"first_name": "Bo"}, headers={header: "a\x00b"})
    code, details = refusal_code(response)
    assert (code, details["header"]) == ("INVALID_HEADER", header)
    assert counts() == before
    assert not IdempotencyKey.objects.exists()


# --- Multipart uploads ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"author": "a\x00b"}, "INVALID_FORM_BODY", "author"),
        ({"tags": "x,\x00"}, "INVALID_FORM_BODY", "tags"),
        ({"default_field_metadata": '{"en": {"alt": "\\u0000"}}'}, "INVALID_FIELD", None),
        ({"default_field_metadata": '{"en": {"alt": "\\udfff"}}'}, "INVALID_FIELD", None),
        ({"default_field_metadata": "[" * 5000 + "]" * 5000}, "INVALID_FIELD", None),
    ],
)
def test_a_multipart_upload_with_unstorable_text_is_refused(api, fields, code, field):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import png_bytes
    from uploads.models import Upload

    response = api.client.post(
        "/uploads",
        {"file": SimpleUploadedFile("a.png", png_bytes(), "image/png"), **fields},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code in (400, 422), response.content
    [error] = response.json()["data"]
    assert error["attributes"]["code"] == code
    assert error["attributes"]["details"]["field"] == (field or "default_field_metadata")
    assert not Upload.objects.exists()


def test_a_nul_in_an_upload_requests_file_name_is_refused(api):
    from uploads.models import UploadRequest

    body = {"data": {"type": "upload_request", "attributes": {"filename": "a\x00b.png"}}}
    error = api_error(api.post("/upload-requests", body))
    assert (error["code"], error["path"]) == ("INVALID_JSON_BODY", "data.attributes.filename")
    assert not UploadRequest.objects.exists()


@pytest.mark.parametrize("raw", ["1", "true", "1.5", '"x"', "null", "-1"])
def test_a_scalar_body_is_an_ordinary_refusal(api, contact, raw):
    before = counts()
    paths = ["/items", "/item-types"]
    if raw != "null":  # publishing takes an optional body: null is none
        paths.append(f"/items/{contact['record']}/publish")
    for path in paths:
        method = api.put if path.endswith("publish") else api.post
        response = method(path, raw=raw)
        assert response.status_code in (400, 422), (path, response.body)
    assert api.post("/rest/db/contact", raw=raw).status_code == 400
    assert counts() == before
