"""Benchmark: what the two list requests cost PostgreSQL, statement by statement.

Loads --articles records of a 6-field ``article`` model (title, body, category, rating an
integer 0..999 at random, published_on, flag) among --others rows of other models and
blocks (posts with two blocks each, and notes, written in between the articles as a live
site would), straight into a fresh database (``BENCH_DATABASE_NAME``, default
``cms_bench``), VACUUM ANALYZEs it as autovacuum would, then makes each list request in
this process (``django.test.Client``, the whole HTTP stack) and prints:

- every statement each request sends, with EXPLAIN (ANALYZE, BUFFERS);
- the median request time and the median time spent in the database (the statements'
  round trips), over --repeat requests.

The requests of issue 13 come first (``GET /items`` of 25 with ``rating > 900`` and its
exact ``meta.total_count``; the record API's ``GET /rest/db/article`` with the same filter,
with ``include_count`` and without); then a filter on every other indexed field type.

    BENCH_DATABASE_NAME=h_lists_bench .venv/bin/python bench/list_plans.py
    BENCH_DATABASE_NAME=h_lists_bench .venv/bin/python bench/list_plans.py --reuse  # no reload

``--http SECONDS`` then serves the database with gunicorn (4 sync workers, as issue 13
measured) and runs ``wrk`` (2 threads, 16 connections) on each of the issue's requests.
"""

import argparse
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DATABASE_NAME, PYTHON, free_port, recreate_database  # noqa: E402

MAIN_REQUESTS = {
    "GET /items rating > 900": (
        "/items?filter[type]=article&filter[fields][rating][gt]=900&page[limit]=25"
    ),
    "record API rating > 900": (
        "/rest/db/article?filter=rating%20%3E%20900&include_count=true&limit=25&fields=*"
    ),
    "record API rating > 900, no count": (
        "/rest/db/article?filter=rating%20%3E%20900&limit=25&fields=*"
    ),
}
OTHER_REQUESTS = {
    "GET /items, no filter": "/items?filter[type]=article&page[limit]=25",
    "GET /items rating = 512": "/items?filter[type]=article&filter[fields][rating][eq]=512",
    "GET /items category = c3": "/items?filter[type]=article&filter[fields][category][eq]=c3",
    "GET /items title = Article 77": (
        "/items?filter[type]=article&filter[fields][title][eq]=Article%2077"
    ),
    "GET /items published_on >= 2026-06-01": (
        "/items?filter[type]=article&filter[fields][published_on][gte]=2026-06-01"
    ),
    "GET /items flag = true": "/items?filter[type]=article&filter[fields][flag][eq]=true",
    "record API rating = 512": (
        "/rest/db/article?filter=rating%20%3D%20512&include_count=true&limit=25"
    ),
    "record API published_on < 2025-01-10": (
        "/rest/db/article?filter=published_on%20%3C%20%272025-01-10%27&include_count=true&limit=25"
    ),
}


def setup(args) -> None:
    admin_url = args.database_url
    if args.reuse:
        from urllib.parse import urlsplit

        database_url = urlsplit(admin_url)._replace(path=f"/{DATABASE_NAME}").geturl()
    else:
        database_url = recreate_database(admin_url, DATABASE_NAME)
    os.environ.update(
        DATABASE_URL=database_url,
        CMS_DATA_DIR=args.data_dir,
        DJANGO_SETTINGS_MODULE="cms.settings",
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    )
    import django

    django.setup()


class Api:
    def __init__(self, token: str):
        from django.test import Client

        self.client = Client(HTTP_HOST="localhost")
        self.headers = {"Authorization": f"Bearer {token}", "X-Api-Version": "3"}

    def get(self, path: str):
        response = self.client.get(path, headers=self.headers)
        assert response.status_code == 200, (path, response.content[:500])
        return json.loads(response.content)

    def post(self, path: str, attributes: dict, kind: str, **extra) -> dict:
        body = {"data": {"type": kind, "attributes": attributes, **extra}}
        response = self.client.post(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )
        assert response.status_code in (200, 201), (path, response.content[:500])
        return json.loads(response.content)["data"]


def build_schema(api: Api) -> dict[str, str]:
    """The models, through the API (so their field indexes are made as in production)."""

    def model(api_key, fields, **attributes):
        made = api.post(
            "/item-types", {"name": api_key.title(), "api_key": api_key, **attributes}, "item_type"
        )
        for field_key, field_type, more in fields:
            api.post(
                f"/item-types/{made['id']}/fields",
                {"label": field_key.title(), "api_key": field_key, "field_type": field_type} | more,
                "field",
            )
        return made["id"]

    range_999 = {"validators": {"number_range": {"min": 0, "max": 999}}}
    quote = model("quote", [("text", "string", {})], modular_block=True)
    blocks = {"validators": {"rich_text_blocks": {"item_types": [quote]}}}
    return {
        "quote": quote,
        "article": model(
            "article",
            [
                ("title", "string", {}),
                ("body", "text", {}),
                ("category", "string", {}),
                ("rating", "integer", range_999),
                ("published_on", "date", {}),
                ("flag", "boolean", {}),
            ],
        ),
        "post": model(
            "post",
            [
                ("title", "string", {}),
                ("rating", "integer", range_999),
                ("sections", "rich_text", blocks),
            ],
        ),
        "note": model("note", [("text", "text", {}), ("score", "float", {})]),
    }


def load(ids: dict[str, str], articles: int, others: int, distinct_created_at: bool) -> None:
    """Rows straight through the ORM, in chunks that interleave the models; each model's
    chunk shares one ``created_at`` (as a record API batch writes them) unless
    ``distinct_created_at``."""
    from django.db import connection, transaction
    from django.utils.timezone import now

    from cms.ids import new_id
    from items.content_model import ContentModel
    from items.models import Item

    model = ContentModel.load()
    fields = {
        name: {f.api_key: f.id for f in model.fields[ids[name]]}
        for name in ("article", "post", "note", "quote")
    }
    art, post, note, quote = (fields[n] for n in ("article", "post", "note", "quote"))
    rng = random.Random(13)
    chunk = 1000
    chunks = max(1, articles // chunk)
    others_per_chunk = others // chunks  # a post, its two blocks and a note: 4 rows
    start = now() - timedelta(days=chunks)
    first_day = date(2024, 1, 1)
    for number in range(chunks):
        moment = start + timedelta(days=number)
        rows = []

        def stamp(offset, moment=moment):
            return moment + timedelta(microseconds=offset) if distinct_created_at else moment

        for n in range(number * chunk, (number + 1) * chunk):
            data = {
                art["title"]: f"Article {n}",
                art["body"]: "Lorem ipsum dolor sit amet. " * rng.randint(4, 20),
                art["category"]: f"c{rng.randint(0, 9)}",
                art["rating"]: rng.randint(0, 999),
                art["published_on"]: (first_day + timedelta(days=rng.randint(0, 1000))).isoformat(),
                art["flag"]: rng.random() < 0.5,
            }
            rows.append(
                Item(
                    item_type_id=ids["article"],
                    data=data,
                    search_text=data[art["title"]].lower(),
                    created_at=stamp(n),
                    updated_at=moment,
                )
            )
        for n in range(others_per_chunk // 4):
            record = new_id()
            block_ids = [new_id(), new_id()]
            rows.append(
                Item(
                    id=record,
                    item_type_id=ids["post"],
                    data={
                        post["title"]: f"Post {number}-{n}",
                        post["rating"]: rng.randint(0, 999),
                        post["sections"]: block_ids,
                    },
                    created_at=stamp(n),
                    updated_at=moment,
                )
            )
            for block in block_ids:
                rows.append(
                    Item(
                        id=block,
                        item_type_id=ids["quote"],
                        data={quote["text"]: "A quote " * 5},
                        root_id=record,
                        parent_id=record,
                        parent_field_id=post["sections"],
                        created_at=moment,
                        updated_at=moment,
                    )
                )
            rows.append(
                Item(
                    item_type_id=ids["note"],
                    data={note["text"]: "A note " * 30, note["score"]: rng.random()},
                    created_at=stamp(n),
                    updated_at=moment,
                )
            )
        with transaction.atomic():
            Item.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE items_item")


def token() -> str:
    from django.core.management import call_command

    out = StringIO()
    call_command("create_token", "bench", "--role", "admin", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def captured_request(api: Api, path: str) -> tuple[float, list]:
    """(request seconds, [(sql, params, seconds)]) of one request."""
    from django.db import connection

    statements = []

    def capture(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((sql, params, time.perf_counter() - started))

    started = time.perf_counter()
    with connection.execute_wrapper(capture):
        api.get(path)
    return time.perf_counter() - started, statements


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def report(api: Api, name: str, path: str, repeat: int, plans: bool) -> dict:
    for _ in range(3):  # warm-up: caches, the connection, the content model
        captured_request(api, path)
    request_times, database_times = [], []
    for _ in range(repeat):
        seconds, statements = captured_request(api, path)
        request_times.append(seconds)
        database_times.append(sum(s[2] for s in statements))
    body = api.get(path)
    total = body.get("meta", {}).get("total_count", body.get("meta", {}).get("count"))
    result = {
        "request_ms": round(statistics.median(request_times) * 1000, 2),
        "database_ms": round(statistics.median(database_times) * 1000, 2),
        "statements": len(statements),
        "total": total,
    }
    print(f"\n=== {name}: {path}")
    print(
        f"    median of {repeat}: request {result['request_ms']} ms, in the database "
        f"{result['database_ms']} ms, {result['statements']} statements, count {total}"
    )
    if plans:
        for sql, params, seconds in statements:
            print(f"\n--- {seconds * 1000:.2f} ms: {sql % tuple(repr(p) for p in params or ())}")
            if sql.lstrip().upper().startswith("SELECT"):
                print(explain(sql, params))
    return result


def profile(api: Api, requests: int) -> None:
    """The top functions (own time) of ``requests`` in-process requests of each kind."""
    import cProfile
    import pstats

    for name, path in MAIN_REQUESTS.items():
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            api.get(path)
        profiler.disable()
        print(f"\n=== profile of {requests} x {name} (top 15 by own time)")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(15)


def served_rates(token: str, seconds: float) -> dict[str, str]:
    """wrk's requests per second and latency for each of the issue's requests, served by
    gunicorn as in production (after a warm-up as long as the run)."""
    from harness import _wait_for_port

    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "cms.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "4", "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT,
        env=os.environ,
    )
    rates = {}
    try:
        _wait_for_port(port)
        for name, path in MAIN_REQUESTS.items():
            command = ["wrk", "-t2", "-c16", f"-d{seconds:.0f}s", "--latency"]
            command += ["-H", f"Authorization: Bearer {token}", "-H", "X-Api-Version: 3"]
            command.append(f"http://127.0.0.1:{port}{path}")
            subprocess.run(command, capture_output=True, check=True)  # warm-up
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            rate = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
            p50 = re.search(r"50%\s+(\S+)", out).group(1)
            non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            rates[name] = f"{rate} req/s, p50 {p50}" + (
                f", {non_2xx.group(1)} non-2xx" if non_2xx else ""
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL URL allowed to create databases",
    )
    parser.add_argument("--data-dir", default="/tmp/cms-bench")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--others", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument(
        "--distinct-created-at", action="store_true", help="rows of a chunk get their own time"
    )
    parser.add_argument("--reuse", action="store_true", help="the database as the last run left it")
    parser.add_argument("--only-main", action="store_true", help="issue 13's requests only")
    parser.add_argument("--http", type=float, default=0, help="seconds of wrk per request")
    parser.add_argument(
        "--profile", type=int, default=0, help="requests of each kind to profile (cProfile)"
    )
    args = parser.parse_args()
    setup(args)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    secret = token()
    api = Api(secret)
    if not args.reuse:
        started = time.perf_counter()
        ids = build_schema(api)
        load(ids, args.articles, args.others, args.distinct_created_at)
        print(
            f"loaded {args.articles} articles among {args.others} other rows in "
            f"{time.perf_counter() - started:.0f} s"
        )
    results = {}
    for name, path in MAIN_REQUESTS.items():
        results[name] = report(api, name, path, args.repeat, plans=True)
    if not args.only_main:
        for name, path in OTHER_REQUESTS.items():
            results[name] = report(api, name, path, max(5, args.repeat // 5), plans=True)
    print("\nrequest                                   request ms   database ms   count")
    for name, result in results.items():
        print(
            f"{name:<40} {result['request_ms']:>11} {result['database_ms']:>13} "
            f"{result['total']!s:>7}"
        )
    if args.profile:
        profile(api, args.profile)
    if args.http:
        print("\nserved by gunicorn (4 sync workers), wrk -t2 -c16:")
        for name, rate in served_rates(secret, args.http).items():
            print(f"{name:<40} {rate}")


if __name__ == "__main__":
    main()
