"""Real server processes for tests about the HTTP layer (chunked bodies, shared caches).

Each process serves its own SQLite file in a temporary data directory, so it needs nothing
from the test database; several processes may share one directory.
"""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(data_dir: Path, **extra: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        CMS_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'cms.sqlite3'}",
        SECRET_KEY="a test key shared by the processes of one test",
        DJANGO_SETTINGS_MODULE="cms.settings",
        **extra,
    )
    return env


def manage(data_dir: Path, *args: str, **extra: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=server_env(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def prepare(data_dir: Path) -> str:
    """Migrate a fresh data directory; answer an admin token for it."""
    manage(data_dir, "migrate", "--noinput")
    return manage(data_dir, "create_token", "test", "--role", "admin").strip().splitlines()[-1]


def server_command(server: str, port: int) -> list[str]:
    if server == "granian":
        return [
            *(PYTHON, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1"),
            *("--port", str(port), "--workers", "1", "cms.wsgi:application"),
        ]
    return [PYTHON, "-m", "gunicorn", "cms.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]


@contextmanager
def serving(data_dir: Path, server: str = "gunicorn", **extra: str):
    """A server process (gunicorn or granian, one worker) on a free loopback port; yields
    its base URL."""
    port = free_port()
    log = open(data_dir / f"{server}-{port}.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        server_command(server, port),
        cwd=BASE_DIR,
        env=server_env(data_dir, **extra),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(Path(log.name).read_text()) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
