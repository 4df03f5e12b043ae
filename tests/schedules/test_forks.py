"""Schedules and forks, against `manage.py serve` (the server and its worker) on a fresh
database: a fork copies the schedules with their ids, each environment's are its own, and
the worker runs a sandbox's schedule in the sandbox."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.environments.test_forks import create_record, forked
from tests.serving import FAST_JOBS, serving

pytestmark = pytest.mark.django_db(transaction=True)


def create_model(served) -> dict:
    """A draft-mode model with a title."""
    body = {"type": "item_type", "attributes": {"name": "Post", "api_key": "post"}}
    body["attributes"]["draft_mode_active"] = True
    status, document = served.request("POST", "/item-types", {"data": body})
    assert status == 201, document
    field = {"label": "Title", "api_key": "title", "field_type": "string"}
    path = f"/item-types/{document['data']['id']}/fields"
    assert served.request("POST", path, {"data": {"type": "field", "attributes": field}})[0] == 201
    return document["data"]


def schedule(served, record_id: str, at: datetime, environment=None) -> dict:
    body = {
        "data": {
            "type": "scheduled_publication",
            "attributes": {"publication_scheduled_at": at.isoformat()},
        }
    }
    path = f"/items/{record_id}/scheduled-publication"
    status, document = served.request("POST", path, body, environment)
    assert status == 201, document
    return document["data"]


def meta(served, record_id: str, environment=None) -> dict:
    return served.get(f"/items/{record_id}", environment)["data"]["meta"]


def test_a_fork_copies_schedules_and_the_worker_runs_each_environments(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("schedule-forks") / "data"
    fast = {**FAST_JOBS, "CMS_SCHEDULE_POLL_SECONDS": "0.2"}
    with serving(data_dir, "schedule_forks", **fast) as served:
        post = create_model(served)
        record = create_record(served, post, "Hello")["id"]
        kept = schedule(served, record, datetime.now(UTC) + timedelta(hours=1))
        forked(served, "main", "sandbox")
        state = served.get(f"/items/{record}/current-vs-published-state", "sandbox")["data"]
        assert state["relationships"]["scheduled_publication"]["data"]["id"] == kept["id"]
        assert meta(served, record, "sandbox")["publication_scheduled_at"] is not None

        at = datetime.now(UTC) + timedelta(seconds=2)
        schedule(served, record, at, "sandbox")  # replaces the sandbox's copy only
        deadline = time.monotonic() + 30
        while not meta(served, record, "sandbox")["published_at"]:
            assert time.monotonic() < deadline, "the sandbox's schedule did not run"
            time.sleep(0.2)
        ran = meta(served, record, "sandbox")
        assert ran["status"] == "published"
        assert datetime.fromisoformat(ran["published_at"]) >= at
        assert ran["publication_scheduled_at"] is None
        in_main = meta(served, record)
        assert in_main["published_at"] is None and in_main["status"] == "draft"
        assert in_main["publication_scheduled_at"] is not None
        state = served.get(f"/items/{record}/current-vs-published-state")["data"]
        assert state["relationships"]["scheduled_publication"]["data"]["id"] == kept["id"]
