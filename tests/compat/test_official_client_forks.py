"""DatoCMS's official client forking and destroying environments (forks.mjs) against
`manage.py serve`: the server and its job worker, on a fresh database, as `make run` starts
them. The script checks what the client sees; this side checks what the server keeps: one
storage per environment left (a SQLite file, a PostgreSQL schema), none of the destroyed
one's, no half-made copy, and the upload file the environments share."""

from __future__ import annotations

import json
import re

import psycopg
import pytest
from PIL import Image

from tests.compat.test_official_client import (
    _report_line,
    node_client,
    run_ok,
)
from tests.serving import FAST_JOBS, serving

__all__ = ["node_client"]  # a fixture


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server for the module's tests."""
    data_dir = tmp_path_factory.mktemp("client-forks") / "data"
    with serving(data_dir, "client_forks", **FAST_JOBS) as served:
        yield served


def _storages(served) -> list[str]:
    """The environments' storages on the server, besides the project's own: PostgreSQL's
    schemas, SQLite's files (a copy's file while it is made, or left half-made, included)."""
    if served.database_url:
        with psycopg.connect(served.database_url) as connection:
            rows = connection.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'env\\_%' ORDER BY 1"
            )
            return [row[0] for row in rows]
    files = served.data_dir.glob("cms.env_*")
    return sorted(path.name for path in files if not path.name.endswith(("-wal", "-shm")))


@pytest.mark.compat
def test_official_client_forks_and_destroys(node_client, served, tmp_path):
    image = tmp_path / "fork-pixel.png"
    Image.new("RGB", (2, 2), (30, 60, 90)).save(image, format="PNG")
    result = run_ok(node_client, "forks.mjs", served.url, served.token, CMS_UPLOAD_FILE=str(image))

    left = _report_line("forks.mjs", result, "left")
    assert left["environments"] == ["main", "production", "sandbox-z"]
    storages = _storages(served)
    # production and sandbox-z; sandbox-x's is gone (main's is the project's own).
    assert len(storages) == 2, storages
    if not served.database_url:
        assert all(re.fullmatch(r"cms\.env_[a-z0-9]+\.sqlite3", name) for name in storages)
    # The upload file main and the forks share was kept when sandbox-x was destroyed.
    stored = served.data_dir / "uploads" / left["uploadPath"].lstrip("/")
    assert stored.read_bytes() == image.read_bytes()
    assert json.loads(result.stdout.splitlines()[-1]) == {"step": "done", "ok": True}
