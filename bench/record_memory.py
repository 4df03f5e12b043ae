"""Benchmark: the peak memory one maximal request costs a worker.

Each shape gets a fresh granian (one worker, PostgreSQL, default limits), is warmed
up with a small request of the same shape, then sent one request as large as the limits
allow; prints the body's size and how far the worker's peak resident memory (VmHWM) rose
above its size after the warm-up (peak +MiB), also as a multiple of the body's size.

    .venv/bin/python bench/record_memory.py
    .venv/bin/python bench/record_memory.py --shapes text blocks --idempotency-key

Shapes: ``text`` one record, one text value of CMS_MAX_RECORD_BYTES; ``blocks`` one
record whose rich text field holds as many small blocks as fit; ``json`` one JSON field
holding a list of small numbers; ``batch`` a record API batch of CMS_MAX_BATCH_RECORDS
records filling CMS_MAX_BATCH_BYTES.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import create_model, rel  # noqa: E402

harness.DATABASE_NAME += "_memory"  # never another benchmark's database (cms_bench_memory)
MiB = 1024 * 1024
# The defaults of cms/settings.py (CMS_MAX_RECORD_BYTES, _BATCH_BYTES, _BATCH_RECORDS).
RECORD_LIMIT, BATCH_LIMIT, BATCH_RECORDS = 2 * MiB, 64 * MiB, 10_000


def build_schema(client) -> dict:
    quote = create_model(client, "quote", [("text", "string", {})], modular_block=True)
    page = create_model(
        client,
        "page",
        [
            ("body", "text", {}),
            ("data", "json", {}),
            (
                "parts",
                "rich_text",
                {"validators": {"rich_text_blocks": {"item_types": [quote["id"]]}}},
            ),
        ],
    )
    return {"page": page["id"], "quote": quote["id"]}


def fill(make, limit: int) -> bytes:
    """The largest body ``make(n)`` makes under ``limit`` bytes (n found by bisection)."""
    low, high = 1, 1
    while len(make(high)) <= limit:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if len(make(middle)) <= limit else (low, middle)
    return make(low)


def page(ids, **attributes) -> bytes:
    data = {"type": "item", "attributes": attributes, "relationships": rel(ids["page"])}
    return json.dumps({"data": data}).encode()


def shape(name: str, ids: dict, limit_scale: float = 1.0) -> tuple[str, bytes]:
    record_limit, batch_limit = int(RECORD_LIMIT * limit_scale), int(BATCH_LIMIT * limit_scale)
    quote = {"type": "item", "attributes": {"text": "q"}, "relationships": rel(ids["quote"])}
    if name == "text":
        return "/items", fill(lambda n: page(ids, body="x" * n), record_limit)
    if name == "blocks":
        return "/items", fill(lambda n: page(ids, parts=[quote] * n), record_limit)
    if name == "json":
        return "/items", fill(lambda n: page(ids, data=json.dumps([1] * n)), record_limit)
    records = max(1, int(BATCH_RECORDS * limit_scale))
    return "/rest/db/page", fill(
        lambda n: json.dumps({"record": [{"body": "x" * n}] * records}).encode(), batch_limit
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_server_arguments(parser)
    parser.add_argument("--shapes", nargs="+", default=["text", "blocks", "json", "batch"])
    parser.add_argument(
        "--idempotency-key", action="store_true", help="send one (its answer is stored too)"
    )
    args = parser.parse_args()
    columns = ("shape", 7), ("body MiB", 9), ("status", 7), ("seconds", 8), ("peak +MiB", 10)
    print(" ".join(f"{title:>{width}}" for title, width in columns), f"{'x body':>7}")
    for name in args.shapes:
        with harness.served(args.database_url, 1) as server:
            client = harness.Client(server.port, server.token)
            client.connection.timeout = 600
            ids = build_schema(client)
            path, small = shape(name, ids, limit_scale=0.001)
            code, answer = client.request("POST", path, raw=small)  # warm-up
            assert code in (200, 201), (code, str(answer)[:300])
            ((idle, _),) = server.worker_memory().values()
            path, body = shape(name, ids)
            key = {"Idempotency-Key": "maximal"} if args.idempotency_key else {}
            started = harness.time.perf_counter()
            code, answer = client.request("POST", path, raw=body, headers=key)
            seconds = harness.time.perf_counter() - started
            assert code in (200, 201), (code, str(answer)[:300])
            ((_, peak),) = server.worker_memory().values()
            grown = (peak - idle) / MiB
            print(
                f"{name:>7} {len(body) / MiB:>9.1f} {code:>7} {seconds:>8.1f} "
                f"{grown:>10.0f} {grown / (len(body) / MiB):>7.1f}"
            )


if __name__ == "__main__":
    main()
