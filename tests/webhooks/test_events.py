"""Which events the write services emit (SPEC-2 §8.1, §8.2), delivered to a real receiver:
bulk operations, record-API batches (one event per record, one insert for the batch),
models (a field change is the model's update), uploads, promote, maintenance mode."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import create_upload, png_bytes
from tests.items.conftest import make
from tests.menus.conftest import (
    queue,  # noqa: F401  (a fixture)
    run_jobs,
)
from tests.webhooks.conftest import webhook_body
from tests.webhooks.test_webhooks import deliver_all
from webhooks.models import WebhookCall


def listen(api, receiver, entity_type, event_types, **attributes):
    events = [{"entity_type": entity_type, "event_types": event_types}]
    response = api.post(
        "/webhooks",
        webhook_body(receiver.url, events=events, **{"name": entity_type, **attributes}),
    )
    assert response.status_code == 201, response.body


def received(receiver) -> list[tuple]:
    deliver_all()
    return [
        (receiver.json(i)["entity_type"], receiver.json(i)["event_type"])
        for i in range(len(receiver.received))
    ]


def test_model_without_drafts_sends_publish_with_create(api, receiver):
    model = api.create_item_type("note")  # draft mode off
    listen(api, receiver, "item", ["create", "publish", "update", "delete", "unpublish"])
    record = make(api, model["id"], {})
    assert api.delete(f"/items/{record['id']}").status_code == 200
    assert received(receiver) == [
        ("item", "create"),
        ("item", "publish"),
        ("item", "unpublish"),
        ("item", "delete"),
    ]
    statuses = {receiver.json(i)["entity"]["meta"]["status"] for i in range(4)}
    assert statuses == {"published"}


@pytest.mark.django_db(transaction=True)  # jobs run here as on a worker
@pytest.mark.usefixtures("queue")
def test_bulk_publish_sends_one_event_per_record(api, receiver):
    model = api.create_item_type("page", draft_mode_active=True)
    ids = [make(api, model["id"], {})["id"] for _ in range(3)]
    listen(api, receiver, "item", ["publish"])
    body = {
        "data": {
            "type": "item_bulk_publish_operation",
            "relationships": {"items": {"data": [{"type": "item", "id": i} for i in ids]}},
        }
    }
    assert api.post("/items/bulk/publish", body).status_code == 202
    run_jobs()
    assert received(receiver) == [("item", "publish")] * 3
    assert sorted(receiver.json(i)["entity"]["id"] for i in range(3)) == sorted(ids)


def test_record_api_batch_inserts_its_calls_at_once(api, receiver):
    model = api.create_item_type("article")
    api.create_field(model["id"], "title", "string")
    listen(api, receiver, "item", ["create"])
    listen(api, receiver, "item", ["create"], name="second")
    with CaptureQueriesContext(connection) as queries:
        sent = api.post("/rest/db/article", {"record": [{"title": f"t{n}"} for n in range(40)]})
    assert sent.status_code == 200, sent.body
    inserts = [
        q
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "COPY")) and "webhooks_webhookcall" in q["sql"]
    ]
    assert len(inserts) == 1  # a COPY on PostgreSQL
    assert WebhookCall.objects.count() == 80
    assert len(received(receiver)) == 80


def test_field_change_is_the_models_update(api, receiver):
    listen(api, receiver, "item_type", ["create", "update", "delete"])
    model = api.create_item_type("thing")
    api.create_field(model["id"], "title", "string")
    assert api.delete(f"/item-types/{model['id']}").status_code == 200
    assert received(receiver) == [
        ("item_type", "create"),
        ("item_type", "update"),
        ("item_type", "delete"),
    ]
    assert receiver.json(1)["entity"]["relationships"]["fields"]["data"][0]["type"] == "field"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("queue")
def test_upload_events(api, receiver):
    listen(api, receiver, "upload", ["create", "update", "delete"])
    upload = create_upload(api, png_bytes())
    body = {"data": {"type": "upload", "id": upload["id"], "attributes": {"author": "Ann"}}}
    updated = api.put(f"/uploads/{upload['id']}", body)
    assert updated.status_code in (200, 202), updated.body
    run_jobs()
    assert api.delete(f"/uploads/{upload['id']}").status_code in (200, 202)
    run_jobs()
    assert received(receiver) == [("upload", "create"), ("upload", "update"), ("upload", "delete")]
    assert receiver.json(1)["entity"]["attributes"]["author"] == "Ann"


@pytest.mark.parametrize("active", [True])
def test_maintenance_mode_change(api, receiver, active):
    listen(api, receiver, "maintenance_mode", ["change"])
    assert api.put("/maintenance-mode/activate").status_code == 200
    assert api.put("/maintenance-mode/deactivate").status_code == 200
    assert received(receiver) == [("maintenance_mode", "change")] * 2
    first = receiver.json(0)["entity"]
    assert first == {
        "type": "maintenance_mode",
        "id": "maintenance_mode",
        "attributes": {"active": True},
    }
