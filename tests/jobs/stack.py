"""A real job stack for tests: a server process (gunicorn) and worker processes
(``manage.py run_worker``) sharing a database and a queue, with the test handlers
(tests/jobs/tasks.py) and ``POST /test-jobs`` (tests/jobs/urls.py) loaded through
``DJANGO_SETTINGS_MODULE=tests.jobs.settings``.

The database is the suite's: PostgreSQL's test database, or a migrated SQLite file (the
SQLite test database lives in the test process's memory). The queue is a SQLite file or
Redis (``CMS_TEST_QUEUE_REDIS_URL``), under a queue name of the stack's own. Times are
short: a worker polls every 0.1 s, beats every 0.4 s, a job is stale after 2 s and a
queued one is sent again after 1.5 s. One worker is shared by the tests (restarted when a
test kills it); a test may start more.
"""

import contextlib
import os
import secrets
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

from tests.cms.production import forget_what_servers_wrote
from tests.processes import (
    PYTHON,
    ServerProcess,
    database_url_for_servers,
    free_port,
    listening,
    manage,
    server_env,
)
from tests.server_process import Served
from tests.worker_isolation import TEST_QUEUE_REDIS_URL

REDIS_QUEUE_URL = TEST_QUEUE_REDIS_URL
QUEUES = ("sqlite", "redis")
FAST = {
    "CMS_WORKER_POLL_SECONDS": "0.1",
    "CMS_JOB_HEARTBEAT_SECONDS": "0.4",
    "CMS_JOB_STALE_SECONDS": "2",
    "CMS_JOB_REQUEUE_SECONDS": "1.5",
    "CMS_WORKER_SHUTDOWN_SECONDS": "5",
    "CMS_WORKER_THREADS": "2",
    # Statement limits none of the test handlers reaches, each its own (a test reads them).
    "CMS_JOB_TIMEOUT_MS": "4321",
    "CMS_READ_TIMEOUT_MS": "3333",
    "CMS_WRITE_TIMEOUT_MS": "5555",
}


def redis_or_skip():
    """A client of the test Redis; skips without one, except in CI (CMS_REDIS_REQUIRED)."""
    import redis

    client = redis.Redis.from_url(REDIS_QUEUE_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CMS_REDIS_REQUIRED"):  # CI starts Redis: never skip there
            raise
        pytest.skip(f"no Redis at {REDIS_QUEUE_URL}")
    return client


@dataclass
class Stack:
    env: dict
    data_dir: Path
    served: Served
    queue: str
    worker: ServerProcess | None = None  # the one tests share
    workers: list = field(default_factory=list)  # every one started, with their logs
    submitted: list = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.served.port

    @property
    def token(self) -> str:
        return self.served.token

    def request(self, method, path, body=None, headers=None):
        return self.served.request(method, path, body, headers)

    # --- Jobs -----------------------------------------------------------------------------

    def submit(self, kind: str, **fields) -> str:
        """Submit through ``POST /test-jobs``; the 202's job id."""
        status, body, response = self.request("POST", "/test-jobs", {"kind": kind, **fields})
        assert status == 202, body
        assert response.getheader("Content-Type") == "application/json; charset=utf-8"
        assert body["data"]["type"] == "job" and set(body["data"]) == {"type", "id"}
        self.submitted.append(body["data"]["id"])
        return body["data"]["id"]

    def row(self, job_id: str) -> dict:
        status, body, _ = self.request("GET", f"/test-jobs/{job_id}")
        assert status == 200, body
        return body["data"]

    def result(self, job_id: str):
        """``GET /job-results/<id>``: (status, body)."""
        status, body, response = self.request("GET", f"/job-results/{job_id}")
        assert response.getheader("Content-Type") == "application/json; charset=utf-8"
        return status, body

    def finished(self, job_id: str, timeout: float = 30) -> dict:
        """Polls /job-results until it answers 200 (it must answer 404 until then); the
        job_result's attributes."""
        deadline = time.monotonic() + timeout
        while True:
            status, body = self.result(job_id)
            if status == 200:
                assert body["data"]["type"] == "job_result" and body["data"]["id"] == job_id
                return body["data"]["attributes"]
            assert status == 404, body
            assert body["data"][0]["attributes"]["code"] == "NOT_FOUND"
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} unfinished: {self.row(job_id)}")
            time.sleep(0.1)

    def wait_for(self, condition, what: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while not (answer := condition()):
            if time.monotonic() > deadline:
                raise AssertionError(f"not {what} within {timeout} s; {self.worker_logs()}")
            time.sleep(0.05)
        return answer

    # --- What the test handlers left --------------------------------------------------------

    @property
    def traces(self) -> Path:
        return self.data_dir / "test-jobs"

    def runs(self, job_id: str) -> list[tuple[str, int, int]]:
        """(event, attempt, pid) for each line the job's handler wrote."""
        path = self.traces / f"{job_id}.runs"
        if not path.exists():
            return []
        lines = [line.split() for line in path.read_text().splitlines()]
        return [(event, int(attempt), int(pid)) for event, attempt, pid in lines]

    def release(self, job_id: str) -> None:
        self.traces.mkdir(parents=True, exist_ok=True)
        (self.traces / f"{job_id}.release").touch()

    # --- Worker processes ---------------------------------------------------------------------

    def start_worker(self, wait: bool = True, **env: str) -> ServerProcess:
        """Another ``manage.py run_worker`` process; with ``wait``, once it takes jobs."""
        worker = ServerProcess(
            [PYTHON, "manage.py", "run_worker"],
            {**self.env, **env},
            self.data_dir / f"worker-{secrets.token_hex(4)}.log",
        )
        self.workers.append(worker)
        if wait:
            self.wait_started(worker)
        return worker

    def wait_started(self, worker: ServerProcess) -> None:
        worker.wait_until(lambda: "Worker " in worker.output(), timeout=60, what="start")

    def ensure_worker(self) -> ServerProcess:
        """The stack's own worker (started if there is none, or it died), shared by tests."""
        if self.worker is None or self.worker.process.poll() is not None:
            self.worker = self.start_worker(wait=False)
        return self.worker

    def restart_worker(self) -> tuple[ServerProcess, ServerProcess]:
        """SIGKILL the stack's worker (it gets no chance to record anything), start another:
        (the killed one, the new one)."""
        killed = self.ensure_worker()
        os.killpg(killed.process.pid, signal.SIGKILL)
        killed.process.wait(timeout=10)
        self.worker = None
        return killed, self.ensure_worker()

    def worker_logs(self) -> str:
        return "\n".join(f"--- {w.log_path.name}\n{w.output()}" for w in self.workers)

    def end_test(self, keep_worker: bool = True) -> None:
        """Release what the test left waiting; stop every worker but the shared one."""
        for job_id in self.submitted:
            self.release(job_id)
        self.submitted.clear()
        for worker in self.workers:
            if worker is not self.worker or not keep_worker:
                worker.stop()
        self.workers = [self.worker] if keep_worker and self.worker else []


@contextlib.contextmanager
def job_stack(tmp_dir: Path, queue: str, db_blocker, **extra_env: str):
    """A server on the suite's database and a queue (``sqlite`` or ``redis``); workers are
    started by the test. Rows it wrote to PostgreSQL's test database are deleted after."""
    redis_client = redis_or_skip() if queue == "redis" else None
    data_dir = tmp_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    name = f"test_{secrets.token_hex(6)}"
    queue_url = REDIS_QUEUE_URL if queue == "redis" else f"sqlite:///{data_dir / 'queue.sqlite3'}"
    overrides = {
        "SECRET_KEY": "test-only-secret-key",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "tests.jobs.settings",
        "REDIS_URL": None,
        "CMS_QUEUE_URL": queue_url,
        "CMS_QUEUE_NAME": name,
        **FAST,
        **extra_env,
    }
    env = server_env(data_dir, None, **overrides)
    with db_blocker.unblock():
        env["DATABASE_URL"] = database_url_for_servers(connection, tmp_dir, env)
    token_name = f"job stack {name}"
    token = manage(env, "create_token", token_name, "--role", "admin").split()[-1]
    port = free_port()
    command = [PYTHON, "-m", "gunicorn", "cms.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--log-level", "warning"]
    server = ServerProcess(command, env, tmp_dir / "gunicorn.log")
    stack = Stack(env, data_dir, Served(port, token), queue)
    try:
        stack.ensure_worker()  # starts while the server does
        server.wait_until(lambda: listening(port), timeout=60)
        yield stack
    finally:
        stack.end_test(keep_worker=False)
        server.stop()
        if redis_client is not None:
            for key in redis_client.scan_iter(f"huey.*{name}*"):
                redis_client.delete(key)
        forget_what_servers_wrote(db_blocker, token_name)
