"""The jobs app in this process: submitting, the result endpoint, running a job, and the
recovery pass's rules. (Worker processes and their queues: test_processes.py.)"""

import runpy
import sys
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.utils import timezone

import cms.settings
import jobs
import tests.jobs.tasks  # noqa: F401  (the test handlers)
from audit_log.models import AuditLogEvent
from jobs import queue, recovery, runner
from jobs.checks import heartbeat_settings
from jobs.models import Job
from tests.conftest import race

State = Job.State


@pytest.fixture
def messages(settings, tmp_path):
    """A queue of this test's own (a SQLite file); answers how many messages it holds."""
    settings.CMS_QUEUE_URL = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    settings.CMS_QUEUE_NAME = "in_process"
    settings.DATA_DIR = tmp_path  # where the test handlers leave their traces
    return lambda: queue.huey().pending_count()


def runs(settings, job_id) -> list[str]:
    path = settings.DATA_DIR / "test-jobs" / f"{job_id}.runs"
    return path.read_text().split("\n")[:-1] if path.exists() else []


# --- Submitting -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_submit_writes_in_the_callers_transaction_and_sends_once_it_commits(messages):
    with transaction.atomic():
        job = jobs.submit("tests.echo", {"n": 1}, environment="sandbox")
        assert messages() == 0  # not before the row can be seen
    assert messages() == 1
    job = Job.objects.get(pk=job.pk)
    assert (job.kind, job.arguments, job.environment) == ("tests.echo", {"n": 1}, "sandbox")
    assert (job.state, job.attempts, job.status, job.payload) == (State.QUEUED, 0, None, None)
    assert job.created_at is not None and job.enqueued_at is not None

    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.submit("tests.echo")
        raise RuntimeError("the request failed")
    assert Job.objects.count() == 1 and messages() == 1  # nothing of it left


@pytest.mark.django_db
def test_submit_refuses_a_kind_without_handler(messages):
    with pytest.raises(LookupError, match="tests.nothing"):
        jobs.submit("tests.nothing")
    assert not Job.objects.exists()


def test_a_second_handler_for_a_kind_is_refused():
    with pytest.raises(ImproperlyConfigured, match="tests.echo"):
        jobs.handler("tests.echo", rerunnable=True)(lambda job: (200, None))


@pytest.mark.django_db
def test_accepted_is_the_protocols_202(messages):
    job = jobs.submit("tests.echo")
    response = jobs.accepted(job)
    assert (response.status_code, response.data) == (202, {"data": {"type": "job", "id": job.id}})


# --- GET /job-results/:id -----------------------------------------------------------------------

FINISHED = {
    "succeeded": (State.SUCCEEDED, 200, {"data": {"type": "echo", "id": "x"}}),
    "failed": (State.FAILED, 422, {"data": [{"type": "api_error", "id": "ab12cd"}]}),
}


@pytest.mark.parametrize("case", FINISHED)
def test_a_finished_job_answers_its_status_and_payload(readonly_api, case):
    state, status, payload = FINISHED[case]
    job = Job.objects.create(kind="tests.echo", state=state, status=status, payload=payload)

    response = readonly_api.get(f"/job-results/{job.id}")  # any token may read it

    assert response.status_code == 200
    assert response.body == {
        "data": {
            "type": "job_result",
            "id": job.id,
            "attributes": {"status": status, "payload": payload},
        }
    }


@pytest.mark.parametrize("state", [State.QUEUED, State.RUNNING])
def test_an_unfinished_or_unknown_job_is_404(api, state):
    job = Job.objects.create(kind="tests.echo", state=state)
    for job_id in (job.id, "AAAAAAAAAAAAAAAAAAAAAA", "not-an-id"):
        response = api.get(f"/job-results/{job_id}")
        assert response.status_code == 404
        assert response.body["data"][0]["attributes"]["code"] == "NOT_FOUND"


def test_job_results_needs_a_token_and_only_reads(anonymous_api, api):
    job = Job.objects.create(kind="tests.echo", state=State.SUCCEEDED, status=200)
    response = anonymous_api.get(f"/job-results/{job.id}")
    assert response.status_code == 401
    response = api.delete(f"/job-results/{job.id}")
    assert (response.status_code, response.body["data"][0]["attributes"]["code"]) == (
        405,
        "METHOD_NOT_ALLOWED",
    )
    assert Job.objects.filter(pk=job.id).exists()


# --- Running one job --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_once_whatever_the_messages(messages, settings):
    job = jobs.submit("tests.echo")
    runner.run(job.id)
    runner.run(job.id)  # a duplicate message: nothing more

    job.refresh_from_db()
    assert (job.state, job.status, job.attempts) == (State.SUCCEEDED, 200, 1)
    assert job.worker == runner.identity()
    assert job.payload["data"]["attributes"]["attempt"] == 1
    assert job.started_at <= job.finished_at
    assert len(runs(settings, job.id)) == 2  # started, finished: once


@pytest.mark.django_db(transaction=True)
def test_rival_workers_claim_a_job_once(racing_api, messages, settings):
    job = jobs.submit("tests.echo")
    race(8, lambda index: runner.run(job.id))
    assert [line.split()[0] for line in runs(settings, job.id)] == ["started", "finished"]


@pytest.mark.django_db(transaction=True)
def test_a_job_closes_its_connections_when_done(messages):
    job = jobs.submit("tests.echo")
    left_open = []

    def work():
        runner.run(job.id)
        left_open.append(connections["default"].connection is not None)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert Job.objects.get(pk=job.id).state == State.SUCCEEDED
    # Closed (back to the pool), as after a request; SQLite's in-memory test database
    # ignores closing, which would destroy it.
    assert left_open == [connection.vendor == "sqlite"]


ANSWERS = {
    # handler's answer -> (status, code of the error document, or None)
    "a 2xx": (lambda job: (201, {"data": []}), State.SUCCEEDED, 201, None),
    "a 4xx it returns": (lambda job: (409, {"data": []}), State.FAILED, 409, None),
    "a bad status": (lambda job: ("200", {}), State.FAILED, 500, "INTERNAL_SERVER_ERROR"),
    "a payload JSON can't hold": (
        lambda job: (200, {1j}),
        State.FAILED,
        500,
        "INTERNAL_SERVER_ERROR",
    ),
}


@pytest.mark.parametrize("case", ANSWERS)
@pytest.mark.django_db(transaction=True)
def test_what_a_handler_answers_is_recorded(messages, case):
    answer, state, status, code = ANSWERS[case]
    kind = f"tests.answer.{case.replace(' ', '_')}"
    jobs.handler(kind, rerunnable=False)(answer)
    job = jobs.submit(kind)

    runner.run(job.id)

    job.refresh_from_db()
    assert (job.state, job.status) == (state, status)
    if code:
        assert job.payload["data"][0]["attributes"]["code"] == code


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_kind_the_worker_lacks_fails(messages):
    job = Job.objects.create(kind="tests.from_a_newer_version")
    runner.run(job.id)
    job.refresh_from_db()
    assert (job.state, job.status) == (State.FAILED, 500)
    attributes = job.payload["data"][0]["attributes"]
    assert (attributes["code"], attributes["details"]) == (
        "UNKNOWN_JOB_KIND",
        {"kind": "tests.from_a_newer_version"},
    )


@pytest.mark.django_db(transaction=True)
def test_a_late_answer_of_a_taken_back_job_is_not_recorded(messages):
    """The worker was given up on (its job re-queued and claimed by another): its answer,
    arriving after all, changes nothing."""
    job = jobs.submit("tests.echo")
    mine = runner.claim(job.id)
    Job.objects.filter(pk=job.id).update(state=State.RUNNING, attempts=2, worker="other:1")

    assert runner.finish(mine, 200, {"data": "late"}) is False
    job.refresh_from_db()
    assert (job.state, job.worker, job.payload) == (State.RUNNING, "other:1", None)


# --- The recovery pass -----------------------------------------------------------------------

LONG_AGO = timedelta(minutes=10)

# name -> (kind, state, attempts, heartbeat age, enqueued age) and what the pass does:
# (state after, status, error code, message sent)
RULES = {
    "stale, rerunnable": (("tests.wait", "running", 1, LONG_AGO, None), ("queued", None, None, 1)),
    "stale, rerunnable, attempts spent": (
        ("tests.wait", "running", 3, LONG_AGO, None),
        ("failed", 500, "JOB_ATTEMPTS_EXHAUSTED", 0),
    ),
    "stale, not rerunnable": (
        ("tests.wait_once", "running", 1, LONG_AGO, None),
        ("failed", 500, "JOB_INTERRUPTED", 0),
    ),
    "stale, unknown kind": (
        ("tests.gone", "running", 1, LONG_AGO, None),
        ("failed", 500, "JOB_INTERRUPTED", 0),
    ),
    "alive": (("tests.wait", "running", 1, timedelta(0), None), ("running", None, None, 0)),
    "queued, message long ago": (
        ("tests.echo", "queued", 0, None, LONG_AGO),
        ("queued", None, None, 1),
    ),
    "queued just now": (("tests.echo", "queued", 0, None, timedelta(0)), ("queued", None, None, 0)),
    "finished long ago": (
        ("tests.echo", "succeeded", 1, LONG_AGO, LONG_AGO),
        ("succeeded", 200, None, 0),
    ),
}


@pytest.mark.parametrize("case", RULES)
@pytest.mark.django_db
def test_the_recovery_pass(messages, settings, case):
    settings.CMS_JOB_MAX_ATTEMPTS = 3
    (kind, state, attempts, beat_age, sent_age), (after, status, code, sent) = RULES[case]
    now = timezone.now()
    job = Job.objects.create(
        kind=kind,
        state=state,
        attempts=attempts,
        worker="gone:1" if state == "running" else "",
        heartbeat_at=None if beat_age is None else now - beat_age,
        enqueued_at=now - (sent_age or timedelta(0)),
        status=200 if state == "succeeded" else None,
    )

    recovery.recover()

    job.refresh_from_db()
    assert (job.state, job.status, messages()) == (after, status, sent)
    failed_events = AuditLogEvent.objects.filter(actor_type="job", actor_id=job.id)
    if code:
        error = job.payload["data"][0]["attributes"]
        assert error["code"] == code
        assert job.finished_at is not None
        # Its audit log event, with the failure.
        [event] = failed_events
        assert (event.action_name, event.response_status) == (kind, 500)
        assert event.response_payload == job.payload
    else:
        assert not failed_events.exists()
    if after == "queued" and state == "running":
        assert (job.worker, job.heartbeat_at, job.attempts) == ("", None, attempts)
    # A second pass right after (another worker's) finds nothing more to do.
    recovery.recover()
    assert messages() == sent


@pytest.mark.django_db
def test_a_heartbeat_marks_only_this_workers_jobs(messages):
    old = timezone.now() - LONG_AGO
    mine = Job.objects.create(kind="tests.wait", state="running", worker="me:1", heartbeat_at=old)
    theirs = Job.objects.create(
        kind="tests.wait", state="running", worker="them:2", heartbeat_at=old
    )

    assert recovery.heartbeat([mine.id, theirs.id], "me:1") == 1

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.heartbeat_at > old and theirs.heartbeat_at == old


# --- Settings ---------------------------------------------------------------------------------


def test_the_queue_is_redis_when_configured_else_a_file_in_the_data_directory(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("SECRET_KEY", "test")
    monkeypatch.setenv("CMS_DATA_DIR", str(tmp_path))
    for name in ("CMS_QUEUE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)

    def queue_url():
        # The settings read again, with their parts (imported modules: else kept as first read).
        for name in [name for name in sys.modules if name.startswith("cms.settings_parts.")]:
            monkeypatch.delitem(sys.modules, name)
        return runpy.run_path(cms.settings.__file__)["CMS_QUEUE_URL"]

    assert queue_url() == f"sqlite:///{tmp_path / 'jobs-queue.sqlite3'}"
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    assert queue_url() == "redis://cache:6379/0"
    monkeypatch.setenv("CMS_QUEUE_URL", "redis://queue:6379/3")
    assert queue_url() == "redis://queue:6379/3"


def test_a_queue_url_of_another_kind_is_refused():
    with pytest.raises(ImproperlyConfigured, match="CMS_QUEUE_URL"):
        queue.build("amqp://rabbit", "cms")


def test_installations_on_other_databases_get_other_queue_names(settings):
    here = {"NAME": "/srv/a/cms.sqlite3"}
    assert queue.database_queue_name(here).startswith("cms_cmssqlite3_")
    names = {
        queue.database_queue_name(database)
        for database in (
            here,
            {"NAME": "/srv/b/cms.sqlite3"},
            {"NAME": "cms", "HOST": "db1", "PORT": 5432},
            {"NAME": "cms", "HOST": "db2", "PORT": 5432},
        )
    }
    assert len(names) == 4
    settings.CMS_QUEUE_NAME = "mine"
    assert queue.queue_name() == "mine"


@pytest.mark.parametrize(
    ("heartbeat", "stale", "attempts", "problems"),
    [
        (10, 60, 3, []),
        (10, 20, 1, []),
        (10, 15, 3, ["jobs.E001"]),
        (0, 60, 3, ["jobs.E001"]),
        (10, 60, 0, ["jobs.E002"]),
    ],  # fmt: skip
)
def test_settings_that_would_take_live_jobs_back_are_refused(
    settings, heartbeat, stale, attempts, problems
):
    settings.CMS_JOB_HEARTBEAT_SECONDS = heartbeat
    settings.CMS_JOB_STALE_SECONDS = stale
    settings.CMS_JOB_MAX_ATTEMPTS = attempts
    assert [problem.id for problem in heartbeat_settings()] == problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["tests.echo", "tests.fail"])
def test_each_run_is_in_the_audit_log_with_its_outcome(messages, kind):
    job = jobs.submit(kind, {"secret": "s3cr3t", "n": 1})
    runner.run(job.id)
    job.refresh_from_db()
    [event] = AuditLogEvent.objects.filter(actor_type="job", actor_id=job.id)
    assert (event.action_name, event.actor_name) == (kind, kind)
    assert (event.request_method, event.request_path) == ("JOB", f"/job-results/{job.id}")
    assert event.request_payload == {"secret": "[redacted]", "n": 1}
    assert event.response_status == job.status == (422 if kind == "tests.fail" else 200)
    assert event.response_payload["data"] == _redacted(job.payload["data"])
    assert "s3cr3t" not in str(event.response_payload)


def _redacted(value):
    if isinstance(value, dict):
        return {k: "[redacted]" if k == "secret" else _redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value
