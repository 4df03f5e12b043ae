"""A build's life, with a real receiver on loopback as the CI: ``trigger`` queues a job,
which sends the request (run here as a worker would, on a transactional database:
tests/build_triggers/test_workers.py runs real worker processes); the CI's report; abort;
the ``deploy_*`` webhook events; ``autotrigger_on_scheduled_publications``."""

import json

import pytest

from build_triggers import autotrigger, sending
from build_triggers.models import BuildTrigger
from jobs.models import Job
from schedules import execution
from tests.build_triggers.conftest import create
from tests.items.conftest import make
from tests.menus.conftest import run_jobs
from tests.schedules.test_endpoints import later, publication, unpublishing
from tests.webhooks.receiver import Receiver
from webhooks import delivery

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("queue")]


def state(trigger_id: str) -> dict:
    return BuildTrigger.objects.filter(pk=trigger_id).values(
        "build_status", "last_build_completed_at", "request_queued", "last_request_error"
    )[0]


def report(api, trigger: dict, status: str):
    path = trigger["attributes"]["webhook_url"].removeprefix("http://testserver")
    response = api.post(path, {"status": status}, headers={"Authorization": ""})
    assert response.status_code == 204, response.body


@pytest.fixture
def events(api, receiver):
    """A second receiver, a webhook listening to build triggers' events there: the list
    of (event_type, entity) the worker delivered."""
    hooks = Receiver()
    body = {
        "data": {
            "type": "webhook",
            "attributes": {
                "name": "deploys",
                "url": hooks.url,
                "custom_payload": None,
                "headers": {},
                "events": [
                    {
                        "entity_type": "build_trigger",
                        "event_types": ["deploy_started", "deploy_succeeded", "deploy_failed"],
                    }
                ],
                "http_basic_user": None,
                "http_basic_password": None,
            },
        }
    }
    assert api.post("/webhooks", body).status_code == 201

    def delivered():
        delivery.deliver_pending()
        return [(hooks.json(i)["event_type"], hooks.json(i)) for i in range(len(hooks.received))]

    yield delivered
    hooks.close()


def test_trigger_sends_the_request_on_a_worker(api, receiver):
    trigger = create(api, receiver.url)
    response = api.post(f"/build-triggers/{trigger['id']}/trigger")
    assert response.status_code == 204 and response.content == b""
    assert receiver.received == []  # not on the request's thread
    assert state(trigger["id"])["build_status"] == "pending"
    [job] = run_jobs()
    assert job.kind == "build_triggers.request" and job.status == 204
    [sent] = receiver.received
    assert sent["path"] == "/hook"
    assert json.loads(sent["body"]) == {"type": "build_request", "branch": "main"}
    assert sent["headers"]["Authorization"] == "Bearer ci-secret"
    assert sent["headers"]["Content-Type"] == "application/json"
    found = api.get(f"/build-triggers/{trigger['id']}").body["data"]["attributes"]
    assert found["build_status"] == "pending" and found["last_build_completed_at"] is None
    report(api, trigger, "success")
    found = api.get(f"/build-triggers/{trigger['id']}").body["data"]["attributes"]
    assert found["build_status"] == "success" and found["last_build_completed_at"]


def test_triggers_before_the_worker_sends_make_one_request(api, receiver):
    trigger = create(api, receiver.url)
    for _ in range(3):
        assert api.post(f"/build-triggers/{trigger['id']}/trigger").status_code == 204
    assert Job.objects.filter(kind="build_triggers.request").count() == 1
    run_jobs()
    assert len(receiver.received) == 1
    # Once sent, the next trigger is a request of its own.
    assert api.post(f"/build-triggers/{trigger['id']}/trigger").status_code == 204
    run_jobs()
    assert len(receiver.received) == 2


def test_the_request_takes_the_latest_settings(api, receiver):
    trigger = create(api, "https://ci.example.com/old")
    assert api.post(f"/build-triggers/{trigger['id']}/trigger").status_code == 204
    settings = {"trigger_url": receiver.url, "headers": {}, "payload": {"v": 2}}
    body = {"data": {"type": "build_trigger", "attributes": {"adapter_settings": settings}}}
    assert api.put(f"/build-triggers/{trigger['id']}", body).status_code == 200
    run_jobs()
    assert receiver.json(0) == {"v": 2}


def test_abort_before_sending_sends_nothing(api, receiver, events):
    trigger = create(api, receiver.url)
    assert api.post(f"/build-triggers/{trigger['id']}/trigger").status_code == 204
    assert api.delete(f"/build-triggers/{trigger['id']}/abort").status_code == 204
    after = state(trigger["id"])
    assert after["build_status"] == "failure" and after["last_build_completed_at"]
    run_jobs()
    assert receiver.received == []
    assert [e[0] for e in events()] == ["deploy_failed"]
    # Nothing pending: an abort changes nothing, and says so with no event.
    assert api.delete(f"/build-triggers/{trigger['id']}/abort").status_code == 204
    assert [e[0] for e in events()] == ["deploy_failed"]


def test_abort_after_sending_marks_the_build_failed(api, receiver):
    trigger = create(api, receiver.url)
    api.post(f"/build-triggers/{trigger['id']}/trigger")
    run_jobs()
    assert api.delete(f"/build-triggers/{trigger['id']}/abort").status_code == 204
    assert state(trigger["id"])["build_status"] == "failure"


@pytest.mark.parametrize("answer", [500, 302, 404])
def test_a_refused_request_fails_the_build(api, receiver, events, answer):
    receiver.statuses = [answer]
    trigger = create(api, receiver.url)
    api.post(f"/build-triggers/{trigger['id']}/trigger")
    run_jobs()
    after = state(trigger["id"])
    assert after["build_status"] == "failure" and after["last_build_completed_at"]
    assert after["last_request_error"].startswith(f"HTTP {answer}")
    [(event_type, body)] = events()
    assert event_type == "deploy_failed"
    assert body["entity"]["attributes"]["build_status"] == "failure"


def test_a_private_address_is_refused_by_the_allow_list(api, receiver, settings):
    trigger = create(api, receiver.url)
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = ""
    api.post(f"/build-triggers/{trigger['id']}/trigger")
    run_jobs()
    assert receiver.received == []
    after = state(trigger["id"])
    assert after["build_status"] == "failure"
    assert after["last_request_error"].startswith("FORBIDDEN_ADDRESS")


def test_a_slow_ci_times_out(api, receiver, settings):
    settings.CMS_OUTBOUND_TOTAL_TIMEOUT = 0.5
    receiver.delay = 1.5
    trigger = create(api, receiver.url)
    api.post(f"/build-triggers/{trigger['id']}/trigger")
    run_jobs()
    assert state(trigger["id"])["last_request_error"].startswith("TIMEOUT")


def test_deploy_events_through_the_webhooks(api, receiver, events):
    trigger = create(api, receiver.url)
    api.post(f"/build-triggers/{trigger['id']}/trigger")
    assert events() == []  # the CI hasn't taken it yet
    run_jobs()
    report(api, trigger, "success")
    api.post(f"/build-triggers/{trigger['id']}/trigger")
    run_jobs()
    report(api, trigger, "error")
    found = events()
    assert [e[0] for e in found] == [
        "deploy_started",
        "deploy_succeeded",
        "deploy_started",
        "deploy_failed",
    ]
    body = found[1][1]
    assert body["entity_type"] == "build_trigger"
    assert body["entity"]["id"] == trigger["id"] and body["entity"]["type"] == "build_trigger"
    assert body["entity"]["attributes"]["build_status"] == "success"
    assert body["environment"] == "main" and body["is_environment_primary"] is True
    assert body["related_entities"] == []


def test_webhook_filters_on_the_build_trigger(api, receiver):
    hooks = Receiver()
    try:
        kept, other = create(api, receiver.url), create(api, receiver.url, name="other")
        events = [
            {
                "entity_type": "build_trigger",
                "event_types": ["deploy_succeeded"],
                "filters": [{"entity_type": "build_trigger", "entity_ids": [kept["id"]]}],
            }
        ]
        body = {
            "data": {
                "type": "webhook",
                "attributes": {
                    "name": "one trigger",
                    "url": hooks.url,
                    "custom_payload": None,
                    "headers": {},
                    "events": events,
                    "http_basic_user": None,
                    "http_basic_password": None,
                },
            }
        }
        assert api.post("/webhooks", body).status_code == 201
        report(api, other, "success")
        report(api, kept, "success")
        delivery.deliver_pending()
        assert [hooks.json(i)["entity"]["id"] for i in range(len(hooks.received))] == [kept["id"]]
    finally:
        hooks.close()


@pytest.fixture
def article(api):
    model = api.create_item_type("article", draft_mode_active=True)
    api.create_field(model["id"], "title", "string")
    return make(api, model["id"], {"title": "Hello"})


def make_due() -> None:
    from tests.schedules.test_execution import make_due as due

    due()


def test_scheduled_runs_autotrigger_the_triggers_that_want_it(api, receiver, article):
    wanted = create(api, receiver.url, autotrigger_on_scheduled_publications=True)
    create(api, receiver.url, name="manual only")
    create(api, receiver.url, name="off", autotrigger_on_scheduled_publications=True, enabled=False)
    path = f"/items/{article['id']}/scheduled-publication"
    assert api.post(path, publication(later())).status_code == 201
    make_due()
    [outcome] = execution.run_due()
    assert outcome.succeeded
    assert BuildTrigger.objects.get(pk=wanted["id"]).build_status == "pending"
    assert set(
        BuildTrigger.objects.exclude(pk=wanted["id"]).values_list("build_status", flat=True)
    ) == {"unknown"}  # noqa: E501
    run_jobs()
    assert len(receiver.received) == 1
    # An unpublishing too.
    path = f"/items/{article['id']}/scheduled-unpublishing"
    assert api.post(path, unpublishing(later())).status_code == 201
    make_due()
    execution.run_due()
    run_jobs()
    assert len(receiver.received) == 2


def test_a_failed_run_or_a_sandbox_run_triggers_nothing(api, receiver, article):
    create(api, receiver.url, autotrigger_on_scheduled_publications=True)
    done = execution.Outcome("main", "publication", article["id"], 1, None, errors=[{}])
    autotrigger.after_schedule(None, done)  # refused: nothing changed
    elsewhere = execution.Outcome("sandbox", "publication", article["id"], 1, None)
    autotrigger.after_schedule(None, elsewhere)  # not the primary: the site doesn't read it
    assert BuildTrigger.objects.get().build_status == "unknown"
    assert not Job.objects.filter(kind="build_triggers.request").exists()


def test_a_deleted_trigger_sends_nothing(api, receiver):
    trigger = create(api, receiver.url)
    api.post(f"/build-triggers/{trigger['id']}/trigger")
    assert api.delete(f"/build-triggers/{trigger['id']}").status_code == 200
    [job] = run_jobs()
    assert job.status == 204 and receiver.received == []


def test_a_request_whose_job_failed_for_good_fails_the_build(api, receiver, events):
    trigger = create(api, receiver.url)
    api.post(f"/build-triggers/{trigger['id']}/trigger")
    sending.gave_up(trigger["id"])  # what the recovery pass calls when it gives up
    after = state(trigger["id"])
    assert after["build_status"] == "failure" and after["request_queued"] is False
    assert after["last_request_error"].startswith("JOB_FAILED")
    assert [e[0] for e in events()] == ["deploy_failed"]


def test_an_editor_may_trigger(api, editor_api, receiver):
    trigger = create(api, receiver.url)
    assert editor_api.post(f"/build-triggers/{trigger['id']}/trigger").status_code == 204
    run_jobs()
    assert len(receiver.received) == 1
