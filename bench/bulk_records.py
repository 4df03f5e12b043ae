"""Benchmark: bulk record creation through the record API, against the raw limit.

Through ``POST /rest/db/<model>?rollback=true`` (granian on PostgreSQL), batches of 1,000
and of 10,000 records of one of two shapes: ``six`` (the issue's six fields: title, body,
category, rating, published_on, flag) or ``rich`` (the create benchmark's model without
blocks: a link, an upload, two localized fields, a unique slug); then, for the same rows,
psycopg's ``executemany`` and ``COPY`` straight into the records table. Prints records per
second side by side, and how far the busiest worker's resident memory rose above its idle
size (its peak, from /proc) next to the size of the largest body it was sent.

    .venv/bin/python bench/bulk_records.py
    .venv/bin/python bench/bulk_records.py --shape rich --batches 1000 10000 --repeat 3
"""

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from create_records import build_schema  # noqa: E402
from harness import (  # noqa: E402
    DEFAULT_DATA_DIR,
    Client,
    add_server_arguments,
    create_model,
    served,
)


def build_six(client) -> dict:
    model = create_model(
        client,
        "article",
        [
            ("title", "string", {"validators": {"required": {}}}),
            ("body", "text", {}),
            ("category", "string", {}),
            ("rating", "integer", {}),
            ("published_on", "date", {}),
            ("flag", "boolean", {}),
        ],
    )
    return {"model": model["id"], "table": "article"}


def six(ids: dict, n: int) -> dict:
    return {
        "title": f"Article {n}",
        "body": "Lorem ipsum dolor sit amet " * 8,
        "category": ("news", "sport", "art", "science")[n % 4],
        "rating": n % 1000,
        "published_on": "2026-11-22",
        "flag": n % 2 == 0,
    }


def build_rich(client) -> dict:
    ids = build_schema(client)
    return {**ids, "model": ids["post"], "table": "post"}


def rich(ids: dict, n: int) -> dict:
    return {
        "title": f"Bulk post {n}",
        "slug": f"bulk-{uuid.uuid4().hex}",
        "subtitle": {"en": "Fast", "it": "Veloce"},
        "content": {"en": "Lorem ipsum " * 20, "it": "Dolor sit amet " * 20},
        "category": ids["category"],
        "cover": {"upload_id": ids["upload"], "alt": "Cover"},
        "published_on": "2026-11-22",
        "rating": n % 6,
        "featured": n % 2 == 0,
    }


SHAPES = {"six": (build_six, six), "rich": (build_rich, rich)}


def through_api(client: Client, ids: dict, size: int, repeat: int) -> tuple[float, int]:
    """(records per second, bytes of the body sent)."""
    seconds = 0.0
    record = SHAPES[ids["shape"]][1]
    for _ in range(repeat):
        body = json.dumps({"record": [record(ids, n) for n in range(size)]}).encode()
        started = time.perf_counter()
        code, answer = client.request("POST", f"/rest/db/{ids['table']}?rollback=true", raw=body)
        seconds += time.perf_counter() - started
        assert code == 200 and len(answer["record"]) == size, (code, str(answer)[:300])
    return size * repeat / seconds, len(body)


def raw_rows(database_url: str, ids: dict, size: int) -> tuple[list[tuple], list[str]]:
    """The rows the API would store in items_item for ``size`` records."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        fields = dict(
            connection.execute(
                "SELECT api_key, id FROM item_types_field WHERE item_type_id = %s", [ids["model"]]
            ).fetchall()
        )
    record = SHAPES[ids["shape"]][1]
    columns = [
        "id",
        "item_type_id",
        "data",
        "status",
        "current_version",
        "created_at",
        "updated_at",
        "search_text",
        "creator_type",
    ]
    rows = []
    for n in range(size):
        values = record(ids, n)
        if "cover" in values:
            cover = {"title": None, "custom_data": {}, "focal_point": None}
            values["cover"] = {**values["cover"], **cover}
        data = {fields[key]: value for key, value in values.items()}
        rows.append(
            (
                uuid.uuid4().hex[:22],
                ids["model"],
                json.dumps(data),
                "published",
                uuid.uuid4().hex[:22],
                "2026-11-22T00:00:00Z",
                "2026-11-22T00:00:00Z",
                "bulk post",
                "access_token",
            )
        )
    return rows, columns


def _versions(rows: list[tuple]) -> list[tuple]:
    """A version row per record row (id, item_id, item_type_id, data, blocks, editor_type,
    created_at), as the API writes beside each record."""
    return [(uuid.uuid4().hex[:22], r[0], r[1], r[2], "{}", "access_token", r[5]) for r in rows]


VERSION_COLUMNS = "id, item_id, item_type_id, data, blocks, editor_type, created_at"


def raw_limit(database_url: str, ids: dict, size: int, repeat: int) -> tuple[float, float]:
    """(executemany rate, COPY rate), records per second, each batch in one transaction,
    writing what the API writes: a record row and a version row each."""
    import psycopg

    many = copy = 0.0
    with psycopg.connect(database_url) as connection:
        for _ in range(repeat):
            rows, columns = raw_rows(database_url, ids, size)
            versions = _versions(rows)
            placeholders = ", ".join(["%s"] * len(columns))
            started = time.perf_counter()
            with connection.transaction(), connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO items_item ({', '.join(columns)}) VALUES ({placeholders})", rows
                )
                cursor.executemany(
                    f"INSERT INTO items_itemversion ({VERSION_COLUMNS}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    versions,
                )
            many += time.perf_counter() - started
            rows, columns = raw_rows(database_url, ids, size)
            versions = _versions(rows)
            started = time.perf_counter()
            with connection.transaction(), connection.cursor() as cursor:
                with cursor.copy(f"COPY items_item ({', '.join(columns)}) FROM STDIN") as feed:
                    for row in rows:
                        feed.write_row(row)
                with cursor.copy(f"COPY items_itemversion ({VERSION_COLUMNS}) FROM STDIN") as feed:
                    for row in versions:
                        feed.write_row(row)
            copy += time.perf_counter() - started
    return size * repeat / many, size * repeat / copy


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("--batches", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="six")
    args = parser.parse_args()
    data_dir = os.environ.get("BENCH_DATA_DIR", DEFAULT_DATA_DIR)
    with served(args.database_url, args.workers, data_dir) as server:
        client = Client(server.port, server.token)
        client.connection.timeout = 600
        ids = {**SHAPES[args.shape][0](client), "shape": args.shape}
        for _ in range(args.workers):  # warm-up: every worker loads the content model
            through_api(Client(server.port, server.token), ids, 100, 1)
        idle = {pid: rss for pid, (rss, _) in server.worker_memory().items()}
        database_url = server.env["DATABASE_URL"]
        print(
            f"Bulk creates on PostgreSQL, granian with {args.workers} workers; "
            f"{args.shape} shape; records/s over {args.repeat} batches"
        )
        print(
            f"{'batch':>7} {'record API':>11} {'executemany':>12} {'COPY':>9} "
            f"{'API / executemany':>18} {'body MB':>8} {'worker peak +MB':>16}"
        )
        for size in args.batches:
            api_rate, body_bytes = through_api(client, ids, size, args.repeat)
            grown = max(
                peak - idle.get(pid, peak) for pid, (_, peak) in server.worker_memory().items()
            )
            many_rate, copy_rate = raw_limit(database_url, ids, size, args.repeat)
            print(
                f"{size:>7} {api_rate:>11.0f} {many_rate:>12.0f} {copy_rate:>9.0f} "
                f"{api_rate / many_rate:>17.0%} {body_bytes / 1e6:>8.1f} {grown / 1e6:>16.1f}"
            )


if __name__ == "__main__":
    main()
