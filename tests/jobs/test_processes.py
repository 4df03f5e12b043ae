"""The job queue as it runs: a server process, real worker processes (``manage.py
run_worker``), on both queue backends (a SQLite file, Redis) and the suite's database.

Each test is run once per queue (the ``stack`` fixture, tests/jobs/conftest.py); the
handlers are the test-only ones of tests/jobs/tasks.py, which leave a line per run."""

import time

import pytest

# Only so that pytest-django sets the test database up when these tests run alone: the
# processes write to it, never this one.
pytestmark = pytest.mark.django_db


def error_code(payload) -> str:
    return payload["data"][0]["attributes"]["code"]


def started(stack, job_id, attempt):
    return ("started", attempt) in [(event, a) for event, a, _ in stack.runs(job_id)]


def test_a_submitted_job_runs_and_its_result_is_served(stack):
    job_id = stack.submit("tests.echo", arguments={"n": 1}, environment="sandbox")

    attributes = stack.finished(job_id)

    assert attributes["status"] == 200
    echoed = attributes["payload"]["data"]
    assert (echoed["type"], echoed["id"]) == ("echo", job_id)
    assert echoed["attributes"]["arguments"] == {"n": 1}
    assert echoed["attributes"]["environment"] == "sandbox"
    assert echoed["attributes"]["attempt"] == 1
    row = stack.row(job_id)
    assert (row["state"], row["status"], row["attempts"]) == ("succeeded", 200, 1)
    assert [event for event, _, _ in stack.runs(job_id)] == ["started", "finished"]


def test_a_failed_job_is_a_200_carrying_its_error_status_and_document(stack):
    refused = stack.submit("tests.fail")
    crashed = stack.submit("tests.crash")

    attributes = stack.finished(refused)
    assert attributes["status"] == 422
    [error] = attributes["payload"]["data"]
    assert error["type"] == "api_error"
    assert error["attributes"]["code"] == "INVALID_FIELD"
    assert error["attributes"]["details"] == {"field": "name", "code": "VALIDATION_UNIQUENESS"}

    attributes = stack.finished(crashed)
    assert (attributes["status"], error_code(attributes["payload"])) == (
        500,
        "INTERNAL_SERVER_ERROR",
    )
    assert stack.row(crashed)["state"] == "failed"
    stack.wait_for(lambda: "a bug in a handler" in stack.worker_logs(), "logged")


def test_job_results_is_404_until_the_job_is_done(stack):
    status, body = stack.result("AAAAAAAAAAAAAAAAAAAAAA")  # no such job
    assert (status, error_code(body)) == (404, "NOT_FOUND")
    # Queued: its message is not sent (the recovery pass sends it after 1.5 s).
    job_id = stack.submit("tests.wait", messages=0)
    status, body = stack.result(job_id)
    assert (status, error_code(body)) == (404, "NOT_FOUND")
    assert stack.row(job_id)["state"] == "queued"

    stack.wait_for(lambda: started(stack, job_id, 1), "started")
    status, body = stack.result(job_id)  # running
    assert (status, error_code(body)) == (404, "NOT_FOUND")
    assert stack.row(job_id)["state"] == "running"

    stack.release(job_id)
    assert stack.finished(job_id)["status"] == 200
    status, body, _ = stack.request("GET", f"/job-results/{job_id}", headers={"Authorization": ""})
    assert (status, error_code(body)) == (401, "INVALID_AUTHORIZATION_HEADER")


@pytest.mark.parametrize("kind", ["tests.wait", "tests.wait_once"])
def test_a_worker_killed_mid_job_never_leaves_it_running(stack, kind):
    """Rerunnable: run again by the restarted worker. Not: reported failed, run once."""
    job_id = stack.submit(kind)
    stack.wait_for(lambda: started(stack, job_id, 1), "started")
    killed, restarted = stack.restart_worker()
    row = stack.row(job_id)
    assert (row["state"], row["attempts"]) == ("running", 1)  # until a worker notices

    if kind == "tests.wait":
        stack.wait_for(lambda: started(stack, job_id, 2), "run again")
        stack.release(job_id)
        attributes = stack.finished(job_id)
        assert attributes["status"] == 200
        assert attributes["payload"]["data"]["attributes"]["attempt"] == 2
        assert [(event, attempt, pid) for event, attempt, pid in stack.runs(job_id)] == [
            ("started", 1, killed.process.pid),
            ("started", 2, restarted.process.pid),
            ("finished", 2, restarted.process.pid),
        ]
    else:
        attributes = stack.finished(job_id)
        assert attributes["status"] == 500
        [error] = attributes["payload"]["data"]
        assert error["attributes"]["code"] == "JOB_INTERRUPTED"
        assert error["attributes"]["details"]["worker"].endswith(f":{killed.process.pid}")
        assert stack.runs(job_id) == [("started", 1, killed.process.pid)]
    assert stack.row(job_id)["attempts"] == (2 if kind == "tests.wait" else 1)


def test_two_workers_never_run_one_job_twice(stack):
    """Every job's message three times over, and two workers racing for them."""
    other = stack.start_worker(CMS_WORKER_THREADS="4")
    both = {stack.worker.process.pid, other.process.pid}
    runs = {}
    # Rounds of 30 until both have taken part (else nothing raced): on a loaded machine the
    # warm worker can take a whole round before the new one polls.
    for _ in range(5):
        job_ids = [stack.submit("tests.echo", messages=3) for _ in range(30)]
        for job_id in job_ids:
            assert stack.finished(job_id)["status"] == 200
        runs.update({job_id: stack.runs(job_id) for job_id in job_ids})
        if {pid for lines in runs.values() for _, _, pid in lines} == both:
            break
    assert all(
        [event for event, _, _ in lines] == ["started", "finished"] for lines in runs.values()
    )
    assert {pid for lines in runs.values() for _, _, pid in lines} == both


def test_a_job_whose_message_was_lost_is_sent_again(stack):
    job_id = stack.submit("tests.echo", messages=0)
    sent = time.monotonic()

    assert stack.finished(job_id)["status"] == 200
    assert time.monotonic() - sent >= 1.0  # run only once the recovery pass sent it
    assert f"message sent again ['{job_id}']" in stack.worker_logs()


def test_jobs_run_under_the_jobs_statement_limit(stack):
    """The stack's processes run with CMS_JOB_TIMEOUT_MS=4321 (and other request limits)."""
    job_id = stack.submit("tests.limits")

    attributes = stack.finished(job_id)["payload"]["data"]["attributes"]
    assert attributes["wanted_ms"] == 4321
    if "postgres" in stack.env["DATABASE_URL"]:
        assert attributes["server"] == "4321ms"
