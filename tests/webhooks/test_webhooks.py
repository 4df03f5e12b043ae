"""Webhooks over HTTP, delivered to a real receiver on loopback. In these in-process tests
the workers' delivery pass is run directly (delivery.deliver_pending) once the requests
committed; tests/webhooks/test_workers.py runs real workers."""

import base64

import pytest
from django.db import transaction

from tests.conftest import error_codes
from tests.items.conftest import make, put
from tests.webhooks.conftest import webhook_body
from webhooks import delivery
from webhooks.models import Webhook, WebhookCall


def deliver_all():
    delivery.deliver_pending()


@pytest.fixture
def post_model(api):
    model = api.create_item_type("post", draft_mode_active=True)
    api.create_field(model["id"], "title", "string")
    return model


def create_hook(api, url, **attributes):
    response = api.post("/webhooks", webhook_body(url, **attributes))
    assert response.status_code == 201, response.body
    return response.body["data"]


def test_crud_round_trip(api, receiver):
    hook = create_hook(api, receiver.url, auto_retry=True, headers={"X-Token": "t"})
    assert hook["attributes"]["enabled"] is True
    assert hook["attributes"]["payload_api_version"] == "3"
    assert hook["attributes"]["auto_retry"] is True
    listed = api.get("/webhooks").body["data"]
    assert [h["id"] for h in listed] == [hook["id"]]
    body = {"data": {"type": "webhook", "id": hook["id"], "attributes": {"enabled": False}}}
    updated = api.put(f"/webhooks/{hook['id']}", body)
    assert updated.status_code == 200 and updated.body["data"]["attributes"]["enabled"] is False
    assert api.get(f"/webhooks/{hook['id']}").body["data"]["attributes"]["name"] == "hook"
    assert api.delete(f"/webhooks/{hook['id']}").status_code == 200
    assert api.get(f"/webhooks/{hook['id']}").status_code == 404


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"events": [{"entity_type": "item", "event_types": ["promote"]}]}, "events"),
        ({"events": [{"entity_type": "nope", "event_types": ["create"]}]}, "events"),
        ({"custom_payload": "{{#open}}"}, "custom_payload"),
        ({"headers": {"Bad\nName": "x"}}, "headers"),
        ({"url": "ftp://example.com"}, "url"),
        ({"auto_retry": "yes"}, "auto_retry"),
        ({"payload_api_version": "9"}, "payload_api_version"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_attribute_and_writes_nothing(api, attributes, field):
    attributes = {"url": "https://example.com/x", **attributes}
    response = api.post("/webhooks", webhook_body(attributes.pop("url"), **attributes))
    assert response.status_code == 422, response.body
    assert field in {e[1] for e in error_codes(response)}, response.body
    assert not Webhook.objects.exists()


def test_missing_required_attributes(api):
    response = api.post("/webhooks", {"data": {"type": "webhook", "attributes": {"name": "x"}}})
    assert response.status_code == 422
    fields = {e[1] for e in error_codes(response)}
    assert {"url", "custom_payload", "headers", "events"} <= fields
    assert not Webhook.objects.exists()


def test_record_lifecycle_payloads(api, receiver, post_model, django_capture_on_commit_callbacks):
    hook = create_hook(
        api, receiver.url, http_basic_user="u", http_basic_password="p", headers={"X-Extra": "1"}
    )
    record = make(api, post_model["id"], {"title": "One"})
    assert put(api, record["id"], {"title": "Two"}).status_code == 200
    assert api.put(f"/items/{record['id']}/publish").status_code == 200
    assert api.put(f"/items/{record['id']}/unpublish").status_code == 200
    assert api.delete(f"/items/{record['id']}").status_code == 200
    deliver_all()
    receiver.wait(5)
    bodies = [receiver.json(i) for i in range(5)]
    assert [b["event_type"] for b in bodies] == [
        "create",
        "update",
        "publish",
        "unpublish",
        "delete",
    ]
    assert [b["entity"]["meta"]["status"] for b in bodies] == [
        "draft",
        "draft",
        "published",
        "draft",
        "draft",
    ]
    create, update = bodies[0], bodies[1]
    assert create["entity_type"] == "item" and create["webhook_id"] == hook["id"]
    assert create["entity"]["id"] == record["id"] and create["environment"] == "main"
    assert create["is_environment_primary"] is True
    assert "previous_entity" not in create
    assert update["previous_entity"]["attributes"]["title"] == "One"
    assert update["entity"]["attributes"]["title"] == "Two"
    assert update["related_entities"][0]["id"] == post_model["id"]
    headers = receiver.received[0]["headers"]
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    assert headers["X-Extra"] == "1" and headers["User-Agent"] == "DatoCMS (datocms.com)"
    calls = api.get("/webhook_calls?order_by=created_at_asc").body
    assert calls["meta"]["total_count"] == 5
    assert {c["attributes"]["status"] for c in calls["data"]} == {"success"}
    assert calls["included"][0]["id"] == hook["id"]
    first = calls["data"][0]
    assert create["webhook_call_id"] == first["id"]
    assert first["attributes"]["response_status"] == 200


def test_filters_and_custom_payload(api, receiver, post_model):
    other = api.create_item_type("other")
    create_hook(
        api,
        receiver.url,
        custom_payload="{{entity_type}}:{{event_type}}:{{entity.id}}",
        events=[
            {
                "entity_type": "item",
                "event_types": ["create"],
                "filters": [{"entity_type": "item_type", "entity_ids": [post_model["id"]]}],
            }
        ],
    )
    make(api, other["id"], {})
    record = make(api, post_model["id"], {"title": "x"})
    deliver_all()
    receiver.wait(1)
    assert len(receiver.received) == 1
    assert receiver.received[0]["body"] == f"item:create:{record['id']}".encode()


def test_rolled_back_write_sends_nothing(api, receiver, post_model):
    from cms.api.parsing import parse_resource
    from items import services

    create_hook(api, receiver.url)
    body = {
        "data": {
            "type": "item",
            "attributes": {"title": "gone"},
            "relationships": {"item_type": {"data": {"type": "item_type", "id": post_model["id"]}}},
        }
    }
    with pytest.raises(RuntimeError), transaction.atomic():
        services.item_create(document=parse_resource(body, "item"), creator_id=None)
        raise RuntimeError
    assert not WebhookCall.objects.exists()


def test_retry_after_500_then_resend(api, receiver, post_model):
    create_hook(api, receiver.url, auto_retry=True)
    receiver.statuses = [500]
    make(api, post_model["id"], {"title": "x"})
    deliver_all()
    call = WebhookCall.objects.get()
    assert call.status == "rescheduled" and call.response_status == 500
    assert delivery.retry_due() == 1
    call.refresh_from_db()
    assert call.status == "success" and call.attempted_auto_retries_count == 1
    assert receiver.json(1)["attempted_auto_retries_count"] == 1
    response = api.post(f"/webhook_calls/{call.pk}/resend_webhook")
    assert response.status_code == 204
    delivery.resend(call.pk)
    assert len(receiver.received) == 3


def test_receiver_timeout_fails_the_call(api, receiver, post_model, settings):
    settings.CMS_OUTBOUND_TOTAL_TIMEOUT = 0.5
    create_hook(api, receiver.url)
    receiver.delay = 1.5
    make(api, post_model["id"], {"title": "x"})
    deliver_all()
    call = WebhookCall.objects.get()
    assert call.status == "failed" and call.response_payload.startswith("TIMEOUT")


def test_private_address_refused(api, receiver, post_model, settings):
    create_hook(api, receiver.url)
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = ""
    make(api, post_model["id"], {"title": "x"})
    deliver_all()
    call = WebhookCall.objects.get()
    assert call.status == "failed" and call.response_payload.startswith("FORBIDDEN_ADDRESS")
    assert receiver.received == []


def test_webhook_calls_filters(api, receiver, post_model):
    hook = create_hook(api, receiver.url)
    make(api, post_model["id"], {"title": "x"})
    path = f"/webhook_calls?filter[fields][webhook_id][eq]={hook['id']}&order_by=webhook_id_desc"
    assert api.get(path).body["meta"]["total_count"] == 1
    assert api.get("/webhook_calls?filter[fields][status][eq]=success").body["data"] == []
    bad = api.get("/webhook_calls?order_by=created_at_DESC")
    assert bad.status_code == 422


def test_no_webhooks_costs_no_query(api, post_model, django_assert_max_num_queries):
    make(api, post_model["id"], {"title": "warm"})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        make(api, post_model["id"], {"title": "x"})
    assert not any("webhook" in q["sql"].lower() for q in queries.captured_queries[1:])


def test_old_calls_are_pruned(api, receiver, post_model, settings):
    from datetime import timedelta

    from django.utils.timezone import now

    create_hook(api, receiver.url)
    make(api, post_model["id"], {"title": "old"})
    make(api, post_model["id"], {"title": "new"})
    old = WebhookCall.objects.order_by("pk").first()
    WebhookCall.objects.filter(pk=old.pk).update(created_at=now() - timedelta(days=31))
    settings.CMS_WEBHOOK_CALL_RETENTION_DAYS = 30
    assert delivery.prune() == 1
    assert WebhookCall.objects.count() == 1 and not WebhookCall.objects.filter(pk=old.pk).exists()


def test_a_disabled_webhook_gets_no_calls(api, receiver, post_model):
    hook = create_hook(api, receiver.url, enabled=False)
    make(api, post_model["id"], {"title": "x"})
    assert not WebhookCall.objects.exists()
    body = {"data": {"type": "webhook", "id": hook["id"], "attributes": {"enabled": True}}}
    assert api.put(f"/webhooks/{hook['id']}", body).status_code == 200
    make(api, post_model["id"], {"title": "y"})  # the new version is seen at once
    assert WebhookCall.objects.count() == 1


@pytest.mark.parametrize(
    "events",
    [
        [{"entity_type": ["item"], "event_types": ["create"]}],
        [{"entity_type": {"a": 1}, "event_types": ["create"]}],
        [{"entity_type": "item", "event_types": [["create"]]}],
        [
            {
                "entity_type": "item",
                "event_types": ["create"],
                "filters": [{"entity_type": ["item"], "entity_ids": ["x"]}],
            }
        ],
    ],
)
def test_events_of_the_wrong_json_types_are_a_422(api, events):
    response = api.post("/webhooks", webhook_body("https://example.com/x", events=events))
    assert response.status_code == 422, response.body
    assert "events" in {e[1] for e in error_codes(response)}
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "order_by[]=created_at_asc",
        "filter[fields][status][eq][]=success",
        "filter[fields][created_at][gt]=yesterday",
        "filter[ids]=abc",
        "filter[fields][nope][eq]=1",
        "page[limit]=501",
    ],
)
def test_bad_webhook_call_queries_are_a_4xx(api, query):
    response = api.get(f"/webhook_calls?{query}")
    assert 400 <= response.status_code < 500, response.body


def test_a_retry_being_sent_is_not_claimed_by_the_pending_pass(api, receiver, post_model):
    """The retry pass claims the call it sends: the delivery pass (another thread of the
    worker) running meanwhile must not send it a second time."""
    create_hook(api, receiver.url, auto_retry=True)
    receiver.statuses = [500]
    make(api, post_model["id"], {"title": "x"})
    deliver_all()
    seen_during_retry = []
    real_post = delivery.outbound.post

    def post_while_the_pending_pass_runs(*args, **kwargs):
        seen_during_retry.extend(delivery.claim_pending())
        return real_post(*args, **kwargs)

    delivery.outbound.post = post_while_the_pending_pass_runs
    try:
        assert delivery.retry_due() == 1
    finally:
        delivery.outbound.post = real_post
    assert seen_during_retry == []
    assert len(receiver.received) == 2
    assert WebhookCall.objects.get().status == "success"


def test_a_header_http_cannot_send_fails_the_call_instead_of_jamming(api, receiver, post_model):
    create_hook(api, receiver.url, headers={"X-Sign": "€"})
    make(api, post_model["id"], {"title": "x"})
    deliver_all()
    call = WebhookCall.objects.get()
    assert call.status == "failed" and call.response_payload.startswith("REQUEST_FAILED")
    assert call.claim is None


def test_only_admin_tokens_read_webhooks_and_their_calls(api, receiver, post_model):
    from tests.conftest import make_api

    hook = create_hook(api, receiver.url, http_basic_user="u", http_basic_password="s3cret")
    for role in ("editor", "readonly"):
        other = make_api(role)
        for path in ("/webhooks", f"/webhooks/{hook['id']}", "/webhook_calls"):
            response = other.get(path)
            assert response.status_code == 403, (role, path, response.body)
            assert "s3cret" not in str(response.body)
    assert api.get("/webhooks").status_code == 200


def test_delivery_threads_run_at_a_lower_priority(settings):
    """Per thread (Linux): the thread sending webhooks yields the cores to the API's
    processes; the rest of the worker keeps its priority."""
    import os
    import threading

    from webhooks import tasks

    settings.CMS_WEBHOOK_DELIVERY_NICE = 7
    seen = {}

    def run():
        tasks.lower_priority()
        tasks.lower_priority()  # once per thread
        seen["sender"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen["sender"] == max(before, 7)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
