"""``make run`` (``manage.py serve``) on a fresh data directory: it migrates the embedded
SQLite, prints a first admin token, and serves with the production server and its static
files, without SECRET_KEY (it keeps a generated key in CMS_DATA_DIR); a job worker runs
beside it, and goes when it goes."""

import contextlib
import json
import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.cms.production import ROOT, request, running_server, server_env
from tests.processes import manage


def serve_command(port: int) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), "serve", f"127.0.0.1:{port}"]


def test_serve_prints_a_first_token_and_serves_the_api_and_the_admin(tmp_path):
    env = server_env(tmp_path, f"sqlite:///{tmp_path / 'cms.sqlite3'}", SECRET_KEY=None)
    with running_server(env, tmp_path / "serve.log", command=serve_command) as server:
        deadline = time.monotonic() + 10
        while "Authorization: Bearer" not in server.output() and time.monotonic() < deadline:
            time.sleep(0.1)
        output = server.output()
        match = re.search(r"^    (\S{40,})$", output, re.MULTILINE)
        assert match, output
        token = match.group(1)

        status, _, _, _ = request(
            server.port, "GET", "/site", headers={"Authorization": f"Bearer {token}"}
        )
        assert status == 200
        status, headers, _, _ = request(server.port, "GET", "/static/admin/css/base.css")
        assert (status, headers["Content-Type"].split(";")[0]) == (200, "text/css")
    assert (tmp_path / "secret_key").exists()  # the local key it started with, kept


# --- The job worker beside the server ------------------------------------------------------


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    """Running (a zombie, ended and waiting for its parent to read its code, is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def job_result(port: int, auth: dict, job_id: str) -> tuple[int, int | None]:
    """GET /job-results/<id>: (HTTP status, the job's status once done)."""
    status, _, body, _ = request(port, "GET", f"/job-results/{job_id}", headers=auth)
    return status, json.loads(body)["data"]["attributes"]["status"] if status == 200 else None


def serve_with_test_jobs(tmp_path, stop):
    """``manage.py serve`` with the test handlers and ``POST /test-jobs``: runs a job
    through the worker it started, then ``stop(server)``; answers the children (granian
    and the worker) still running 20 s later."""
    env = server_env(
        tmp_path,
        f"sqlite:///{tmp_path / 'cms.sqlite3'}",
        SECRET_KEY=None,
        DJANGO_SETTINGS_MODULE="tests.jobs.settings",
        CMS_QUEUE_URL=None,  # the embedded default: a SQLite file in the data directory
        CMS_WORKER_POLL_SECONDS="0.1",
        CMS_WORKER_SHUTDOWN_SECONDS="3",
    )
    with running_server(env, tmp_path / "serve.log", command=serve_command) as server:
        token = re.search(r"^    (\S{40,})$", server.output(), re.MULTILINE).group(1)
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        status, _, body, _ = request(
            server.port, "POST", "/test-jobs", headers=auth, body=b'{"kind": "tests.echo"}'
        )
        assert status == 202, body
        job_id = json.loads(body)["data"]["id"]
        deadline = time.monotonic() + 30
        while (answer := job_result(server.port, auth, job_id))[0] == 404:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.1)
        assert answer == (200, 200), server.output()
        assert (tmp_path / "jobs-queue.sqlite3").exists()
        pids = children(server.process.pid)
        assert len(pids) == 2 and all(alive(pid) for pid in pids)  # granian and the worker
        # Both allocate with glibc's malloc, two arenas (bench/test_batch_memory.py measures it).
        for pid in pids:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert {b"PYTHONMALLOC=malloc", b"MALLOC_ARENA_MAX=2"} <= set(environ), pid
        try:
            stop(server)
            deadline = time.monotonic() + 20
            while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
                time.sleep(0.1)
            return [pid for pid in pids if alive(pid)]
        finally:
            with contextlib.suppress(ProcessLookupError):  # what a failure left running
                os.killpg(server.process.pid, signal.SIGKILL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_serve_runs_jobs_and_stopping_it_stops_its_worker_too(tmp_path):
    assert serve_with_test_jobs(tmp_path, lambda server: server.stop()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, prctl")
def test_a_killed_serve_leaves_no_process_behind(tmp_path):
    def kill(server):  # serve alone, with no chance to pass anything on
        os.kill(server.process.pid, signal.SIGKILL)

    assert serve_with_test_jobs(tmp_path, kill) == []


def test_an_empty_database_url_means_the_embedded_default(tmp_path):
    """``DATABASE_URL=`` (as an env file or a shell may leave it) is no database named: the
    embedded SQLite file in CMS_DATA_DIR, as when it is unset."""
    env = server_env(tmp_path, None, DATABASE_URL="", SECRET_KEY="test-only-secret-key")
    manage(env, "migrate", "--verbosity", "0")
    assert (tmp_path / "cms.sqlite3").stat().st_size > 0
