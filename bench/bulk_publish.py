"""Benchmark: bulk publish, unpublish and destroy of records (``POST /items/bulk/...``) on
PostgreSQL, with a real job worker.

Builds the model of ``create_records.py`` (10 fields, 2 blocks, a link and an upload per
record), creates --records records through the API, then, --repeat times, publishes them
all in one bulk call and unpublishes them in another; finally deletes them in one. Each
call is timed from the first request (the 202) to the job's result at
``GET /job-results/:id`` (polled every 5 ms; the worker polls its SQLite queue every
--poll seconds, counted in). Then counts the queries of each operation in this process,
for 20 records and for --records, to show they don't grow with the count.

    SECRET_KEY=bench .venv/bin/python bench/bulk_publish.py                  # 200 records
    BENCH_DATABASE_NAME=other .venv/bin/python bench/bulk_publish.py --repeat 10
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from create_records import build_schema, payload  # noqa: E402
from harness import (  # noqa: E402
    DEFAULT_DATA_DIR,
    PYTHON,
    ROOT,
    Client,
    add_server_arguments,
    served,
)

OPERATIONS = {
    "publish": "item_bulk_publish_operation",
    "unpublish": "item_bulk_unpublish_operation",
    "destroy": "item_bulk_destroy_operation",
}


def bulk_body(action: str, ids: list[str]) -> dict:
    return {
        "data": {
            "type": OPERATIONS[action],
            "relationships": {"items": {"data": [{"type": "item", "id": i} for i in ids]}},
        }
    }


def timed_call(client: Client, action: str, ids: list[str]) -> tuple[float, dict]:
    """Seconds from the POST to the job's result, and the result's payload."""
    started = time.perf_counter()
    code, body = client.request("POST", f"/items/bulk/{action}", bulk_body(action, ids))
    assert code == 202, body
    job_id = body["data"]["id"]
    while True:
        code, body = client.request("GET", f"/job-results/{job_id}")
        if code == 200:
            elapsed = time.perf_counter() - started
            attributes = body["data"]["attributes"]
            assert attributes["status"] == 200, attributes
            meta = attributes["payload"]["meta"]
            assert meta["failed"] == 0 and meta["successful"] == len(ids), meta
            return elapsed, meta
        assert code == 404, body
        time.sleep(0.005)


def query_counts(env: dict, ids: list[str]) -> dict[str, list[int]]:
    """Each operation's queries in this process, for 20 records and for all of them
    (the service alone: the job adds a fixed handful, claim and record)."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "CMS_DATA_DIR", "SECRET_KEY")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from items.services.bulk_destroy import bulk_destroy
    from items.services.bulk_publishing import bulk_publish, bulk_unpublish

    counts: dict[str, list[int]] = {}
    # The first pass only warms up (this process loads the content model once).
    for subset in (ids[:20], ids[:20], ids):
        for name, operation in (
            ("publish", bulk_publish),
            ("unpublish", bulk_unpublish),
            ("destroy", bulk_destroy),
        ):
            with transaction.atomic():  # rolled back: each count starts from the same rows
                with CaptureQueriesContext(connection) as queries:
                    outcome = operation(subset)
                assert not outcome.failures, outcome.failures
                counts.setdefault(name, []).append(len(queries))
                transaction.set_rollback(True)
    return {name: found[1:] for name, found in counts.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--poll", type=float, default=0.02, help="the worker's queue poll (s)")
    args = parser.parse_args()

    data_dir = os.environ.get("BENCH_DATA_DIR", DEFAULT_DATA_DIR)
    extra = {"CMS_WORKER_POLL_SECONDS": str(args.poll)}
    with served(args.database_url, args.workers, data_dir, extra) as server:
        worker = subprocess.Popen([PYTHON, "manage.py", "run_worker"], cwd=ROOT, env=server.env)
        try:
            client = Client(server.port, server.token)
            ids = build_schema(client)
            code, body = client.request("PUT", f"/items/{ids['category']}/publish")
            assert code == 200, body
            records = []
            for _ in range(args.records):
                code, body = client.request("POST", "/items", payload(ids))
                assert code == 201, body
                records.append(body["data"]["id"])
            timed_call(client, "publish", records[:5])  # warm-up: imports, connections
            timed_call(client, "unpublish", records[:5])
            times: dict[str, list[float]] = {"publish": [], "unpublish": []}
            for _ in range(args.repeat):
                for action in ("publish", "unpublish"):
                    times[action].append(timed_call(client, action, records)[0])
            counts = query_counts(server.env, records)
            times["destroy"] = [timed_call(client, "destroy", records)[0]]
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    print(
        f"POST /items/bulk/... on PostgreSQL, {args.records} records (10 fields, 2 blocks, "
        f"a link and an upload each), one worker polling every {args.poll} s; "
        "time from the 202 to the job's result"
    )
    print(f"{'operation':>10} {'runs':>5} {'median s':>9} {'max s':>7} {'queries (20 / all)':>20}")
    for action, seconds in times.items():
        print(
            f"{action:>10} {len(seconds):>5} {statistics.median(seconds):>9.3f} "
            f"{max(seconds):>7.3f} {' / '.join(map(str, counts[action])):>20}"
        )


if __name__ == "__main__":
    main()
