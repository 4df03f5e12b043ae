"""Benchmark: creating records through POST /items, served as in production.

Starts granian (several worker processes) on PostgreSQL, builds a blog post model
(10 fields: two localized, one block field, one link, one file), then measures creates per
second and p50/p99 latency at 1 and at 16 concurrent clients, each for --seconds.

    .venv/bin/python bench/create_records.py            # PostgreSQL at 127.0.0.1:5432
    .venv/bin/python bench/create_records.py --seconds 30 --workers 4

It uses its own database (``cms_bench``, recreated each run), never the test one.
"""

import argparse
import io
import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    DEFAULT_DATA_DIR,
    Client,
    add_server_arguments,
    create,
    create_model,
    rel,
    run_phase,
    served,
)


def build_schema(client) -> dict:
    client.request(
        "PUT", "/site", {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}}
    )
    quote = create_model(
        client, "quote", [("text", "string", {"validators": {"required": {}}})], modular_block=True
    )
    category = create_model(client, "category", [("name", "string", {})])
    post = create_model(
        client,
        "post",
        [
            ("title", "string", {"validators": {"required": {}, "length": {"max": 200}}}),
            ("slug", "string", {"validators": {"unique": {}}}),
            ("subtitle", "string", {"localized": True}),
            ("content", "text", {"localized": True}),
            (
                "category",
                "link",
                {"validators": {"item_item_type": {"item_types": [category["id"]]}}},
            ),
            ("cover", "file", {}),
            (
                "sections",
                "rich_text",
                {"validators": {"rich_text_blocks": {"item_types": [quote["id"]]}}},
            ),
            ("published_on", "date", {}),
            ("rating", "integer", {"validators": {"number_range": {"min": 0, "max": 5}}}),
            ("featured", "boolean", {}),
        ],
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    args = parser.parse_args()

    data_dir = os.environ.get("BENCH_DATA_DIR", DEFAULT_DATA_DIR)
    with served(args.database_url, args.workers, data_dir) as server:
        ids = build_schema(Client(server.port, server.token))

        def next_create(rng):
            return "POST", "/items", payload(ids)

        def phase(concurrency, seconds):
            return run_phase(server.port, server.token, next_create, concurrency, seconds, 201)

        phase(1, 2)  # warm-up: every worker imports and connects
        print(
            f"POST /items on PostgreSQL, granian with {args.workers} workers, "
            f"{os.cpu_count()} cores; 10-field model with 2 blocks, a link and an upload "
            "per record"
        )
        print(
            f"{'clients':>8} {'requests':>9} {'failures':>9} {'creates/s':>10} "
            f"{'p50 ms':>8} {'p99 ms':>8}"
        )
        for concurrency in args.concurrency:
            result = phase(concurrency, args.seconds)
            print(
                f"{concurrency:>8} {result['requests']:>9} {result['failures']:>9} "
                f"{result['per_second']:>10} {result['p50_ms']:>8} "
                f"{result['p99_ms']:>8}"
            )
            if result["first_failure"]:
                print("  first failure:", result["first_failure"])


if __name__ == "__main__":
    main()
