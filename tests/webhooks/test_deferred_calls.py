"""A big batch's calls, deferred (webhooks/batch_events.py): on PostgreSQL a batch of 50
records or more writes one row in its transaction, and its calls are written later, with
the ids the batch took, by whoever needs them first: the delivery pass, a read of
``/webhook_calls``, the deletion of one of the records."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from tests.items.conftest import make
from tests.processes import second_connection
from tests.webhooks.test_events import listen, received
from webhooks import batch_events, delivery
from webhooks.models import DeferredCalls, WebhookCall

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite writes a batch's calls at once"
)
BIG = batch_events.SMALLEST + 10


@pytest.fixture
def note(api):
    model = api.create_item_type("note", draft_mode_active=True)  # one event a record
    api.create_field(model["id"], "title", "string")
    return model


def batch(api, count: int, first: int = 0) -> list[str]:
    records = [{"title": f"t{n}"} for n in range(first, first + count)]
    sent = api.post("/rest/db/note", {"record": records})
    assert sent.status_code == 200, sent.body
    return [record["id"] for record in sent.body["record"]]


def test_the_batch_writes_one_row_and_no_call(api, receiver, note):
    listen(api, receiver, "item", ["create"])
    with CaptureQueriesContext(connection) as queries:
        batch(api, BIG)
    statements = [q["sql"].lstrip() for q in queries.captured_queries]
    writes = [sql for sql in statements if "webhooks_" in sql.split("SELECT")[0]]
    assert len(writes) == 1 and writes[0].startswith("INSERT INTO webhooks_deferredcalls")
    assert not WebhookCall.objects.exists()
    assert DeferredCalls.objects.count() == 1
    assert len(received(receiver)) == BIG  # the delivery pass wrote and sent them
    assert not DeferredCalls.objects.exists()
    assert WebhookCall.objects.filter(status="success").count() == BIG


def test_the_calls_list_shows_a_batch_that_answered(api, receiver, note):
    listen(api, receiver, "item", ["create"])
    ids = batch(api, BIG)
    listed = api.get("/webhook_calls?page[limit]=500&order_by=created_at_asc")
    assert listed.status_code == 200
    assert listed.body["meta"]["total_count"] == BIG
    calls = listed.body["data"]
    assert [call["attributes"]["status"] for call in calls] == ["pending"] * BIG
    first = calls[0]["id"]
    assert api.get(f"/webhook_calls/{first}").status_code == 200
    refs = list(WebhookCall.objects.order_by("pk").values_list("ref_item", flat=True))
    assert refs == ids  # numbered record by record, as the batch wrote them


def test_a_bad_question_about_calls_writes_nothing(api, receiver, note):
    listen(api, receiver, "item", ["create"])
    batch(api, BIG)
    refused = api.get("/webhook_calls?order_by=nonsense")
    assert refused.status_code == 422
    assert refused.body["data"][0]["attributes"]["code"] == "INVALID_QUERY_PARAMETERS"
    assert api.get("/webhook_calls/not-a-number").status_code == 404
    assert DeferredCalls.objects.count() == 1 and not WebhookCall.objects.exists()


def test_a_call_found_by_id_before_any_list(api, receiver, note):
    listen(api, receiver, "item", ["create"])
    batch(api, BIG)
    with connection.cursor() as cursor:
        cursor.execute("SELECT call_ids FROM webhooks_deferredcalls")
        first = min(int(i) for i in cursor.fetchone()[0].split(","))
    found = api.get(f"/webhook_calls/{first}")
    assert found.status_code == 200, found.body
    assert found.body["data"]["attributes"]["event_type"] == "create"


def test_calls_keep_the_order_of_the_writes(api, receiver, note):
    listen(api, receiver, "item", ["create"])
    ids = batch(api, BIG)
    later = make(api, note["id"], {"title": "after the batch"})  # written at once
    assert WebhookCall.objects.count() == 1
    later_call = WebhookCall.objects.get()
    assert len(received(receiver)) == BIG + 1
    sent = [receiver.json(i)["entity"]["id"] for i in range(BIG + 1)]
    assert sent == [*ids, later["id"]]  # the batch's ids were taken before the create's
    assert max(WebhookCall.objects.exclude(pk=later_call.pk).values_list("pk", flat=True)) < (
        later_call.pk
    )


def test_a_record_deleted_before_its_call_is_written_keeps_its_payload(api, receiver, note):
    listen(api, receiver, "item", ["create", "delete"])
    ids = batch(api, BIG)
    assert api.delete(f"/items/{ids[5]}").status_code == 200
    assert not DeferredCalls.objects.exists()  # written by the delete, then built
    assert not WebhookCall.objects.filter(ref_item=ids[5]).exists()
    received(receiver)
    payloads = [receiver.json(i) for i in range(len(receiver.received))]
    create = next(
        p for p in payloads if p["event_type"] == "create" and p["entity"]["id"] == ids[5]
    )
    assert create["entity"]["attributes"]["title"] == "t5"  # not only a reference


def test_a_batch_rolled_back_defers_nothing(api, receiver, note):
    listen(api, receiver, "item", ["create"])

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():  # the request's writes, undone
        batch(api, BIG)
        assert DeferredCalls.objects.count() == 1
        raise RolledBack
    assert not DeferredCalls.objects.exists() and not WebhookCall.objects.exists()
    assert received(receiver) == []


def test_a_webhook_deleted_before_its_calls_are_written_gets_none(api, receiver, note):
    listen(api, receiver, "item", ["create"])
    batch(api, BIG)
    (hook,) = api.get("/webhooks").body["data"]
    assert api.delete(f"/webhooks/{hook['id']}").status_code == 200
    listed = api.get("/webhook_calls")
    assert listed.status_code == 200 and listed.body["meta"]["total_count"] == 0
    assert not DeferredCalls.objects.exists() and received(receiver) == []


def test_a_deletion_writes_only_the_batches_holding_its_record(api, receiver, note):
    listen(api, receiver, "item", ["create", "delete"])
    batch(api, BIG)
    second = batch(api, BIG, first=BIG)
    assert api.delete(f"/items/{second[0]}").status_code == 200
    assert DeferredCalls.objects.count() == 1  # the first batch's, left to the workers
    assert WebhookCall.objects.filter(event_type="create").count() == BIG
    assert len(received(receiver)) == 2 * BIG + 1


def test_a_row_that_cannot_be_written_is_set_aside(api, receiver, note, caplog, settings):
    listen(api, receiver, "item", ["create"])
    batch(api, BIG)
    broken = DeferredCalls.objects.create(
        arguments='{"format": 999, "arguments": []}', item_ids="x", call_ids="1"
    )
    later = batch(api, BIG, first=BIG)
    assert len(received(receiver)) == 2 * BIG  # both good batches, around the broken one
    broken.refresh_from_db()
    assert broken.error.startswith("ValueError: Unknown format 999")
    assert "Writing the calls of deferred batch" in caplog.text
    assert api.delete(f"/items/{later[0]}").status_code == 200  # deletes go on too
    assert api.get("/webhook_calls").status_code == 200
    settings.CMS_WEBHOOK_CALL_RETENTION_DAYS = 30
    delivery.prune()
    assert DeferredCalls.objects.filter(pk=broken.pk).exists()  # kept as long as calls are
    DeferredCalls.objects.filter(pk=broken.pk).update(created_at=now() - timedelta(days=31))
    delivery.prune()
    assert not DeferredCalls.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_batch_being_written_elsewhere_is_skipped_by_the_pass(api, receiver, note):
    # Several workers run the delivery pass: each deferred batch is written by one.
    listen(api, receiver, "item", ["create"])
    batch(api, BIG)
    other = second_connection(connection)
    try:
        other.execute("SELECT id FROM webhooks_deferredcalls FOR UPDATE")  # another worker's
        assert batch_events.write_deferred() == 0
        assert not WebhookCall.objects.exists()
        listed = api.get("/webhook_calls")  # a read doesn't wait for it
        assert listed.status_code == 200 and listed.body["meta"]["total_count"] == 0
        other.rollback()
        assert batch_events.write_deferred() == 1
        assert batch_events.write_deferred() == 0
        assert WebhookCall.objects.count() == BIG
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_batch_the_database_refuses_now_is_left_for_later(api, receiver, note):
    # A lock not granted in time (or a timeout) is not the batch's fault: not set aside.
    listen(api, receiver, "item", ["create"])
    ids = batch(api, BIG)
    other = second_connection(connection)
    try:
        other.execute("SELECT id FROM webhooks_deferredcalls FOR UPDATE")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '100ms'")
            assert batch_events.write_deferred(ids[:1]) == 0  # waited, then gave up
        other.rollback()
        assert DeferredCalls.objects.get().error is None
        assert batch_events.write_deferred(ids[:1]) == 1
        assert WebhookCall.objects.count() == BIG
    finally:
        other.close()
