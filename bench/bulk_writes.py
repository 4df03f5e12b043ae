"""Benchmark: bulk updates and deletes through the record API, against raw SQL.

Through the record API (granian on PostgreSQL), on ``size`` records of the six-field shape
(bench/bulk_records.py): ``PATCH`` of all of them by ``filter``, ``PATCH`` of a batch of
``size`` bodies each carrying its id, and ``DELETE`` of them all by ids (sent as records
in the body: 10,000 ids make too long a query string). Then the same rows written by raw
SQL with psycopg: an ``UPDATE ... FROM`` of every record's values (with its search text,
which the API keeps too) and a ``COPY`` of its new version (records and versions, what the
API writes), and a ``DELETE`` of the versions, references, unique values, schedules, blocks
and records (every table the API's delete must clear, though this shape leaves rows in only
two). Each raw transaction commits inside its timing, as the API's call does: the commit
runs the deferred foreign-key checks of the rows deleted (on PostgreSQL, most of a
10,000-record delete's time). Prints records per second and the API's share of the raw
rate.

    .venv/bin/python bench/bulk_writes.py --sizes 1000 10000
"""

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_records import build_six, six  # noqa: E402
from harness import DEFAULT_DATA_DIR, Client, add_server_arguments, served  # noqa: E402


def create(client: Client, ids: dict, size: int) -> list[str]:
    body = json.dumps({"record": [six(ids, n) for n in range(size)]}).encode()
    code, answer = client.request("POST", "/rest/db/article?rollback=true", raw=body)
    assert code == 200, (code, str(answer)[:300])
    return [record["id"] for record in answer["record"]]


def timed(client: Client, method: str, path: str, body) -> float:
    raw = json.dumps(body).encode() if body is not None else None
    started = time.perf_counter()
    code, answer = client.request(method, path, raw=raw)
    seconds = time.perf_counter() - started
    assert code == 200, (code, str(answer)[:300])
    return seconds


def through_api(client: Client, ids: dict, size: int) -> dict[str, float]:
    """Records per second for each operation."""
    record_ids = create(client, ids, size)
    rates = {}
    by_filter = "/rest/db/article?rollback=true&filter=rating%20%3E%3D%200"
    rates["PATCH by filter"] = size / timed(client, "PATCH", by_filter, {"category": "x"})
    batch = {"record": [{"id": i, "rating": n % 7} for n, i in enumerate(record_ids)]}
    rates["PATCH batch"] = size / timed(client, "PATCH", "/rest/db/article?rollback=true", batch)
    gone = {"record": [{"id": i} for i in record_ids]}
    rates["DELETE by ids"] = size / timed(client, "DELETE", "/rest/db/article?rollback=true", gone)
    return rates


def raw_sql(client: Client, ids: dict, database_url: str, size: int) -> dict[str, float]:
    """The same rows by hand: new values and a version per record, then a delete."""
    import psycopg

    record_ids = create(client, ids, size)
    rates = {}
    # Autocommit: each ``transaction()`` below is a transaction of its own, committed in
    # its timing (without it the first SELECT opens one, the blocks are savepoints and the
    # commit, with its deferred checks, came after the clock stopped).
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT id, item_type_id, data FROM items_item WHERE id = ANY(%s)", [record_ids]
        ).fetchall()
        started = time.perf_counter()
        with connection.transaction(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE changed (id text, data jsonb, search text, version text)"
            )
            with cursor.copy("COPY changed (id, data, search, version) FROM STDIN") as feed:
                for record_id, _, data in rows:
                    search = " ".join(str(value) for value in data.values())
                    feed.write_row((record_id, json.dumps({**data}), search, uuid.uuid4().hex[:22]))
            cursor.execute(
                "UPDATE items_item SET data = c.data, search_text = c.search, "
                "current_version = c.version, updated_at = now() "
                "FROM changed c WHERE items_item.id = c.id"
            )
            with cursor.copy(
                "COPY items_itemversion (id, item_id, item_type_id, data, blocks, editor_type, "
                "created_at) FROM STDIN"
            ) as feed:
                for record_id, item_type_id, data in rows:
                    feed.write_row(
                        (
                            uuid.uuid4().hex[:22],
                            record_id,
                            item_type_id,
                            json.dumps(data),
                            "{}",
                            "access_token",
                            "2026-11-22T00:00:00Z",
                        )
                    )
            cursor.execute("DROP TABLE changed")
        rates["UPDATE + COPY versions"] = size / (time.perf_counter() - started)
        started = time.perf_counter()
        with connection.transaction():
            doomed = [
                row[0]
                for row in connection.execute(
                    "SELECT id FROM items_item WHERE id = ANY(%s) OR root_id = ANY(%s)",
                    [record_ids, record_ids],
                )
            ]
            for table, column in [
                ("items_itemversion", "item_id"),
                ("items_reference", "record_id"),
                ("items_reference", "target_item_id"),
                ("items_uniquevalue", "item_id"),
                ("schedules_schedule", "item_id"),
                ("items_item", "id"),
            ]:
                connection.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [doomed])
        rates["DELETE"] = size / (time.perf_counter() - started)
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    data_dir = os.environ.get("BENCH_DATA_DIR", DEFAULT_DATA_DIR)
    with served(args.database_url, args.workers, data_dir) as server:
        client = Client(server.port, server.token)
        client.connection.timeout = 600
        ids = {**build_six(client), "shape": "six"}
        through_api(client, ids, 50)  # warm-up: the content model is loaded
        print(f"Bulk updates and deletes on PostgreSQL, granian with {args.workers} workers")
        for size in args.sizes:
            api = through_api(client, ids, size)
            raw = raw_sql(client, ids, server.env["DATABASE_URL"], size)
            for name, rate in api.items():
                baseline = raw["DELETE" if name.startswith("DELETE") else "UPDATE + COPY versions"]
                print(
                    f"{size:>7} {name:<16} {rate:>9.0f}/s  raw SQL {baseline:>9.0f}/s  "
                    f"{rate / baseline:>5.0%}"
                )


if __name__ == "__main__":
    main()
