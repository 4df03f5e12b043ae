"""Retention (the workers' periodic prune) and payloads cut at the size limit."""

from datetime import timedelta

import pytest
from django.utils.timezone import now

from audit_log import tasks
from audit_log.models import AuditLogEvent
from audit_log.ulid import new_ulid
from jobs.registry import periodic_tasks
from tests.audit_log.conftest import actions, events
from tests.items.conftest import item_body, make


@pytest.fixture
def post_model(api):
    model = api.create_item_type("post")
    api.create_field(model["id"], "title", "string")
    return model


def test_events_past_the_retention_are_pruned_by_the_periodic_job(api, post_model, settings):
    settings.CMS_AUDIT_LOG_RETENTION_DAYS = 60
    make(api, post_model["id"], {"title": "old"})
    make(api, post_model["id"], {"title": "new"})
    old, middle, _ = [e["id"] for e in events(api)][:3]
    # Age two events as if written 61 and 59 days ago (the id is the time).
    AuditLogEvent.objects.filter(pk=old).update(id=new_ulid(now() - timedelta(days=61)))
    AuditLogEvent.objects.filter(pk=middle).update(id=new_ulid(now() - timedelta(days=59)))
    assert "audit_log.prune" in {task.name for task in periodic_tasks()}
    tasks.prune()
    assert actions(api) == ["fields.create", "items.create", "items.create"]


def test_payloads_over_the_limit_keep_their_resource_identity(api, post_model, settings):
    settings.CMS_AUDIT_LOG_MAX_PAYLOAD_BYTES = 300
    response = api.post("/items", item_body(post_model["id"], {"title": "x" * 400}))
    assert response.status_code == 201
    model_id = post_model["id"]
    [event] = events(
        api,
        filter=f"request.payload.data.relationships.item_type.data.id = '{model_id}'",
        detailed_log=True,
    )
    sent = event["attributes"]["request"]["payload"]
    assert sent["truncated"] is True and sent["bytes"] > 400
    assert "attributes" not in sent["data"]
    answered = event["attributes"]["response"]["payload"]
    assert answered["truncated"] is True
    assert answered["data"]["id"] == response.body["data"]["id"]
