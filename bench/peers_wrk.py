"""Running one wrk phase against one system, as the peers' ``run.sh`` does, and what it
cost: a warm-up, then ``wrk --latency`` with a Lua script of ``bench/wrk/``; the server's
CPU (its process and its children) and PostgreSQL's (the backends connected to the
system's own database), summed from /proc before and after; and the write-ahead log the
cluster wrote meanwhile (``pg_stat_wal``), its bytes and full-page images.
"""

import os
import re
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

WRK_DIR = Path(__file__).resolve().parent / "wrk"
TICKS = os.sysconf("SC_CLK_TCK")
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (a Node server, granian's main process and workers)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            tasks = Path(f"/proc/{current}/task").iterdir()
            for task in tasks:
                queue.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU of one process so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15)


def connections_per_process(pids: list[int], port: int) -> dict[int, int]:
    """The established TCP connections to local ``port`` that each of ``pids`` holds.

    A multi-process server's workers accept connections as they come: wrk's 16 keep-alive
    connections landed from 8 + 8 to 13 + 4 on our two, and the crowded worker's requests
    wait longer, so a p99 is read beside its split. Read from /proc: the sockets
    of /proc/net/tcp* in state 01 (established) on that port, matched to each process's
    file descriptors."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    held = {}
    for pid in pids:
        count = sum(
            1 for link in _fd_links(pid) if link.startswith("socket:[") and link[8:-1] in inodes
        )
        if count:
            held[pid] = count
    return held


def _fd_links(pid: int) -> list[str]:
    """What each open file descriptor of ``pid`` points at (one closing meanwhile: skipped)."""
    links = []
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return links
    for fd in fds:
        try:
            links.append(os.readlink(fd))
        except OSError:
            continue
    return links


def postgres_backends(database: str) -> list[int]:
    """The PostgreSQL backends connected to ``database`` (their process title names it:
    ``postgres: [cluster:] user database host(port) state``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().split()
        except (OSError, UnicodeDecodeError):
            continue
        if title[:1] != ["postgres:"]:
            continue
        if len(title) > 1 and title[1].endswith(":"):  # a cluster's name: "15/main:"
            del title[1]
        if len(title) > 2 and title[2] == database:
            found.append(int(entry.name))
    return found


def postgres_cpu(database: str) -> float:
    """CPU seconds so far of the backends connected to ``database`` now."""
    return sum(cpu_seconds(pid) for pid in postgres_backends(database))


@dataclass
class CpuMeter:
    """CPU of a server's process tree and of its database's backends over one phase.
    Backends that end during the phase take their CPU with them (the pools keep theirs)."""

    server_pid: int | None
    database: str
    database_url: str | None = None  # for the WAL written (the cluster's, whoever wrote it)
    before: dict = field(default_factory=dict)
    wal_before: tuple[int, int] | None = None

    def _sample(self) -> dict:
        server = process_tree(self.server_pid) if self.server_pid else []
        backends = postgres_backends(self.database)
        return {
            "server": {pid: cpu_seconds(pid) for pid in server},
            "postgres": {pid: cpu_seconds(pid) for pid in backends},
        }

    def total(self) -> float:
        """CPU seconds of the server and the backends now."""
        return sum(sum(side.values()) for side in self._sample().values())

    def wal(self) -> tuple[int, int] | None:
        """Bytes and full-page images of write-ahead log the cluster has written so far (None
        without a database URL: not measured)."""
        if not self.database_url:
            return None
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            row = connection.execute("SELECT wal_bytes, wal_fpi FROM pg_stat_wal").fetchone()
        return int(row[0]), int(row[1])

    def start(self) -> None:
        self.before = self._sample()
        self.wal_before = self.wal()

    def stop(self) -> dict[str, float]:
        """Seconds of CPU since ``start``, server and PostgreSQL; WAL bytes and pages, when
        measured."""
        after, wal = self._sample(), self.wal()
        spent = {
            side: sum(
                seconds - self.before[side].get(pid, 0.0) for pid, seconds in after[side].items()
            )
            for side in after
        }
        if wal and self.wal_before:
            spent["wal_bytes"] = wal[0] - self.wal_before[0]
            spent["wal_fpi"] = wal[1] - self.wal_before[1]
        return spent


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> dict:
    """Requests, failures (non-2xx/3xx and socket errors), rate and p50/p99 of wrk's output."""
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    seconds = _milliseconds(re.search(r"requests in ([\d.]+\w+),", output).group(1)) / 1000
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)\s*$", output, re.M))
    failed = int(non_2xx.group(1)) if non_2xx else 0
    return {
        "requests": requests,
        "failed": failed,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
        "seconds": seconds,
        "per_second": (requests - failed) / seconds if seconds else 0.0,
        "p50_ms": _milliseconds(latency["50"]) if requests and "50" in latency else None,
        "p99_ms": _milliseconds(latency["99"]) if requests and "99" in latency else None,
    }


@dataclass
class Phase:
    """How a phase runs: its length, warm-up, wrk's threads, connections and timeout."""

    seconds: float
    warmup: float
    connections: int = 16
    threads: int = 2
    timeout: str = "60s"


def _whole(seconds: float) -> int:
    return max(1, round(seconds))  # wrk takes whole seconds


def _wrk(command: list[str], env: dict) -> str:
    # RUN_ID: a prefix for what must be unique across runs (bench/wrk/post_items_rich.lua).
    env = {**env, "RUN_ID": uuid.uuid4().hex[:8]}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def drain(count: Callable[[], int], meter: "CpuMeter", quiet: float = 3) -> tuple[int, float]:
    """Waits until no row has come for ``quiet`` seconds while the server and its database
    idled (a slow batch commits late); answers the row count and when the last came."""
    rows, last_at = count(), time.monotonic()
    cpu, quiet_since = meter.total(), time.monotonic()
    while time.monotonic() - quiet_since < quiet and time.monotonic() - last_at < 300:
        time.sleep(0.25)
        now_rows, now_cpu = count(), meter.total()
        if now_rows != rows:
            rows, last_at = now_rows, time.monotonic()
        if now_rows != rows or now_cpu - cpu > 0.25 * 0.2:  # busier than a fifth of a core
            quiet_since = time.monotonic()
        cpu = now_cpu
    return rows, last_at


def run_wrk(
    url: str,
    script: str,
    env: dict,
    phase: Phase,
    meter: CpuMeter,
    count: Callable[[], int] | None = None,
) -> dict:
    """A warm-up, then the measured run of ``script`` (a file of bench/wrk/) at ``url``:
    the parsed figures plus CPU milliseconds per successful request.

    With ``count`` (the system's rows, for batches, as run.sh counts them): the rows the
    run's requests wrote, over the time from its start until the last of them committed
    (a batch slower than the run still counts, one of the warm-up doesn't), as
    ``rows_per_second``; the CPU is then per row, until the writes end."""
    threads = min(phase.threads, phase.connections)
    command = ["wrk", f"-t{threads}", f"-c{phase.connections}", "--timeout", phase.timeout]
    command += ["-s", str(WRK_DIR / script)]
    wrk_env = {**os.environ, **env, "BENCH_DIR": str(WRK_DIR)}
    failures = []
    if phase.warmup:
        warm = [*command[:-1], str(WRK_DIR / "first_failure.lua"), f"-d{_whole(phase.warmup)}s"]
        output = _wrk([*warm, url], {**wrk_env, "SCRIPT": script})
        failures = [line for line in output.splitlines() if line.startswith("failure: ")]
        time.sleep(2)
    rows_before = drain(count, meter)[0] if count else 0
    meter.start()
    started = time.monotonic()
    # Halfway through, which process holds how many of wrk's connections (ours: an uneven
    # split between the workers shapes a p99 at 16 connections).
    split: list[int] = []
    port = urlsplit(url).port or 80
    pids = process_tree(meter.server_pid) if meter.server_pid else []
    sampler = threading.Timer(
        phase.seconds / 2,
        lambda: split.extend(sorted(connections_per_process(pids, port).values(), reverse=True)),
    )
    sampler.start()
    output = _wrk([*command, f"-d{_whole(phase.seconds)}s", "--latency", url], wrk_env)
    sampler.join()
    if count:
        rows, last_at = drain(count, meter)
        rows -= rows_before
    else:
        time.sleep(1)  # requests still in flight when wrk stopped finish on the server
    cpu = meter.stop()
    result = parse_wrk(output)
    done = max(rows if count else result["requests"] - result["failed"], 1)
    result["server_cpu_ms"] = cpu["server"] * 1000 / done
    result["postgres_cpu_ms"] = cpu["postgres"] * 1000 / done
    if "wal_bytes" in cpu:
        result["wal_kb"] = cpu["wal_bytes"] / 1024 / done
        result["wal_fpi"] = cpu["wal_fpi"] / done
    if count:
        result["rows_per_second"] = rows / max(last_at - started, result["seconds"])
    result["connections_per_process"] = split
    result["output"] = output
    result["warmup_failures"] = failures
    return result
