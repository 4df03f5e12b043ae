"""Records' payloads built on the workers (webhooks/expand.py): the request writes a
reference per call and no entity; the worker builds the entity as the event saw it (the
version the write made, the status and dates then), in the event's environment; a record
deleted before delivery had its pending events built first."""

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.environments.conftest import (  # noqa: F401  (fixtures)
    admin_token,
    environments,
    migrated_sqlite_file,
    sandbox,
)
from tests.environments.conftest import main_api as main_api  # noqa: F401
from tests.environments.conftest import sandbox_api as sandbox_api  # noqa: F401
from tests.items.conftest import make
from tests.webhooks.conftest import webhook_body
from tests.webhooks.test_events import listen, received
from webhooks.models import WebhookCall


@pytest.fixture
def post(api):
    model = api.create_item_type("post", draft_mode_active=True)
    api.create_field(model["id"], "title", "string")
    return model


def test_the_request_writes_references_only(api, receiver, post):
    listen(api, receiver, "item", ["create", "update"])
    listen(api, receiver, "item", ["create", "update"], name="second")
    make(api, post["id"], {"title": "warm"})  # the webhooks and the model cached
    with CaptureQueriesContext(connection) as queries:
        record = make(api, post["id"], {"title": "One"})
    writes = [q["sql"] for q in queries.captured_queries if "webhooks_webhookcall" in q["sql"]]
    assert len(writes) == 1 and writes[0].startswith("INSERT")  # two calls, one statement
    call = WebhookCall.objects.filter(ref_item=record["id"]).first()
    event = orjson.loads(call.event)
    assert set(event) == {"ref", "environment", "is_environment_primary"}
    assert event["ref"]["item"] == record["id"] and "entity" not in event
    assert len(call.event) < 600


def test_entities_are_as_the_event_saw_them(api, receiver, post):
    listen(api, receiver, "item", ["create", "update", "publish"])
    record = make(api, post["id"], {"title": "One"})
    body = {"data": {"type": "item", "id": record["id"], "attributes": {"title": "Two"}}}
    assert api.put(f"/items/{record['id']}", body).status_code == 200
    assert api.put(f"/items/{record['id']}/publish").status_code == 200
    assert received(receiver) == [("item", "create"), ("item", "update"), ("item", "publish")]
    create, update, publish = (receiver.json(i) for i in range(3))
    assert create["entity"]["attributes"]["title"] == "One"  # built after both writes
    assert create["entity"]["meta"]["status"] == "draft"
    assert create["entity"]["meta"]["published_at"] is None
    assert update["entity"]["attributes"]["title"] == "Two"
    assert update["previous_entity"]["attributes"]["title"] == "One"
    assert (
        update["previous_entity"]["meta"]["current_version"]
        != (update["entity"]["meta"]["current_version"])
    )
    assert publish["entity"]["meta"]["status"] == "published"
    assert publish["entity"]["meta"]["published_at"] is not None
    assert [e["type"] for e in create["related_entities"]] == ["item_type"]


def test_a_record_deleted_before_delivery_keeps_its_payloads(api, receiver, post):
    listen(api, receiver, "item", ["create", "update", "delete"], nested_items_in_payload=True)
    record = make(api, post["id"], {"title": "One"})
    body = {"data": {"type": "item", "id": record["id"], "attributes": {"title": "Two"}}}
    assert api.put(f"/items/{record['id']}", body).status_code == 200
    assert api.delete(f"/items/{record['id']}").status_code == 200
    assert not WebhookCall.objects.filter(ref_item__isnull=False).exists()
    assert received(receiver) == [("item", "create"), ("item", "update"), ("item", "delete")]
    titles = [receiver.json(i)["entity"]["attributes"]["title"] for i in range(3)]
    assert titles == ["One", "Two", "Two"]
    assert receiver.json(1)["previous_entity"]["attributes"]["title"] == "One"


def test_a_delete_refused_builds_nothing(api, receiver, post):
    listen(api, receiver, "item", ["create", "delete"])
    record = make(api, post["id"], {"title": "One"})
    linker = api.create_item_type("linker")
    api.create_field(
        linker["id"],
        "link",
        "link",
        validators={
            "item_item_type": {"item_types": [post["id"]], "on_reference_delete_strategy": "fail"}
        },
    )
    make(api, linker["id"], {"link": record["id"]})
    assert api.delete(f"/items/{record['id']}").status_code == 422
    assert WebhookCall.objects.filter(ref_item=record["id"]).count() == 1  # still a reference
    assert [kind for kind in received(receiver) if kind == ("item", "delete")] == []


@pytest.mark.django_db(transaction=True)
def test_events_of_a_sandbox_are_built_there(main_api, sandbox_api, receiver):
    listen(main_api, receiver, "item", ["create"])
    model = sandbox_api.create_item_type("only_here")
    sandbox_api.create_field(model["id"], "title", "string")
    record = make(sandbox_api, model["id"], {"title": "Sandboxed"})
    assert received(receiver) == [("item", "create")]
    payload = receiver.json(0)
    assert payload["environment"] == "sandbox" and payload["is_environment_primary"] is False
    assert payload["entity"]["id"] == record["id"]
    assert payload["entity"]["attributes"]["title"] == "Sandboxed"
    assert payload["related_entities"][0]["attributes"]["api_key"] == "only_here"


def test_a_chunk_is_built_in_a_constant_number_of_queries(api, receiver, post):
    listen(api, receiver, "item", ["create"])
    from webhooks import delivery, expand

    def queries_for(count: int) -> int:
        for n in range(count):
            make(api, post["id"], {"title": f"t{n}"})
        calls = delivery.claim_pending()
        assert len(calls) == count
        with CaptureQueriesContext(connection) as queries:
            expand.events_of(calls)
        WebhookCall.objects.all().delete()
        return len(queries.captured_queries)

    assert queries_for(2) == queries_for(12)


def test_a_call_whose_webhook_went_is_dropped_not_sent(api, receiver, post):
    # Calls carry no foreign-key constraint (a batch's 10,000 checks at commit): a call
    # written while its webhook is deleted must not be retried forever.
    listen(api, receiver, "item", ["create"])
    make(api, post["id"], {"title": "One"})
    assert WebhookCall.objects.count() == 1
    with connection.cursor() as cursor:  # the webhook's row goes as a concurrent delete's would
        cursor.execute("DELETE FROM webhooks_webhook")
    assert received(receiver) == []
    assert not WebhookCall.objects.exists()


def _sent_events(api, receiver, count: int) -> list[dict]:
    """What the webhooks received for a batch of ``count`` new records, in order."""
    before = len(receiver.received)
    records = [{"title": f"t{n}"} for n in range(count)]
    with CaptureQueriesContext(connection) as queries:
        sent = api.post("/rest/db/note", {"record": records})
    assert sent.status_code == 200, sent.body
    statements = [q["sql"].lstrip() for q in queries.captured_queries]
    writes = [sql for sql in statements if "webhooks_" in sql.split("SELECT")[0]]
    if connection.vendor == "postgresql":
        # One statement for every call (a big batch's: their deferred row), whatever the count
        assert len(writes) == 1
    received(receiver)
    return [receiver.json(i) for i in range(before, len(receiver.received))]


def test_a_big_batch_sends_what_a_small_one_does(api, receiver):
    # On PostgreSQL 50 records or more are written by webhooks/batch_events.py's one
    # INSERT … SELECT; fewer by events.emit. Both send the same events in the same order.
    model = api.create_item_type("note")  # draft mode off: create, then publish
    api.create_field(model["id"], "title", "string")
    other = api.create_item_type("other")
    listen(api, receiver, "item", ["create", "publish"])
    only_notes = [{"entity_type": "item_type", "entity_ids": [model["id"]]}]
    only_others = [{"entity_type": "item_type", "entity_ids": [other["id"]]}]
    for name, filters in (("notes", only_notes), ("others", only_others)):
        events = [{"entity_type": "item", "event_types": ["create"], "filters": filters}]
        body = webhook_body(receiver.url, name=name, events=events)
        assert api.post("/webhooks", body).status_code == 201
    names = {hook["id"]: hook["attributes"]["name"] for hook in api.get("/webhooks").body["data"]}
    small, big = _sent_events(api, receiver, 3), _sent_events(api, receiver, 60)
    assert len(small) == 3 * 3 and len(big) == 60 * 3
    for sent, count in ((small, 3), (big, 60)):
        kinds = [(e["event_type"], names[e["webhook_id"]]) for e in sent[:3]]
        assert kinds == [("create", "item"), ("create", "notes"), ("publish", "item")]
        titles = [e["entity"]["attributes"]["title"] for e in sent[::3]]
        assert titles == [f"t{n}" for n in range(count)]  # record by record, in order
    one_small, one_big = small[0], big[0]
    assert set(one_big) == set(one_small)
    assert set(one_big["entity"]["meta"]) == set(one_small["entity"]["meta"])
    assert one_big["entity"]["meta"]["status"] == "published"
    assert one_big["entity"]["meta"]["published_at"] is not None
    assert (
        one_big["entity"]["meta"]["first_published_at"] == one_big["entity"]["meta"]["published_at"]
    )
    assert one_big["environment"] == one_small["environment"] == "main"
    assert {e["entity"]["id"] for e in big} == {e["entity"]["id"] for e in big[::3]}
