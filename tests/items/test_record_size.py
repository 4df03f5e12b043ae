"""A record's body is bounded (CMS_MAX_RECORD_BYTES): over it, 413 before it is read."""

import http.client
import json

import pytest

from items.models import Item
from tests.conftest import error_codes
from tests.items.conftest import item_body
from tests.server_process import gunicorn

LIMIT = 4096


@pytest.fixture
def note(api, settings):
    settings.CMS_MAX_RECORD_BYTES = LIMIT
    model = api.create_item_type("note")
    api.create_field(model["id"], "text", "text")
    return model


def sized(document: dict, size: int) -> str:
    """``document`` (with ``"text": ""`` in it), its text padded to ``size`` bytes."""
    empty = json.dumps(document)
    return empty.replace('"text": ""', '"text": "' + "x" * (size - len(empty)) + '"')


def create(note, size: int) -> str:
    return sized(item_body(note["id"], {"text": ""}), size)


def update(record_id: str, size: int) -> str:
    return sized({"data": {"type": "item", "id": record_id, "attributes": {"text": ""}}}, size)


def assert_too_large(response):
    assert response.status_code == 413, response.body
    assert error_codes(response) == [("REQUEST_TOO_LARGE", None, None)]
    assert response.body["data"][0]["attributes"]["details"]["max_bytes"] == LIMIT


def test_a_create_at_the_limit_is_accepted_and_one_byte_more_refused(api, note):
    assert_too_large(api.post("/items", raw=create(note, LIMIT + 1)))
    assert not Item.objects.exists()
    assert_too_large(api.post("/items/validate", raw=create(note, LIMIT + 1)))
    assert api.post("/items/validate", raw=create(note, LIMIT)).status_code == 200
    body = create(note, LIMIT)
    created = api.post("/items", raw=body)
    assert created.status_code == 201, created.body
    assert created.body["data"]["attributes"] == json.loads(body)["data"]["attributes"]
    assert Item.objects.count() == 1


def test_an_update_over_the_limit_is_refused(api, note):
    record = api.post("/items", item_body(note["id"], {"text": "kept"})).body["data"]
    for path in (f"/items/{record['id']}", f"/items/{record['id']}/validate"):
        method = api.put if path.endswith(record["id"]) else api.post
        assert_too_large(method(path, raw=update(record["id"], LIMIT + 1)))
    assert api.get(f"/items/{record['id']}").body["data"]["attributes"]["text"] == "kept"
    assert api.put(f"/items/{record['id']}", raw=update(record["id"], LIMIT)).status_code == 200


def test_the_limit_is_checked_before_the_body_is_parsed(api, note):
    """Not even valid JSON: refused for its size, never read."""
    assert_too_large(api.post("/items", raw="{" * (LIMIT + 1)))
    assert api.post("/items", raw="{" * LIMIT).status_code == 400  # read, and not JSON


def test_the_record_api_keeps_its_own_batch_limit(api, note, settings):
    batch = {"record": [{"text": "x" * 3000} for _ in range(3)]}  # each record under LIMIT...
    assert api.post("/rest/db/note", batch).status_code == 200  # ... the batch over it
    settings.CMS_MAX_BATCH_BYTES = 5000
    refused = api.post("/rest/db/note", batch)
    assert refused.status_code == 413
    assert refused.body["error"]["context"]["error"][0] == {
        "error": "REQUEST_TOO_LARGE",
        "max_bytes": 5000,
        "message": "The body is over 5000 bytes.",
    }
    assert Item.objects.count() == 3


def send_chunked(server, path: str, body: str):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    pieces = (body[i : i + 1000].encode() for i in range(0, len(body), 1000))
    headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
    conn.request("POST", path, body=pieces, headers=headers, encode_chunked=True)
    response = conn.getresponse()
    answer = json.loads(response.read())
    conn.close()
    return response.status, answer


@pytest.mark.django_db(transaction=True)
def test_a_chunked_body_is_counted_while_read(tmp_path):
    """No Content-Length: a real server de-chunks, the API counts as it reads."""
    with gunicorn(
        tmp_path, "cms.wsgi:application", extra_env={"CMS_MAX_RECORD_BYTES": str(LIMIT)}
    ) as server:
        model = {"name": "Note", "api_key": "note"}
        _, made, _ = server.request(
            "POST", "/item-types", {"data": {"type": "item_type", "attributes": model}}
        )
        field = {"label": "Text", "api_key": "text", "field_type": "text"}
        server.request(
            "POST",
            f"/item-types/{made['data']['id']}/fields",
            {"data": {"type": "field", "attributes": field}},
        )
        note = made["data"]

        status, answer = send_chunked(server, "/items", create(note, LIMIT + 1))
        assert status == 413, answer
        assert answer["data"][0]["attributes"]["code"] == "REQUEST_TOO_LARGE"
        assert answer["data"][0]["attributes"]["details"]["max_bytes"] == LIMIT
        status, listed, _ = server.request("GET", "/rest/db/note?include_count=true")
        assert listed["meta"]["count"] == 0

        status, answer = send_chunked(server, "/items", create(note, LIMIT))
        assert status == 201, answer
        status, listed, _ = server.request("GET", "/rest/db/note?include_count=true")
        assert listed["meta"]["count"] == 1
