"""Every kind of write is recorded, over HTTP, with who, what, where and the outcome."""

import pytest

from access.models import Role
from audit_log.models import AuditLogEvent
from tests.audit_log.conftest import actions, events
from tests.conftest import create_upload, png_bytes
from tests.items.conftest import item_body, make, put
from tests.webhooks.conftest import webhook_body


@pytest.fixture
def post_model(api):
    model = api.create_item_type("post", draft_mode_active=True)
    api.create_field(model["id"], "title", "string")
    return model


def test_a_create_is_recorded_with_actor_role_environment_request_and_response(api, post_model):
    before = AuditLogEvent.objects.count()
    headers = {"X-Request-ID": "req-42"}
    response = api.post("/items", item_body(post_model["id"], {"title": "Hi"}), headers=headers)
    assert response.status_code == 201
    assert AuditLogEvent.objects.count() == before + 1
    [event] = events(api, filter="action_name = 'items.create'", detailed_log=True)
    attributes = event["attributes"]
    token = AuditLogEvent.objects.get(pk=event["id"])
    assert attributes["actor"] == {
        "type": "access_token",
        "id": token.actor_id,
        "name": token.actor_name,
    }
    admin = Role.named("admin")
    assert attributes["role"] == {"id": admin.pk, "name": admin.name}
    assert attributes["environment"] == {"id": "main", "primary": True}
    assert attributes["request"]["path"] == "/items"
    assert attributes["request"]["method"] == "POST"
    assert attributes["request"]["id"] == "req-42"
    assert attributes["request"]["payload"]["data"]["attributes"] == {"title": "Hi"}
    assert attributes["response"]["status"] == 201
    assert attributes["response"]["payload"]["data"]["id"] == response.body["data"]["id"]
    assert attributes["impersonated"] is None
    assert event["meta"]["occurred_at"].endswith("Z")
    assert len(event["id"]) == 26


def test_without_detailed_log_no_payloads(api, post_model):
    make(api, post_model["id"], {"title": "Hi"})
    [event] = events(api, filter="action_name = 'items.create'")
    assert "payload" not in event["attributes"]["request"]
    assert event["attributes"]["response"] == {"status": 201}


def test_each_kind_of_write_is_recorded(api, post_model, settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    item = make(api, post_model["id"], {"title": "A"})
    assert put(api, item["id"], {"title": "B"}).status_code == 200
    assert api.put(f"/items/{item['id']}/publish").status_code == 200
    assert api.put(f"/items/{item['id']}/unpublish").status_code == 200
    bulk = {
        "data": {
            "type": "item_bulk_publish_operation",
            "relationships": {"items": {"data": [{"type": "item", "id": item["id"]}]}},
        }
    }
    assert api.post("/items/bulk/publish", bulk).status_code in (200, 202)
    assert api.post("/items/validate", item_body(post_model["id"], {"title": "x"})).status_code
    assert api.delete(f"/items/{item['id']}").status_code == 200
    field = api.create_field(post_model["id"], "body", "text")
    changed = {"data": {"type": "field", "id": field["id"], "attributes": {"label": "Text"}}}
    assert api.put(f"/fields/{field['id']}", changed).status_code in (200, 202)
    upload = create_upload(api, png_bytes())
    assert api.delete(f"/uploads/{upload['id']}").status_code in (200, 202)
    hook = api.post("/webhooks", webhook_body("http://127.0.0.1:9/x", headers={"X-Secret": "s"}))
    assert hook.status_code == 201
    assert api.post("/rest/db/post", {"record": [{"title": "R"}]}).status_code == 200
    recorded = actions(api)
    assert recorded == [
        "item_types.create",
        "fields.create",
        "items.create",
        "items.update",
        "items.publish",
        "items.unpublish",
        "items.bulk_publish",
        "items.destroy",
        "fields.create",
        "fields.update",
        "upload_requests.create",
        "uploads.create",
        "uploads.destroy",
        "webhooks.create",
        "items.create",
    ]
    [webhook] = events(api, filter="action_name = 'webhooks.create'", detailed_log=True)
    sent = webhook["attributes"]["request"]["payload"]["data"]["attributes"]
    assert sent["headers"] == "[redacted]"
    answered = webhook["attributes"]["response"]["payload"]["data"]["attributes"]
    assert answered["headers"] == "[redacted]"


def test_refused_writes_are_recorded_reads_and_anonymous_ones_not(
    api, readonly_api, anonymous_api, post_model
):
    assert api.get("/items").status_code == 200
    assert anonymous_api.post("/items", item_body(post_model["id"], {})).status_code == 401
    assert readonly_api.post("/items", item_body(post_model["id"], {})).status_code == 403
    assert api.post("/items", {"data": {"type": "nope"}}).status_code == 422
    found = events(api, filter="begins_with(action_name, 'items.')")
    assert [
        (e["attributes"]["response"]["status"], e["attributes"]["role"]["name"]) for e in found
    ] == [(403, "Read-only"), (422, "Admin")]


def test_a_fork_is_recorded(api):
    fork = api.post("/environments/main/fork", {"data": {"type": "environment", "id": "sandbox"}})
    assert fork.status_code == 202, fork.body
    [forked] = events(api, filter="action_name = 'environments.fork'")
    assert forked["attributes"]["environment"] == {"id": "main", "primary": None}
    assert forked["attributes"]["response"]["status"] == 202


def test_a_sandbox_write_names_its_environment(sandbox_api, main_api):
    """The event goes to the project's table while the request works in the sandbox's
    storage (on SQLite, its own file with the project's attached)."""
    sandbox_api.create_item_type("note")
    main_api.create_item_type("page")
    found = events(sandbox_api, filter="begins_with(action_name, 'item_types')")
    assert [e["attributes"]["environment"] for e in found] == [
        {"id": "sandbox", "primary": False},
        {"id": "main", "primary": True},
    ]
