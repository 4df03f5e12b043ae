"""What the benchmarks share: the server they measure, the schema they build and the timed
load phases.

``served()`` recreates the benchmark's own PostgreSQL database (``cms_bench``), migrates it,
creates an admin token and serves it with granian, with the command line production uses
(``cms.production_server``); ``run_phase()`` sends
requests from concurrent keep-alive clients for a while and answers their rate and latency.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Its own database, recreated each run (BENCH_DATABASE_NAME: another, for benches side by side).
DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "cms_bench")
# Its uploads and data files (BENCH_DATA_DIR: another, likewise).
DEFAULT_DATA_DIR = os.environ.get("BENCH_DATA_DIR", "/tmp/cms-bench")

sys.path.insert(0, str(ROOT))  # this checkout's cms package, not an installed copy
from cms.production_server import granian_command, server_environ  # noqa: E402


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


def create(client: Client, path: str, resource_type: str, attributes: dict, **extra) -> dict:
    """POST one resource; answers it (``extra``: its relationships...)."""
    code, body = client.request(
        "POST", path, {"data": {"type": resource_type, "attributes": attributes, **extra}}
    )
    assert code == 201, (code, body)
    return body["data"]


def rel(item_type_id: str) -> dict:
    """A record's relationships naming its model."""
    return {"item_type": {"data": {"type": "item_type", "id": item_type_id}}}


def create_model(
    client: Client, api_key: str, fields: list[tuple[str, str, dict]], **attributes
) -> dict:
    """The one schema builder of the benchmarks: a model (``attributes``: modular_block...)
    with its fields, each ``(api_key, field_type, {localized, validators...})``; answers
    the model."""
    model = create(
        client,
        "/item-types",
        "item_type",
        {"name": api_key.title(), "api_key": api_key, **attributes},
    )
    for field_key, field_type, field_attributes in fields:
        create(
            client,
            f"/item-types/{model['id']}/fields",
            "field",
            {
                "label": field_key.title(),
                "api_key": field_key,
                "field_type": field_type,
                **field_attributes,
            },
        )
    return model


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark takes: database, server workers, phase length, clients."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL URL allowed to create databases",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="granian's worker processes (production: one per core, README Production)",
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])


@dataclass
class Server:
    port: int
    token: str
    env: dict  # the environment the server runs with (its DATABASE_URL, ...)
    pid: int  # granian's main process; its children are the workers

    def processes(self) -> list[int]:
        """The main process and its workers."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return [self.pid, *map(int, children)]

    def worker_memory(self) -> dict[int, tuple[int, int]]:
        """Each worker's resident memory now and at its peak (VmRSS, VmHWM), in bytes."""
        memory = {}
        for child in self.processes()[1:]:
            status = Path(f"/proc/{child}/status").read_text().splitlines()
            fields = dict(line.split(":", 1) for line in status if ":" in line)
            kilobytes = [int(fields[name].split()[0]) for name in ("VmRSS", "VmHWM")]
            memory[int(child)] = (kilobytes[0] * 1024, kilobytes[1] * 1024)
        return memory


def _manage(env: dict, *args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, **options)


def _wait_for_port(port: int) -> None:
    for _ in range(600):  # a loaded machine starts granian's workers slowly
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)


# Settings every benchmark server gets so that its own traffic is never refused: the rate
# limits (cms/rate_limits.py; raised, not turned off, so that the check's cost stays in the
# figures) and failed authentication (cms/throttle.py).
RAISED_LIMITS = {
    "CMS_RATE_LIMIT_REQUESTS": "1000000000",
    "CMS_RATE_LIMIT_RECORDS": "1000000000000",
    "CMS_AUTH_FAILURES_PER_ADDRESS": "1000000000",
}


@contextmanager
def served(
    admin_url: str, workers: int, data_dir: str = DEFAULT_DATA_DIR, extra_env: dict | None = None
) -> Iterator[Server]:
    """A fresh ``cms_bench`` database, migrated, with an admin token, served by granian with
    ``workers`` worker processes (production's command line) until the block ends.
    ``extra_env``: more settings for the server; the limits are raised (``RAISED_LIMITS``)."""
    database_url = recreate_database(admin_url, DATABASE_NAME)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CMS_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DEBUG": "false",
        # Production refuses to start without one; a benchmark's server lives for one run.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        # Startup lines only (its access log is off, as in production).
        "GRANIAN_LOG_LEVEL": os.environ.get("GRANIAN_LOG_LEVEL", "warning"),
        **RAISED_LIMITS,
        **(extra_env or {}),
    }
    _manage(env, "migrate", "-v", "0")
    created = _manage(
        env, "create_token", "bench", "--role", "admin", capture_output=True, text=True
    )
    token = created.stdout.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        granian_command("127.0.0.1", port, workers),
        cwd=ROOT,
        env=server_environ(env),
    )
    try:
        _wait_for_port(port)
        yield Server(port, token, env, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


# Makes a worker's next request from its own random generator: (method, path, JSON body or None).
NextRequest = Callable[[random.Random], tuple[str, str, dict | None]]


def run_phase(
    port: int,
    token: str,
    next_request: NextRequest,
    concurrency: int,
    seconds: float,
    expected_status: int,
) -> dict:
    """``concurrency`` clients (one keep-alive connection and one generator seeded with its
    number each) send requests for ``seconds``; only the request itself is timed. Answers the
    request count, those not answered ``expected_status``, the rate and p50/p99 latency."""
    latencies: list[float] = []
    failures = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(seed):
        client, own, rng = Client(port, token), [], random.Random(seed)
        while time.perf_counter() < deadline:
            method, path, body = next_request(rng)
            started = time.perf_counter()
            code, answer = client.request(method, path, body)
            own.append(time.perf_counter() - started)
            if code != expected_status:
                failures.append((code, answer))
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "failures": len(failures),
        "per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "seconds": round(wall, 1),
        "first_failure": failures[0] if failures else None,
    }
