"""Benchmark: the worker's CPU per POST /items, in process, and where it goes.

Runs the whole Django stack (middleware, authentication, validation, the writes, the JSON
answer) through Django's test client in this one process, against PostgreSQL, for a
6-field record and for the rich one of bench/create_records.py (10 fields, 2 localized,
2 blocks, a link, an upload); prints CPU milliseconds per create (this process only: the
database's own time is not in it, the test client's small share is), PostgreSQL's CPU per
create (its backends connected to the database, from /proc) and, with --profile, the top
functions by own time.

    .venv/bin/python bench/profile_create.py                  # 500 creates of each
    .venv/bin/python bench/profile_create.py --creates 2000 --profile 25

Its own database (``cms_bench_profile``, or BENCH_DATABASE_NAME), recreated each run.
Run it with PYTHONPATH pointing at another checkout to measure that one's code.
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from create_records import build_schema, payload  # noqa: E402
from harness import RAISED_LIMITS, create_model, recreate_database  # noqa: E402
from peers_wrk import postgres_cpu  # noqa: E402

SIMPLE = {"title": "t", "body": "b", "rank": 1, "score": 2.5, "done": True, "day": "2026-01-02"}


class InProcess:
    """bench/harness.py's Client, through Django's test client."""

    def __init__(self, token: str):
        from django.test import Client

        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}", "X-Api-Version": "3"}

    def request(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        headers = {**self.headers, **(headers or {})}
        content_type = headers.pop("Content-Type", "application/json")
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        response = self.client.generic(
            method, path, data=data, content_type=content_type, headers=headers
        )
        return response.status_code, (json.loads(response.content) if response.content else None)


def in_process_client(admin_url: str, default_name: str) -> InProcess:
    """Django set up in this process on a fresh PostgreSQL database (BENCH_DATABASE_NAME, or
    ``default_name``), migrated, and a client holding a new admin token."""
    name = os.environ.get("BENCH_DATABASE_NAME", default_name)
    os.environ["DATABASE_URL"] = recreate_database(admin_url, name)
    os.environ.setdefault("CMS_DATA_DIR", tempfile.mkdtemp(prefix="cms-profile-"))
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings"
    for setting, value in RAISED_LIMITS.items():  # raised, not off: the check is measured
        os.environ.setdefault(setting, value)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from cms.models import ApiToken

    _, secret = ApiToken.create(name="profile", role="admin")
    return InProcess(secret)


SIMPLE_FIELDS = [
    ("title", "string", {}),
    ("body", "text", {}),
    ("rank", "integer", {}),
    ("score", "float", {}),
    ("done", "boolean", {}),
    ("day", "date", {}),
]


def simple_body(model_id: str) -> dict:
    """A 6-field record of the model ``model_id`` (made with SIMPLE_FIELDS)."""
    return {
        "data": {
            "type": "item",
            "attributes": SIMPLE,
            "relationships": {"item_type": {"data": {"type": "item_type", "id": model_id}}},
        }
    }


def database_cpu() -> float:
    """CPU seconds of the backends connected to this process's database so far."""
    from django.db import connection

    return postgres_cpu(connection.settings_dict["NAME"])


def measure(client, body, creates: int, profile: int, sort: str = "tottime") -> tuple:
    for _ in range(20):  # warm: the worker caches the model, the pool its connection
        code, answer = client.request("POST", "/items", body())
        assert code == 201, answer
    bodies = [body() for _ in range(creates)]
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not waits
    database_started = database_cpu()
    started = time.process_time()
    if profiler:
        profiler.enable()
    for each in bodies:
        code, answer = client.request("POST", "/items", each)
        assert code == 201, answer
    if profiler:
        profiler.disable()
    per_create = (time.process_time() - started) * 1000 / creates
    database_per_create = (database_cpu() - database_started) * 1000 / creates
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats(sort).print_stats(profile)
    return per_create, database_per_create


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--creates", type=int, default=500)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--sort", default="tottime", help="tottime (own time) or cumulative")
    args = parser.parse_args()

    client = in_process_client(args.database_url, "cms_bench_profile")
    ids = build_schema(client)
    note = create_model(client, "note", SIMPLE_FIELDS)["id"]

    def simple():
        return simple_body(note)

    results = {}
    for label, body in (("6-field create", simple), ("rich create", lambda: payload(ids))):
        if args.profile:
            print(f"--- {label}: top {args.profile} functions by {args.sort}")
        results[label] = measure(client, body, args.creates, args.profile, args.sort)
    for label, (per_create, database) in results.items():
        print(
            f"{label}: {per_create:.2f} ms CPU per create in the worker, "
            f"{database:.2f} ms in PostgreSQL ({args.creates} creates)"
        )


if __name__ == "__main__":
    main()
