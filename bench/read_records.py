"""Benchmark: reading records, served as in production, on 100,000 records in PostgreSQL.

Builds the model of ``create_records.py``, loads --records records (each with two blocks)
straight into the database, then measures, at 1 and 16 clients for --seconds each:

- a list of 30 records with a field filter (``filter[fields][rating][eq]``, ordered by
  creation), and
- a find with ``nested=true`` (the record with its blocks as full objects).

It prints requests per second and p50/p99 latency, and the query plan of the list's
filter, to show which index PostgreSQL reads.

    .venv/bin/python bench/read_records.py            # 100,000 records, 20 s per phase
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from create_records import build_schema  # noqa: E402
from harness import PYTHON, ROOT, Client, add_server_arguments, run_phase, served  # noqa: E402


def load_records(env: dict, count: int, ids: dict) -> list[str]:
    """Insert ``count`` records with two blocks each, in batches, through the ORM models
    (the API's create path is measured by create_records.py; here only reads matter)."""
    code = f"""
import random, django
django.setup()
from django.db import transaction
from django.utils.timezone import now
from cms.ids import new_id
from items.content_model import ContentModel
from items.models import Item, ItemVersion
model = ContentModel.load()
post = model.item_types[{ids["post"]!r}]
quote = model.item_types[{ids["quote"]!r}]
fields = {{f.api_key: f for f in model.fields[post.id]}}
text = model.fields[quote.id][0]
random.seed(7)
moment = now()
record_ids = []
for start in range(0, {count}, 2000):
    rows, versions = [], []
    for n in range(start, min(start + 2000, {count})):
        record_id, version = new_id(), new_id()
        blocks = [new_id(), new_id()]
        data = {{
            fields["title"].id: f"Post number {{n}}",
            fields["slug"].id: f"post-{{n}}",
            fields["subtitle"].id: {{"en": "Sub", "it": "Sotto"}},
            fields["content"].id: {{"en": "Lorem ipsum " * 10, "it": "Dolor " * 10}},
            fields["category"].id: {ids["category"]!r},
            fields["cover"].id: {{"upload_id": {ids["upload"]!r}, "alt": "Cover",
                                  "title": None, "custom_data": {{}}, "focal_point": None}},
            fields["sections"].id: blocks,
            fields["published_on"].id: "2026-11-22",
            fields["rating"].id: random.randint(0, 5),
            fields["featured"].id: n % 2 == 0,
        }}
        rows.append(Item(id=record_id, item_type=post, data=data, status="published",
                         current_version=version, published_version_id=version,
                         published_at=moment, first_published_at=moment,
                         search_text=f"post number {{n}}"))
        for block_id in blocks:
            rows.append(Item(id=block_id, item_type=quote, data={{text.id: "A quote"}},
                             root_id=record_id, parent_id=record_id,
                             parent_field=fields["sections"], status="published",
                             current_version=version))
        versions.append(ItemVersion(id=version, item_id=record_id, item_type=post, data=data))
        record_ids.append(record_id)
    with transaction.atomic():  # records point at their versions: one commit for both
        Item.objects.bulk_create(rows)
        ItemVersion.objects.bulk_create(versions)
from django.db import connection
with connection.cursor() as cursor:
    # As autovacuum would leave a loaded table: statistics, and a visibility map that lets
    # counts read the index alone.
    cursor.execute("VACUUM ANALYZE items_item")
print("\\n".join(random.sample(record_ids, 200)))
"""
    result = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"loading records failed:\n{result.stderr[-3000:]}")
    return result.stdout.split()


def query_plan(env: dict, ids: dict) -> str:
    code = """
import django
django.setup()
from django.db import connection
from django.http import QueryDict
from cms.api.query import nested_params
from items.content_model import ContentModel
from items.selectors import item_list
captured = []
def capture(execute, sql, params, many, context):
    captured.append((sql, params))
    return execute(sql, params, many, context)
params = nested_params(QueryDict("filter[type]=post&filter[fields][rating][eq]=4"))
with connection.execute_wrapper(capture):
    item_list(params, ContentModel.load())
sql, params = next((s, p) for s, p in captured if "items_item" in s and "LIMIT" in s)
with connection.cursor() as cursor:
    cursor.execute("EXPLAIN ANALYZE " + sql, params)
    print("\\n".join(row[0] for row in cursor.fetchall()))
"""
    return subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()

    with served(args.database_url, args.workers) as server:
        ids = build_schema(Client(server.port, server.token))
        started = time.perf_counter()
        sample = load_records(server.env, args.records, ids)
        print(
            f"loaded {args.records} records (+{2 * args.records} blocks) in "
            f"{time.perf_counter() - started:.0f} s"
        )
        phases = {
            "list 30, filter rating eq": lambda rng: (
                f"/items?filter[type]=post&filter[fields][rating][eq]={rng.randint(0, 5)}"
                f"&page[limit]=30"
            ),
            "find nested=true": lambda rng: f"/items/{rng.choice(sample)}?nested=true",
        }

        def phase(make_path, concurrency, seconds):
            def next_get(rng):
                return "GET", make_path(rng), None

            return run_phase(server.port, server.token, next_get, concurrency, seconds, 200)

        for make_path in phases.values():  # warm-up: every worker imports and connects
            phase(make_path, args.workers, 2)
        print(
            f"GET on PostgreSQL, {args.records} records, granian with {args.workers} "
            f"workers, {os.cpu_count()} cores"
        )
        print(
            f"{'request':<28} {'clients':>7} {'requests':>9} {'failures':>8} {'req/s':>8} "
            f"{'p50 ms':>8} {'p99 ms':>8}"
        )
        for name, make_path in phases.items():
            for concurrency in args.concurrency:
                result = phase(make_path, concurrency, args.seconds)
                print(
                    f"{name:<28} {concurrency:>7} {result['requests']:>9} "
                    f"{result['failures']:>8} {result['per_second']:>8} "
                    f"{result['p50_ms']:>8} {result['p99_ms']:>8}"
                )
                if result["first_failure"]:
                    print("  first failure:", result["first_failure"])
        print("\nQuery plan of the list's filter (EXPLAIN ANALYZE):")
        print(query_plan(server.env, ids))


if __name__ == "__main__":
    main()
