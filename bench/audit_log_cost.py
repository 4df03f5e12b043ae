"""Benchmark: what the audit log costs one POST /items, on PostgreSQL.

In one process, through Django's whole middleware stack (the test client, no server, so
that network and scheduling noise stay out of a difference of a fraction of a
millisecond): create_records.py's model (10 fields, two blocks, a link and an upload per
record), then creates alternating between the audit log recording and not (its
``record``, and the event a create writes in its own statement, swapped for no-ops), and
the time the event itself took (building it, serializing and redacting the payloads, and
for ``record`` its one INSERT).

    .venv/bin/python bench/audit_log_cost.py --creates 2000

It uses its own database (``--database-name``, ``cms_bench_audit`` by default, recreated
each run), never the test one.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import recreate_database  # noqa: E402


class InProcess:
    """create_records.py's client interface over Django's test client."""

    def __init__(self, token: str):
        from django.test import Client

        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}", "X-Api-Version": "3"}

    def request(self, method, path, body=None, headers=None, raw=None):
        import json

        headers = {**self.headers, **(headers or {})}
        content_type = headers.pop("Content-Type", "application/json")
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        response = self.client.generic(
            method, path, data=data, content_type=content_type, headers=headers
        )
        return response.status_code, (json.loads(response.content) if response.content else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--creates", type=int, default=2000)
    parser.add_argument("--database-name", default="cms_bench_audit", help="recreated each run")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = recreate_database(args.database_url, args.database_name)
    os.environ.setdefault("CMS_DATA_DIR", tempfile.mkdtemp(prefix="audit-bench-"))
    os.environ["CMS_RATE_LIMIT_REQUESTS"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"  # the test client's host
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings"
    import django

    django.setup()
    from create_records import build_schema, payload
    from django.core.management import call_command

    from audit_log import folding, recording
    from cms.models import ApiToken

    call_command("migrate", verbosity=0)
    client = InProcess(ApiToken.create(name="bench", role="admin")[1])
    ids = build_schema(client)

    recorded, spent, inserted, inserting = recording.record, [], recording._insert, []

    def timed_insert(event):
        started = time.perf_counter()
        try:
            return inserted(event)
        finally:
            inserting.append(time.perf_counter() - started)

    recording._insert = timed_insert

    def timed(*a):
        started = time.perf_counter()
        try:
            return recorded(*a)
        finally:
            spent.append(time.perf_counter() - started)

    # The event a create writes in its own statement (audit_log/folding.py): built by
    # EventInWrite._event, timed as record() is; off, the answer alone.
    built = folding.EventInWrite._event

    def timed_event(self, written):
        started = time.perf_counter()
        try:
            return built(self, written)
        finally:
            spent.append(time.perf_counter() - started)

    def no_event(self, written):
        self._answer = self.answer_of(written)

    latencies = {True: [], False: []}
    for n in range(args.creates + 100):
        on = n % 2 == 0
        recording.record = timed if on else (lambda *a: None)
        folding.EventInWrite._event = timed_event if on else no_event
        started = time.perf_counter()
        code, answer = client.request("POST", "/items", payload(ids))
        elapsed = time.perf_counter() - started
        assert code == 201, answer
        if n >= 100:  # warm-up
            latencies[on].append(elapsed)
    spent, inserting = spent[50:], inserting[50:]

    def ms(values, q=None):
        if q is None:
            return f"{statistics.median(values) * 1000:.3f}"
        return f"{statistics.quantiles(values, n=100)[q - 1] * 1000:.3f}"

    with_log, without = statistics.median(latencies[True]), statistics.median(latencies[False])
    print(f"POST /items on PostgreSQL, in process, {args.creates} creates alternating")
    print(f"  without the audit log: p50 {ms(latencies[False])} ms, p90 {ms(latencies[False], 90)}")
    print(f"  with the audit log:    p50 {ms(latencies[True])} ms, p90 {ms(latencies[True], 90)}")
    print(
        f"  difference of medians: {(with_log - without) * 1000:.3f} ms "
        f"({(with_log / without - 1) * 100:.1f}%)"
    )
    print(
        f"  the event (record() or, in the write's statement, building its row): "
        f"p50 {ms(spent)} ms, p90 {ms(spent, 90)} ms, p99 {ms(spent, 99)} ms"
    )
    from django.db import connection

    trips = []
    with connection.cursor() as cursor:
        for _ in range(500):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            trips.append(time.perf_counter() - started)
    print(f"  a SELECT 1 round trip: p50 {ms(trips)} ms (this machine's floor for a statement)")
    if len(inserting) > 1:  # none when every event went in with its write
        print(f"  separate INSERTs:      {len(inserting)}, p50 {ms(inserting)} ms")
    else:
        print(f"  separate INSERTs:      {len(inserting)}")


if __name__ == "__main__":
    main()
