"""Benchmark: where a bulk update or delete of the record API spends its time, in process.

Creates ``--size`` records of the six-field shape (bench/bulk_records.py) through Django's
test client in this process (PostgreSQL), then sends bench/bulk_writes.py's three calls
(``PATCH`` by filter, ``PATCH`` batch, ``DELETE`` by ids), printing for each its wall
time, this process's CPU, and its SQL statements with their time (the database's share);
with --profile, the top functions of each call.

    .venv/bin/python bench/profile_bulk_writes.py --size 10000 --profile 25

Its own database (``cms_bench_writes``, or BENCH_DATABASE_NAME), recreated each run.
"""

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_records import build_six, six  # noqa: E402
from profile_create import in_process_client  # noqa: E402


def call(client, method: str, path: str, body, profile: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    raw = json.dumps(body).encode() if body is not None else None
    profiler = cProfile.Profile() if profile else None
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        code, answer = client.request(method, path, raw=raw)
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert code == 200, (code, str(answer)[:300])
    sql = sum(float(q["time"]) for q in queries.captured_queries)
    print(f"=== {method} {path[:60]}: {wall:.2f} s wall, {cpu:.2f} s CPU, SQL {sql:.2f} s")
    for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:12]:
        print(f"  {float(q['time']):7.3f}s  {q['sql'][:150]}")
    print(f"  ({len(queries.captured_queries)} statements)")
    if profiler:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(r"wt/|/work/main/(?!\.venv)|django/db", profile)
        stats.sort_stats("tottime").print_stats(profile)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--calls", nargs="+", default=["filter", "batch", "delete"])
    args = parser.parse_args()
    client = in_process_client(args.database_url, "cms_bench_writes")
    from django.conf import settings

    settings.DEBUG = False
    ids = {**build_six(client), "shape": "six"}
    body = json.dumps({"record": [six(ids, n) for n in range(args.size)]}).encode()
    code, answer = client.request("POST", "/rest/db/article?rollback=true", raw=body)
    assert code == 200, (code, str(answer)[:300])
    record_ids = [record["id"] for record in answer["record"]]
    by_filter = "/rest/db/article?rollback=true&filter=rating%20%3E%3D%200"
    if "filter" in args.calls:
        call(client, "PATCH", by_filter, {"category": "x"}, args.profile)
    batch = {"record": [{"id": i, "rating": n % 7} for n, i in enumerate(record_ids)]}
    if "batch" in args.calls:
        call(client, "PATCH", "/rest/db/article?rollback=true", batch, args.profile)
    gone = {"record": [{"id": i} for i in record_ids]}
    if "delete" in args.calls:
        call(client, "DELETE", "/rest/db/article?rollback=true", gone, args.profile)


if __name__ == "__main__":
    main()
