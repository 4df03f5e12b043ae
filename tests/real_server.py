"""Real server processes for tests about the HTTP layer (chunked bodies, shared caches).

Each process serves its own SQLite file in a temporary data directory, so it needs nothing
from the test database; several processes may share one directory.
"""

from contextlib import contextmanager
from pathlib import Path

from tests.processes import PYTHON, ServerProcess, create_token, free_port, listening, manage
from tests.processes import server_env as process_env


def server_env(data_dir: Path, **extra: str) -> dict:
    defaults = {
        "REDIS_URL": None,
        "SECRET_KEY": "a test key shared by the processes of one test",
        "DJANGO_SETTINGS_MODULE": "cms.settings",
    }
    return process_env(data_dir, f"sqlite:///{data_dir / 'cms.sqlite3'}", **{**defaults, **extra})


def prepare(data_dir: Path) -> str:
    """Migrate a fresh data directory; answer an admin token for it."""
    env = server_env(data_dir)
    manage(env, "migrate", "--noinput")
    return create_token(env, "test")


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
    log = data_dir / f"{server}-{port}.log"
    process = ServerProcess(server_command(server, port), server_env(data_dir, **extra), log)
    try:
        process.wait_until(lambda: listening(port), timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop()
