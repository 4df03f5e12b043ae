"""Benchmark: ``POST /uploads/bulk/tag`` of 200 uploads on PostgreSQL, from the first request
to the finished job, and the queries it costs.

Runs in this process, on a database of its own (``cms_bench_bulk_tag``, recreated): makes
--uploads upload rows, then for each repeat sends the bulk tag through Django's full HTTP
stack, runs its job as a worker does once it has picked it up (``jobs.runner.run``) and
reads ``/job-results/:id``. Prints, per call, the milliseconds of the request, of the job and
of the whole (request + job + result), and the queries of each part; then the same for
--small uploads, to show the count does not grow with the number of uploads. The time a
worker takes to notice the job (its poll interval on a SQLite queue; at once on Redis) is
not included.

    .venv/bin/python bench/bulk_tag.py
    .venv/bin/python bench/bulk_tag.py --uploads 200 --repeat 5 --database-url postgres://...
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, recreate_database  # noqa: E402

sys.path.insert(0, str(ROOT))  # this checkout's packages, not an installed copy

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "cms_bench_bulk_tag")


def setup(admin_url: str) -> None:
    os.environ["DATABASE_URL"] = recreate_database(admin_url, DATABASE_NAME)
    os.environ.setdefault("CMS_DATA_DIR", tempfile.mkdtemp(prefix="bench-bulk-tag-"))
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)


def make_uploads(count: int) -> list[str]:
    from cms.ids import new_id
    from uploads.models import Upload

    uploads = [
        Upload(
            id=new_id(),
            path=f"/{new_id()}/photo{n}.jpg",
            filename=f"photo{n}.jpg",
            basename=f"photo{n}",
            size=1000,
            md5="0" * 32,
            tags=["imported", f"batch{n % 7}"],
            default_field_metadata={"en": {"alt": f"Photo {n}", "title": None}},
        )
        for n in range(count)
    ]
    Upload.objects.bulk_create(uploads)
    return [upload.id for upload in uploads]


class Counted:
    """Counts the statements sent on this thread's connection (Django's query log is reset
    at each request's start, so it can't count across one)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapped = connection.execute_wrapper(self)
        self._wrapped.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapped.__exit__(*exc)


def one_call(client, headers: dict, ids: list[str], tags: list[str]) -> dict:
    """One bulk tag, timed and counted: the request, the job, the result read."""
    from jobs import runner

    body = {
        "data": {
            "type": "upload_bulk_tag_operation",
            "attributes": {"tags": tags},
            "relationships": {"uploads": {"data": [{"type": "upload", "id": i} for i in ids]}},
        }
    }
    started = time.perf_counter()
    with Counted() as request_queries:
        response = client.post(
            "/uploads/bulk/tag", json.dumps(body), content_type="application/json", **headers
        )
    requested = time.perf_counter()
    assert response.status_code == 202, response.content
    job_id = response.json()["data"]["id"]
    with Counted() as job_queries:
        runner.run(job_id)
    ran = time.perf_counter()
    result = client.get(f"/job-results/{job_id}", **headers)
    finished = time.perf_counter()
    assert result.status_code == 200, result.content
    meta = result.json()["data"]["attributes"]["payload"]["meta"]
    assert meta["successful"] == len(ids), meta
    return {
        "request_ms": (requested - started) * 1000,
        "job_ms": (ran - requested) * 1000,
        "total_ms": (finished - started) * 1000,
        "request_queries": request_queries.count,
        "job_queries": job_queries.count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL URL allowed to create databases",
    )
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup(args.database_url)

    from django.test import Client

    from cms.models import ApiToken

    _, secret = ApiToken.create(name="bench", role="admin")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_X_API_VERSION": "3"}
    client = Client()
    one_call(client, headers, make_uploads(1), ["warm"])  # what a process reads once
    for count in (args.small, args.uploads):
        ids = make_uploads(count)
        calls = [one_call(client, headers, ids, [f"tag{n}", "shared"]) for n in range(args.repeat)]
        summary = {
            name: round(statistics.median(call[name] for call in calls), 1)
            for name in ("request_ms", "job_ms", "total_ms")
        }
        queries = {(c["request_queries"], c["job_queries"]) for c in calls}
        print(
            f"{count:>4} uploads: median request {summary['request_ms']} ms, job "
            f"{summary['job_ms']} ms, first request to finished job {summary['total_ms']} ms "
            f"(best {min(c['total_ms'] for c in calls):.1f}); queries (request, job): "
            f"{sorted(queries)}"
        )


if __name__ == "__main__":
    main()
