"""Events written with the write itself (audit_log/folding.py): a create on PostgreSQL's
hot path (the event in the create's one statement) and the record API's batch (in its
transaction) record the same event the middleware would, once, and what the write
refused is recorded too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit_log.models import AuditLogEvent
from tests.audit_log.conftest import events
from tests.items.conftest import item_body


@pytest.fixture
def note(api):
    model = api.create_item_type("note")
    api.create_field(model["id"], "title", "string", validators={"unique": {}})
    return model


def _attributes(api, action: str) -> list[dict]:
    return [
        e["attributes"] for e in events(api, filter=f"action_name = '{action}'", detailed_log=True)
    ]


def test_each_create_records_one_event_with_its_answer(api, note):
    # The first create reads the model (the general path); the next ones use the worker's
    # cached model (on PostgreSQL, the event then goes in the create's statement).
    answers = [api.post("/items", item_body(note["id"], {"title": t})) for t in "ab"]
    with CaptureQueriesContext(connection) as queries:
        answers.append(api.post("/items", item_body(note["id"], {"title": "c"})))
    assert [a.status_code for a in answers] == [201, 201, 201]
    if connection.vendor == "postgresql":
        [statement] = [q["sql"] for q in queries if "audit_log_auditlogevent" in q["sql"]]
        assert statement.startswith("WITH ok AS") and '"items_item"' in statement
    recorded = _attributes(api, "items.create")
    assert len(recorded) == 3
    for answer, event in zip(answers, recorded, strict=True):
        assert event["response"]["status"] == 201
        assert event["response"]["payload"] == answer.body
        assert event["request"]["payload"]["data"]["attributes"] == {
            "title": answer.body["data"]["attributes"]["title"]
        }
        assert event["role"]["name"] == "Admin"
        assert event["environment"] == {"id": "main", "primary": True}
        assert event["actor"]["type"] == "access_token"


def test_a_create_answer_is_rendered_once_for_the_event_and_the_client(api, note, monkeypatch):
    """The event stores the answer's JSON; the client gets those very bytes, not a second
    rendering of the same document (cms/api/rendering.py ``render_ahead``)."""
    from cms.api import rendering

    api.post("/items", item_body(note["id"], {"title": "warm"}))  # the model is cached
    rendered = []

    def counted(data):
        rendered.append(data)
        return fast_json(data)

    fast_json = rendering.fast_json
    monkeypatch.setattr(rendering, "fast_json", counted)
    answer = api.post("/items", item_body(note["id"], {"title": "once"}))
    assert answer.status_code == 201, answer.body
    assert [document["data"]["id"] for document in rendered] == [answer.body["data"]["id"]]
    [event] = [
        e
        for e in _attributes(api, "items.create")
        if e["response"]["payload"]["data"]["id"] == answer.body["data"]["id"]
    ]
    assert event["response"]["payload"] == answer.body


def test_a_refused_create_is_recorded_once_with_its_refusal(api, note):
    assert api.post("/items", item_body(note["id"], {"title": "same"})).status_code == 201
    refused = api.post("/items", item_body(note["id"], {"title": "same"}))
    assert refused.status_code == 422
    statuses = [e["response"]["status"] for e in _attributes(api, "items.create")]
    assert statuses == [201, 422]


def test_a_batch_records_one_event_with_its_answer(api, note):
    before = AuditLogEvent.objects.count()
    answer = api.post("/rest/db/note?fields=*", {"record": [{"title": "x"}, {"title": "y"}]})
    assert answer.status_code == 200, answer.body
    assert AuditLogEvent.objects.count() == before + 1
    [event] = _attributes(api, "items.create")
    assert event["request"]["path"] == "/rest/db/note"
    assert event["response"] == {"status": 200, "payload": answer.body}


def test_a_batch_partly_kept_records_its_failures(api, note):
    body = {"record": [{"title": "x"}, {"title": 7}, {"title": "z"}]}
    answer = api.post("/rest/db/note?continue=true", body)
    assert answer.status_code == 400, answer.body
    [event] = _attributes(api, "items.create")
    assert event["response"] == {"status": 400, "payload": answer.body}
    assert sorted(r["title"] for r in api.get("/rest/db/note").body["record"]) == ["x", "z"]


def test_a_batch_rolled_back_records_its_refusal(api, note):
    body = {"record": [{"title": "x"}, {"title": 7}]}
    answer = api.post("/rest/db/note?rollback=true", body)
    assert answer.status_code == 400, answer.body
    [event] = _attributes(api, "items.create")
    assert event["response"]["status"] == 400
    assert api.get("/rest/db/note").body["record"] == []
