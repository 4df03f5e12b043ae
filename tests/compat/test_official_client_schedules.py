"""DatoCMS's official client on scheduled publication and unpublishing (schedules.mjs)
against `manage.py serve`: the server and its worker, on a fresh database, the worker
looking for due schedules every 0.2 s, so that the script sees a scheduled publication
run. This side checks that no schedule is left and the record is published."""

from __future__ import annotations

import pytest

from tests.compat.test_official_client import _report_line, node_client, run_ok
from tests.serving import FAST_JOBS, serving

__all__ = ["node_client"]  # a fixture


@pytest.mark.compat
def test_official_client_schedules(node_client, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("client-schedules") / "data"
    with serving(
        data_dir, "client_schedules", **FAST_JOBS, CMS_SCHEDULE_POLL_SECONDS="0.2"
    ) as served:
        result = run_ok(node_client, "schedules.mjs", served.url, served.token)
        record = _report_line("schedules.mjs", result, "left")["record"]
        meta = served.get(f"/items/{record}")["data"]["meta"]
        assert meta["status"] == "published"
        assert meta["publication_scheduled_at"] is None
        assert meta["unpublishing_scheduled_at"] is None
        state = served.get(f"/items/{record}/current-vs-published-state")["data"]
        assert state["relationships"]["scheduled_publication"] == {"data": None}
