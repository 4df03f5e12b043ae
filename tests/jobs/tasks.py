"""Test-only job handlers. Each leaves a trace in ``<CMS_DATA_DIR>/test-jobs/<job id>.runs``
(one line per event: ``started <attempt> <pid>``, ``finished <attempt> <pid>``), so a test
counts runs across processes; ``tests.wait*`` wait for ``<job id>.release`` to appear."""

import os
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

import jobs
from cms.api.errors import ApiError
from cms.db import wanted_limit

WAIT_LIMIT = 120  # seconds a waiting job waits for its release at most


def trace_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "test-jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def trace(job, event: str) -> None:
    # O_APPEND: lines of concurrent writers never mix.
    with open(trace_dir() / f"{job.id}.runs", "a") as runs:
        runs.write(f"{event} {job.attempts} {os.getpid()}\n")


def answer(job, **attributes) -> tuple[int, dict]:
    return 200, {
        "data": {
            "type": "echo",
            "id": job.id,
            "attributes": {
                "arguments": job.arguments,
                "environment": job.environment,
                "attempt": job.attempts,
                "worker": job.worker,
                **attributes,
            },
        }
    }


@jobs.handler("tests.echo", rerunnable=True)
def echo(job):
    trace(job, "started")
    trace(job, "finished")
    return answer(job)


@jobs.handler("tests.fail", rerunnable=False)
def fail(job):
    trace(job, "started")
    raise ApiError("INVALID_FIELD", 422, field="name", code="VALIDATION_UNIQUENESS")


@jobs.handler("tests.crash", rerunnable=False)
def crash(job):
    trace(job, "started")
    raise RuntimeError("a bug in a handler")


def wait_for_release(job):
    trace(job, "started")
    release = trace_dir() / f"{job.id}.release"
    deadline = time.monotonic() + WAIT_LIMIT
    while not release.exists():
        if time.monotonic() > deadline:
            raise ApiError("INTERNAL_SERVER_ERROR", 500, message="never released")
        time.sleep(0.05)
    trace(job, "finished")
    return answer(job)


jobs.handler("tests.wait", rerunnable=True)(wait_for_release)


@jobs.handler("tests.wait_once", rerunnable=False)
def wait_once(job):
    return wait_for_release(job)


@jobs.handler("tests.limits", rerunnable=True)
def limits(job):
    """The statement limit the job's queries run under, as the database has it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW statement_timeout")
            server = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT 1")
            server = None
    return answer(job, wanted_ms=wanted_limit(connection), server=server)
