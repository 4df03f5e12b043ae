"""Starting the production server as the README's "Production" command does, for tests.

A real ``granian`` process on a free loopback port, on its own database: a migrated SQLite
file, or (when the suite runs on PostgreSQL) pytest-django's test database.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
GRANIAN = str(Path(sys.executable).parent / "granian")
TEST_SECRET_KEY = "test-only-secret-key-for-the-production-server-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    return free_port()


def production_command(port: int) -> list[str]:
    # The README's production command, on loopback.
    return [GRANIAN, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", "2", "cms.wsgi:application"]  # fmt: skip


def server_env(data_dir: Path, database_url: str, **overrides) -> dict:
    env = {**os.environ, "CMS_DATA_DIR": str(data_dir), "DATABASE_URL": database_url}
    env["SECRET_KEY"] = TEST_SECRET_KEY
    env.pop("DEBUG", None)
    env.pop("REDIS_URL", None)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def database_url_for_servers(connection, tmp_dir: Path) -> str:
    """A database a server process can open: PostgreSQL's test database, or a SQLite file
    migrated here (pytest-django's SQLite test database lives in this process's memory)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(settings["USER"] or "", safe="")
        password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    url = f"sqlite:///{tmp_dir / 'cms.sqlite3'}"
    manage(server_env(tmp_dir, url), "migrate", "--verbosity", "0")
    return url


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


class Server:
    """A running production server process; ``stop()`` ends it (and its workers)."""

    def __init__(self, env: dict, log_path: Path, command=production_command):
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            command(self.port),
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_until_answering(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.output()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if request(self.port, "GET", "/healthz", timeout=2)[0] == 200:
                    return
            time.sleep(0.2)
        raise AssertionError(f"the server did not answer within {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # Its own process group (start_new_session): the server and its workers only.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()


@contextlib.contextmanager
def running_server(env: dict, log_path: Path, command=production_command):
    server = Server(env, log_path, command)
    try:
        server.wait_until_answering()
        yield server
    finally:
        server.stop()
