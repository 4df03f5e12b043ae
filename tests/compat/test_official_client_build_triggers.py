"""DatoCMS's official client on build triggers (build_triggers.mjs) against
`manage.py serve`: the server and its real worker process, which sends the build request
to a CI on loopback in this process (allowed by CMS_WEBHOOK_ALLOWED_NETWORKS)."""

from __future__ import annotations

import json

import pytest

from tests.compat.test_official_client import _report_line, node_client, run_ok
from tests.serving import FAST_JOBS, serving
from tests.webhooks.receiver import Receiver

__all__ = ["node_client"]  # a fixture


@pytest.mark.compat
def test_official_client_build_triggers(node_client, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("client-build-triggers") / "data"
    ci = Receiver()
    try:
        with serving(
            data_dir,
            "client_build_triggers",
            **FAST_JOBS,
            CMS_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        ) as served:
            result = run_ok(
                node_client, "build_triggers.mjs", served.url, served.token, CMS_RECEIVER_URL=ci.url
            )
            _report_line("build_triggers.mjs", result, "buildTriggers.destroy")
        # The first trigger's request (the script waited for it); the aborted one may or
        # may not have gone.
        ci.wait(1)
        assert json.loads(ci.received[0]["body"]) == {"type": "build_request"}
        assert ci.received[0]["headers"]["Authorization"] == "Bearer ci-token"
        assert ci.received[0]["headers"]["User-Agent"] == "DatoCMS (datocms.com)"
    finally:
        ci.close()
