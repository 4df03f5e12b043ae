"""Delivery keeps connections alive (cms/outbound.py's ``keep_alive``) and writes a
chunk's outcomes in one statement (webhooks/delivery.py), against a real HTTP/1.1
receiver on loopback that counts the connections it accepted."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms import kept_connections, outbound
from tests.items.conftest import make
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_webhooks import create_hook
from webhooks import delivery
from webhooks.models import WebhookCall


@pytest.fixture
def kept(settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    settings.CMS_WEBHOOK_RETRY_DELAYS = [60.0]
    found = Receiver(keep_alive=True)
    yield found
    found.close()


@pytest.fixture
def post_model(api):
    model = api.create_item_type("post", draft_mode_active=True)
    api.create_field(model["id"], "title", "string")
    return model


def test_one_connection_for_many_requests(kept):
    for n in range(4):
        answer = outbound.post(kept.url, b'{"n": %d}' % n, {}, keep_alive=True)
        assert answer.status == 200 and answer.body == b"ok"
    assert len(kept.received) == 4
    assert kept.connections == 1


def test_without_keep_alive_each_request_connects(kept):
    for _ in range(3):
        assert outbound.post(kept.url, b"{}", {}).status == 200
    assert kept.connections == 3


@pytest.mark.parametrize("pause", [0.05, 0.0])  # its close seen before the next send, or not
def test_a_connection_the_receiver_closed_is_replaced(pause):
    dropping = Receiver(keep_alive=True, drop_idle=True)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("django.conf.settings.CMS_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8")
            for _ in range(3):
                assert outbound.post(dropping.url, b"{}", {}, keep_alive=True).status == 200
                time.sleep(pause)
    finally:
        dropping.close()
    assert len(dropping.received) == 3
    assert dropping.connections == 3


def test_a_kept_connection_is_checked_against_the_allow_list_again(kept, settings):
    assert outbound.post(kept.url, b"{}", {}, keep_alive=True).status == 200
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = ""
    with pytest.raises(outbound.OutboundError) as refused:
        outbound.post(kept.url, b"{}", {}, keep_alive=True)
    assert refused.value.code == "FORBIDDEN_ADDRESS"
    assert len(kept.received) == 1


def test_a_truncated_body_is_not_kept(kept):
    kept.body = b"x" * 5000
    answer = outbound.post(kept.url, b"{}", {}, keep_alive=True, max_body=1000)
    assert answer.truncated and len(answer.body) == 1000
    kept.body = b"ok"
    assert outbound.post(kept.url, b"{}", {}, keep_alive=True).body == b"ok"
    assert kept.connections == 2


def test_a_kept_connection_keeps_the_total_deadline(kept):
    assert outbound.post(kept.url, b"{}", {}, keep_alive=True).status == 200
    kept.delay = 1.0
    started = time.monotonic()
    with pytest.raises(outbound.OutboundError) as late:
        outbound.post(kept.url, b"{}", {}, keep_alive=True, total_timeout=0.3)
    assert late.value.code == "TIMEOUT" and time.monotonic() - started < 0.9
    kept.delay = 0.0
    assert outbound.post(kept.url, b"{}", {}, keep_alive=True).status == 200
    assert kept.connections == 2  # the late one was dropped, not reused


def test_delivery_reuses_one_connection_and_writes_a_chunk_at_once(api, kept, post_model):
    create_hook(api, kept.url, auto_retry=True)
    kept.statuses = [500, 200, 404]
    for n in range(6):
        make(api, post_model["id"], {"title": f"t{n}"})
    with CaptureQueriesContext(connection) as queries:
        assert delivery.deliver_pending() == 6
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("WITH V")]
    assert len(writes) == 1  # the 6 outcomes, one statement
    assert len(kept.received) == 6 and kept.connections == 1
    calls = list(WebhookCall.objects.order_by("pk"))
    assert [c.status for c in calls] == ["rescheduled", "success", "rescheduled"] + ["success"] * 3
    assert [c.response_status for c in calls] == [500, 200, 404, 200, 200, 200]
    assert calls[0].next_retry_at is not None and calls[1].next_retry_at is None
    assert all(c.claim is None and c.last_sent_at is not None for c in calls)
    assert calls[1].request_headers["Content-Type"] == "application/json"
    assert calls[1].response_headers["content-length"] == "2"
    # The API answers what was written.
    listed = api.get("/webhook_calls").body["data"]
    statuses = sorted(c["attributes"]["status"] for c in listed)
    assert statuses == ["rescheduled"] * 2 + ["success"] * 4


def test_a_slow_chunk_is_written_as_it_goes(api, kept, post_model, monkeypatch):
    monkeypatch.setattr(delivery, "FLUSH_SECONDS", 0.0)
    create_hook(api, kept.url)
    for n in range(3):
        make(api, post_model["id"], {"title": f"t{n}"})
    with CaptureQueriesContext(connection) as queries:
        assert delivery.deliver_pending() == 3
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("WITH V")]
    assert len(writes) == 3
    assert set(WebhookCall.objects.values_list("status", flat=True)) == {"success"}


def test_an_idle_connection_is_kept_only_so_long(kept, monkeypatch):
    monkeypatch.setattr(kept_connections.Idle, "IDLE_SECONDS", 0.1)
    assert outbound.post(kept.url, b"{}", {}, keep_alive=True).status == 200
    assert outbound.post(kept.url, b"{}", {}, keep_alive=True).status == 200
    time.sleep(0.2)
    assert outbound.post(kept.url, b"{}", {}, keep_alive=True).status == 200
    assert kept.connections == 2


def test_connections_kept_are_bounded_per_thread(settings, monkeypatch):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    monkeypatch.setattr(kept_connections.Idle, "MAX_IDLE", 1)
    first, second = Receiver(keep_alive=True), Receiver(keep_alive=True)
    try:
        for receiver in (first, second, first, first):
            assert outbound.post(receiver.url, b"{}", {}, keep_alive=True).status == 200
        assert len(kept_connections.of_this_thread().kept) == 1
    finally:
        first.close()
        second.close()
    assert (first.connections, second.connections) == (2, 1)  # the first's was let go
