"""The read models on a big ledger, each figure against a baseline measured in the same run.

    python bench/read_models.py --database big.db [--samples 60] [--rounds 2] [--seed 1]

Made for the SQLite file of ``pmo demo --scale 1000000``. The benchmark works on a copy
(SQLite's backup API), since it stores a snapshot and records commands. In one process:

1. **Decode** (the baseline): every event read through the library
   (``select_notifications``) and decoded (``mapper.to_domain_event``), nothing else.
   The elapsed time is kept at every page, so the cost of decoding the log up to any
   position is known: the replay baseline of step 4.
2. **Rebuild**: a view built from the first event (``PortfolioView.rebuild``, the bulk
   path), resident memory before and after. Steps 1 and 2 alternate ``--rounds`` times;
   throughputs are compared best against best.
3. **Snapshot**: the view stored beside the log, then restored by a new view (the
   restored view's digest must equal the rebuilt one's).
4. **state(as_of, known_at)** at random points: ``known_at`` uniform over the recorded
   span, ``as_of`` uniform over the effective span; a programme drawn among those in force
   at that point, then the whole portfolio. Each answer is compared with replaying the log
   up to ``known_at``: the library decode of those events (step 1's page times) plus
   their fold, one event at a time, into a fresh projector (a pass of its own, timed per
   page the same way) — what answering without read models would cost. The decode alone,
   a lower bound of any replay, is reported too. Ratios are per point.
5. **Catch-up after one command**: a risk raised through the ledger, then
   ``view.catch_up()`` timed, ``--commands`` times.

Results are printed and written to bench/results/read_models-<time>.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from domain import commands as c
from domain.ledger import Ledger
from domain.persistence import resolve_store
from projections.log_reader import LogReader
from projections.projector import Projector
from projections.state import Scope
from projections.view import PortfolioView

PAGE = 5000


def rss_mib() -> float:
    """The process's resident memory now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quantile(values: list[float], q: float) -> float:
    return float(np.quantile(np.array(values), q))


def decode_all(ledger: Ledger) -> dict[str, Any]:
    """Read and decode every event through the library; the time at each page end."""
    recorder, mapper = ledger.recorder, ledger.mapper
    positions, elapsed, stamps = [0], [0.0], []
    start, count = 1, 0
    began = time.perf_counter()
    while True:
        notifications = recorder.select_notifications(start, PAGE)
        if not notifications:
            break
        for notification in notifications:
            event = mapper.to_domain_event(notification)
            stamps.append(event.timestamp.timestamp())
        count += len(notifications)
        start = notifications[-1].id + 1
        positions.append(notifications[-1].id)
        elapsed.append(time.perf_counter() - began)
    return {
        "events": count,
        "seconds": elapsed[-1],
        "positions": np.array(positions, dtype=np.float64),
        "elapsed": np.array(elapsed),
        "stamps": np.array(stamps),
    }


def fold_all(ledger: Ledger) -> dict[str, Any]:
    """Fold every event into a fresh projector one at a time, as a replay without read
    models would (no bulk build); the time at each page end."""
    projector, reader = Projector(), LogReader(ledger)
    positions, elapsed = [0], [0.0]
    began = time.perf_counter()
    for rows in reader.pages(0):
        for position, topic, originator, state in rows:
            projector.apply(position, topic, originator, state)
        positions.append(rows[-1][0])
        elapsed.append(time.perf_counter() - began)
    return {
        "events": projector.position,
        "seconds": elapsed[-1],
        "positions": np.array(positions, dtype=np.float64),
        "elapsed": np.array(elapsed),
    }


def copy_store(source: str, workdir: Path) -> str:
    """A consistent copy of a SQLite ledger (the benchmark writes into it)."""
    target = workdir / "bench.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
        # Start from zero: no stored view to restore (the rebuild and memory figures are
        # about a view built here).
        dst.execute("DROP TABLE IF EXISTS pmo_view")
        dst.execute("DROP TABLE IF EXISTS pmo_view_part")
    return str(target)


def sample_points(
    decoded: dict[str, Any], rng: random.Random, samples: int
) -> list[tuple[date, datetime]]:
    stamps = decoded["stamps"]
    first, last = float(stamps.min()), float(stamps.max())
    points = []
    for _ in range(samples):
        known_at = datetime.fromtimestamp(rng.uniform(first, last), UTC)
        day_span = (date(2026, 12, 31) - date(2025, 1, 1)).days
        as_of = date(2025, 1, 1) + timedelta(days=rng.randrange(day_span + 1))
        points.append((as_of, known_at))
    return points


def measure_states(
    view: PortfolioView,
    decoded: dict[str, Any],
    folded: dict[str, Any],
    points: list[tuple[date, datetime]],
    seed: int,
) -> dict[str, Any]:
    rng = random.Random(seed)
    order = np.sort(decoded["stamps"])
    results: dict[str, list[float]] = {"programme": [], "portfolio": []}
    ratios: dict[str, list[float]] = {"programme": [], "portfolio": []}
    lower: dict[str, list[float]] = {"programme": [], "portfolio": []}
    replays: list[float] = []
    decodes: list[float] = []
    for as_of, known_at in points:
        position = int(np.searchsorted(order, known_at.timestamp(), side="right"))
        decode = float(np.interp(position, decoded["positions"], decoded["elapsed"]))
        replay = decode + float(np.interp(position, folded["positions"], folded["elapsed"]))
        replays.append(replay)
        decodes.append(decode)
        programmes = view.state(as_of, known_at, sections=["programmes"])["programmes"]
        scopes = {"portfolio": Scope()}
        if len(programmes):
            scopes["programme"] = Scope("programme", rng.choice(list(programmes["programme"])))
        for kind in ("programme", "portfolio"):
            if kind not in scopes:
                continue
            began = time.perf_counter()
            view.state(as_of, known_at, scopes[kind])
            took = time.perf_counter() - began
            results[kind].append(took)
            ratios[kind].append(replay / took)
            lower[kind].append(decode / took)
    summary: dict[str, Any] = {
        "points": len(points),
        "replay_median_s": statistics.median(replays),
        "decode_median_s": statistics.median(decodes),
    }
    for kind in ("programme", "portfolio"):
        times, kind_ratios = results[kind], ratios[kind]
        summary[kind] = {
            "samples": len(times),
            "p50_ms": quantile(times, 0.5) * 1000,
            "p95_ms": quantile(times, 0.95) * 1000,
            "max_ms": max(times) * 1000,
            "ratio_median": statistics.median(kind_ratios),
            "ratio_p5": quantile(kind_ratios, 0.05),
            "share_at_least_100x": sum(r >= 100 for r in kind_ratios) / len(kind_ratios),
            "decode_only_ratio_median": statistics.median(lower[kind]),
            "decode_only_ratio_p5": quantile(lower[kind], 0.05),
        }
    return summary


def measure_catch_up(
    view: PortfolioView, ledger: Ledger, commands: int, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    projects = list(view.state(sections=["projects"])["projects"]["project"])
    times = []
    for i in range(commands):
        ledger.execute(
            c.RaiseRisk(
                project=rng.choice(projects),
                title=f"Benchmark risk {i}",
                probability=rng.randint(1, 5),
                impact=rng.randint(1, 5),
                owner="bench",
            ),
            author="bench",
        )
        began = time.perf_counter()
        caught = view.catch_up()
        times.append(time.perf_counter() - began)
        assert caught.events >= 1, "the command's events must be caught up"
    return {
        "commands": commands,
        "p50_ms": quantile(times, 0.5) * 1000,
        "p95_ms": quantile(times, 0.95) * 1000,
        "max_ms": max(times) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=os.environ.get("PMO_DATABASE", "pmo-ledger.db"))
    parser.add_argument("--samples", type=int, default=60, help="random (as_of, known_at)")
    parser.add_argument("--rounds", type=int, default=2, help="decode/rebuild alternations")
    parser.add_argument("--commands", type=int, default=100, help="catch-ups after a command")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    store = resolve_store(args.database)
    if store.is_postgres:
        raise SystemExit("the read-model benchmark runs on a SQLite copy: give a SQLite file")
    if not Path(store.display).is_file():
        raise SystemExit(f"no ledger at {store.display}: run `pmo demo --scale 1000000` first")
    report: dict[str, Any] = {"database": store.display, "started": datetime.now(UTC).isoformat()}
    with tempfile.TemporaryDirectory(prefix="pmo-bench-", dir=Path(store.display).parent) as tmp:
        began = time.perf_counter()
        database = copy_store(store.display, Path(tmp))
        print(f"copied the ledger in {time.perf_counter() - began:.1f} s")
        ledger = Ledger(database)
        baseline = rss_mib()
        view = PortfolioView(ledger, save_every=10**12)  # saved explicitly below

        decodes, rebuilds = [], []
        decoded: dict[str, Any] = {}
        for round_ in range(args.rounds):
            gc.collect()
            decoded = decode_all(ledger)
            decodes.append(decoded["events"] / decoded["seconds"])
            del decoded["stamps"]  # keep the memory figures about the view
            gc.collect()
            before = rss_mib()
            caught = view.rebuild()
            gc.collect()
            after = rss_mib()
            rebuilds.append(caught.events / caught.seconds)
            if round_ == 0:  # later rounds replace a view already resident
                report["view_rss_mib"] = after - before
            print(
                f"round {round_ + 1}: library decode {decodes[-1]:,.0f} ev/s,"
                f" rebuild {rebuilds[-1]:,.0f} ev/s ({caught.events:,} events,"
                f" {caught.seconds:.1f} s), RSS {after - before:+,.0f} MiB"
            )
        report["decode_events_per_s"] = decodes
        report["rebuild_events_per_s"] = rebuilds
        report["rebuild_vs_decode"] = max(rebuilds) / max(decodes)
        report["events"] = view.position
        report["process_rss_mib"] = rss_mib()
        report["process_rss_before_view_mib"] = baseline

        began = time.perf_counter()
        view.save()
        report["snapshot_save_s"] = time.perf_counter() - began
        digest = view.digest()
        began = time.perf_counter()
        restored = PortfolioView(ledger)
        restored.catch_up()
        report["snapshot_restore_s"] = time.perf_counter() - began
        report["restored_digest_equal"] = restored.digest() == digest
        del restored
        gc.collect()

        decoded = decode_all(ledger)  # once more, for the replay baseline and the points
        folded = fold_all(ledger)
        report["replay_fold_events_per_s"] = folded["events"] / folded["seconds"]
        gc.collect()
        rng = random.Random(args.seed)
        report["state"] = measure_states(
            view, decoded, folded, sample_points(decoded, rng, args.samples), args.seed
        )
        report["catch_up"] = measure_catch_up(view, ledger, args.commands, args.seed)
        report["peak_rss_mib"] = peak_rss_mib()
        ledger.close()

    print_report(report)
    folder = Path(__file__).parent / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"read_models-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=1, default=str))
    print(f"written to {path}")


def print_report(report: dict[str, Any]) -> None:
    state, catch = report["state"], report["catch_up"]
    print(
        f"""
events                         {report["events"]:,}
rebuild / library decode       {report["rebuild_vs_decode"]:.2f}x  (best {max(report["rebuild_events_per_s"]):,.0f} vs {max(report["decode_events_per_s"]):,.0f} ev/s)
read models resident memory    {report["view_rss_mib"]:,.0f} MiB (process {report["process_rss_mib"]:,.0f} MiB, peak {report["peak_rss_mib"]:,.0f} MiB)
snapshot save / restore        {report["snapshot_save_s"]:.1f} s / {report["snapshot_restore_s"]:.1f} s (digest equal: {report["restored_digest_equal"]})
state, programme               p50 {state["programme"]["p50_ms"]:.1f} ms, p95 {state["programme"]["p95_ms"]:.1f} ms, max {state["programme"]["max_ms"]:.1f} ms
state, portfolio               p50 {state["portfolio"]["p50_ms"]:.1f} ms, p95 {state["portfolio"]["p95_ms"]:.1f} ms, max {state["portfolio"]["max_ms"]:.1f} ms
replay up to known_at           median {state["replay_median_s"]:.2f} s (library decode {state["decode_median_s"]:.2f} s, then the fold one event at a time; {report["replay_fold_events_per_s"]:,.0f} ev/s)
  vs programme state           median {state["programme"]["ratio_median"]:,.0f}x, 5th percentile {state["programme"]["ratio_p5"]:,.0f}x, {state["programme"]["share_at_least_100x"]:.0%} of points >= 100x
  vs portfolio state           median {state["portfolio"]["ratio_median"]:,.0f}x, 5th percentile {state["portfolio"]["ratio_p5"]:,.0f}x, {state["portfolio"]["share_at_least_100x"]:.0%} of points >= 100x
  decode alone vs state        programme median {state["programme"]["decode_only_ratio_median"]:,.0f}x, portfolio median {state["portfolio"]["decode_only_ratio_median"]:,.0f}x (lower bound)
catch-up after one command     p50 {catch["p50_ms"]:.2f} ms, p95 {catch["p95_ms"]:.2f} ms, max {catch["max_ms"]:.2f} ms ({catch["commands"]} commands)"""  # noqa: E501
    )


if __name__ == "__main__":
    main()
