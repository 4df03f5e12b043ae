"""Starting the production server as the README's "Production" command does, for tests.

A real ``granian`` process on a free loopback port, on its own database: a migrated SQLite
file, or (when the suite runs on PostgreSQL) pytest-django's test database.
"""

import contextlib
import http.client
import sys
import time
from pathlib import Path

from tests import processes
from tests.processes import ROOT, free_port, manage

__all__ = ["ROOT", "manage"]

GRANIAN = str(Path(sys.executable).parent / "granian")
TEST_SECRET_KEY = "test-only-secret-key-for-the-production-server-tests"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    return free_port()


def production_command(port: int) -> list[str]:
    # The README's production command, on loopback.
    return [GRANIAN, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", "2", "cms.wsgi:application"]  # fmt: skip


def server_env(data_dir: Path, database_url: str | None, **overrides) -> dict:
    defaults = {"SECRET_KEY": TEST_SECRET_KEY, "DEBUG": None, "REDIS_URL": None}
    return processes.server_env(data_dir, database_url, **{**defaults, **overrides})


def database_url_for_servers(connection, tmp_dir: Path) -> str:
    return processes.database_url_for_servers(connection, tmp_dir, server_env(tmp_dir, None))


def forget_what_servers_wrote(django_db_blocker, token_name: str | None = None) -> None:
    """On PostgreSQL a module's server processes write into the suite's test database
    itself, outside any test's transaction, and commit: what they wrote (the module's
    token, and the jobs, uploads and audit events its requests made) would meet later
    tests in the same worker (a test that counts the events it records, say)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    from audit_log.models import AuditLogEvent
    from cms.models import ApiToken
    from jobs.models import Job
    from uploads.models import Upload, UploadRequest

    with django_db_blocker.unblock():
        for model in (Job, Upload, UploadRequest, AuditLogEvent):
            model.objects.all().delete()
        if token_name is not None:
            ApiToken.objects.filter(name=token_name).delete()


def request(port: int, method: str, path: str, *, headers=None, body=None, timeout=5.0):
    """One request on a new connection: (status, headers, body bytes, seconds taken)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        content = response.read()
        # response.headers: looked up by name in any case.
        return response.status, response.headers, content, time.monotonic() - started
    finally:
        conn.close()


class Server(processes.ServerProcess):
    """A running production server process; ``stop()`` ends it (and its workers)."""

    def __init__(self, env: dict, log_path: Path, command=production_command):
        self.port = free_port()
        super().__init__(command(self.port), env, log_path)

    def wait_until_answering(self, timeout: float = 60.0) -> None:
        self.wait_until(lambda: request(self.port, "GET", "/healthz", timeout=2)[0] == 200, timeout)


@contextlib.contextmanager
def running_server(env: dict, log_path: Path, command=production_command):
    server = Server(env, log_path, command)
    try:
        server.wait_until_answering()
        yield server
    finally:
        server.stop()
