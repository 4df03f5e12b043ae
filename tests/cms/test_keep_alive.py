"""The production server (``manage.py serve``: granian, as ``make run`` and the README's
"Production" run it) keeps an HTTP/1.1 connection open across API requests: after a
refusal (4xx), after a body sent with ``Content-Length`` and after a chunked one, on both
APIs. A client then pays one TCP handshake, not one per request."""

import http.client
import json
from urllib.parse import urlsplit

from tests.serving import serving


def _send(conn: http.client.HTTPConnection, method: str, path: str, headers: dict, body=None):
    """One request on ``conn``: (status, response headers, decoded body, still open?)."""
    chunked = body is not None and not isinstance(body, bytes)  # an iterator: sent chunked
    conn.request(method, path, body=body, headers=headers, encode_chunked=chunked)
    response = conn.getresponse()
    content = response.read()
    return response.status, response.headers, json.loads(content), not response.will_close


def test_one_connection_serves_api_requests_after_refusals_and_bodies(tmp_path):
    with serving(tmp_path / "data", "keepalive") as served:
        address = urlsplit(served.url)
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        auth = {"Authorization": f"Bearer {served.token}", "Content-Type": "application/json"}
        model = {"data": {"type": "item_type", "attributes": {"name": "Note", "api_key": "note"}}}
        no_key = {"data": {"type": "item_type", "attributes": {"name": "No key"}}}
        try:
            answers = [
                # A body with Content-Length, answered 201.
                _send(conn, "POST", "/item-types", auth, json.dumps(model).encode()),
                # Refusals: without a body (404 on each API), and of a body (422).
                _send(conn, "GET", "/items/NoSuchRecord", auth),
                _send(conn, "POST", "/item-types", auth, json.dumps(no_key).encode()),
                _send(conn, "GET", "/rest/db/no_such_table", auth),
                # A record API batch sent chunked (no Content-Length), then a plain read.
                _send(conn, "POST", "/rest/db/note", auth, iter([b'{"record": ', b"[{}, {}]}"])),
                _send(conn, "GET", "/rest/db/note?limit=25", auth),
            ]
            first_socket = conn.sock
            status, _, _, open_after = _send(conn, "GET", "/site", auth)
            assert (status, open_after, conn.sock is first_socket) == (200, True, True)
        finally:
            conn.close()

    statuses = [status for status, _, _, _ in answers]
    assert statuses == [201, 404, 422, 404, 200, 200], answers
    for status, headers, _, open_after in answers:
        assert open_after, (status, dict(headers))
        assert headers.get("Connection", "").lower() != "close", (status, dict(headers))
    refusal = answers[2][2]["data"][0]["attributes"]
    assert (refusal["details"]["field"], refusal["details"]["code"]) == (
        "api_key",
        "VALIDATION_REQUIRED",
    )
    assert len(answers[5][2]["record"]) == 2


def test_chunked_bodies_over_the_limits_are_refused_whole_or_not(tmp_path):
    """A chunked body is read before Django runs (cms/startup.py), up to one byte past the
    largest body any endpoint takes: under it, a record over CMS_MAX_RECORD_BYTES is still
    refused by its view; past it too, a batch over CMS_MAX_BATCH_BYTES (the buffer holds
    enough to tell). Nothing is written either way."""
    limits = {"CMS_MAX_RECORD_BYTES": "1000", "CMS_MAX_BATCH_BYTES": "3000"}
    with serving(tmp_path / "data", "chunkedlimits", CMS_MAX_UPLOAD_BYTES="2000", **limits) as s:
        address = urlsplit(s.url)
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        auth = {"Authorization": f"Bearer {s.token}", "Content-Type": "application/json"}
        model = {"data": {"type": "item_type", "attributes": {"name": "Note", "api_key": "note"}}}
        created = _send(conn, "POST", "/item-types", auth, json.dumps(model).encode())
        assert created[0] == 201, created
        fields = {"label": "Text", "api_key": "text", "field_type": "text"}
        field = {"data": {"type": "field", "attributes": fields}}
        model_id = created[2]["data"]["id"]
        path = f"/item-types/{model_id}/fields"
        assert _send(conn, "POST", path, auth, json.dumps(field).encode())[0] == 201
        record = {"data": {"type": "item", "attributes": {"text": "x" * 1500}}}
        record["data"]["relationships"] = {
            "item_type": {"data": {"type": "item_type", "id": model_id}}
        }
        batch = {"record": [{"text": "y" * 100} for _ in range(50)]}  # some 5,600 bytes
        answers = [
            _send(conn, "POST", "/items", auth, _chunks(json.dumps(record).encode())),
            _send(conn, "POST", "/rest/db/note", auth, _chunks(json.dumps(batch).encode())),
        ]
        conn.close()  # the refused batch's unread rest is on it
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        counted = _send(conn, "GET", "/rest/db/note?include_count=true", auth)
        conn.close()
    assert [status for status, _, _, _ in answers] == [413, 413], answers
    assert answers[0][2]["data"][0]["attributes"]["details"]["max_bytes"] == 1000
    assert answers[1][2]["error"]["context"]["error"][0]["max_bytes"] == 3000, answers[1][2]
    assert counted[0] == 200 and counted[2]["meta"]["count"] == 0, counted


def _chunks(body: bytes, size: int = 500):
    return iter([body[start : start + size] for start in range(0, len(body), size)])
