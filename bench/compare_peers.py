"""Benchmark: ours side by side with Strapi 5 and Directus 10 (issue 13's table).

Starts our server as production runs it (granian, ``--workers``, on PostgreSQL, in its own
database, with the limits of ``RAISED_LIMITS`` raised), loads the same 100,000 ``article``
records into all three (ours among 400,000 rows of another model and its blocks; see
``peers_load.py``), checks that each list answers 25 records and an exact total of 9,900,
then runs the same wrk scripts (``bench/wrk/``) against each in turn, a warm-up before each
run as the peers' ``run.sh`` does, and prints each figure and ours ÷ the best peer:

- a list of 25 with a field filter (``rating > 900``) and its exact total: ours
  ``GET /items``, Strapi ``GET /api/articles``, Directus ``GET /items/article``; and our
  record API's ``GET /rest/db/article`` (``include_count``), against the same peers;
- a single 6-field create at each ``--concurrency`` (p50/p99 too);
- our rich create (10 fields, 2 localized, 2 blocks, a link, an upload) against the peers'
  6-field one;
- batch creates of 100 and 1,000 records (ours: the record API; Directus: its array POST;
  Strapi has none), in records per second: the rows a run's requests committed, counted
  in the database as ``run.sh`` does, over the time until the last of them committed;
- CPU per request (per record for batches): the server's process tree and PostgreSQL's
  backends of the system's own database, from /proc.

The warm-up's first failed answer on each wrk thread is printed (the measured run uses the
script alone). ``--phases`` runs a part (list, create, rich, batch), ``--json FILE`` keeps
every run's figures and wrk output.

It installs nothing: the peers run already (``$PEERS/bench/start_strapi.sh`` and
``start_directus.sh``, see /work/shared/peers/README.md). Their tokens and PIDs are read
from ``--peers`` ($PEERS) unless given. Their ``article`` tables are emptied and reloaded.
Without a peer's URL, it measures ours only. Needs ``wrk``.

    .venv/bin/python bench/compare_peers.py                      # ours only
    PEERS=/work/peers .venv/bin/python bench/compare_peers.py \\
        --strapi http://127.0.0.1:1337 --directus http://127.0.0.1:8055 \\
        --seconds 15 --list-rounds 2
"""

import argparse
import json
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import peers_load  # noqa: E402
from create_records import build_schema  # noqa: E402
from harness import Client, add_server_arguments, create_model, served  # noqa: E402
from peers_report import print_report  # noqa: E402
from peers_wrk import CpuMeter, Phase, run_wrk  # noqa: E402

# Settings the server gets so that a benchmark's own traffic is never refused: the rate
# limits and failed authentication's (harness.RAISED_LIMITS, which served() applies anyway).
RAISED_LIMITS = harness.RAISED_LIMITS

# The same question to each system: 25 records with rating > 900, and how many match.
LISTS = {
    "ours": "/items?filter%5Btype%5D=article&filter%5Bfields%5D%5Brating%5D%5Bgt%5D=900"
    "&page%5Blimit%5D=25",
    "Strapi": "/api/articles?filters%5Brating%5D%5B%24gt%5D=900&pagination%5BpageSize%5D=25",
    "Directus": "/items/article?filter%5Brating%5D%5B_gt%5D=900&limit=25&meta=filter_count",
}
RECORD_API_LIST = "/rest/db/article?limit=25&filter=rating%20%3E%20900&include_count=true"
TOTALS = {  # where each answer says how many records match
    "ours": lambda body: body["meta"]["total_count"],
    "record API": lambda body: body["meta"]["count"],
    "Strapi": lambda body: body["meta"]["pagination"]["total"],
    "Directus": lambda body: body["meta"]["filter_count"],
}
CREATES = {
    "ours": ("/items", "post_items.lua"),
    "Strapi": ("/api/articles", "post_strapi.lua"),
    "Directus": ("/items/article", "post_directus.lua"),
}
BATCHES = {
    "ours": ("/rest/db/article", "post_records_batch.lua"),
    "Directus": ("/items/article", "post_directus_batch.lua"),
}
PEER_DEFAULTS = {  # database, load statements, table
    "Strapi": ("strapi_bench", peers_load.STRAPI_LOAD, "articles"),
    "Directus": ("directus_bench", peers_load.DIRECTUS_LOAD, "article"),
}


PHASES = ["list", "create", "rich", "batch"]


@dataclass
class System:
    name: str
    url: str
    token: str
    pid: int | None  # the server's process, for its CPU (None: not counted)
    database: str
    database_url: str
    count_sql: str  # its article rows

    def run(self, path: str, script: str, phase: Phase, counted=False, **env) -> dict:
        meter = CpuMeter(self.pid, self.database, self.database_url)
        count = self.count if counted else None
        env = {"TOKEN": self.token, **env}
        return run_wrk(self.url + path, script, env, phase, meter, count)

    def count(self) -> int:
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            return connection.execute(self.count_sql).fetchone()[0]


def peer_token(name: str, given: str | None, peers: Path | None) -> str | None:
    if given or peers is None:
        return given
    if name == "Strapi":
        return (peers / "strapi-token.txt").read_text().strip()
    for line in (peers / "directus-app" / ".env").read_text().splitlines():
        if line.startswith("ADMIN_TOKEN="):
            return line.split("=", 1)[1].strip()
    return None


def peer_pid(name: str, peers: Path | None) -> int | None:
    pid_file = peers / f"{name.lower()}.pid" if peers else None
    if pid_file and pid_file.exists():
        pid = int(pid_file.read_text())
        if Path(f"/proc/{pid}").exists():
            return pid
    return None


def peer_systems(args) -> list[System]:
    peers = Path(args.peers) if args.peers else None
    systems = []
    for name, (database, _, table) in PEER_DEFAULTS.items():
        url = getattr(args, name.lower())
        if not url:
            continue
        token = peer_token(name, getattr(args, f"{name.lower()}_token"), peers)
        if not token:
            raise SystemExit(f"{name}: no token (--{name.lower()}-token or --peers)")
        url, pid = url.rstrip("/"), peer_pid(name, peers)
        database_url = peers_load.database_url(args.database_url, database)
        count_sql = f"SELECT count(*) FROM {table}"
        systems.append(System(name, url, token, pid, database, database_url, count_sql))
    return systems


def get_json(system: System, path: str) -> dict:
    import urllib.request

    request = urllib.request.Request(
        system.url + path, headers={"Authorization": f"Bearer {system.token}"}
    )
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.load(answer)


def check_lists(systems: list[System]) -> None:
    """Each list answers 25 records and the exact total, before anything is timed."""
    questions = [(system, LISTS[system.name], system.name) for system in systems]
    questions.append((systems[0], RECORD_API_LIST, "record API"))
    for system, path, label in questions:
        body = get_json(system, path)
        records = body.get("data") or body.get("record")
        total = TOTALS[label](body)
        assert total == peers_load.MATCHES and len(records) == 25, (label, total, len(records))
        print(f"{label}: 25 records of {total} matching")


def measure(args, systems: list[System], ids: dict) -> dict:
    """Every phase, each system in turn: {row: {system: [results, one a round]}}."""
    results: dict[str, dict[str, list]] = {}
    many = Phase(args.seconds, args.warmup, max(args.concurrency))
    batch_phase = Phase(args.seconds, args.warmup, args.batch_connections)
    ours, peers = systems[0], systems[1:]

    def record(row: str, system: System, result: dict) -> None:
        results.setdefault(row, {}).setdefault(system.name, []).append(result)
        print(
            f"  {row:<34} {system.name:<9} {result['per_second']:>9.1f}/s "
            f"p50 {result['p50_ms'] or 0:.1f} ms  failed {result['failed']}",
            flush=True,
        )
        for line in result["warmup_failures"]:
            print(f"    warm-up {line}")

    for _ in range(args.list_rounds if "list" in args.phases else 0):
        for system in systems:
            record("list", system, system.run(LISTS[system.name], "get_auth.lua", many))
        record("record API list", ours, ours.run(RECORD_API_LIST, "get_auth.lua", many))
    for connections in args.concurrency if "create" in args.phases else []:
        phase = Phase(args.seconds, args.warmup, connections)
        for system in systems:
            path, script = CREATES[system.name]
            result = system.run(path, script, phase, MODEL_ID=ids["article"])
            record(f"create c{connections}", system, result)
    rich = {
        "POST_MODEL": ids["post"],
        "QUOTE_MODEL": ids["quote"],
        "CATEGORY_ID": ids["category"],
        "UPLOAD_ID": ids["upload"],
    }
    if "rich" in args.phases:
        record("rich create", ours, ours.run("/items", "post_items_rich.lua", many, **rich))
    for size in args.batches if "batch" in args.phases else []:
        for system in [ours, *(peer for peer in peers if peer.name in BATCHES)]:
            path, script = BATCHES[system.name]
            result = system.run(path, script, batch_phase, counted=True, BATCH=str(size))
            result["per_second"] = result["rows_per_second"]  # records, not requests
            record(f"batch {size}", system, result)
    return results


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_server_arguments(parser)
    parser.set_defaults(seconds=30)
    parser.add_argument("--warmup", type=float, default=5, help="seconds before each run")
    parser.add_argument("--list-rounds", type=int, default=1, help="times the lists run")
    parser.add_argument("--batches", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--batch-connections", type=int, default=4)
    parser.add_argument("--phases", nargs="+", default=PHASES, choices=PHASES)
    parser.add_argument("--articles", type=int, default=peers_load.ARTICLES)
    parser.add_argument("--filler", type=int, default=peers_load.FILLER_POSTS)
    parser.add_argument("--json", help="also write every run's figures and wrk output here")
    parser.add_argument("--peers", default=os.environ.get("PEERS"), help="the peers' folder")
    for name in ("strapi", "directus"):
        parser.add_argument(f"--{name}", default=os.environ.get(f"{name.upper()}_URL"))
        parser.add_argument(f"--{name}-token", default=os.environ.get(f"{name.upper()}_TOKEN"))
    args = parser.parse_args()
    # A SIGTERM (timeout, kill) unwinds, so that our server is stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    peers_load.MATCHES = sum(1 for n in range(args.articles) if n % 1000 > 900)
    peers = peer_systems(args)
    data_dir = os.environ.get("BENCH_DATA_DIR", harness.DEFAULT_DATA_DIR)
    with served(args.database_url, args.workers, data_dir, RAISED_LIMITS) as server:
        client = Client(server.port, server.token)
        ids = build_schema(client)
        ids["article"] = create_model(client, "article", peers_load.ARTICLE_FIELDS)["id"]
        peers_load.load_ours(server, ids, args.workers, args.articles, args.filler)
        for peer in peers:
            database, statements, table = PEER_DEFAULTS[peer.name]
            peers_load.load_peer(args.database_url, database, table, statements, args.articles)
        ours = System(
            "ours",
            f"http://127.0.0.1:{server.port}",
            server.token,
            server.pid,
            harness.DATABASE_NAME,
            server.env["DATABASE_URL"],
            f"SELECT count(*) FROM items_item WHERE item_type_id = '{ids['article']}'",
        )
        systems = [ours, *peers]
        check_lists(systems)
        print(
            f"\nwrk -t2 -c{max(args.concurrency)} {args.seconds:g} s after {args.warmup:g} s "
            f"of warm-up; ours: granian, {args.workers} workers; {os.cpu_count()} cores",
            flush=True,
        )
        results = measure(args, systems, ids)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print_report(results, [system.name for system in systems], args)


if __name__ == "__main__":
    main()
