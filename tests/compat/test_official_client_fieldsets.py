"""DatoCMS's official client on fieldsets and the schema operations beyond CRUD
(fieldsets.mjs) against `manage.py serve`, the server and its job worker, on a fresh
database: fields.duplicate and rawReorderFieldsAndFieldsets are jobs the client polls. The
script checks what the client sees; this side checks what the server keeps."""

from __future__ import annotations

import psycopg
import pytest

from tests.compat.test_official_client import (
    _report_line,
    node_client,
    run_ok,
)
from tests.serving import FAST_JOBS, serving

__all__ = ["node_client"]  # a fixture


def _rows(served, sql: str) -> list[tuple]:
    """Rows read straight from the server's database (the suite's is another one)."""
    if served.database_url:
        with psycopg.connect(served.database_url) as connection:
            return [tuple(row) for row in connection.execute(sql)]
    import sqlite3

    with sqlite3.connect(served.data_dir / "cms.sqlite3") as connection:
        return [tuple(row) for row in connection.execute(sql)]


@pytest.mark.compat
def test_official_client_fieldsets_and_schema_operations(node_client, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("client-fieldsets") / "data"
    with serving(data_dir, "client_fieldsets", **FAST_JOBS) as served:
        result = run_ok(node_client, "fieldsets.mjs", served.url, served.token)
        left = _report_line("fieldsets.mjs", result, "left")
        assert left["models"] == ["page", "post", "post_copy"]
        assert _rows(served, "SELECT id FROM item_types_fieldset") == [(left["fieldsets"][0],)]
        # The schema's own jobs (creating fields with validators queued validity re-checks).
        query = "SELECT kind, state, status FROM jobs_job WHERE kind LIKE 'item_types.%'"
        kinds = _rows(served, query + " ORDER BY created_at")
        assert kinds == [
            ("item_types.reorder_fields_and_fieldsets", "succeeded", 200),
            ("item_types.duplicate_field", "succeeded", 201),
        ]
