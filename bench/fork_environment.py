"""Benchmark: forking an environment (copying its storage) on PostgreSQL, under load.

Builds the model of ``create_records.py``, creates a few records through the API (each
with two blocks, a link, an upload and a unique slug), then clones them with COPY into
--records records (+2 blocks each), their versions, unique values and references, row for
row as the API wrote the originals. Then times ``copy_storage`` of the project storage
into a new one, alone and then while one client keeps creating records and another keeps
listing them in the source (through granian, as in production), and prints:

- total seconds, records (and rows) copied per second, and the time per table;
- the latency of those writes and reads before the copies and during one.

The server it starts is the production one, which wants SECRET_KEY set:

    SECRET_KEY=bench .venv/bin/python bench/fork_environment.py     # 100,000 records
    SECRET_KEY=bench .venv/bin/python bench/fork_environment.py --records 20000 --repeat 3
"""

import argparse
import contextlib
import hashlib
import io
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from create_records import build_schema, payload  # noqa: E402
from harness import ROOT, Client, add_server_arguments, served  # noqa: E402

sys.path.insert(0, str(ROOT))  # this checkout's packages, not an installed copy
from cms.ids import new_id  # noqa: E402

EXEMPLARS = 10
# Tables cloned from the exemplars, and their columns (identity ids left to the database).
CLONED = {
    "items_item": "*",
    "items_itemversion": "*",
    "items_uniquevalue": "locale, value_hash, field_id, item_id",
    "items_reference": "field_id, holder_id, record_id, target_item_id, target_upload_id",
}


def create_exemplars(client: Client, ids: dict) -> list[str]:
    made = []
    for _ in range(EXEMPLARS):
        code, body = client.request("POST", "/items", payload(ids))
        assert code == 201, body
        made.append(body["data"]["id"])
    return made


def exemplar_rows(connection, record_id: str) -> dict[str, list[str]]:
    """The rows the API wrote for one record, in COPY's text format."""
    where = {
        "items_item": "id = %(id)s OR root_id = %(id)s",
        "items_itemversion": "item_id = %(id)s",
        "items_uniquevalue": "item_id = %(id)s",
        "items_reference": "record_id = %(id)s",
    }
    rows = {}
    for table, columns in CLONED.items():
        buffer = io.BytesIO()
        sql = f"COPY (SELECT {columns} FROM {table} WHERE {where[table]}) TO STDOUT"
        with connection.cursor() as cursor, cursor.copy(sql, {"id": record_id}) as copy:
            for chunk in copy:
                buffer.write(chunk)
        rows[table] = buffer.getvalue().decode().splitlines()
    return rows


def ids_in(connection, record_id: str) -> list[str]:
    """The ids minted for one record: its own, its blocks', its versions'."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM items_item WHERE id = %(id)s OR root_id = %(id)s "
            "UNION SELECT current_version FROM items_item WHERE id = %(id)s OR root_id = %(id)s "
            "UNION SELECT id FROM items_itemversion WHERE item_id = %(id)s",
            {"id": record_id},
        )
        return [row[0] for row in cursor.fetchall()]


def slug_of(connection, record_id: str, slug_field: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data ->> %s FROM items_item WHERE id = %s", [slug_field, record_id])
        return cursor.fetchone()[0]


def value_hash(value) -> str:  # as items.validation.value_hash
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def load(database_url: str, ids: dict, exemplars: list[str], records: int) -> None:
    """``records`` clones of the exemplars, every minted id and the slug made new."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM item_types_field WHERE item_type_id = %s AND api_key = 'slug'",
                [ids["post"]],
            )
            slug_field = cursor.fetchone()[0]
        shapes = []
        for record_id in exemplars:
            slug = slug_of(connection, record_id, slug_field)
            shapes.append(
                (
                    exemplar_rows(connection, record_id),
                    ids_in(connection, record_id),
                    slug,
                    value_hash(slug),
                )
            )
        clones = []  # (the exemplar's rows, what changes in them), one per record
        for n in range(records):
            rows, minted, slug, digest = shapes[n % len(shapes)]
            new_slug = f"post-{n:09d}-{slug[-8:]}"
            changes = [(old, new_id()) for old in minted]
            changes += [(slug, new_slug), (digest, value_hash(new_slug))]
            clones.append((rows, changes))
        for table in CLONED:
            columns = "" if CLONED[table] == "*" else f"({CLONED[table]})"
            sql = f"COPY {table} {columns} FROM STDIN"
            with connection.cursor() as cursor, cursor.copy(sql) as copy:
                for rows, changes in clones:
                    for line in rows[table]:
                        for old, new in changes:
                            line = line.replace(old, new)
                        copy.write(line + "\n")
            connection.commit()
        connection.autocommit = True
        # As autovacuum would leave loaded tables: statistics and a visibility map.
        for table in CLONED:
            connection.execute(f"VACUUM ANALYZE {table}")


class Load:
    """Two clients on the source while it runs: one creating records, one listing them."""

    last = None  # the latest one: what the report shows

    def __init__(self, port: int, token: str, ids: dict):
        self.port, self.token, self.ids = port, token, ids
        self.latencies = {"create": [], "list": []}
        self.failures = []
        self.stopping = threading.Event()

    def __enter__(self):
        Load.last = self
        self.threads = [threading.Thread(target=self.run, args=(kind,)) for kind in self.latencies]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def run(self, kind: str):
        client = Client(self.port, self.token)
        while not self.stopping.is_set():
            started = time.perf_counter()
            if kind == "create":
                code, body = client.request("POST", "/items", payload(self.ids))
                expected = 201
            else:
                code, body = client.request(
                    "GET", "/items?filter[type]=post&page[limit]=30&order_by=_created_at_DESC"
                )
                expected = 200
            self.latencies[kind].append(time.perf_counter() - started)
            if code != expected:
                self.failures.append((kind, code, str(body)[:200]))

    def report(self, label: str) -> None:
        for kind, values in self.latencies.items():
            values = sorted(values)
            if not values:
                print(f"  {label:<14} {kind:<7} no request completed")
                continue
            print(
                f"  {label:<14} {kind:<7} {len(values):>6} requests  "
                f"p50 {statistics.median(values) * 1000:7.1f} ms  "
                f"p99 {values[max(0, int(len(values) * 0.99) - 1)] * 1000:7.1f} ms  "
                f"max {values[-1] * 1000:7.1f} ms"
            )
        for failure in self.failures[:3]:
            print("  failure:", failure)


def count_rows(database_url: str, schema: str) -> dict[str, int]:
    import psycopg

    from environments.storages import per_environment_tables

    with psycopg.connect(database_url) as connection:
        counts = {
            table: connection.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()[0]
            for table in per_environment_tables()
        }
        counts["records"] = connection.execute(
            f'SELECT count(*) FROM "{schema}".items_item WHERE root_id IS NULL'
        ).fetchone()[0]
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="copies timed, one after another")
    parser.add_argument("--baseline", type=float, default=5, help="seconds of load before")
    args = parser.parse_args()

    with served(args.database_url, args.workers) as server:
        client = Client(server.port, server.token)
        ids = build_schema(client)
        exemplars = create_exemplars(client, ids)
        database_url = server.env["DATABASE_URL"]
        started = time.perf_counter()
        load(database_url, ids, exemplars, args.records)
        print(f"loaded {args.records} records in {time.perf_counter() - started:.0f} s")

        os.environ.update(server.env)
        import django

        django.setup()
        source_rows = count_rows(database_url, "public")
        print(
            f"source: {source_rows.pop('records')} records, "
            + ", ".join(f"{n} {t}" for t, n in source_rows.items())
        )
        with Load(server.port, server.token, ids):  # warm-up: every worker loads the model
            time.sleep(3)
        with Load(server.port, server.token, ids) as before:
            time.sleep(args.baseline)
        for attempt in range(args.repeat):
            for under_load in (False, True):
                timed_copy(server, ids, database_url, source_rows, attempt, under_load)
        print("\nlatency of the source's API, before the copies and during the last one:")
        before.report("before")
        Load.last.report("during copy")


def timed_copy(server, ids, database_url, source_rows, attempt, under_load) -> None:
    from environments.copying import copy_storage, drop_storage
    from environments.storages import new_storage_name

    target = new_storage_name()
    machine_load = os.getloadavg()[0]
    with Load(server.port, server.token, ids) if under_load else contextlib.nullcontext():
        started = time.perf_counter()
        seconds = copy_storage("", target)
        total = time.perf_counter() - started
    copied = count_rows(database_url, target)
    records = copied.pop("records")
    rows = sum(copied.values())
    print(
        f"\ncopy {attempt + 1}, {'while the API writes and reads' if under_load else 'alone'}: "
        f"{total:.2f} s, {records / total:,.0f} records/s ({rows / total:,.0f} rows/s, "
        f"{rows} rows); {os.cpu_count()} cores, load average {machine_load:.1f} before it"
    )
    for table, took in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"  {table:<24} {took:6.2f} s  {copied.get(table, ''):>8}")
    assert copied["items_item"] >= source_rows["items_item"]
    drop_storage(target)


if __name__ == "__main__":
    main()
