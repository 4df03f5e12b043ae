"""The table ``compare_peers.py`` prints: each figure (a range when a phase ran more than
once), ours ÷ the best peer, then the CPU and write-ahead log each request cost."""

import statistics


def rows(concurrency: list[int], batches: list[int]) -> list[tuple[str, str, str, str]]:
    """(row label, our phase, the peers' phase it is compared with, unit)."""
    most = f"create c{max(concurrency)}"
    return [
        ("list 25, rating > 900, exact total", "list", "list", "req/s"),
        ("record API list, same (vs peers' list)", "record API list", "list", "req/s"),
        *(
            (f"single create, 6 fields, {n} conn", f"create c{n}", f"create c{n}", "req/s")
            for n in concurrency
        ),
        (f"rich create (vs peers' 6 fields, {max(concurrency)})", "rich create", most, "req/s"),
        *(
            (f"batch create, {n:,} a request", f"batch {n}", f"batch {n}", "records/s")
            for n in batches
        ),
    ]


def _figure(results: list[dict] | None, key: str) -> tuple[str, float | None]:
    """The cell (``a–b`` over rounds) and the median the ratio uses."""
    values = [result[key] for result in results or [] if result.get(key) is not None]
    if not values:
        return "", None
    low, high = min(values), max(values)
    text = f"{low:,.1f}" if low == high else f"{low:,.1f}–{high:,.1f}"
    return text, statistics.median(values)


def _table(title: str, header: list[str], lines: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, *lines]:
        cells = [
            row[0].ljust(widths[0]),
            *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)),
        ]
        print("  ".join(cells).rstrip())


def _pair(results: list[dict] | None, keys: tuple[str, str], shape: str) -> str:
    """Two medians of a system's runs in one cell (empty when it has no runs)."""
    first, second = (_figure(results, key)[1] for key in keys)
    return "" if first is None else shape.format(first, second)


def _ratio(ours: float | None, peers: list[float | None], lower_is_better=False) -> str:
    known = [value for value in peers if value]
    if ours is None or not known:
        return ""
    best = min(known) if lower_is_better else max(known)
    return f"{ours / best:.2f}×"


def print_report(results: dict, systems: list[str], args) -> None:
    """``results``: {phase: {system: [wrk results]}} from ``compare_peers.measure``."""
    peers = systems[1:]
    table = rows(args.concurrency, args.batches)
    phases = [phase for row in table for phase in row[1:3]]
    rates, latencies, cpu, wal = [], [], [], []
    for label, ours_phase, peer_phase, unit in table:
        if ours_phase not in results:
            continue
        ours, ours_median = _figure(results[ours_phase].get("ours"), "per_second")
        cells, medians = [], []
        for peer in peers:
            text, median = _figure(results.get(peer_phase, {}).get(peer), "per_second")
            cells.append(text or "none")
            medians.append(median)
        rates.append([f"{label} ({unit})", ours, *cells, _ratio(ours_median, medians)])
        lat = [_figure(results[ours_phase].get("ours"), key) for key in ("p50_ms", "p99_ms")]
        peer_lat = [
            [_figure(results.get(peer_phase, {}).get(peer), key) for key in ("p50_ms", "p99_ms")]
            for peer in peers
        ]
        latencies.append(
            [
                label,
                " / ".join(text for text, _ in lat),
                *(" / ".join(text for text, _ in pair) if pair[0][0] else "" for pair in peer_lat),
                _ratio(lat[1][1], [pair[1][1] for pair in peer_lat], lower_is_better=True),
            ]
        )
    for phase in dict.fromkeys(phases):
        by_system = results.get(phase, {})
        for lines, keys, shape in (
            (cpu, ("server_cpu_ms", "postgres_cpu_ms"), "{:.2f} + {:.2f}"),
            (wal, ("wal_kb", "wal_fpi"), "{:.1f} KB, {:.2f}"),
        ):
            row = [phase, *(_pair(by_system.get(system), keys, shape) for system in systems)]
            if any(row[1:]):
                lines.append(row)
    names = ["ours", *peers]
    _table("Rates", ["request", *names, "ours ÷ best peer"], rates)
    _table("Latency p50 / p99 (ms)", ["request", *names, "p99 ours ÷ best"], latencies)
    _table(
        "CPU ms per request, server + PostgreSQL (a batch's: per record)",
        ["phase", *names],
        cpu,
    )
    _table(
        "Write-ahead log per request, KB and full-page images (a batch's: per record)",
        ["phase", *names],
        wal,
    )
    splits = [
        f"{phase}: "
        + ", ".join(" + ".join(map(str, run["connections_per_process"])) for run in runs)
        for phase, by_system in results.items()
        if (runs := by_system.get("ours"))
        and any(run.get("connections_per_process") for run in runs)
    ]
    if splits:  # the benchmark's own idle connection is one of them
        print("\nOur workers' connections, halfway through each run: " + "; ".join(splits))
    print(
        f"\n{args.seconds:g} s a run after {args.warmup:g} s of warm-up; lists at "
        f"{max(args.concurrency)} connections, {args.list_rounds} round(s); batches at "
        f"{args.batch_connections} connections; ours: granian, {args.workers} workers."
    )
