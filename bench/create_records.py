"""Benchmark: creating records through POST /items, served as in production.

Starts gunicorn (several worker processes) on PostgreSQL, builds a model like the seed's
(10 fields: two localized, one block field, one link, one file), then measures creates per
second and p50/p99 latency at 1 and at 16 concurrent clients, each for --seconds.

    .venv/bin/python bench/create_records.py            # PostgreSQL at 127.0.0.1:5432
    .venv/bin/python bench/create_records.py --seconds 30 --workers 4

It uses its own database (``cms_bench``, recreated each run), never the test one.
"""

import argparse
import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    return parts._replace(path=f"/{name}").geturl()


class Client:
    """One keep-alive HTTP connection, as a real API client would hold."""

    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Api-Version": "3",
        }

    def request(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        payload = raw if raw is not None else (json.dumps(body).encode() if body else None)
        self.connection.request(
            method, path, body=payload, headers={**self.headers, **(headers or {})}
        )
        response = self.connection.getresponse()
        content = response.read()
        return response.status, (json.loads(content) if content else None)


def create(client, path, resource_type, attributes, status=201, **extra):
    code, body = client.request(
        "POST", path, {"data": {"type": resource_type, "attributes": attributes, **extra}}
    )
    assert code == status, (code, body)
    return body["data"]


def rel(item_type_id):
    return {"item_type": {"data": {"type": "item_type", "id": item_type_id}}}


def build_schema(client) -> dict:
    client.request(
        "PUT", "/site", {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}}
    )
    quote = create(
        client,
        "/item-types",
        "item_type",
        {"name": "Quote", "api_key": "quote", "modular_block": True},
    )
    create(
        client,
        f"/item-types/{quote['id']}/fields",
        "field",
        {
            "label": "Text",
            "api_key": "text",
            "field_type": "string",
            "validators": {"required": {}},
        },
    )
    category = create(
        client, "/item-types", "item_type", {"name": "Category", "api_key": "category"}
    )
    create(
        client,
        f"/item-types/{category['id']}/fields",
        "field",
        {"label": "Name", "api_key": "name", "field_type": "string"},
    )
    post = create(client, "/item-types", "item_type", {"name": "Post", "api_key": "post"})
    fields = [
        ("title", "string", False, {"required": {}, "length": {"max": 200}}),
        ("slug", "string", False, {"unique": {}}),
        ("subtitle", "string", True, {}),
        ("content", "text", True, {}),
        ("category", "link", False, {"item_item_type": {"item_types": [category["id"]]}}),
        ("cover", "file", False, {}),
        ("sections", "rich_text", False, {"rich_text_blocks": {"item_types": [quote["id"]]}}),
        ("published_on", "date", False, {}),
        ("rating", "integer", False, {"number_range": {"min": 0, "max": 5}}),
        ("featured", "boolean", False, {}),
    ]
    for api_key, field_type, localized, validators in fields:
        create(
            client,
            f"/item-types/{post['id']}/fields",
            "field",
            {
                "label": api_key.title(),
                "api_key": api_key,
                "field_type": field_type,
                "localized": localized,
                "validators": validators,
            },
        )
    category_record = create(
        client, "/items", "item", {"name": "News"}, relationships=rel(category["id"])
    )
    upload = upload_png(client)
    return {
        "post": post["id"],
        "quote": quote["id"],
        "category": category_record["id"],
        "upload": upload["id"],
    }


def upload_png(client) -> dict:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, format="PNG")
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="cover.png"\r\nContent-Type: image/png\r\n\r\n'
    ).encode()
    body += buffer.getvalue() + f"\r\n--{boundary}--\r\n".encode()
    code, answer = client.request(
        "POST",
        "/uploads",
        raw=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert code == 201, answer
    return answer["data"]


def payload(ids: dict) -> dict:
    unique = uuid.uuid4().hex
    return {
        "data": {
            "type": "item",
            "relationships": rel(ids["post"]),
            "attributes": {
                "title": "A post about benchmarks",
                "slug": f"post-{unique}",
                "subtitle": {"en": "Fast", "it": "Veloce"},
                "content": {"en": "Lorem ipsum " * 20, "it": "Dolor sit amet " * 20},
                "category": ids["category"],
                "cover": {"upload_id": ids["upload"], "alt": "Cover"},
                "sections": [
                    {
                        "type": "item",
                        "attributes": {"text": f"Quote {n}"},
                        "relationships": rel(ids["quote"]),
                    }
                    for n in range(2)
                ],
                "published_on": "2026-11-22",
                "rating": 4,
                "featured": True,
            },
        }
    }


def run_phase(port, token, ids, concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    failures = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        client = Client(port, token)
        own = []
        while time.perf_counter() < deadline:
            body = payload(ids)
            started = time.perf_counter()
            code, answer = client.request("POST", "/items", body)
            elapsed = time.perf_counter() - started
            if code != 201:
                failures.append((code, answer))
            own.append(elapsed)
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "failures": len(failures),
        "creates_per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "seconds": round(wall, 1),
        "first_failure": failures[0] if failures else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL URL allowed to create databases",
    )
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    args = parser.parse_args()

    database_url = recreate_database(args.database_url, "cms_bench")
    data_dir = Path(os.environ.get("BENCH_DATA_DIR", "/tmp/cms-bench"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CMS_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DEBUG": "false",
    }
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    token = (
        subprocess.run(
            [PYTHON, "manage.py", "create_token", "bench", "--role", "admin"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "cms.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        ids = build_schema(Client(port, token))
        run_phase(port, token, ids, 1, 2)  # warm-up: every worker imports and connects
        print(
            f"POST /items on PostgreSQL, gunicorn with {args.workers} sync workers, "
            f"{os.cpu_count()} cores; 10-field model with 2 blocks, a link and an upload "
            "per record"
        )
        print(
            f"{'clients':>8} {'requests':>9} {'failures':>9} {'creates/s':>10} "
            f"{'p50 ms':>8} {'p99 ms':>8}"
        )
        for concurrency in args.concurrency:
            result = run_phase(port, token, ids, concurrency, args.seconds)
            print(
                f"{result['concurrency']:>8} {result['requests']:>9} {result['failures']:>9} "
                f"{result['creates_per_second']:>10} {result['p50_ms']:>8} "
                f"{result['p99_ms']:>8}"
            )
            if result["first_failure"]:
                print("  first failure:", result["first_failure"])
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
