"""A real server process for tests about processes: gunicorn serving a WSGI module of the
test's choice, on a free loopback port, on a database the test process shares.

PostgreSQL: the test database itself (mark the test ``django_db(transaction=True)``, so
that the rows the server commits are flushed after it). SQLite: a file of the test's own,
migrated first (the test database lives in the test process's memory).
"""

import http.client
import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from tests.processes import (
    PYTHON,
    ServerProcess,
    create_token,
    database_url_for_servers,
    free_port,
    listening,
    server_env,
)


@dataclass
class Served:
    port: int
    token: str

    def request(self, method, path, body=None, headers=None, timeout=60):
        """(status, JSON body, headers); raises if the connection dies unanswered."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            conn.request(
                method,
                path,
                body=None if body is None else payload,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                    "X-Api-Version": "3",
                    **(headers or {}),
                },
            )
            response = conn.getresponse()
            content = response.read()
            return response.status, json.loads(content) if content else None, response
        finally:
            conn.close()


@contextmanager
def gunicorn(tmp_path: Path, wsgi: str, workers: int = 2, extra_env: dict | None = None):
    """Serve ``wsgi`` (``module:application``) with ``workers`` sync workers; an admin token."""
    overrides = {"SECRET_KEY": "test-only-secret-key", "DEBUG": "false"}
    overrides.update(DJANGO_SETTINGS_MODULE="cms.settings", **(extra_env or {}))
    env = server_env(tmp_path / "data", None, **overrides)
    env["DATABASE_URL"] = database_url_for_servers(connection, tmp_path, env)
    token = create_token(env, "process test")
    port = free_port()
    command = [PYTHON, "-m", "gunicorn", wsgi, "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--worker-class", "sync", "--timeout", "120"]
    server = ServerProcess(command + ["--log-level", "warning"], env, tmp_path / "gunicorn.log")
    try:
        server.wait_until(lambda: listening(port), timeout=60)
        yield Served(port, token)
    finally:
        server.stop()
