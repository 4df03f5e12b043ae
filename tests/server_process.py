"""A real server process for tests about processes: gunicorn serving a WSGI module of the
test's choice, on a free loopback port, on a database the test process shares.

PostgreSQL: the test database itself (mark the test ``django_db(transaction=True)``, so
that the rows the server commits are flushed after it). SQLite: a file of the test's own,
migrated first (the test database lives in the test process's memory).
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp_path: Path) -> str:
    if on_postgresql():
        db = connection.settings_dict
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"
    return f"sqlite:///{tmp_path / 'server.sqlite3'}"


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
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(tmp_path),
        "CMS_DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": "test-only-secret-key",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        **(extra_env or {}),
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )

    if not on_postgresql():
        manage("migrate", "-v", "0")
    token = manage("create_token", "process test", "--role", "admin").stdout.splitlines()[-1]
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", wsgi, "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--worker-class", "sync", "--timeout", "120"]
    server = subprocess.Popen(command + ["--log-level", "warning"], cwd=ROOT, env=env)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield Served(port, token)
    finally:
        server.terminate()
        server.wait(timeout=30)
