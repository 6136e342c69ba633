"""Write throughput of the ledger against the eventsourcing library's own batched save.

    python bench/ledger_write.py [--events 100000] [--database sqlite|postgresql://…]
                                 [--demo-scale 1000000]

1. Capture a realistic stream of commands: run the demo simulation and keep every
   command with its author and the simulated time it was issued at.
2. In one process, on fresh stores, measure:
   (a) the ledger, batched: ``Ledger.batch`` (validation, decisions, events, saves of
       2,000 events);
   (b) the ledger, one command at a time: ``Ledger.execute`` (one transaction each);
   (c) the library alone: the very events (a) recorded, read back and saved again with
       ``Application.save`` in chunks of 2,000 — serialisation and insert, no domain.
   Ratios against (c) are what the machine's load cannot skew.
3. Optionally time ``pmo demo --scale N`` (simulation, recording and read-back).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from api.demo.simulation import EVENTS_PER_SLICE, run_demo
from domain.clock import SimulatedClock
from domain.commands import Command
from domain.errors import DomainError
from domain.ledger import Batch, Ledger
from domain.persistence import register_domain_transcodings, resolve_store
from projections.event_log import read_events
from projections.summary import summarise

CHUNK = 2000
TODAY = date(2026, 11, 23)


@dataclass(frozen=True)
class Issued:
    """A command as the demo issued it."""

    at: datetime
    command: Command
    author: str


def capture(events: int, workdir: Path) -> list[Issued]:
    """Run the demo and keep its commands (about ``events`` events' worth)."""
    issued: list[Issued] = []
    original = Batch.execute

    def spy(self: Batch, command: Command, *, author: str) -> str | None:
        issued.append(Issued(self._ledger.clock.now(), command, author))
        return original(self, command, author=author)

    Batch.execute = spy  # type: ignore[method-assign]
    try:
        slices = max(1, round(events / EVENTS_PER_SLICE))
        run_demo(str(workdir / "capture.db"), today=TODAY, slices=slices)
    finally:
        Batch.execute = original  # type: ignore[method-assign]
    return issued


def ids() -> Callable[[], str]:
    """The demo's decision codes, so replayed commands can refer to the same decisions."""
    import random

    source = random.Random(42 * 7919)
    return lambda: f"{source.getrandbits(32):08X}"


_SCHEMAS: list[tuple[str, str]] = []


def fresh_store(kind: str, workdir: Path) -> str:
    """A new empty store (a PostgreSQL schema is dropped when the benchmark ends)."""
    if kind == "sqlite":
        return str(workdir / f"{uuid.uuid4().hex[:8]}.db")
    server = kind.split("?")[0]
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    _SCHEMAS.append((server, schema))
    return f"{server}?schema={schema}"


def drop_schemas() -> None:
    """Remove the PostgreSQL schemas the benchmark created."""
    for server, schema in _SCHEMAS:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def replay(store: str, stream: list[Issued], *, batched: bool) -> tuple[int, float]:
    """Record the stream; return (events recorded, seconds)."""
    clock = SimulatedClock(stream[0].at)
    with Ledger(store, clock=clock, new_id=ids()) as ledger:
        started = time.perf_counter()
        if batched:
            with ledger.batch(size=CHUNK, max_cached=1_000_000) as batch:
                for item in stream:
                    clock.set(item.at)
                    with contextlib.suppress(DomainError):
                        batch.execute(item.command, author=item.author)
        else:
            for item in stream:
                clock.set(item.at)
                with contextlib.suppress(DomainError):
                    ledger.execute(item.command, author=item.author)
        elapsed = time.perf_counter() - started
        return ledger.recorder.max_notification_id() or 0, elapsed


class LibraryOnly(Application[uuid.UUID]):
    """The eventsourcing library with the domain's transcodings, and nothing else."""

    name = "Ledger"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)


def library_save(source: str, target: str) -> tuple[int, float]:
    """Save the events recorded in ``source`` again, with the library alone."""
    with Ledger(source) as ledger:
        events = [event for _, event in read_events(ledger)]
    env = dict(resolve_store(target).env, CREATE_TABLE="y")
    app = LibraryOnly(env=env)
    try:
        started = time.perf_counter()
        for first in range(0, len(events), CHUNK):
            app.save(*events[first : first + CHUNK])
        return len(events), time.perf_counter() - started
    finally:
        app.close()


def demo_at_scale(scale: int, workdir: Path) -> dict[str, Any]:
    """Time the demo at ``scale`` events: recording, then the read-back summary."""
    store = str(workdir / "scale.db")
    started = time.perf_counter()
    report = run_demo(store, today=TODAY, slices=max(1, round(scale / EVENTS_PER_SLICE)))
    recorded = time.perf_counter() - started
    with Ledger(store) as ledger:
        summarise(ledger, fiscal_year=TODAY.year)
    total = time.perf_counter() - started
    return {"events": report.events, "record_s": recorded, "total_s": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite", help="sqlite, or a postgresql:// URL")
    parser.add_argument("--demo-scale", type=int, default=0)
    parser.add_argument("--skip-one-at-a-time", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("PMO_BENCH_DIR")) as tmp:
        workdir = Path(tmp)
        stream = capture(args.events, workdir)
        print(f"captured {len(stream):,} commands from the demo")
        batched_store = fresh_store(args.database, workdir)
        events, batched_s = replay(batched_store, stream, batched=True)
        library_events, library_s = library_save(batched_store, fresh_store(args.database, workdir))
        rows = [
            ("(a) ledger, batched", events, batched_s),
            ("(c) library save of the same events", library_events, library_s),
        ]
        if not args.skip_one_at_a_time:
            single_store = fresh_store(args.database, workdir)
            single_events, single_s = replay(single_store, stream, batched=False)
            rows.insert(1, ("(b) ledger, one command at a time", single_events, single_s))
        baseline = library_events / library_s
        print(f"store: {args.database}; chunks of {CHUNK} events")
        for label, count, seconds in rows:
            rate = count / seconds
            print(f"{label:40} {count:>9,} events {seconds:8.1f} s {rate:>9,.0f} ev/s"
                  f"  {rate / baseline:5.2f}x library")  # fmt: skip
        if args.demo_scale:
            scale = demo_at_scale(args.demo_scale, workdir)
            print(
                f"pmo demo --scale {args.demo_scale:,}: {scale['events']:,} events recorded in"
                f" {scale['record_s']:.1f} s, {scale['total_s']:.1f} s with the read-back summary"
            )


if __name__ == "__main__":
    try:
        main()
    finally:
        drop_schemas()
