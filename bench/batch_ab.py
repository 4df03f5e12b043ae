"""Benchmark: two checkouts' record-API batch rate, side by side, alternated.

Serves checkout A and checkout B (each its own PostgreSQL database, migrated by its own
code, granian with one worker, the benchmarks' raised limits and production's allocator
settings), builds the six-field model of bench/bulk_records.py on both, and sends
``POST /rest/db/article?rollback=true`` batches to one then the other, round after round
(A B, then B A: neither always goes first). Both tables grow alike.
Prints each round and then, per side, the median records per second and its spread,
and B's median over A's. On a shared machine only alternated runs compare.

    .venv/bin/python bench/batch_ab.py --a /tmp/base --b . --rounds 12
    .venv/bin/python bench/batch_ab.py --a . --b . --sql-b "DROP INDEX items_search"

``--sql-a`` / ``--sql-b``: statements run on that side's database after its migration
(a variant of the schema with the same code).
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_records import build_six, six  # noqa: E402
from harness import (  # noqa: E402
    PYTHON,
    RAISED_LIMITS,
    Client,
    _wait_for_port,
    create_model,
    free_port,
    recreate_database,
)

from cms.production_server import granian_command, server_environ  # noqa: E402


def build_plain(client) -> dict:
    """Six fields and no text: records that full-text search can never find."""
    fields = [("rating", "integer"), ("score", "float"), ("published_on", "date")]
    fields += [("flag", "boolean"), ("votes", "integer"), ("weight", "float")]
    create_model(client, "article", [(key, kind, {}) for key, kind in fields])
    return {}


def plain(ids: dict, n: int) -> dict:
    return {
        "rating": n % 1000,
        "score": n / 7,
        "published_on": "2026-11-22",
        "flag": n % 2 == 0,
        "votes": n,
        "weight": n * 0.5,
    }


SHAPES = {"six": (build_six, six), "plain": (build_plain, plain)}


# The venv's editable install maps the project's packages to its own checkout: a module
# that checkout has and another lacks would come from there. This sitecustomize (run
# after the .pth files) takes that finder out, so each side runs its checkout alone.
_ONLY_PYTHONPATH = """import sys
sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in repr(f)]
"""


def _without_editable_install() -> str:
    folder = Path(tempfile.mkdtemp(prefix="batch-ab-"))
    (folder / "sitecustomize.py").write_text(_ONLY_PYTHONPATH)
    return str(folder)


@contextmanager
def served_checkout(
    root: Path, admin_url: str, name: str, sql: list[str], workers: int = 1, settings=None
):
    """Checkout ``root``'s code served on its own fresh database ``name`` by ``workers``
    granian workers, with ``settings`` (more environment variables) if given: yields the
    client, the database's URL and granian's process id."""
    import psycopg

    database_url = recreate_database(admin_url, name)
    env = {
        **os.environ,
        "PYTHONPATH": f"{root}:{_without_editable_install()}",  # its code alone
        "DATABASE_URL": database_url,
        "CMS_DATA_DIR": f"/tmp/{name}",
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "GRANIAN_LOG_LEVEL": "warning",
        **RAISED_LIMITS,
        **(settings or {}),
    }

    def manage(*args, **options):
        command = [PYTHON, "manage.py", *args]
        return subprocess.run(command, cwd=root, env=env, check=True, **options)

    manage("migrate", "-v", "0")
    with psycopg.connect(database_url, autocommit=True) as connection:
        for statement in sql:
            connection.execute(statement)
    created = manage("create_token", "bench", "--role", "admin", capture_output=True, text=True)
    token = created.stdout.strip().splitlines()[-1]
    port = free_port()
    command = granian_command("127.0.0.1", port, workers)
    server = subprocess.Popen(command, cwd=root, env=server_environ(env))
    try:
        _wait_for_port(port)
        yield Client(port, token), database_url, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def add_database_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    """Where the two sides' databases go: a server URL allowed to create databases, and the
    name they start with (``name`` unless BENCH_DATABASE_NAME says otherwise)."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--name", default=os.environ.get("BENCH_DATABASE_NAME", name))


def batch_rate(client: Client, body: bytes, size: int) -> float:
    # A fresh connection, made before the clock starts: the server may have closed the
    # idle one while the other side was served.
    client.connection.close()
    client.connection.connect()
    started = time.perf_counter()
    code, answer = client.request("POST", "/rest/db/article?rollback=true", raw=body)
    seconds = time.perf_counter() - started
    assert code == 200 and len(answer["record"]) == size, (code, str(answer)[:300])
    return size / seconds


def spread(rates: list[float]) -> str:
    quartiles = statistics.quantiles(rates, n=4) if len(rates) > 1 else rates * 3
    return (
        f"median {statistics.median(rates):,.0f} "
        f"(quartiles {quartiles[0]:,.0f}–{quartiles[2]:,.0f}, "
        f"range {min(rates):,.0f}–{max(rates):,.0f})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=Path, required=True, help="checkout A (the baseline)")
    parser.add_argument("--b", type=Path, required=True, help="checkout B")
    parser.add_argument("--sql-a", action="append", default=[])
    parser.add_argument("--sql-b", action="append", default=[])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="six")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--warm", type=int, default=3, help="batches each before timing")
    add_database_arguments(parser, "cms_bench_ab")
    args = parser.parse_args()

    with ExitStack() as stack:
        sides = {}
        for side, root, sql in (("A", args.a, args.sql_a), ("B", args.b, args.sql_b)):
            client, _, _ = stack.enter_context(
                served_checkout(root.resolve(), args.database_url, f"{args.name}_{side}", sql)
            )
            client.connection.timeout = 600
            build, record = SHAPES[args.shape]
            ids = build(client)
            body = json.dumps({"record": [record(ids, n) for n in range(args.size)]}).encode()
            for _ in range(args.warm):
                batch_rate(client, body, args.size)
            sides[side] = (client, body)
        rates = {"A": [], "B": []}
        for round_ in range(args.rounds):
            order = ("A", "B") if round_ % 2 == 0 else ("B", "A")
            for side in order:
                client, body = sides[side]
                rates[side].append(batch_rate(client, body, args.size))
            print(f"round {round_ + 1}: A {rates['A'][-1]:,.0f}  B {rates['B'][-1]:,.0f}")
        print(
            f"{args.shape} shape, batches of {args.size}, records/s, "
            f"{args.rounds} rounds alternated"
        )
        for side in ("A", "B"):
            print(f"  {side}: {spread(rates[side])}")
        ratios = [b / a for a, b in zip(rates["A"], rates["B"], strict=True)]
        print(
            f"  B / A: median of rounds {statistics.median(ratios):.3f} "
            f"(range {min(ratios):.3f}–{max(ratios):.3f})"
        )


if __name__ == "__main__":
    main()
