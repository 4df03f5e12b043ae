"""Benchmark: what PostgreSQL spends writing one record, part by part.

A batch of the record API ends in a COPY of its records and their versions; this prints,
per record, the database's side of that write taken apart. On a database that
``bench/compare_peers.py`` (or any benchmark) loaded, it copies one record of the model with
the most records ``--rows`` times (new ids and creation times, the same values) with
INSERT … SELECT, in a transaction rolled back at the end, and times each part:

- ``records, as stored``: the records' rows with every index (the search index computes
  ``to_tsvector`` of the text and adds its words to a GIN index);
- ``records without text``: the same rows with an empty ``search_text``, which the search
  index leaves out (its predicate): the difference is full-text indexing;
- ``records, no index``: the same rows into a copy of the table without indexes: the heap;
- ``foreign-key checks``: the deferred checks of the first part, run at once;
- ``versions``: a version row per record;
- ``to_tsvector alone``: the text search function over the same texts, nothing written.

Each part's time is PostgreSQL's CPU (its backend's, from /proc) and the wall time, the
median of ``--rounds``, in microseconds a record.

    .venv/bin/python bench/insert_costs.py --database postgres://postgres@127.0.0.1:5432/cms_bench
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers_wrk import cpu_seconds  # noqa: E402

COLUMNS = (
    "data, singleton_of, creator_type, creator_id, status, current_version, updated_at, "
    "published_at, first_published_at, publication_scheduled_at, unpublishing_scheduled_at, "
    "item_type_id, parent_id, parent_field_id, root_id, published_version_id, "
    "is_current_version_valid, is_published_version_valid, position, tree_parent_id"
)
SAMPLE = """
    CREATE TEMP TABLE sample ON COMMIT DROP AS
    SELECT * FROM items_item
    WHERE search_text <> '' AND parent_id IS NULL AND item_type_id = (
        SELECT item_type_id FROM items_item WHERE parent_id IS NULL
        GROUP BY 1 ORDER BY count(*) DESC LIMIT 1
    )
    LIMIT 1
"""


def copies(table: str, text: str) -> str:
    """INSERT … SELECT of the sample, once per row of generate_series(1, %(rows)s)."""
    return f"""
        INSERT INTO {table} (id, created_at, search_text, {COLUMNS})
        SELECT 'c' || g || left(s.id, 12), s.created_at + g * interval '1 microsecond',
               {text}, {", ".join(f"s.{c}" for c in COLUMNS.split(", "))}
        FROM sample s, generate_series(1, %(rows)s) g
    """


PARTS = {
    "records, as stored": [copies("items_item", "s.search_text")],
    "foreign-key checks": [copies("items_item", "s.search_text"), "SET CONSTRAINTS ALL IMMEDIATE"],
    "records without text": [copies("items_item", "''")],
    "records, no index": [copies("insert_costs_bare", "s.search_text")],
    "versions": [
        """
        INSERT INTO items_itemversion
            (id, data, blocks, editor_type, editor_id, created_at, item_id, item_type_id)
        SELECT 'v' || g || left(v.id, 12), v.data, v.blocks, v.editor_type, v.editor_id,
               v.created_at, v.item_id, v.item_type_id
        FROM items_itemversion v JOIN sample s ON v.id = s.current_version,
             generate_series(1, %(rows)s) g
        """
    ],
    "to_tsvector alone": [
        """
        SELECT sum(length(to_tsvector('simple'::regconfig, left(s.search_text || g, 250000))))
        FROM sample s, generate_series(1, %(rows)s) g
        """
    ],
}


def timed(connection, backend: int, statements: list[str], rows: int) -> tuple[float, float]:
    """(CPU, wall) seconds of the last statement, after the ones before it, then undone."""
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT part")
        for statement in statements[:-1]:
            cursor.execute(statement, {"rows": rows})
        cpu, wall = cpu_seconds(backend), time.perf_counter()
        cursor.execute(statements[-1], {"rows": rows})
        cpu, wall = cpu_seconds(backend) - cpu, time.perf_counter() - wall
        cursor.execute("ROLLBACK TO SAVEPOINT part")
    return cpu, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="a loaded database's URL")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with psycopg.connect(args.database) as connection:
        backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        connection.execute(SAMPLE)
        if not connection.execute("SELECT count(*) FROM sample").fetchone()[0]:
            sys.exit("no record with text here: load a benchmark's records first")
        connection.execute("CREATE TABLE insert_costs_bare (LIKE items_item INCLUDING DEFAULTS)")
        length = connection.execute("SELECT length(search_text) FROM sample").fetchone()[0]
        figures: dict[str, list[tuple[float, float]]] = {part: [] for part in PARTS}
        for _ in range(args.rounds):  # parts alternate, so a busy spell hits them all
            for part, statements in PARTS.items():
                figures[part].append(timed(connection, backend, statements, args.rows))
        connection.rollback()
    print(f"{args.rows:,} copies of one record ({length} characters of text), ", end="")
    print(f"median of {args.rounds} rounds, µs a record:")
    print(f"  {'part':<22} {'PostgreSQL CPU':>14} {'wall':>8}")
    for part, runs in figures.items():
        cpu = statistics.median(c for c, _ in runs) * 1e6 / args.rows
        wall = statistics.median(w for _, w in runs) * 1e6 / args.rows
        print(f"  {part:<22} {cpu:>14.1f} {wall:>8.1f}")


if __name__ == "__main__":
    main()
