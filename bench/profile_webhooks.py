"""Benchmark: what webhooks cost in process, and where it goes (PostgreSQL).

1. The request: CPU ms per POST /items without webhooks and with 5, and a 10,000-record
   batch (POST /rest/db/note) without and with one; what recording the calls adds.
2. The worker: ``deliver_pending()`` sending the 5,000 calls of 1,000 creates to an
   HTTP/1.1 receiver on loopback in this process (its threads' CPU is in the figure):
   wall and CPU ms per delivery.

With --profile N, the top N functions (own time) of each step.

    .venv/bin/python bench/profile_webhooks.py --profile 25

Its own database (``cms_bench_hooks``, or BENCH_DATABASE_NAME), recreated each run.
Run it with PYTHONPATH pointing at another checkout to measure that one's code.
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import create_model, rel  # noqa: E402
from profile_create import in_process_client  # noqa: E402
from webhook_fanout import Receiver, hook  # noqa: E402


def timed(label: str, run, profile: int) -> tuple[float, float]:
    """(wall s, CPU s) of ``run()``; its top functions with ``profile``."""
    profiler = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    run()
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler:
        print(f"--- {label}: top {profile} functions by own time")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--profile", type=int, default=0)
    args = parser.parse_args()
    os.environ["CMS_WEBHOOK_ALLOWED_NETWORKS"] = "127.0.0.0/8"
    client = in_process_client(args.database_url, "cms_bench_hooks")
    from webhooks import delivery
    from webhooks.models import WebhookCall

    receiver = Receiver()
    model = create_model(client, "note", [("title", "string", {}), ("body", "text", {})])["id"]

    def creates(count):
        for n in range(count):
            body = {"data": {"type": "item", "attributes": {"title": f"t{n}"}}}
            body["data"]["relationships"] = rel(model)
            code, answer = client.request("POST", "/items", body)
            assert code == 201, answer

    def batch():
        records = [{"title": f"b{n}", "body": "Lorem ipsum " * 5} for n in range(args.batch)]
        raw = json.dumps({"record": records}).encode()
        code, answer = client.request("POST", "/rest/db/note", raw=raw)
        assert code == 200, (code, str(answer)[:300])

    creates(50)  # warm
    results = {}
    results["creates, no webhook"] = timed("creates, no webhook", lambda: creates(args.creates), 0)
    hooks = [hook(client, receiver.url, f"hook {n}") for n in range(5)]
    creates(20)
    WebhookCall.objects.all().delete()
    results["creates, 5 webhooks"] = timed(
        "creates, 5 webhooks", lambda: creates(args.creates), args.profile
    )
    calls = WebhookCall.objects.count()
    results["delivery"] = timed("delivery", delivery.deliver_pending, args.profile)
    assert receiver.wait_for(calls, 60) < 60 and len(receiver.lags) >= calls, len(receiver.lags)
    for webhook_id in hooks:
        client.request("DELETE", f"/webhooks/{webhook_id}")
    results["batch, no webhook"] = timed("batch, no webhook", batch, 0)
    hook(client, receiver.url, "batch hook")
    results["batch, 1 webhook"] = timed("batch, 1 webhook", batch, args.profile)
    print(f"PostgreSQL, in process; receiver connections: {receiver.connections}")
    for label, (wall, cpu) in results.items():
        count = calls if label == "delivery" else args.creates if "creates" in label else 1
        unit = "per delivery" if label == "delivery" else "per create" if count > 1 else ""
        print(f"{label}: wall {wall * 1000 / count:.2f} ms, CPU {cpu * 1000 / count:.2f} ms {unit}")


if __name__ == "__main__":
    main()
