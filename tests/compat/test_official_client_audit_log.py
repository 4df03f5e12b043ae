"""DatoCMS's official client on the audit log (audit_log.mjs) against `manage.py serve`,
the server and its worker (the fork is a job), on a fresh database, with pages of 2 events
so that ``rawQuery`` follows ``meta.next_token`` over several pages."""

from __future__ import annotations

import pytest

from tests.compat.test_official_client import _report_line, node_client, run_ok
from tests.serving import FAST_JOBS, serving

__all__ = ["node_client"]  # a fixture


@pytest.mark.compat
def test_official_client_audit_log(node_client, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("client-audit-log") / "data"
    with serving(data_dir, "client_audit_log", **FAST_JOBS, CMS_AUDIT_LOG_PAGE_SIZE="2") as served:
        result = run_ok(node_client, "audit_log.mjs", served.url, served.token)
        assert (
            _report_line("audit_log.mjs", result, "rawQuery pages through meta.next_token")["pages"]
            == 4
        )
