"""Benchmark: the CPU one list request costs, in the worker and in PostgreSQL, in process.

Issue 13's two lists (``GET /items`` of 25 with ``rating > 900`` and its exact
``meta.total_count``, and the record API's with ``include_count``), as
``bench/compare_peers.py`` sends them, made through the production WSGI application
(``bench/framework_overhead.py``'s client: every middleware, DRF, the JSON answer) on a
database ``compare_peers.py`` loaded and left behind (100,000 articles among 500,000
rows). One process, one request at a time, so the figures hold on a busy machine:

- the worker's CPU per request (``time.process_time`` of this process);
- PostgreSQL's CPU per request (the backends connected to the database, from /proc);
- with ``--explain``: every statement of one request, with EXPLAIN (ANALYZE, BUFFERS);
- with ``--profile``: cProfile's top functions of the worker, and its time by package.

    BENCH_DATABASE_NAME=h_listcpu_bench BENCH_DATA_DIR=/tmp/h_listcpu_bench \\
        .venv/bin/python bench/compare_peers.py --phases list      # loads the database
    .venv/bin/python bench/list_cpu.py --database postgres://postgres@127.0.0.1:5432/h_listcpu_bench
    .venv/bin/python bench/list_cpu.py --database ... --explain --profile
    .venv/bin/python bench/list_cpu.py --database ... --counting   # each request counts

It writes nothing but an API token (and ``last_used_at``).
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from compare_peers import LISTS, RECORD_API_LIST  # noqa: E402
from framework_overhead import WsgiClient, print_profile  # noqa: E402
from harness import RAISED_LIMITS  # noqa: E402
from peers_wrk import postgres_cpu  # noqa: E402

REQUESTS = {"list": LISTS["ours"], "record API list": RECORD_API_LIST}


def configure(database_url: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="cms.settings",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    )
    os.environ.setdefault("CMS_DATA_DIR", tempfile.mkdtemp(prefix="cms-list-cpu-"))
    os.environ.pop("DEBUG", None)
    os.environ.pop("REDIS_URL", None)
    for setting, value in RAISED_LIMITS.items():  # raised, not off: the check is measured
        os.environ.setdefault(setting, value)
    import django

    django.setup()


def measure(
    client: WsgiClient, path: str, database: str, count: int, counting=False
) -> tuple[float, float]:
    """(worker, PostgreSQL) CPU ms per request over ``count`` requests (``counting``: each
    request counts its total, as while records are being written)."""
    from items import counts

    worker, server = time.process_time(), postgres_cpu(database)
    for _ in range(count):
        if counting:
            counts.forget()
        status, _, content = client.call("GET", path)
        if not status.startswith("200"):
            raise SystemExit(f"GET {path}: {status} {content[:500]!r}")
    worker = time.process_time() - worker
    server = postgres_cpu(database) - server
    return worker * 1000 / count, server * 1000 / count


def explain(client: WsgiClient, path: str) -> None:
    """Each statement of one request, with its plan (SELECTs only)."""
    from django.db import connection

    statements = []

    def capture(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((sql, params, time.perf_counter() - started))

    with connection.execute_wrapper(capture):
        client.call("GET", path)
    for sql, params, seconds in statements:
        shown = sql % tuple(repr(p) for p in params or ())
        print(f"\n--- {seconds * 1000:.2f} ms: {shown}")
        if sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\n".join(row[0] for row in cursor.fetchall()))


def profile(client: WsgiClient, path: str, count: int, top: int) -> None:
    """cProfile's top functions by CPU (not wall) time: waits for PostgreSQL are left out."""
    import cProfile

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(count):
        client.call("GET", path)
    profiler.disable()
    print_profile(profiler, count, top, measure="CPU")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True, help="the loaded database's URL")
    parser.add_argument("--requests", type=int, default=200, help="per round and list")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=sorted(REQUESTS), action="append")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--counting",
        action="store_true",
        help="forget the remembered totals before each request (items.counts): each counts",
    )
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    configure(args.database)
    from cms.models import ApiToken
    from cms.wsgi import application

    _, secret = ApiToken.create(name="list cpu", role="admin")
    client = WsgiClient(application, secret)
    database = urlsplit(args.database).path.lstrip("/")
    print(f"{args.rounds} rounds of {args.requests} requests; CPU ms per request, median round")
    for name, path in REQUESTS.items():
        if args.only and name not in args.only:
            continue
        measure(client, path, database, 20)  # warm-up: caches, the connection, the model
        rounds = [
            measure(client, path, database, args.requests, args.counting)
            for _ in range(args.rounds)
        ]
        worker = statistics.median(r[0] for r in rounds)
        server = statistics.median(r[1] for r in rounds)
        spread = ", ".join(f"{w:.2f}+{s:.2f}" for w, s in rounds)
        print(
            f"{name:16} worker {worker:6.2f}  PostgreSQL {server:6.2f}  "
            f"total {worker + server:6.2f}   ({spread})",
            flush=True,
        )
        if args.explain:
            if args.counting:
                from items import counts

                counts.forget()
            explain(client, path)
        if args.profile:
            profile(client, path, args.requests, args.top)


if __name__ == "__main__":
    main()
