"""The hash chain's cost: verifying a large ledger, and recording with the chain kept.

    python bench/audit_verify.py [--events 1000000] [--database FILE] [--keep]
                                 [--skip-plain]

1. Record the demo portfolio at ``--events`` scale (``pmo demo --scale``) twice, in one
   process, on fresh SQLite files: with the ledger's recorder (links written with the
   events, append-only triggers) and with the library's plain recorder. The ratio of
   the two recording times is the write cost of the chain.
2. On the chained ledger: ``domain.integrity.verify`` (every event read, its link
   recomputed and compared with the stored one, a checkpoint checked), against a plain
   read of every event through the same pages (the baseline: what reading alone costs).

``--database FILE`` reuses an existing ledger for step 2 and skips step 1. Ratios are
what the machine's load cannot skew; the issue's target is an absolute one: verifying
1,000,000 events in 30 s or less on 2 cores.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import domain.persistence as persistence
from api.demo.simulation import run_demo, slices_for
from domain.integrity import checkpoint, public_hex, verify
from domain.ledger import Ledger


@contextmanager
def plain_recorder() -> Iterator[None]:
    """Stores resolved inside use the library's own SQLite recorder (no chain)."""
    original: Callable[[str], Any] = persistence._sqlite

    def without_chain(path: str) -> Any:
        store = original(path)
        store.env.pop("APPLICATION_RECORDER_TOPIC", None)
        return store

    persistence._sqlite = without_chain  # type: ignore[assignment]
    try:
        yield
    finally:
        persistence._sqlite = original  # type: ignore[assignment]


def record(file: Path, events: int) -> float:
    began = time.perf_counter()
    run_demo(str(file), today=date(2026, 11, 2), seed=42, slices=slices_for(events))
    return time.perf_counter() - began


def read_all(recorder: Any) -> int:
    count, start = 0, 1
    while True:
        page = recorder.select_notifications(start, 10_000)
        if not page:
            return count
        count += len(page)
        start = page[-1].id + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database", type=Path)
    parser.add_argument("--skip-plain", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pmo-audit-"))
    chained = args.database
    if chained is None:
        chained = folder / "chained.db"
        seconds = record(chained, args.events)
        print(f"recorded with the chain:     {seconds:8.1f} s")
        if not args.skip_plain:
            with plain_recorder():
                plain = record(folder / "plain.db", args.events)
            print(f"recorded without the chain:  {plain:8.1f} s   ratio {seconds / plain:.3f}")
    key = Ed25519PrivateKey.generate()
    with Ledger(str(chained)) as ledger:
        recorder: Any = ledger.recorder
        began = time.perf_counter()
        events = read_all(recorder)
        reading = time.perf_counter() - began
        point = checkpoint(recorder, key, ledger="bench", now=datetime.now(UTC))
        began = time.perf_counter()
        found = verify(recorder, [("bench", point)], public_key=public_hex(key))
        verifying = time.perf_counter() - began
    assert found.intact, found.problems
    print(f"events:                      {events:8,d}")
    print(f"read every event (baseline): {reading:8.1f} s")
    print(f"verify with a checkpoint:    {verifying:8.1f} s   ratio {verifying / reading:.2f}")


if __name__ == "__main__":
    main()
