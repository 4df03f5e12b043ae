"""Keeps pytest-xdist's workers (``make test`` runs the suite in several) out of each other's
way: loaded with ``-p`` (pyproject's addopts), before pytest-django reads the settings, so
each worker's settings see its own data directory and Redis databases.

- ``CMS_DATA_DIR``: ``<the run's>/<worker>``: SQLite sandboxes, upload files, job traces.
- ``CMS_TEST_REDIS_URL`` and ``CMS_TEST_QUEUE_REDIS_URL``: the database number plus the
  worker's index (``gw1`` adds 1), since tests empty theirs; keep the two bases at least
  the worker count apart (the defaults, 5 and 1, allow four workers).
- PostgreSQL: pytest-django names each worker's test database itself (``test_test_gw0``);
  :func:`tests.processes.fresh_database` adds :func:`worker_suffix` to the databases it
  makes for server processes.

Outside xdist's workers nothing changes. ``TEST_REDIS_URL`` and ``TEST_QUEUE_REDIS_URL`` are
the two URLs as this process sees them: the tests read them here."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REDIS_DEFAULTS = {
    "CMS_TEST_REDIS_URL": "redis://127.0.0.1:6379/5",
    "CMS_TEST_QUEUE_REDIS_URL": "redis://127.0.0.1:6379/1",
}


def worker_name() -> str:
    """``gw0``, ``gw1``, … in an xdist worker; "" otherwise."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def worker_suffix() -> str:
    """``_gw1`` in an xdist worker, "" otherwise: for names several workers would share."""
    return f"_{worker_name()}" if worker_name() else ""


def _shifted_redis_url(url: str, by: int) -> str:
    parts = urlsplit(url)
    database = int(parts.path.lstrip("/") or 0) + by
    return urlunsplit(parts._replace(path=f"/{database}"))


def _isolate(worker: str) -> None:
    index = int(worker.removeprefix("gw"))
    base = Path(os.environ.get("CMS_DATA_DIR") or Path(__file__).resolve().parent.parent / "data")
    os.environ["CMS_DATA_DIR"] = str(base / worker)
    for name, default in REDIS_DEFAULTS.items():
        os.environ[name] = _shifted_redis_url(os.environ.get(name, default), index)


if worker_name():
    _isolate(worker_name())

TEST_REDIS_URL = os.environ.get("CMS_TEST_REDIS_URL", REDIS_DEFAULTS["CMS_TEST_REDIS_URL"])
TEST_QUEUE_REDIS_URL = os.environ.get(
    "CMS_TEST_QUEUE_REDIS_URL", REDIS_DEFAULTS["CMS_TEST_QUEUE_REDIS_URL"]
)
