"""Benchmark: webhook fan-out on PostgreSQL, served as in production (granian) with job
workers (``manage.py run_worker``) delivering to a receiver on loopback in this process.

1. 1,000 record creates (POST /items, --concurrency clients) without webhooks, then with 5
   webhooks listening: the API's req/s both ways (target: within 25%), and the delivery
   lag from the event (the write's transaction) to the receiver, p50/p99, once all 5,000
   calls arrived.
2. A 10,000-record batch (POST /rest/db/<table>) without webhooks, then with one, in
   alternated rounds: the batch's own time both ways (target: within 25%; the median
   ratio), and the time until every one of its 10,000 events was delivered.

    .venv/bin/python bench/webhook_fanout.py --workers 2 --job-workers 2

It uses its own database (``cms_bench``, recreated each run), never the test one.
"""

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    DEFAULT_DATA_DIR,
    PYTHON,
    ROOT,
    Client,
    add_server_arguments,
    create,
    create_model,
    rel,
    served,
)


class Receiver:
    """Counts what arrives, and each call's lag from its event."""

    def __init__(self):
        self.lags: list[float] = []
        self.connections = 0  # opened by the senders: keep-alive reuses them
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self):
                super().setup()
                with receiver.lock:
                    receiver.connections += 1

            # Keeps connections alive, as most receivers (any HTTP/1.1 server) do.
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                arrived = time.time()
                moment = json.loads(body)["event_triggered_at"]
                lag = arrived - datetime.fromisoformat(moment).timestamp()
                with receiver.lock:
                    receiver.lags.append(lag)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self):
        with self.lock:
            self.lags = []
            self.connections = 0

    def wait_for(self, count: int, timeout: float) -> float:
        started = time.perf_counter()
        while len(self.lags) < count and time.perf_counter() - started < timeout:
            time.sleep(0.05)
        return time.perf_counter() - started


def creates(port, token, model_id, count, concurrency) -> float:
    """``count`` POST /items over ``concurrency`` keep-alive clients; req/s."""
    left = iter(range(count))
    lock = threading.Lock()
    failures = []

    def run():
        client = Client(port, token)
        while True:
            with lock:
                n = next(left, None)
            if n is None:
                return
            body = {
                "data": {
                    "type": "item",
                    "attributes": {"title": f"t{n}"},
                    "relationships": rel(model_id),
                }
            }
            code, answer = client.request("POST", "/items", body)
            if code != 201:
                failures.append((code, answer))

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[0]
    return count / (time.perf_counter() - started)


def batch(port, token, size) -> float:
    records = [{"title": f"b{n}", "body": "Lorem ipsum " * 5} for n in range(size)]
    started = time.perf_counter()
    code, answer = Client(port, token).request("POST", "/rest/db/note", {"record": records})
    assert code == 200, (code, str(answer)[:300])
    return time.perf_counter() - started


def hook(client, url, name) -> str:
    events = [{"entity_type": "item", "event_types": ["create"]}]
    attributes = {
        "name": name,
        "url": url,
        "custom_payload": None,
        "headers": {},
        "events": events,
        "http_basic_user": None,
        "http_basic_password": None,
    }
    return create(client, "/webhooks", "webhook", attributes)["id"]


@contextlib.contextmanager
def paused_workers(workers):
    """The job workers stopped (SIGSTOP) while the block runs: the API's own cost, without
    delivery on the same cores; resumed after, to drain what the block queued."""
    for worker in workers:
        os.kill(worker.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for worker in workers:
            os.kill(worker.pid, signal.SIGCONT)


def percentile(values, share) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def lag_line(receiver) -> str:
    lags = receiver.lags
    return (
        f"delivery lag p50 {statistics.median(lags) * 1000:.0f} ms, "
        f"p99 {percentile(lags, 0.99) * 1000:.0f} ms ({len(lags)} calls, "
        f"{receiver.connections} connections)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_arguments(parser)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--batch-rounds", type=int, default=3)
    args = parser.parse_args()
    concurrency = args.concurrency[-1]
    data_dir = os.environ.get("BENCH_DATA_DIR", DEFAULT_DATA_DIR)
    receiver = Receiver()
    extra = {
        "CMS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "CMS_WEBHOOK_POLL_SECONDS": "0.1",
        "CMS_QUEUE_URL": f"sqlite:///{data_dir}/bench-queue.sqlite3",
        "REDIS_URL": "",
    }
    with served(args.database_url, args.workers, data_dir, extra) as server:
        workers = [
            subprocess.Popen([PYTHON, "manage.py", "run_worker"], cwd=ROOT, env=server.env)
            for _ in range(args.job_workers)
        ]
        try:
            client = Client(server.port, server.token)
            model = create_model(client, "note", [("title", "string", {}), ("body", "text", {})])
            creates(server.port, server.token, model["id"], 200, concurrency)  # warm-up
            plain = creates(server.port, server.token, model["id"], args.creates, concurrency)
            client = Client(server.port, server.token)  # the idle one may have been closed
            ids = [hook(client, receiver.url, f"hook {n}") for n in range(5)]
            receiver.reset()
            hooked = creates(server.port, server.token, model["id"], args.creates, concurrency)
            drained = receiver.wait_for(5 * args.creates, timeout=600)
            print(
                f"PostgreSQL, granian {args.workers} workers, {args.job_workers} job workers, "
                f"{concurrency} clients"
            )
            print(
                f"{args.creates} creates: {plain:.0f} req/s without webhooks, {hooked:.0f} "
                f"req/s with 5 ({(hooked / plain - 1) * 100:+.1f}%)"
            )
            print(f"  {lag_line(receiver)}; all delivered {drained:.1f} s after the last create")
            # The write path alone: the job workers paused (on a small box they share the
            # cores with the API), then resumed to drain what the creates queued.
            receiver.reset()
            with paused_workers(workers):
                paused = creates(server.port, server.token, model["id"], args.creates, concurrency)
            drained = receiver.wait_for(5 * args.creates, timeout=600)
            print(
                f"  with delivery paused: {paused:.0f} req/s ({(paused / plain - 1) * 100:+.1f}%); "
                f"drained {drained:.1f} s after resuming ({len(receiver.lags)} calls)"
            )
            client = Client(server.port, server.token)  # the idle one may have been closed
            for webhook_id in ids:
                client.request("DELETE", f"/webhooks/{webhook_id}")
            # Alternated rounds (one batch without webhooks, one with, one with delivery
            # paused: the batch's own work, without the workers' on the same 2 cores).
            ratios, paused_ratios = [], []
            for round_number in range(args.batch_rounds):
                bare = batch(server.port, server.token, args.batch)
                client = Client(server.port, server.token)
                batch_hook = hook(client, receiver.url, f"batch hook {round_number}")
                receiver.reset()
                with_hook = batch(server.port, server.token, args.batch)
                drained = receiver.wait_for(args.batch, timeout=900)
                print(
                    f"{args.batch}-record batch: {bare:.2f} s without webhooks, {with_hook:.2f} s "
                    f"with one ({(with_hook / bare - 1) * 100:+.1f}%)"
                )
                print(
                    f"  {lag_line(receiver)}; all delivered {drained:.1f} s after the batch "
                    f"answered ({len(receiver.lags)}/{args.batch})"
                )
                receiver.reset()
                with paused_workers(workers):
                    paused = batch(server.port, server.token, args.batch)
                drained = receiver.wait_for(args.batch, timeout=900)
                print(
                    f"  with delivery paused: {paused:.2f} s ({(paused / bare - 1) * 100:+.1f}%); "
                    f"drained {drained:.1f} s after resuming ({len(receiver.lags)} calls)"
                )
                client = Client(server.port, server.token)
                client.request("DELETE", f"/webhooks/{batch_hook}")
                ratios.append(with_hook / bare)
                paused_ratios.append(paused / bare)
            print(
                f"batch with one webhook, median of {len(ratios)} rounds: "
                f"{(statistics.median(ratios) - 1) * 100:+.1f}%, with delivery paused "
                f"{(statistics.median(paused_ratios) - 1) * 100:+.1f}%"
            )
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(timeout=30)


if __name__ == "__main__":
    main()
