"""Benchmark: the garbage collector's pauses in a worker, with and without freezing what
the process loaded (cms/startup.py ``freeze_loaded_objects``, which cms/wsgi.py runs).

In one process, against PostgreSQL, through Django's test client: rounds of 6-field
``POST /items``, first as loaded, then after ``freeze_loaded_objects()``. Per round it
prints the latency p50, p99 and maximum, the time spent collecting and the collections of
each generation (a full collection is generation 2).

    .venv/bin/python bench/gc_pauses.py [--creates 1500] [--rounds 2]

Its own database (``cms_bench_gc``, or BENCH_DATABASE_NAME), recreated each run.
"""

import argparse
import gc
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import create_model  # noqa: E402
from profile_create import SIMPLE, SIMPLE_FIELDS, in_process_client  # noqa: E402


class Collections:
    """Time spent in the collector, from its callbacks."""

    def __init__(self):
        self.seconds = 0.0
        self.started = 0.0
        gc.callbacks.append(self.observe)

    def observe(self, phase, info):
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self.started


def round_of(client, body, creates: int, collections: Collections) -> str:
    collections.seconds = 0.0
    before = [generation["collections"] for generation in gc.get_stats()]
    latencies = []
    for _ in range(creates):
        started = time.perf_counter()
        code, answer = client.request("POST", "/items", body())
        latencies.append((time.perf_counter() - started) * 1000)
        assert code == 201, answer
    latencies.sort()
    made = [g["collections"] - b for g, b in zip(gc.get_stats(), before, strict=True)]
    return (
        f"p50 {latencies[len(latencies) // 2]:.2f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)]:.2f} ms, max {latencies[-1]:.2f} ms; "
        f"collecting {collections.seconds * 1000:.1f} ms; collections by generation {made}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--creates", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    client = in_process_client(args.database_url, "cms_bench_gc")
    logging.disable(logging.INFO)  # the access log's lines are not what is measured
    note = create_model(client, "note", SIMPLE_FIELDS)["id"]

    def body():
        relationships = {"item_type": {"data": {"type": "item_type", "id": note}}}
        return {"data": {"type": "item", "attributes": SIMPLE, "relationships": relationships}}

    for _ in range(20):  # the worker caches the model, the pool its connection
        client.request("POST", "/items", body())
    collections = Collections()
    print(f"objects the collector tracks: {len(gc.get_objects()):,}")
    for number in range(args.rounds):
        print(f"as loaded, round {number + 1}: {round_of(client, body, args.creates, collections)}")
    from cms.startup import freeze_loaded_objects

    freeze_loaded_objects()
    tracked = len(gc.get_objects())
    print(f"frozen: {gc.get_freeze_count():,} objects; the collector tracks {tracked:,}")
    for number in range(args.rounds):
        print(f"frozen, round {number + 1}: {round_of(client, body, args.creates, collections)}")


if __name__ == "__main__":
    main()
