"""Running due schedules (schedules/execution.py), in this process: what a run leaves
(the record published or unpublished through the publish services, the schedule and the
record's meta cleared), a refused run (kept with its reason, logged, not retried), a
claim another worker made first, and environments that take no writes. Real worker
processes run them in test_workers.py."""

import logging

import pytest

from audit_log.models import AuditLogEvent
from environments.models import MaintenanceMode
from items.models import Item, ItemVersion
from schedules import execution
from schedules.models import Schedule
from schedules.signals import schedule_ran
from tests.items.conftest import make
from tests.items.test_validity import set_validators
from tests.schedules.test_endpoints import guide, later, publication, record, unpublishing

__all__ = ["guide", "record"]  # fixtures


def make_due() -> None:
    """Every schedule's time passes (as if the clock moved on), the records' meta too."""
    past = "2001-01-01T00:00:00Z"
    Schedule.objects.update(scheduled_at=past)
    for column in ("publication_scheduled_at", "unpublishing_scheduled_at"):
        Item.objects.filter(**{f"{column}__isnull": False}).update(**{column: past})


@pytest.fixture
def announced():
    """The outcomes ``schedule_ran`` announces."""
    outcomes = []

    def receive(sender, outcome, **kwargs):
        outcomes.append(outcome)

    schedule_ran.connect(receive)
    yield outcomes
    schedule_ran.disconnect(receive)


def test_a_due_publication_runs_once_and_is_cleared(api, record, caplog, announced):
    selective = {"content_in_locales": ["en"], "non_localized_content": False}
    path = f"/items/{record['id']}/scheduled-publication"
    assert api.post(path, publication(later(), selective)).status_code == 201
    versions = ItemVersion.objects.count()
    assert execution.run_due() == []  # not due yet
    make_due()
    with caplog.at_level(logging.INFO, logger="cms.schedules"):
        [outcome] = execution.run_due()
    assert outcome.succeeded and outcome.kind == "publication" and outcome.environment == "main"
    assert announced == [outcome]
    assert f"Scheduled publication of record {record['id']}" in caplog.text
    assert " ran" in caplog.text
    meta = api.get(f"/items/{record['id']}").body["data"]["meta"]
    assert meta["status"] == "updated"  # a part published: en, not the code
    assert meta["publication_scheduled_at"] is None
    assert ItemVersion.objects.count() == versions + 1  # the published snapshot
    published = api.get(f"/items/{record['id']}?version=published").body["data"]["attributes"]
    assert published["title"] == {"en": "Hello"} and published["code"] is None
    assert not Schedule.objects.exists()
    assert execution.run_due() == []  # nothing left to run
    assert ItemVersion.objects.count() == versions + 1


def test_a_due_unpublishing_runs(api, record):
    assert api.put(f"/items/{record['id']}/publish").status_code == 200
    api.post(f"/items/{record['id']}/scheduled-unpublishing", unpublishing(later()))
    make_due()
    [outcome] = execution.run_due()
    assert outcome.succeeded and outcome.item.status == "draft"
    [event] = AuditLogEvent.objects.filter(actor_type="job", action_name="items.unpublish")
    assert event.actor_name == "scheduled_unpublishing"
    assert event.request_path == f"/items/{record['id']}/scheduled-unpublishing"
    assert event.response_status == 200
    meta = api.get(f"/items/{record['id']}").body["data"]["meta"]
    assert meta["status"] == "draft" and meta["unpublishing_scheduled_at"] is None
    assert not Schedule.objects.exists()


def test_a_record_become_invalid_fails_visibly_and_keeps_its_schedule(
    api, guide, record, caplog, announced
):
    api.post(f"/items/{record['id']}/scheduled-publication", publication(later()))
    code_field = next(
        f
        for f in api.get(f"/item-types/{guide['id']}/fields").body["data"]
        if f["attributes"]["api_key"] == "code"
    )
    set_validators(api, code_field["id"], {"format": {"predefined_pattern": "email"}})
    make_due()
    with caplog.at_level(logging.INFO, logger="cms.schedules"):
        [outcome] = execution.run_due()
    assert not outcome.succeeded and announced == [outcome]
    [error] = outcome.errors
    assert error["attributes"]["details"]["field"] == "code"
    assert "Scheduled publication of record" in caplog.text and "failed" in caplog.text
    assert "VALIDATION_FORMAT" in caplog.text
    item = Item.objects.get(pk=record["id"])
    assert item.status == "draft" and item.published_version_id is None
    [kept] = Schedule.objects.all()
    assert kept.failed_at is not None and kept.failure == outcome.errors
    # The refused run is in the audit log, in its transaction, with the refusal.
    [event] = AuditLogEvent.objects.filter(actor_type="job", action_name="items.publish")
    assert (event.actor_id, event.actor_name) == (str(kept.pk), "scheduled_publication")
    assert (event.environment_id, event.environment_primary) == ("main", True)
    assert event.response_status == 422
    assert event.response_payload == {"data": outcome.errors}
    meta = api.get(f"/items/{record['id']}").body["data"]["meta"]
    assert meta["publication_scheduled_at"] == "2001-01-01T00:00:00.000+00:00"
    state = api.get(f"/items/{record['id']}/current-vs-published-state").body["data"]
    assert state["relationships"]["scheduled_publication"]["data"]["id"] == str(kept.pk)
    assert execution.run_due() == []  # not tried again
    # A new schedule replaces the failed one; a cancel clears it.
    assert api.post(f"/items/{record['id']}/scheduled-publication", publication(later()))
    assert Schedule.objects.get().failed_at is None
    assert api.delete(f"/items/{record['id']}/scheduled-publication").status_code == 200


def test_a_claim_another_worker_made_runs_nothing(api, record):
    api.post(f"/items/{record['id']}/scheduled-publication", publication(later()))
    make_due()
    schedule = Schedule.objects.get()
    assert execution.run_one(schedule.pk, "main").succeeded
    assert execution.run_one(schedule.pk, "main") is None  # already run: gone
    assert Item.objects.get(pk=record["id"]).status == "published"


@pytest.mark.parametrize("locked", ["maintenance"])
def test_an_environment_taking_no_writes_waits(api, record, locked):
    api.post(f"/items/{record['id']}/scheduled-publication", publication(later()))
    make_due()
    MaintenanceMode.objects.update_or_create(pk=1, defaults={"active": True})
    assert execution.run_due() == []
    assert Schedule.objects.exists()
    MaintenanceMode.objects.filter(pk=1).update(active=False)
    [outcome] = execution.run_due()
    assert outcome.succeeded


def test_a_new_record_is_not_scheduled(api, guide):
    fresh = make(api, guide["id"], {"code": "B"})
    assert fresh["meta"]["publication_scheduled_at"] is None
