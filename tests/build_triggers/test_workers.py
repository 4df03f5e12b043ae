"""Build triggers with the whole product running (`manage.py serve`: the server and its
worker process) and a CI on loopback: the worker sends the build request, the CI reports
on ``webhook_url`` over HTTP with no API token, a scheduled publication a few seconds
ahead autotriggers the next build, and the ``deploy_*`` webhooks arrive."""

import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta

from tests.serving import FAST_JOBS, serving
from tests.webhooks.receiver import Receiver


def ok(served, method, path, body=None, status=200):
    answered, document = served.request(method, path, body)
    assert answered == status, (method, path, answered, document)
    return document


def wait_for(condition, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not {what} within {timeout} s"
        time.sleep(0.05)


def test_a_build_end_to_end_with_a_worker(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("build-workers") / "data"
    ci, hooks = Receiver(), Receiver()
    try:
        with serving(
            data_dir,
            "build_triggers",
            **FAST_JOBS,
            CMS_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
            CMS_WEBHOOK_POLL_SECONDS="0.1",
            CMS_SCHEDULE_POLL_SECONDS="0.2",
        ) as served:
            events = [
                {
                    "entity_type": "build_trigger",
                    "event_types": ["deploy_started", "deploy_succeeded", "deploy_failed"],
                }
            ]
            webhook = {
                "name": "deploys",
                "url": hooks.url,
                "custom_payload": None,
                "headers": {},
                "events": events,
                "http_basic_user": None,
                "http_basic_password": None,
            }
            ok(
                served,
                "POST",
                "/webhooks",
                {"data": {"type": "webhook", "attributes": webhook}},
                201,
            )
            attributes = {
                "name": "Production",
                "adapter": "custom",
                "adapter_settings": {
                    "trigger_url": ci.url,
                    "headers": {"X-Ci-Token": "s3cret"},
                    "payload": {"ref": "main"},
                },
                "frontend_url": None,
                "autotrigger_on_scheduled_publications": True,
            }
            body = {"data": {"type": "build_trigger", "attributes": attributes}}
            trigger = ok(served, "POST", "/build-triggers", body, 201)["data"]
            path = f"/build-triggers/{trigger['id']}"

            ok(served, "POST", f"{path}/trigger", status=204)
            ci.wait(1)
            assert json.loads(ci.received[0]["body"]) == {"ref": "main"}
            assert ci.received[0]["headers"]["X-Ci-Token"] == "s3cret"
            assert ok(served, "GET", path)["data"]["attributes"]["build_status"] == "pending"

            # The CI reports, as its docs show: a plain POST to webhook_url, no API token.
            webhook_url = trigger["attributes"]["webhook_url"]
            assert webhook_url.startswith(served.url)
            report = urllib.request.Request(
                webhook_url,
                b'{"status": "success"}',
                {"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(report, timeout=30) as response:
                assert response.status == 204
            found = ok(served, "GET", path)["data"]["attributes"]
            assert found["build_status"] == "success" and found["last_build_completed_at"]

            # A scheduled publication a few seconds ahead: once it runs, a build is asked.
            model = ok(
                served,
                "POST",
                "/item-types",
                {
                    "data": {
                        "type": "item_type",
                        "attributes": {
                            "name": "Post",
                            "api_key": "post",
                            "draft_mode_active": True,
                        },
                    }
                },
                201,
            )["data"]["id"]
            record = {
                "type": "item",
                "attributes": {},
                "relationships": {"item_type": {"data": {"type": "item_type", "id": model}}},
            }
            record_id = ok(served, "POST", "/items", {"data": record}, 201)["data"]["id"]
            at = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
            schedule = {
                "data": {
                    "type": "scheduled_publication",
                    "attributes": {"publication_scheduled_at": at, "selective_publication": None},
                }
            }
            ok(served, "POST", f"/items/{record_id}/scheduled-publication", schedule, 201)
            ci.wait(2, timeout=30)
            assert ci.received[1]["at"] >= datetime.fromisoformat(at).timestamp()
            assert ok(served, "GET", f"/items/{record_id}")["data"]["meta"]["published_at"]

            hooks.wait(3)
            kinds = [hooks.json(i)["event_type"] for i in range(len(hooks.received))]
            assert kinds[:3] == ["deploy_started", "deploy_succeeded", "deploy_started"]
            assert {hooks.json(i)["entity"]["id"] for i in range(3)} == {trigger["id"]}
    finally:
        ci.close()
        hooks.close()
