"""Benchmark: the worker's CPU per 1,000-record batch of the record API, in process.

Sends ``POST /rest/db/article?rollback=true`` batches of the six-field shape of
bench/bulk_records.py through Django's test client in this one process, against
PostgreSQL (COPY past 50 records), and prints the median CPU milliseconds per 1,000
records of this process (the database's own time is not in it) and, with --profile, the
Python function calls per record and the top functions.

    .venv/bin/python bench/profile_batch.py                      # 7 batches of 1,000
    .venv/bin/python bench/profile_batch.py --profile 30 --sort tottime

Its own database (``cms_bench_batch``, or BENCH_DATABASE_NAME), recreated each run.
Run it with PYTHONPATH pointing at another checkout to measure that one's code.
"""

import argparse
import cProfile
import gc
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_records import build_six, six  # noqa: E402
from profile_create import in_process_client  # noqa: E402


def batch_body(ids: dict, size: int) -> bytes:
    return json.dumps({"record": [six(ids, n) for n in range(size)]}).encode()


def send(client, body: bytes, size: int) -> None:
    code, answer = client.request("POST", "/rest/db/article?rollback=true", raw=body)
    assert code == 200 and len(answer["record"]) == size, (code, str(answer)[:300])


class GcClock:
    """Adds up the CPU the cycle collector takes (a gc callback)."""

    def __init__(self):
        self.ms, self.runs, self._started = 0.0, 0, 0.0
        gc.callbacks.append(self)

    def __call__(self, phase, info):
        if phase == "start":
            self._started = time.process_time()
        else:
            self.ms += (time.process_time() - self._started) * 1000
            self.runs += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--sort", default="tottime", help="tottime (own time) or cumulative")
    args = parser.parse_args()

    client = in_process_client(args.database_url, "cms_bench_batch")
    ids = {**build_six(client), "shape": "six"}
    body = batch_body(ids, args.size)
    for _ in range(3):  # warm: the worker caches the model, the connection is open
        send(client, body, args.size)

    collecting = GcClock()
    per_thousand = []
    for _ in range(args.batches):
        started = time.process_time()
        send(client, body, args.size)
        per_thousand.append((time.process_time() - started) * 1000 * 1000 / args.size)
    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        send(client, body, args.size)
        profiler.disable()
        stats = pstats.Stats(profiler)
        print(f"--- one batch of {args.size}: top {args.profile} functions by {args.sort}")
        stats.sort_stats(args.sort).print_stats(args.profile)
        if os.environ.get("BENCH_CALLERS"):
            stats.print_callers(os.environ["BENCH_CALLERS"])
        print(f"function calls per record: {stats.total_calls / args.size:.0f}")
    gc.callbacks.remove(collecting)
    if os.environ.get("BENCH_THREADS"):
        import threading

        print(threading.enumerate())
    print(
        f"of which the cycle collector: {collecting.ms / args.batches * 1000 / args.size:.1f} ms"
        f" per 1,000 records ({collecting.runs} collections in {args.batches} batches)"
    )
    runs = ", ".join(f"{ms:.1f}" for ms in per_thousand)
    print(
        f"CPU per 1,000 records in the worker: median {statistics.median(per_thousand):.1f} ms, "
        f"least {min(per_thousand):.1f} ms "
        f"(batches of {args.size}: {runs})"
    )


if __name__ == "__main__":
    main()
