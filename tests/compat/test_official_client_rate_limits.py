"""DatoCMS's official client (rate_limits.mjs) against `manage.py serve` with a small rate
limit (5 requests per 2 s): it waits X-RateLimit-Reset seconds on each 429 and retries, so
bursts of reads and writes, and a job polled to its end through a 429, all succeed unchanged."""

import time

import pytest

from tests.compat.test_official_client import _report_line, node_client, run_ok
from tests.serving import FAST_JOBS, serving

__all__ = ["node_client"]  # a fixture

SMALL_LIMIT = {"CMS_RATE_LIMIT_REQUESTS": "5", "CMS_RATE_LIMIT_WINDOW": "2"}
JOB_STEP = "a job (items.duplicate) is polled to its end while the limit is spent"


@pytest.mark.compat
def test_official_client_rides_out_the_rate_limit(node_client, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("client-rate-limits") / "data"
    with serving(data_dir, "client_rate_limits", **FAST_JOBS, **SMALL_LIMIT) as served:
        result = run_ok(node_client, "rate_limits.mjs", served.url, served.token)
        polls = _report_line("rate_limits.mjs", result, JOB_STEP)["polls"]
        assert polls[0] == 429 and polls[-1] == 200
        # Each model of the write burst was created once, whatever was retried.
        status, body = served.request("GET", "/item-types")
        while status == 429:  # this side is a client under the limit too
            time.sleep(1)
            status, body = served.request("GET", "/item-types")
        assert status == 200, body
        assert sorted(m["attributes"]["api_key"] for m in body["data"]) == [
            f"limited_{letter}" for letter in "abcdefgh"
        ]
