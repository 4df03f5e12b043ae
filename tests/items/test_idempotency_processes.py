"""Idempotency-Key against real worker processes (gunicorn): a worker killed after its
write committed, and two requests with one key at the same instant, never write twice."""

import http.client
import threading

import pytest

from tests.server_process import gunicorn

# The server shares the PostgreSQL test database: what it commits is flushed after each test.
pytestmark = pytest.mark.django_db(transaction=True)
KEY = {"Idempotency-Key": "order-42"}
DIE = {"X-Test-Die-After-Answer": "1"}


@pytest.fixture
def server(tmp_path):
    with gunicorn(tmp_path, "tests.crash_wsgi:application") as served:
        status, body, _ = served.request(
            "POST",
            "/item-types",
            {"data": {"type": "item_type", "attributes": {"name": "Note", "api_key": "note"}}},
        )
        assert status == 201, body
        served.note = body["data"]["id"]
        field = {"label": "Text", "api_key": "text", "field_type": "string"}
        field["validators"] = {"required": {}}
        status, body, _ = served.request(
            "POST",
            f"/item-types/{served.note}/fields",
            {"data": {"type": "field", "attributes": field}},
        )
        assert status == 201, body
        yield served


def count(server) -> int:
    status, body, _ = server.request("GET", "/rest/db/note?include_count=true&limit=1")
    assert status == 200, body
    return body["meta"]["count"]


def item(server, text):
    relationships = {"item_type": {"data": {"type": "item_type", "id": server.note}}}
    return {"data": {"type": "item", "attributes": {"text": text}, "relationships": relationships}}


def notes(texts):
    return {"record": [{"text": text} for text in texts]}


# (path, body, status of the first answer, records it writes). A None text is refused.
CASES = {
    "one record": ("/items", None, 201, 1),
    "batch, all kept": ("/rest/db/note", notes(f"n{i}" for i in range(300)), 200, 300),
    "stop at the failure": ("/rest/db/note", notes(["a", "b", None, "c"]), 400, 2),
    "continue past it": ("/rest/db/note?continue=true", notes(["a", None, "c"]), 400, 2),
    "rollback, all good": ("/rest/db/note?rollback=true", notes(["a", "b"]), 200, 2),
}


def test_a_worker_killed_after_its_commit_is_replayed_not_rewritten(server):
    """Each case on the same server, with its own key (one server start for all)."""
    for number, (case, (path, body, status, written)) in enumerate(CASES.items()):
        key, body = {"Idempotency-Key": f"order-{number}"}, body or item(server, "hello")
        before = count(server)
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            server.request("POST", path, body, headers={**key, **DIE})
        assert count(server) == before + written, case  # committed; the client heard nothing

        again, answer, response = server.request("POST", path, body, headers=key)
        assert again == status, (case, answer)
        assert response.getheader("Idempotent-Replayed") == "true", case
        assert count(server) == before + written, case
        if path == "/items":
            _, listed, _ = server.request("GET", "/rest/db/note")
            assert answer["data"]["id"] in [record["id"] for record in listed["record"]]


def test_a_request_that_wrote_nothing_keeps_no_key(server):
    body = notes(["a", None])
    refused, _, _ = server.request("POST", "/rest/db/note?rollback=true", body, headers=KEY)
    assert refused == 400
    assert count(server) == 0
    fixed, _, response = server.request(
        "POST", "/rest/db/note?rollback=true", notes(["a", "b"]), headers=KEY
    )
    assert fixed == 200
    assert response.getheader("Idempotent-Replayed") is None
    assert count(server) == 2


def test_two_requests_with_one_key_at_once_write_once(server):
    """Both workers parse the batch, then claim the key: the second waits while the first
    writes (PostgreSQL: on the key's unique index; SQLite: on its write lock), then
    replays the first's answer."""
    body = notes(f"n{i}" for i in range(2000))
    barrier, answers = threading.Barrier(2), [None, None]

    def send(index):
        barrier.wait()
        answers[index] = server.request("POST", "/rest/db/note", body, headers=KEY)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [status for status, _, _ in answers] == [200, 200]
    assert answers[0][1] == answers[1][1]
    replayed = sorted(str(response.getheader("Idempotent-Replayed")) for _, _, response in answers)
    assert replayed == ["None", "true"]
    assert count(server) == 2000
