"""Scheduled publications run by real worker processes (``manage.py run_worker``) beside a
server process, on a database of their own: on time, exactly once with several workers
racing for the same schedules, and after a worker killed in the middle of a run.

Workers look for due schedules every 0.2 s here (``CMS_SCHEDULE_POLL_SECONDS``); schedules
are set a few seconds ahead, as a client would, and the test waits for the clock."""

import contextlib
import os
import re
import secrets
import signal
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.jobs.stack import FAST, Stack
from tests.processes import (
    PYTHON,
    ServerProcess,
    create_token,
    free_port,
    fresh_database,
    listening,
    manage,
    server_env,
)
from tests.server_process import Served

POLL = "0.2"
RAN = re.compile(r"Scheduled publication of record (\S+) .* ran")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A server (gunicorn) on a fresh database; workers are started by each test."""
    tmp_dir = tmp_path_factory.mktemp("schedule-workers")
    with fresh_database("schedules") as database_url:
        data_dir = tmp_dir / "data"
        data_dir.mkdir(parents=True)
        env = server_env(
            data_dir,
            database_url or f"sqlite:///{data_dir / 'cms.sqlite3'}",
            SECRET_KEY="test-only-secret-key",
            DEBUG="false",
            DJANGO_SETTINGS_MODULE="cms.settings",
            REDIS_URL=None,
            CMS_QUEUE_URL=f"sqlite:///{data_dir / 'queue.sqlite3'}",
            CMS_QUEUE_NAME=f"test_{secrets.token_hex(6)}",
            CMS_SCHEDULE_POLL_SECONDS=POLL,
            **FAST,
        )
        manage(env, "migrate", "--verbosity", "0")
        token = create_token(env, "schedule workers")
        port = free_port()
        command = [PYTHON, "-m", "gunicorn", "cms.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", "2", "--log-level", "warning"]
        server = ServerProcess(command, env, tmp_dir / "gunicorn.log")
        stack = Stack(env, data_dir, Served(port, token), "sqlite")
        stack.database_url = database_url
        try:
            server.wait_until(lambda: listening(port), timeout=60)
            yield stack
        finally:
            stack.end_test(keep_worker=False)
            server.stop()


@pytest.fixture
def workers(stack):
    yield stack
    stack.end_test(keep_worker=False)


def ok(stack, method, path, body=None, status=200):
    answered, document, _ = stack.request(method, path, body)
    assert answered == status, (method, path, answered, document)
    return document


def a_model(stack) -> str:
    """A draft-mode model with a localized title (a site in en and it)."""
    site = {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}}
    ok(stack, "PUT", "/site", site)
    api_key = "note_" + "".join(secrets.choice("abcdefghij") for _ in range(8))
    body = {
        "type": "item_type",
        "attributes": {"name": api_key, "api_key": api_key, "draft_mode_active": True},
    }
    model = ok(stack, "POST", "/item-types", {"data": body}, status=201)["data"]["id"]
    field = {"label": "Title", "api_key": "title", "field_type": "string", "localized": True}
    ok(
        stack,
        "POST",
        f"/item-types/{model}/fields",
        {"data": {"type": "field", "attributes": field}},
        201,
    )
    return model


def a_record(stack, model: str) -> str:
    body = {
        "type": "item",
        "attributes": {"title": {"en": "Hello", "it": "Ciao"}},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": model}}},
    }
    return ok(stack, "POST", "/items", {"data": body}, status=201)["data"]["id"]


def schedule(stack, record_id: str, at: datetime) -> None:
    attributes = {
        "publication_scheduled_at": at.isoformat(),
        # A part: each run writes a published snapshot, a version of its own.
        "selective_publication": {"content_in_locales": ["en"], "non_localized_content": True},
    }
    body = {"data": {"type": "scheduled_publication", "attributes": attributes}}
    ok(stack, "POST", f"/items/{record_id}/scheduled-publication", body, status=201)


def meta(stack, record_id: str) -> dict:
    return ok(stack, "GET", f"/items/{record_id}")["data"]["meta"]


def versions(stack, record_id: str) -> int:
    return ok(stack, "GET", f"/items/{record_id}/versions")["meta"]["total_count"]


def published(stack, record_ids, timeout=30) -> dict:
    """Waits until every record is published; their meta."""
    found = {}

    def done():
        for record_id in record_ids:
            if record_id not in found and meta(stack, record_id)["published_at"]:
                found[record_id] = meta(stack, record_id)
        return len(found) == len(record_ids)

    stack.wait_for(done, "published", timeout=timeout)
    return found


def ran_lines(stack) -> list[str]:
    return [m[1] for w in stack.workers for m in RAN.finditer(w.output())]


def test_a_worker_publishes_a_few_seconds_after_the_time(workers):
    stack = workers
    stack.start_worker()
    record = a_record(stack, a_model(stack))
    at = datetime.now(UTC) + timedelta(seconds=3)
    schedule(stack, record, at)
    assert meta(stack, record)["publication_scheduled_at"] is not None
    time.sleep(1)
    assert meta(stack, record)["published_at"] is None  # not before its time
    done = published(stack, [record])[record]
    published_at = datetime.fromisoformat(done["published_at"])
    assert at <= published_at < at + timedelta(seconds=3), (at, published_at)
    assert done["status"] == "updated" and done["publication_scheduled_at"] is None
    assert ran_lines(stack) == [record]


def test_racing_workers_publish_each_record_once(workers):
    stack = workers
    for _ in range(3):
        stack.start_worker()
    model = a_model(stack)
    records = [a_record(stack, model) for _ in range(8)]
    at = datetime.now(UTC) + timedelta(seconds=3)
    for record in records:
        schedule(stack, record, at)
    published(stack, records)
    time.sleep(1)  # time for a second run, if there were one
    assert sorted(ran_lines(stack)) == sorted(records)  # one run each, all workers together
    # Each run writes one snapshot: one version more than the record's own.
    assert {versions(stack, record) for record in records} == {2}


@contextlib.contextmanager
def record_locked(stack, record_id: str):
    """The record held by another transaction (PostgreSQL: its row; SQLite: the whole
    file), so a worker running its schedule waits inside its transaction."""
    if stack.database_url:
        with psycopg.connect(stack.database_url) as connection:
            connection.execute("SELECT 1 FROM items_item WHERE id = %s FOR UPDATE", [record_id])
            yield connection
            connection.rollback()
    else:
        connection = sqlite3.connect(stack.data_dir / "cms.sqlite3", isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield None
        finally:
            connection.execute("ROLLBACK")
            connection.close()


def waiting_for_a_lock(connection) -> bool:
    """A PostgreSQL session (the worker's) waits for a lock."""
    row = connection.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
    ).fetchone()
    return row[0] > 0


def test_a_worker_killed_mid_run_leaves_the_schedule_to_the_next(workers):
    stack = workers
    record = a_record(stack, a_model(stack))
    killed = stack.start_worker()
    schedule(stack, record, datetime.now(UTC) + timedelta(seconds=2))
    with record_locked(stack, record) as connection:
        if connection is not None:  # the worker claimed it and waits for the record
            with psycopg.connect(stack.database_url, autocommit=True) as watcher:
                stack.wait_for(lambda: waiting_for_a_lock(watcher), "blocked", timeout=20)
        else:
            time.sleep(3)  # past its time, the worker waits for SQLite's write lock
        os.killpg(killed.process.pid, signal.SIGKILL)
        killed.process.wait(timeout=10)
    assert meta(stack, record)["published_at"] is None
    assert meta(stack, record)["publication_scheduled_at"] is not None  # still scheduled
    stack.start_worker()
    published(stack, [record])
    time.sleep(1)
    assert ran_lines(stack) == [record]
    assert versions(stack, record) == 2
    assert meta(stack, record)["publication_scheduled_at"] is None


def test_a_worker_started_late_runs_what_was_missed_once(workers):
    stack = workers
    model = a_model(stack)
    record = a_record(stack, model)
    schedule(stack, record, datetime.now(UTC) + timedelta(seconds=1))
    time.sleep(2)  # due, and no worker runs
    assert meta(stack, record)["published_at"] is None
    first = stack.start_worker()
    published(stack, [record])
    first.stop()  # a restart: the new worker finds nothing left to run
    stack.start_worker()
    time.sleep(1)
    assert ran_lines(stack) == [record]
    assert versions(stack, record) == 2


def job_events(stack, action: str) -> list[dict]:
    """The audit log's events of ``action`` made by jobs (one page)."""
    query = {
        "filter": f"actor.type = 'job' AND action_name = '{action}'",
        "detailed_log": True,
    }
    found = ok(
        stack,
        "POST",
        "/audit-log-events/query",
        {"data": {"type": "audit_log_query", "attributes": query}},
    )
    return [event["attributes"] for event in found["data"]]


def test_a_worker_records_its_writes_in_the_audit_log(workers):
    """A scheduled publication and a bulk job, run by a real worker: one event each, with
    the job as actor, the action, the environment and the outcome."""
    stack = workers
    stack.start_worker()
    model = a_model(stack)
    scheduled, bulk = a_record(stack, model), a_record(stack, model)
    schedule(stack, scheduled, datetime.now(UTC) + timedelta(seconds=1))
    published(stack, [scheduled])
    stack.wait_for(lambda: job_events(stack, "items.publish"), "the scheduled run's event")
    ours = [e for e in job_events(stack, "items.publish") if scheduled in e["request"]["path"]]
    [event] = ours
    assert event["actor"]["type"] == "job"
    assert event["actor"]["name"] == "scheduled_publication"
    assert event["environment"] == {"id": "main", "primary": True}
    assert event["request"]["method"] == "JOB"
    assert event["response"]["status"] == 200
    assert event["response"]["payload"]["data"]["id"] == scheduled

    operation = {
        "type": "item_bulk_publish_operation",
        "relationships": {"items": {"data": [{"type": "item", "id": bulk}]}},
    }
    queued = ok(stack, "POST", "/items/bulk/publish", {"data": operation}, status=202)
    job_id = queued["data"]["id"]
    assert stack.finished(job_id)["status"] == 200
    [event] = [e for e in job_events(stack, "items.bulk_publish") if e["actor"]["id"] == job_id]
    assert event["actor"] == {"type": "job", "id": job_id, "name": "items.bulk_publish"}
    assert event["environment"] == {"id": "main", "primary": True}
    assert event["request"]["path"] == f"/job-results/{job_id}"
    assert event["response"]["status"] == 200
    assert event["response"]["payload"]["meta"]["successful"] == 1
    # The request that queued it has its own event: the token, and the job in its answer.
    requests = ok(
        stack,
        "POST",
        "/audit-log-events/query",
        {
            "data": {
                "type": "audit_log_query",
                "attributes": {
                    "filter": "actor.type = 'access_token' AND action_name = 'items.bulk_publish'",
                    "detailed_log": True,
                },
            }
        },
    )["data"]
    assert [e["attributes"]["response"]["payload"]["data"]["id"] for e in requests] == [job_id]
