"""DatoCMS's official client on the menus (menus.mjs) against `manage.py serve`: the server and
its job worker, on a fresh database, so that rawReorder's 202 is followed by the client's own
poller to the job's result. The script checks what the client sees; this side checks that the
database holds exactly the items the script says are left."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from tests.compat.test_official_client import (
    _report_line,
    node_client,
    run_ok,
)
from tests.serving import FAST_JOBS, serving

__all__ = ["node_client"]  # a fixture


def _stored_ids(served, table: str) -> list[str]:
    query = f"SELECT id FROM {table} ORDER BY id"
    if served.database_url:
        with psycopg.connect(served.database_url) as connection:
            return [row[0] for row in connection.execute(query)]
    with sqlite3.connect(served.data_dir / "cms.sqlite3") as connection:
        return [row[0] for row in connection.execute(query)]


@pytest.mark.compat
def test_official_client_menus(node_client, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("client-menus") / "data"
    with serving(data_dir, "client_menus", **FAST_JOBS) as served:
        result = run_ok(node_client, "menus.mjs", served.url, served.token)
        left = _report_line("menus.mjs", result, "left")
        assert _stored_ids(served, "menus_menuitem") == sorted(left["menuItems"])
        assert _stored_ids(served, "menus_schemamenuitem") == sorted(left["schemaMenuItems"])
        assert len(left["menuItems"]) == 1  # the page's, kept with skip_menu_items_deletion
