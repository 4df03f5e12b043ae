"""Benchmark: single creates on two servers, side by side, in alternated short runs.

Serves A and B (each a checkout and its settings, its own PostgreSQL database, granian with
two workers as in production), builds the six-field article of bench/bulk_records.py on
both, and runs wrk with bench/wrk/post_items.lua (16 connections by default) against one
then the other, round after round (A B, then B A). Here the machine's speed drifts over
minutes (a create's CPU varied twofold within an hour, the peers' alike), so only runs
seconds apart compare. Each run opens new connections, so each gets its own split between
the workers. Prints each round, then per side the median rate, p50 and p99 and CPU a
create, and B over A as the median of the rounds' ratios.

    .venv/bin/python bench/create_ab.py --settings-a CMS_CONCURRENT_REQUESTS=0 --rounds 10
    .venv/bin/python bench/create_ab.py --a /tmp/base --b . --connections 1
"""

import argparse
import os
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_ab import add_database_arguments, served_checkout  # noqa: E402
from bulk_records import build_six  # noqa: E402
from peers_wrk import CpuMeter, Phase, run_wrk  # noqa: E402

FIGURES = ("per_second", "p50_ms", "p99_ms", "cpu_ms")


def _settings(pairs: list[str]) -> dict:
    return dict(pair.split("=", 1) for pair in pairs)


def run(side: dict, connections: int, seconds: int) -> dict:
    """One wrk run of creates against ``side``: its figures and CPU a create."""
    result = run_wrk(
        f"http://127.0.0.1:{side['port']}/items",
        "post_items.lua",
        {"TOKEN": side["token"], "MODEL_ID": side["model"]},
        Phase(seconds=seconds, warmup=0, connections=connections),
        CpuMeter(side["pid"], side["database"]),
    )
    assert result["failed"] == 0 and result["socket_errors"] == 0, result["output"]
    result["cpu_ms"] = result["server_cpu_ms"] + result["postgres_cpu_ms"]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=Path, default=Path("."), help="checkout A (the baseline)")
    parser.add_argument("--b", type=Path, default=Path("."), help="checkout B")
    parser.add_argument("--settings-a", nargs="*", default=[], metavar="NAME=VALUE")
    parser.add_argument("--settings-b", nargs="*", default=[], metavar="NAME=VALUE")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=8, help="a run's length")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    add_database_arguments(parser, "cms_create_ab")
    args = parser.parse_args()

    with ExitStack() as stack:
        sides = {}
        given = {"A": (args.a, args.settings_a), "B": (args.b, args.settings_b)}
        for side, (root, settings) in given.items():
            name = f"{args.name}_{side.lower()}"
            client, _, pid = stack.enter_context(
                served_checkout(
                    root.resolve(), args.database_url, name, [], args.workers, _settings(settings)
                )
            )
            model = build_six(client)["model"]
            token = client.headers["Authorization"].split()[-1]
            sides[side] = {"port": client.connection.port, "token": token, "model": model}
            sides[side] |= {"pid": pid, "database": name}
            run(sides[side], args.connections, 2)  # warm-up
        figures = {"A": [], "B": []}
        for round_ in range(args.rounds):
            for side in ("A", "B") if round_ % 2 == 0 else ("B", "A"):
                figures[side].append(run(sides[side], args.connections, args.seconds))
            print(f"round {round_ + 1}: " + "   ".join(_line(s, figures[s][-1]) for s in "AB"))
        print(
            f"6-field creates at {args.connections} connections, {args.seconds} s runs, "
            f"{args.rounds} rounds alternated; medians:"
        )
        for side in "AB":
            print(f"  {side}: " + _line(side, {k: _median(figures[side], k) for k in FIGURES}))
        ratios = {
            key: statistics.median(b[key] / a[key] for a, b in zip(*figures.values(), strict=True))
            for key in FIGURES
        }
        print("  B / A, median of rounds: " + ", ".join(f"{k} {v:.3f}" for k, v in ratios.items()))


def _median(results: list[dict], key: str) -> float:
    return statistics.median(result[key] for result in results)


def _line(side: str, result: dict) -> str:
    return (
        f"{side} {result['per_second']:,.0f}/s p50 {result['p50_ms']:.1f} "
        f"p99 {result['p99_ms']:.1f} ms, {result['cpu_ms']:.2f} ms CPU"
    )


if __name__ == "__main__":
    main()
