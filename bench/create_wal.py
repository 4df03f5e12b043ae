"""Benchmark: the write-ahead log one 6-field create makes PostgreSQL write, by relation.

``bench/compare_peers.py`` prints a create's write-ahead log in total; this says where it
goes. On a database ``compare_peers.py`` loaded (100,000 articles among 500,000 rows), it
makes ``--creates`` articles through the production WSGI application in this process
(``bench/list_cpu.py``'s set-up) right after a ``CHECKPOINT``, then reads the log they wrote
with ``pg_walinspect`` and prints the bytes a create per relation and per record type, and
how many of them were full-page images: after each checkpoint PostgreSQL logs a page whole
the first time it is touched, so an index whose keys are random costs a page per create.

    BENCH_DATABASE_NAME=h_listcpu_bench BENCH_DATA_DIR=/tmp/h_listcpu_bench \\
        .venv/bin/python bench/compare_peers.py --phases list      # loads the database
    .venv/bin/python bench/create_wal.py --database postgres://postgres@127.0.0.1:5432/h_listcpu_bench

It writes the articles it makes (and an API token), and adds the ``pg_walinspect``
extension to the database. Needs PostgreSQL 15 or later.
"""

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from framework_overhead import WsgiClient  # noqa: E402
from list_cpu import configure  # noqa: E402
from peers_load import article  # noqa: E402

RELATION = re.compile(r"rel \d+/\d+/(\d+)")  # a block reference's relfilenode


def create(client: WsgiClient, model: str, n: int) -> None:
    body = {
        "data": {
            "type": "item",
            "attributes": article(n),
            "relationships": {"item_type": {"data": {"type": "item_type", "id": model}}},
        }
    }
    status, _, content = client.call("POST", "/items", json.dumps(body).encode())
    if not status.startswith("201"):
        raise SystemExit(f"POST /items: {status} {content[:500]!r}")


def wal_records(cursor, start: str, end: str) -> list[tuple]:
    """(relation, record type, bytes, full-page image bytes) of each record between two LSNs;
    a record's first block names its relation."""
    cursor.execute("SELECT relfilenode, relname FROM pg_class WHERE relfilenode <> 0")
    names = dict(cursor.fetchall())
    cursor.execute(
        "SELECT resource_manager, record_type, record_length, fpi_length, block_ref"
        " FROM pg_get_wal_records_info(%s, %s)",
        [start, end],
    )
    found = []
    for manager, kind, length, image, blocks in cursor.fetchall():
        match = RELATION.search(blocks or "")
        relation = names.get(int(match.group(1)), match.group(1)) if match else "-"
        found.append((relation, f"{manager}/{kind.split()[0]}", length, image))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True, help="the loaded database's URL")
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--top", type=int, default=12, help="relations and record types shown")
    args = parser.parse_args()
    configure(args.database)
    from django.db import connection

    from cms.models import ApiToken
    from cms.wsgi import application
    from item_types.models import ItemType

    _, secret = ApiToken.create(name="create wal", role="admin")
    client = WsgiClient(application, secret)
    model = ItemType.objects.get(api_key="article").id
    for n in range(50):  # warm-up: caches, the connection, prepared statements
        create(client, model, n)
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
        cursor.execute("CHECKPOINT")
        cursor.execute("SELECT pg_current_wal_lsn()")
        start = cursor.fetchone()[0]
    for n in range(args.creates):
        create(client, model, 1000 + n)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        records = wal_records(cursor, start, cursor.fetchone()[0])
    per_relation, images, per_kind = Counter(), Counter(), Counter()
    for relation, kind, length, image in records:
        per_relation[relation] += length
        images[relation] += image
        per_kind[kind] += length
    each = args.creates
    total, whole = sum(per_relation.values()) / each, sum(images.values()) / each
    print(f"{each} creates after a CHECKPOINT: {total / 1024:.2f} KB of write-ahead log a create,")
    print(f"{whole / 1024:.2f} KB of it full-page images")
    print("bytes a create, by relation (full-page images of them):")
    for relation, length in per_relation.most_common(args.top):
        print(f"  {length / each:8.0f}  ({images[relation] / each:6.0f})  {relation}")
    print("bytes a create, by record type:")
    for kind, length in per_kind.most_common(args.top):
        print(f"  {length / each:8.0f}  {kind}")


if __name__ == "__main__":
    main()
