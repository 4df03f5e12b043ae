"""Benchmark: a server worker's resident size and CPU time, batch after batch.

A real server (``manage.py serve``: granian, as in production) on a fresh database
(PostgreSQL when DATABASE_URL points there, else SQLite) gets ``--batches`` batches of
``--size`` six-field records (``bench/test_batch_memory.py``'s shape, rolled back); after
each, once memory is given back, prints the worker's resident size (and its anonymous
part, no file's) against where it was after the warm-up, the batch's wall time and the
worker's CPU time (user + system, from /proc, giving back included). ``NAME=VALUE``
arguments go into the server's environment (PYTHONMALLOC=pymalloc, MALLOC_ARENA_MAX=16).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_bench \
        .venv/bin/python bench/batch_rss.py --batches 5 PYTHONMALLOC=pymalloc
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import RAISED_LIMITS  # noqa: E402
from test_batch_memory import (  # noqa: E402
    _articles,
    _granian_worker,
    _post,
    _resident,
    _settled,
    create_article_model,
)

from tests.serving import serving  # noqa: E402

MB = 1_000_000
TICKS = os.sysconf("SC_CLK_TCK")


def anonymous(pid: int) -> int:
    """The part of the resident size that is no file's (a database file mapped: SQLite's)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return (
        int(next(line for line in status.splitlines() if line.startswith("RssAnon:")).split()[1])
        * 1024
    )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def read_cpu(served, worker: int, reads: int) -> float:
    """The worker's CPU per ``GET /rest/db/article?limit=25`` (100 records kept)."""
    status, _ = served.request("POST", "/rest/db/article", json.loads(_articles(0, 100)))
    assert status == 200, status
    for _ in range(20):  # warm-up
        served.request("GET", "/rest/db/article?limit=25")
    cpu = cpu_seconds(worker)
    for _ in range(reads):
        status, body = served.request("GET", "/rest/db/article?limit=25")
        assert status == 200 and len(body["record"]) == 25, status
    return (cpu_seconds(worker) - cpu) / reads


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument(
        "--reads", type=int, default=0, help="first, this many reads of 25 of 100 records"
    )
    parser.add_argument("env", nargs="*", help="NAME=VALUE for the server")
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.env)
    with (
        tempfile.TemporaryDirectory() as tmp,
        serving(Path(tmp) / "data", f"batch_rss{os.getpid()}", **RAISED_LIMITS, **extra) as served,
    ):
        create_article_model(served)
        worker = _granian_worker(served.pid)
        for start in range(0, 400, 100):
            assert _post(served, _articles(start, 100)) == 100
        if args.reads:
            print(f"  reads: {read_cpu(served, worker, args.reads) * 1000:.2f} ms cpu each")
        time.sleep(0.5)
        before, anonymous_before = _resident(worker), anonymous(worker)
        print(f"{' '.join(args.env) or 'defaults'}: worker at {before / MB:.1f} MB")
        for number in range(args.batches):
            body = _articles(1000 + number * args.size, args.size)
            cpu, started = cpu_seconds(worker), time.perf_counter()
            assert _post(served, body) == args.size
            seconds = time.perf_counter() - started
            time.sleep(1.0)  # given back 0.2 s after the answer; let it finish (counted)
            size, cpu = _settled(worker, before), cpu_seconds(worker) - cpu
            print(
                f"  batch {number + 1}: {(size - before) / MB:+6.1f} MB "
                f"({(anonymous(worker) - anonymous_before) / MB:+.1f} anonymous), "
                f"{seconds:5.2f} s, cpu {cpu:5.2f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
