"""Forks run by real worker processes (``manage.py run_worker``) beside a server process, on a
fresh database holding a few thousand records with blocks: a worker killed (SIGKILL) in the
middle of a copy, a fork the queue gives up on, and two forks of one source at once.

What a fork must never be: ``ready`` and half-copied. Its content is compared over HTTP
(X-Environment) with its source's: every model, field, record (its blocks nested, its meta
with the current version's id) and a sample of version lists, ids included.

The stack (tests/jobs/stack.py) polls every 0.1 s, beats every 0.4 s and takes a job back
after 2 s without a heartbeat; the test handlers' settings give ``GET /test-jobs/<id>`` (a
job's row).

On PostgreSQL a copy is caught in its middle for sure, not by timing (a fast machine copied
these records before a poll saw it): a trigger in the stack's own database makes the fork's
progress update (written after each table copied) wait while the test holds an advisory
lock. On SQLite the copy's file under its temporary name shows it, past a megabyte."""

import contextlib
import os
import secrets
import signal
import threading
import time
from pathlib import Path

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

RECORDS = 3000  # each with three blocks: the copy takes a moment, long enough to catch
BLOCKS_PER_RECORD = 3
BATCH = 1000
PAGE = 500


@contextlib.contextmanager
def fork_stack(tmp_dir: Path):
    """A server (gunicorn) and one worker on a database of their own: a new PostgreSQL
    database beside the suite's, or a SQLite file in the stack's data directory."""
    with fresh_database("forkworkers") as database_url:
        data_dir = tmp_dir / "data"
        data_dir.mkdir(parents=True)
        env = server_env(
            data_dir,
            database_url or f"sqlite:///{data_dir / 'cms.sqlite3'}",
            SECRET_KEY="test-only-secret-key",
            DEBUG="false",
            DJANGO_SETTINGS_MODULE="tests.jobs.settings",
            REDIS_URL=None,
            CMS_QUEUE_URL=f"sqlite:///{data_dir / 'queue.sqlite3'}",
            CMS_QUEUE_NAME=f"test_{secrets.token_hex(6)}",
            **{**FAST, "CMS_JOB_TIMEOUT_MS": "0"},  # a copy's statements take what they take
        )
        manage(env, "migrate", "--verbosity", "0")
        if database_url:
            install_progress_pause(database_url)
        token = create_token(env, "fork workers")
        port = free_port()
        command = [PYTHON, "-m", "gunicorn", "cms.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", "2", "--log-level", "warning"]
        server = ServerProcess(command, env, tmp_dir / "gunicorn.log")
        stack = Stack(env, data_dir, Served(port, token), "sqlite")
        stack.database_url = database_url
        try:
            stack.ensure_worker()
            server.wait_until(lambda: listening(port), timeout=60)
            yield stack
        finally:
            stack.end_test(keep_worker=False)
            server.stop()


PAUSE_KEY = 1_300_013  # the advisory lock a fork's progress update waits for


def install_progress_pause(database_url: str) -> None:
    """While a session holds PAUSE_KEY, a fork's progress update (a percentage above 0,
    written once a table is copied, the copy's transaction still open) waits for it."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION test_pause_progress() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF NEW.fork_completion_percentage > 0 THEN "
            f"PERFORM pg_advisory_xact_lock_shared({PAUSE_KEY}); END IF; RETURN NEW; END $$"
        )
        connection.execute(
            "CREATE TRIGGER test_pause_progress BEFORE UPDATE OF fork_completion_percentage "
            "ON environments_environment FOR EACH ROW EXECUTE FUNCTION test_pause_progress()"
        )


def ok(stack, method, path, body=None, environment=None, status=200):
    headers = {"X-Environment": environment} if environment else None
    answered, document, _ = stack.request(method, path, body, headers)
    assert answered == status, (method, path, answered, document)
    return document


def create_content(stack) -> dict:
    """A block model, a model holding those blocks, RECORDS records through the record API's
    batch (one version each), and ten of them updated (a second version)."""

    def model(api_key, **attributes):
        body = {"type": "item_type", "attributes": {"name": api_key, "api_key": api_key}}
        body["attributes"].update(attributes)
        return ok(stack, "POST", "/item-types", {"data": body}, status=201)["data"]["id"]

    def field(model_id, api_key, field_type, **validators):
        attributes = {"label": api_key, "api_key": api_key, "field_type": field_type}
        body = {"type": "field", "attributes": {**attributes, "validators": validators}}
        ok(stack, "POST", f"/item-types/{model_id}/fields", {"data": body}, status=201)

    quote = model("quote", modular_block=True)
    field(quote, "text", "text")
    post = model("post")
    field(post, "title", "string")
    field(post, "body", "text")
    field(post, "quotes", "rich_text", rich_text_blocks={"item_types": [quote]})

    def block(n, k):
        relationships = {"item_type": {"data": {"type": "item_type", "id": quote}}}
        text = f"Quote {n}.{k}. " * 10
        return {"type": "item", "attributes": {"text": text}, "relationships": relationships}

    for start in range(0, RECORDS, BATCH):
        records = [
            {
                "title": f"Post {n}",
                "body": f"Body of post {n}. " * 30,
                "quotes": [block(n, k) for k in range(BLOCKS_PER_RECORD)],
            }
            for n in range(start, min(start + BATCH, RECORDS))
        ]
        ok(stack, "POST", "/rest/db/post", {"record": records})
    updated = [record["id"] for record in ok(stack, "GET", "/rest/db/post?limit=10")["record"]]
    for record_id in updated:
        body = {"type": "item", "id": record_id, "attributes": {"title": f"{record_id}, again"}}
        ok(stack, "PUT", f"/items/{record_id}", {"data": body})
    return {"post": post, "quote": quote, "updated": updated}


def snapshot(stack, environment: str, sample: list[str]) -> dict:
    """What the API answers of the environment's content, ids included."""
    models = ok(stack, "GET", "/item-types", environment=environment)["data"]
    fields = {
        model["id"]: ok(stack, "GET", f"/item-types/{model['id']}/fields", None, environment)
        for model in models
    }
    records = []
    while True:
        page = f"/items?nested=true&page%5Blimit%5D={PAGE}&page%5Boffset%5D={len(records)}"
        document = ok(stack, "GET", page, environment=environment)
        records += document["data"]
        if len(records) >= document["meta"]["total_count"]:
            break
    records.sort(key=lambda record: record["id"])
    versions = {
        record_id: ok(stack, "GET", f"/items/{record_id}/versions", None, environment)["data"]
        for record_id in sample
    }
    return {"models": models, "fields": fields, "records": records, "versions": versions}


def counts(snapshot_: dict) -> tuple[int, int]:
    """(records, blocks)."""
    records = snapshot_["records"]
    blocks = sum(len(record["attributes"]["quotes"]) for record in records)
    return len(records), blocks


def storages(stack) -> list[str]:
    """The environments' storages besides the project's: PostgreSQL's schemas, SQLite's
    files (a copy's file while it is made, or left half-made, included)."""
    if stack.database_url:
        with psycopg.connect(stack.database_url, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'env\\_%' ORDER BY 1"
            )
            return [row[0] for row in rows]
    files = stack.data_dir.glob("cms.env_*")
    return sorted(path.name for path in files if not path.name.endswith(("-wal", "-shm")))


def copying_records(stack, connection) -> str | None:
    """What shows a copy in its middle: PostgreSQL's worker waiting, in its progress update,
    for the test's lock; SQLite's file under its temporary name past a megabyte."""
    if connection is not None:
        row = connection.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
            'AND query LIKE \'UPDATE "environments\\_environment" SET "fork\\_completion%\''
        ).fetchone()
        return row[0][:60] if row else None
    for partial in stack.data_dir.glob("cms.env_*.copy-*"):
        with contextlib.suppress(FileNotFoundError):  # put in place meanwhile
            if partial.stat().st_size > 1_000_000:
                return partial.name
    return None


def submit_fork(stack, source: str, name: str, query: str = "") -> str:
    body = {"data": {"type": "environment", "id": name}}
    document = ok(stack, "POST", f"/environments/{source}/fork{query}", body, status=202)
    return document["data"]["id"]


def write_refusal(stack) -> str | None:
    """The code refusing a write to main, or None if it would take it (an invalid model:
    nothing is written either way)."""
    status, document, _ = stack.request("POST", "/item-types", {"data": {"type": "item_type"}})
    assert 400 <= status < 500, (status, document)
    code = document["data"][0]["attributes"]["code"]
    return code if status == 423 else None


def environment(stack, name: str) -> dict:
    return ok(stack, "GET", f"/environments/{name}")["data"]


def kill_mid_copy(stack, name: str, before: list[str], submit):
    """Submit the fork ``name`` (``submit()`` answers its job's id) and SIGKILL the stack's
    worker in the middle of its copy; the job's id and the killed worker. Fails if the fork
    finished first."""
    worker = stack.ensure_worker()
    deadline = time.monotonic() + 60
    with contextlib.ExitStack() as closing:
        connection = None
        if stack.database_url:
            connection = psycopg.connect(stack.database_url, autocommit=True)
            closing.enter_context(connection)
            connection.execute("SELECT pg_advisory_lock(%s)", [PAUSE_KEY])
        job_id = submit()
        while not (seen := copying_records(stack, connection)):
            assert environment(stack, name)["meta"]["status"] == "creating", "done before"
            assert time.monotonic() < deadline, stack.worker_logs()
            time.sleep(0.002)
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)
    # (The lock went with the test's connection: the killed worker's wait ends.)
    stack.worker = None
    print(f"Killed {worker.process.pid} copying: {seen}")
    row = stack.row(job_id)
    assert (row["state"], row["attempts"]) == ("running", 1), (row, seen)
    assert environment(stack, name)["meta"]["status"] == "creating"
    # Half a copy, which no one sees: PostgreSQL rolls it back; SQLite's file is left under
    # its temporary name.
    left = [seen] if not stack.database_url else []
    assert storages(stack) == sorted([*before, *left])
    return job_id, worker


@pytest.fixture(scope="module")
def stack_setup(tmp_path_factory):
    with fork_stack(tmp_path_factory.mktemp("fork-workers")) as stack:
        stack.content = create_content(stack)
        stack.sample = [*stack.content["updated"][:3]]
        stack.main = snapshot(stack, "main", stack.sample)
        yield stack


@pytest.fixture
def stack(stack_setup):
    stack_setup.ensure_worker()
    yield stack_setup
    stack_setup.end_test()


def test_the_source_is_what_the_forks_are_compared_with(stack):
    assert counts(stack.main) == (RECORDS, RECORDS * BLOCKS_PER_RECORD)
    for record_id, versions in stack.main["versions"].items():
        assert len(versions) == 2, record_id
    # Every record names its current version: comparing records compares those ids too.
    assert all(record["meta"]["current_version"] for record in stack.main["records"])


def test_a_fork_whose_worker_is_killed_mid_copy_is_run_again_and_complete(stack):
    before = storages(stack)
    job_id, killed = kill_mid_copy(
        stack, "killed", before, lambda: submit_fork(stack, "main", "killed")
    )

    stack.ensure_worker()  # takes the job back once its heartbeat is 2 s old
    attributes = stack.finished(job_id, timeout=60)

    assert attributes["status"] == 200, attributes
    forked = attributes["payload"]["data"]
    assert (forked["id"], forked["meta"]["status"]) == ("killed", "ready")
    row = stack.row(job_id)
    assert (row["state"], row["attempts"]) == ("succeeded", 2)
    assert not row["worker"].endswith(f":{killed.process.pid}")
    assert environment(stack, "killed")["meta"]["status"] == "ready"
    assert snapshot(stack, "killed", stack.sample) == stack.main
    # One storage more, complete: nothing half-made left by the killed copy.
    assert len(storages(stack)) == len(before) + 1, (before, storages(stack))


def test_a_fork_the_queue_gives_up_on_is_removed(stack):
    """A worker that gives up on a job whose worker died (one attempt allowed): the
    environment goes, with what its copy had made; the job failed; the source of this fast
    fork takes writes again; the id is free again."""
    before = storages(stack)

    def submit():
        job_id = submit_fork(stack, "main", "given-up", "?fast=true")
        assert environment(stack, "main")["meta"]["read_only_mode"] is True
        assert write_refusal(stack) == "ENVIRONMENT_READ_ONLY"
        return job_id

    job_id, _ = kill_mid_copy(stack, "given-up", before, submit)

    stack.worker = stack.start_worker(CMS_JOB_MAX_ATTEMPTS="1")
    attributes = stack.finished(job_id, timeout=60)

    assert attributes["status"] == 500, attributes
    assert attributes["payload"]["data"][0]["attributes"]["code"] == "JOB_ATTEMPTS_EXHAUSTED"
    assert stack.row(job_id)["state"] == "failed"
    # The job's failure commits first, then its on_failure removes the environment.
    deadline = time.monotonic() + 30
    while (found := stack.request("GET", "/environments/given-up"))[0] != 404:
        assert time.monotonic() < deadline, found[1]
        time.sleep(0.1)
    assert storages(stack) == before
    assert environment(stack, "main")["meta"]["read_only_mode"] is False
    assert write_refusal(stack) is None
    again = submit_fork(stack, "main", "given-up")
    assert stack.finished(again, timeout=60)["status"] == 200
    assert counts(snapshot(stack, "given-up", [])) == counts(stack.main)


def test_two_forks_of_one_source_at_once_are_both_complete(stack):
    before = storages(stack)
    jobs = {}

    def fork(name):
        jobs[name] = submit_fork(stack, "main", name)

    threads = [threading.Thread(target=fork, args=(name,)) for name in ("twin-a", "twin-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for job_id in jobs.values():
        attributes = stack.finished(job_id, timeout=60)
        assert attributes["status"] == 200, attributes
        assert attributes["payload"]["data"]["meta"]["status"] == "ready"
    for name in jobs:
        assert snapshot(stack, name, stack.sample) == stack.main
    assert len(storages(stack)) == len(before) + 2
