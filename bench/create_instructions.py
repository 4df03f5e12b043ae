"""Benchmark: the instructions one 6-field ``POST /items`` costs the worker, counted.

Runs bench/profile_create.py's in-process create (the whole Django stack, against
PostgreSQL) under valgrind's callgrind, counting only the timed creates (instrumentation
is switched on after the warm-up and off after them). Instruction counts repeat to about
0.2% from run to run whatever else the machine is doing, where CPU times here vary by
10-20%: the way to weigh a small change (run it on both checkouts, one after the other).

    .venv/bin/python bench/create_instructions.py                # 200 creates
    PYTHONPATH=../other .venv/bin/python ../other/bench/create_instructions.py

Needs valgrind (on the machine already, or ``apt-get install valgrind``); about a minute.
Its own database (``cms_bench_instructions``, or BENCH_DATABASE_NAME), recreated each run.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def count(creates: int, database_url: str) -> None:
    """Inside callgrind: warm up, then the counted creates."""
    from harness import create_model
    from profile_create import SIMPLE_FIELDS, in_process_client, simple_body

    client = in_process_client(database_url, "cms_bench_instructions")
    note = create_model(client, "note", SIMPLE_FIELDS)["id"]
    for _ in range(30):  # the worker caches the model, the pool its connection
        client.request("POST", "/items", simple_body(note))
    bodies = [simple_body(note) for _ in range(creates)]
    switch = ["callgrind_control", "--instr"]
    subprocess.run([*switch, "on", str(os.getpid())], check=True, capture_output=True)
    for each in bodies:
        code, answer = client.request("POST", "/items", each)
        assert code == 201, answer
    subprocess.run([*switch, "off", str(os.getpid())], check=True, capture_output=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        return count(args.creates, args.database_url)
    with tempfile.TemporaryDirectory() as scratch:
        ran = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={scratch}/callgrind.out",
                sys.executable,
                __file__,
                "--inside",
                "--creates",
                str(args.creates),
                "--database-url",
                args.database_url,
            ],
            capture_output=True,
            text=True,
        )
    collected = re.search(r"Collected : (\d+)", ran.stderr)
    if ran.returncode or not collected:
        sys.exit(f"callgrind failed:\n{ran.stderr[-3000:]}")
    per_create = int(collected.group(1)) / args.creates
    print(f"6-field create: {per_create / 1e6:.3f} million instructions in the worker per create")
    print(f"({args.creates} creates, {sys.executable}, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
