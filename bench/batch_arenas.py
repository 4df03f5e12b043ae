"""Benchmark: what a 10,000-record batch leaves in a worker's memory, batch after batch.

In this one process (Django's test client, PostgreSQL, the six-field shape of
bench/bulk_records.py), after a warm-up of small batches, sends ``--batches`` batches of
``--size`` records; after each, once memory is given back (a full collection and glibc's
``malloc_trim``, as record_api/memory.py does), prints the resident size, pymalloc's
arenas (1 MiB each) and, per size class whose pools changed, its pools and blocks in use,
all against the start. Arenas that grow while blocks in use barely do are fragmentation:
a few long-lived blocks allocated during the batch keep its arenas.

    .venv/bin/python bench/batch_arenas.py
    PYTHONMALLOC=malloc .venv/bin/python bench/batch_arenas.py    # glibc only: no arenas

Its own database (``cms_bench_arenas``, or BENCH_DATABASE_NAME), recreated each run.
"""

import argparse
import ctypes
import ctypes.util
import gc
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk_records import build_six  # noqa: E402
from profile_batch import batch_body, send  # noqa: E402
from profile_create import in_process_client  # noqa: E402

MB = 1_000_000
_CLASS = re.compile(r"^\s+\d+\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s*$", re.MULTILINE)
_ARENAS = re.compile(r"# arenas allocated current\s*=\s*([\d,]+)")


def resident() -> int:
    status = Path("/proc/self/status").read_text()
    return (
        int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])
        * 1024
    )


def pymalloc_state() -> tuple[int, dict[int, tuple[int, int]]]:
    """(arenas, {block size: (pools, blocks in use)}) from sys._debugmallocstats (written
    to the C stderr: read through a pipe); (0, {}) when pymalloc is not the allocator."""
    read_end, write_end = os.pipe()
    saved = os.dup(2)
    os.dup2(write_end, 2)
    try:
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    text = b"".join(chunks).decode()
    arenas = _ARENAS.search(text)
    classes = {int(size): (int(pools), int(used)) for size, pools, used in _CLASS.findall(text)}
    return (int(arenas[1].replace(",", "")) if arenas else 0), classes


def give_back(trim) -> None:
    time.sleep(0.3)  # record_api.memory's thread runs after the answer is closed
    gc.collect()
    if trim is not None:
        trim(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--batches", type=int, default=3)
    args = parser.parse_args()
    client = in_process_client(args.database_url, "cms_bench_arenas")
    ids = {**build_six(client), "shape": "six"}
    trim = ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    for _ in range(4):  # warm-up: imports, the content model, the connection
        send(client, batch_body(ids, 100), 100)
    give_back(trim)
    start, (arenas, classes) = resident(), pymalloc_state()
    print(f"start: {start / MB:.1f} MB resident, {arenas} pymalloc arenas")
    for number in range(args.batches):
        body = batch_body(ids, args.size)
        send(client, body, args.size)
        del body
        give_back(trim)
        now, (arenas_now, classes_now) = resident(), pymalloc_state()
        print(
            f"batch {number + 1}: {(now - start) / MB:+.1f} MB resident, "
            f"{arenas_now - arenas:+d} arenas"
        )
        for size in sorted(classes_now):
            pools, used = classes.get(size, (0, 0))
            pools_now, used_now = classes_now[size]
            if pools_now != pools:
                print(
                    f"    {size:>3}-byte blocks: {pools_now - pools:+d} pools, "
                    f"{used_now - used:+d} blocks in use"
                )


if __name__ == "__main__":
    main()
