"""Benchmark (a pytest file, outside the suite: a run takes about a minute): a server
worker gives back the memory a big batch took.

A real server (``manage.py serve``: granian, as in production, with the allocator it sets:
cms/production_server.py) gets five 10,000-record batches of the six-field shape; after
each, the worker's resident size (/proc, Linux) is read once the answer is sent and given
back (record_api/memory.py): it stays within 10 MB of where it started on PostgreSQL
(measured +2 to +8), within 30 MB on SQLite (measured +5 to +24, level from the second
batch: likely each server thread's connection caches). ``bench/batch_rss.py`` prints the
same with other allocator settings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_bench \
        .venv/bin/python -m pytest bench/test_batch_memory.py -s -p no:cacheprovider
"""

import json
import os
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.serving import serving

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import RAISED_LIMITS  # noqa: E402

MB = 1_000_000
BATCH = 10_000

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [
        int(child) for task in tasks.iterdir() for child in (task / "children").read_text().split()
    ]


def _granian_worker(serve_pid: int) -> int:
    """serve -> granian (and the job worker) -> granian's worker process."""
    for child in _children(serve_pid):
        command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        if b"granian" in command:
            [worker] = _children(child)
            return worker
    raise AssertionError("no granian process under serve")


def _resident(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def _settled(pid: int, below: int, seconds: float = 5.0) -> int:
    """The worker's resident size once under ``below``, or after ``seconds`` (memory is
    given back just after the answer is sent)."""
    deadline = time.monotonic() + seconds
    while (size := _resident(pid)) >= below and time.monotonic() < deadline:
        time.sleep(0.05)
    return size


def _articles(start: int, count: int) -> bytes:
    records = [
        {
            "title": f"Article {n}",
            "body": "Lorem ipsum dolor sit amet " * 8,
            "category": ("news", "sport", "art", "science")[n % 4],
            "rating": n % 1000,
            "published_on": "2026-11-22",
            "flag": n % 2 == 0,
        }
        for n in range(start, start + count)
    ]
    return json.dumps({"record": records}).encode()


def _post(served, body: bytes) -> int:
    request = urllib.request.Request(
        served.url + "/rest/db/article?rollback=true",
        body,
        {"Authorization": f"Bearer {served.token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        answer = json.loads(response.read())
    return len(answer["record"])


def create_article_model(served) -> None:
    """The six-field ``article`` model."""
    model = served.request(
        "POST",
        "/item-types",
        {"data": {"type": "item_type", "attributes": {"name": "A", "api_key": "article"}}},
    )[1]["data"]
    for api_key, field_type in [
        ("title", "string"),
        ("body", "text"),
        ("category", "string"),
        ("rating", "integer"),
        ("published_on", "date"),
        ("flag", "boolean"),
    ]:
        attributes = {"label": api_key, "api_key": api_key, "field_type": field_type}
        status, _ = served.request(
            "POST",
            f"/item-types/{model['id']}/fields",
            {"data": {"type": "field", "attributes": attributes}},
        )
        assert status == 201


def test_a_worker_gives_back_what_each_big_batch_took(tmp_path):
    postgresql = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    limit = (10 if postgresql else 30) * MB
    with serving(tmp_path / "data", "batch_memory", **RAISED_LIMITS) as served:
        create_article_model(served)
        worker = _granian_worker(served.pid)
        for start in range(0, 400, 100):  # warm-up: imports, the content model, the pool
            assert _post(served, _articles(start, 100)) == 100
        before = _resident(worker)
        grown = []
        for number in range(5):
            assert _post(served, _articles(1000 + number * BATCH, BATCH)) == BATCH
            grown.append(_settled(worker, before + limit) - before)
        shown = [f"{size / MB:+.1f} MB" for size in grown]
        print(f"\nworker at {before / MB:.0f} MB, after each batch {shown}")
        assert max(grown) < limit, shown
