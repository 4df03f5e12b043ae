"""Benchmark: the CPU one API request costs the worker, in process, through the whole WSGI
stack (``cms.wsgi.application``: the production entry point, every middleware, DRF).

No server and no network: each request is a WSGI call, as granian makes it, and its
answer is read and closed (which ends the request: signals, connections back). CPU time
(``time.process_time``) is what the worker spends; the database's own work on PostgreSQL
happens in its server process and is not in it. Each scenario runs ``--requests`` times
after a warm-up, in ``--rounds`` rounds; the median round is printed in µs per request.
``--profile`` adds cProfile's top functions per scenario and the time by package (our
code, Django, DRF, the database driver, the standard library...).

    .venv/bin/python bench/framework_overhead.py                       # SQLite
    .venv/bin/python bench/framework_overhead.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/framework_overhead.py --profile --only list

SQLite runs on a file in ``--data-dir`` (recreated); PostgreSQL on its own database
(``--database-name``, recreated), never the test one.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from harness import RAISED_LIMITS, create_model, recreate_database, rel  # noqa: E402

OUR_PACKAGES = ("cms", "environments", "item_types", "items", "jobs", "record_api", "uploads")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="an admin URL of PostgreSQL (default: SQLite)")
    parser.add_argument("--database-name", default="cms_overhead")
    parser.add_argument("--data-dir", default="/tmp/cms-overhead")
    parser.add_argument("--requests", type=int, default=300, help="per round and scenario")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--records", type=int, default=40, help="in the small table")
    parser.add_argument("--only", action="append", help="a scenario's name (repeatable)")
    parser.add_argument("--profile", action="store_true", help="cProfile each scenario")
    parser.add_argument("--top", type=int, default=25)
    return parser.parse_args()


def configure(arguments) -> None:
    """The environment the application reads, before it is imported."""
    data_dir = Path(arguments.data_dir)
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    os.environ["CMS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-framework-overhead")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DEBUG", None)
    # Raised, not off: every request still pays the rate-limit check (cms/rate_limits.py).
    for name, value in RAISED_LIMITS.items():
        os.environ.setdefault(name, value)
    if arguments.postgres:
        os.environ["DATABASE_URL"] = recreate_database(arguments.postgres, arguments.database_name)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'cms.sqlite3'}"


class WsgiClient:
    """Requests as WSGI calls of the production application; the interface of
    ``harness.Client`` (``request(method, path, body)`` -> status, decoded body)."""

    def __init__(self, application, token: str):
        self.application = application
        self.token = token

    def call(self, method: str, path: str, body: bytes = b"") -> tuple[str, list, bytes]:
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_AUTHORIZATION": f"Bearer {self.token}",
            "HTTP_ACCEPT": "application/json",
            "HTTP_X_API_VERSION": "3",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if body:
            environ["CONTENT_TYPE"] = "application/json"
            environ["CONTENT_LENGTH"] = str(len(body))
        answered = []

        def start_response(status, headers, exc_info=None):
            answered.append((status, headers))

        result = self.application(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return answered[0][0], answered[0][1], content

    def request(self, method: str, path: str, body=None, **_):
        status, _, content = self.call(method, path, json.dumps(body).encode() if body else b"")
        return int(status.split()[0]), (json.loads(content) if content else None)


SIX_FIELDS = [
    ("title", "string", {"validators": {"required": {}}}),
    ("slug", "string", {}),
    ("rating", "integer", {}),
    ("score", "float", {}),
    ("published", "boolean", {}),
    ("published_on", "date", {}),
]


def six_values(number: int) -> dict:
    return {
        "title": f"Article {number}",
        "slug": f"article-{number}",
        "rating": number % 1000,
        "score": number / 7,
        "published": number % 2 == 0,
        "published_on": "2024-05-31",
    }


def build(client: WsgiClient, records: int) -> dict:
    """The small table (``article``, six fields, ``records`` records) and the model
    creates go to (``note``, the same fields); answers the ids a scenario needs."""
    article = create_model(client, "article", SIX_FIELDS)
    note = create_model(client, "note", SIX_FIELDS)
    status, body = client.request(
        "POST", "/rest/db/article", {"record": [six_values(n) for n in range(records)]}
    )
    assert status == 200, (status, body)
    return {"article": article["id"], "note": note["id"], "record": body["record"][0]["id"]}


def scenarios(ids: dict) -> dict:
    """name -> (method, path, body bytes)."""
    create_body = json.dumps(
        {"data": {"type": "item", "attributes": six_values(7), "relationships": rel(ids["note"])}}
    ).encode()
    return {
        "list": ("GET", "/items?page%5Blimit%5D=25", b""),
        "find": ("GET", f"/items/{ids['record']}", b""),
        "create": ("POST", "/items", create_body),
        "rest_list": ("GET", "/rest/db/article?limit=25", b""),
    }


def package_of(filename: str) -> str:
    """Whose code a profiled function is: one of ours, a library, or the standard library."""
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        return path.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    root = str(Path(__file__).resolve().parent.parent) + "/"
    if path.startswith(root):
        return "ours:" + path[len(root) :].split("/")[0].removesuffix(".py")
    if path.startswith("~") or path.startswith("<"):
        return "builtins"
    return "stdlib"


def run(client: WsgiClient, method: str, path: str, body: bytes, count: int) -> float:
    """CPU µs per request over ``count`` requests."""
    expected = {"GET": "200", "POST": "201"}[method]
    started = time.process_time()
    for _ in range(count):
        status, _, content = client.call(method, path, body)
        if not status.startswith(expected):
            raise SystemExit(f"{method} {path}: {status} {content[:500]!r}")
    return (time.process_time() - started) / count * 1e6


def profile(client: WsgiClient, method: str, path: str, body: bytes, count: int, top: int):
    profiler = cProfile.Profile()
    profiler.enable()
    run(client, method, path, body, count)
    profiler.disable()
    print_profile(profiler, count, top)


def print_profile(profiler, count: int, top: int, measure: str = "time") -> None:
    """A profile of ``count`` requests: calls and own ``measure`` by package per request,
    then the top functions by own and by cumulative ``measure``."""
    stats = pstats.Stats(profiler)
    by_package: dict[str, float] = defaultdict(float)
    total, calls = 0.0, 0
    for (filename, _, _), (_, primitive_calls, tottime, _, _) in stats.stats.items():
        by_package[package_of(filename)] += tottime
        total += tottime
        calls += primitive_calls
    # Function calls are deterministic where times are not (a shared machine).
    print(f"  {calls / count:.0f} Python function calls a request")
    print(f"  own {measure} by package (profiled µs/request, total {total / count * 1e6:.0f}):")
    for package, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:14]:
        print(f"    {seconds / count * 1e6:8.0f}  {seconds / total:5.1%}  {package}")
    for order, name in (("tottime", "own"), ("cumulative", "cumulative")):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        print(f"  top functions by {name} {measure}:")
        print("\n".join("    " + line for line in out.getvalue().splitlines()[6:] if line.strip()))


def main() -> None:
    arguments = parse_arguments()
    configure(arguments)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from cms.models import ApiToken
    from cms.wsgi import application

    _, secret = ApiToken.create(name="overhead bench", role=ApiToken.Role.ADMIN)
    client = WsgiClient(application, secret)
    ids = build(client, arguments.records)
    database = "PostgreSQL" if arguments.postgres else "SQLite"
    print(f"{database}, {arguments.rounds} rounds of {arguments.requests} requests")
    for name, (method, path, body) in scenarios(ids).items():
        if arguments.only and name not in arguments.only:
            continue
        run(client, method, path, body, 30)  # warm-up: caches, connections, imports
        rounds = [
            run(client, method, path, body, arguments.requests) for _ in range(arguments.rounds)
        ]
        spread = f"{min(rounds):.0f}-{max(rounds):.0f}"
        print(f"{name:10} {method:4} {path:40} {statistics.median(rounds):7.0f} µs CPU ({spread})")
        if arguments.profile:
            profile(client, method, path, body, arguments.requests, arguments.top)


if __name__ == "__main__":
    main()
