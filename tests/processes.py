"""Real server processes in tests, one way: a free loopback port, the environment a server
runs in, ``manage.py`` calls, a database a server can open, and ``ServerProcess``, which
starts a command, waits until it answers, shows its log when it does not, and stops it
with its children."""

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from tests.worker_isolation import worker_suffix

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# `manage.py serve` prints a new token on a line of its own, indented (43 characters of
# base64url).
SERVE_FIRST_TOKEN = re.compile(r"^\s+([A-Za-z0-9_-]{40,})\s*$", re.MULTILINE)


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(data_dir: Path, database_url: str | None = None, **overrides: str | None) -> dict:
    """This process's environment for a server on ``data_dir`` and ``database_url`` (None:
    the server's own SQLite file in ``data_dir``); an override of None unsets that name."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["CMS_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def manage(env: dict, *args: str, timeout: float = 180) -> str:
    """``manage.py`` with ``args`` in ``env``; its output. Fails with its errors."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def create_token(env: dict, name: str) -> str:
    """A new admin token's secret (``create_token`` prints it last)."""
    return manage(env, "create_token", name, "--role", "admin").strip().splitlines()[-1]


def database_url_for_servers(connection, tmp_dir: Path, env: dict | None = None) -> str:
    """A database a server process can open: PostgreSQL's test database, or a SQLite file
    migrated here (pytest-django's SQLite test database lives in this process's memory).
    ``env``: the environment to migrate in (by default, a server's on ``tmp_dir``)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(settings["USER"] or "", safe="")
        password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    url = f"sqlite:///{tmp_dir / 'cms.sqlite3'}"
    migrate_env = {**(env or server_env(tmp_dir)), "DATABASE_URL": url}
    manage(migrate_env, "migrate", "--verbosity", "0")
    return url


def second_connection(connection, **options):
    """Another session on Django's PostgreSQL test database (as another worker's or
    client's), not in autocommit unless ``options`` say so."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        **options,
    )


@contextlib.contextmanager
def fresh_database(suffix: str) -> Iterator[str | None]:
    """An empty database for a server process to migrate and fill: on PostgreSQL (when
    ``DATABASE_URL`` points there) a new database ``<the suite's>_<suffix>``, dropped
    afterwards, yielding its URL; on SQLite None (the server makes its own file in
    ``CMS_DATA_DIR``)."""
    import psycopg
    from psycopg import sql

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'cms'}_{suffix}{worker_suffix()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(drop)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(drop)


def listening(port: int) -> bool:
    """True once something accepts connections on ``port``; raises OSError until then."""
    with contextlib.closing(socket.create_connection(("127.0.0.1", port), timeout=1)):
        return True


def printed_token(log: Path, address: str) -> str | None:
    """The first admin token `manage.py serve` printed in ``log`` (it does on a fresh install),
    once the server accepts connections at ``address`` (``host:port``)."""
    token = SERVE_FIRST_TOKEN.search(log.read_text(errors="replace"))
    return token[1] if token and listening(int(address.rsplit(":", 1)[1])) else None


class ServerProcess:
    """A command running as a server in its own process group, its output in ``log_path``."""

    def __init__(self, command: list[str], env: dict, log_path: Path):
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            command,
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

    def wait_until(self, ready: Callable[[], object], timeout: float = 60.0, what="answer"):
        """Polls ``ready()`` (connection errors count as not yet) until it answers something
        true, and answers that; fails with the log if the server exits or takes too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the server exited {self.process.returncode}:\n{self.output()}"
                )
            with contextlib.suppress(OSError, http.client.HTTPException):
                answer = ready()
                if answer:
                    return answer
            time.sleep(0.2)
        raise AssertionError(f"the server did not {what} within {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # Its own process group (start_new_session): the server and its children only.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()
