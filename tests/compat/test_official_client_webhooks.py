"""DatoCMS's official client on webhooks and webhook calls (webhooks.mjs) against
`manage.py serve`: the server and its real worker process, which delivers to a receiver
on loopback in this process (allowed by CMS_WEBHOOK_ALLOWED_NETWORKS). The receiver
answers 500 first: the worker retries on the shortened schedule, then the resend."""

from __future__ import annotations

import base64
import json

import pytest

from tests.compat.test_official_client import _report_line, node_client, run_ok
from tests.serving import FAST_JOBS, serving
from tests.webhooks.receiver import Receiver

__all__ = ["node_client"]  # a fixture


@pytest.mark.compat
def test_official_client_webhooks(node_client, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("client-webhooks") / "data"
    receiver = Receiver()
    receiver.statuses = [500]
    try:
        with serving(
            data_dir,
            "client_webhooks",
            **FAST_JOBS,
            CMS_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
            CMS_WEBHOOK_RETRY_DELAYS="0.3,0.3",
            CMS_WEBHOOK_RETRY_POLL_SECONDS="0.1",
            CMS_WEBHOOK_POLL_SECONDS="0.1",
        ) as served:
            result = run_ok(
                node_client, "webhooks.mjs", served.url, served.token, CMS_RECEIVER_URL=receiver.url
            )
            record = _report_line(
                "webhooks.mjs",
                result,
                "a record create is delivered by the worker, retried after a 500",
            )["record"]
        receiver.wait(3)  # the 500, the retry, the resend
        bodies = [json.loads(r["body"]) for r in receiver.received]
        assert [b["entity"]["id"] for b in bodies] == [record] * 3
        assert [b["attempted_auto_retries_count"] for b in bodies[:2]] == [0, 1]
        headers = receiver.received[1]["headers"]
        assert headers["X-Secret"] == "abc"
        assert headers["Authorization"] == "Basic " + base64.b64encode(b"user:pass").decode()
    finally:
        receiver.close()
