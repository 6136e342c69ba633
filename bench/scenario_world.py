"""A scenario's read models: the fork against the copy it replaced, in one process.

    python bench/scenario_world.py --database BIG.db [--rounds 5] [--programme CODE]

On a copy of a ``pmo demo --scale 1000000`` ledger (the scenario book's tables are added
to the copy, never to BIG.db): open the ledger and its view (restored from its stored
snapshot, as a server does), make a scenario shifting one milestone of a programme by 4
weeks, then, ``--rounds`` times, alternating which goes first, build the scenario's read
models both ways — the copy (``Projector.restored(view.projector.snapshot())`` and the
branch's events applied, what ``ScenarioView`` did up to commit cb89383) and the fork
(``ScenarioView`` now) — and run on each the comparison of the scenario page
(``projections.scenario.compare`` on the programme). Both comparisons must be equal.
Reports each time, the medians and the ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.branch import AfterBranch, BranchLedger
from domain.ledger import Ledger
from domain.scenarios import ScenarioBook
from projections.projector import Projector
from projections.scenario import Comparison, ScenarioView, World, compare
from projections.state import SECTIONS, PortfolioState, Scope, portfolio_state
from projections.view import PortfolioView


class CopiedWorld:
    """A scenario's read models as a copy of the view's (the code this replaced)."""

    def __init__(self, view: PortfolioView, world: BranchLedger) -> None:
        with view._lock:
            self.projector = Projector.restored(view.projector.snapshot())
        for number, event in enumerate(world.branch_recorder.own_events(), start=1):
            aggregate = UUID(str(event.originator_id)).hex
            self.projector.apply(world.position + number, event.topic, aggregate, event.state)
        for table in self.projector.tables.values():
            table.prepare()
        assert isinstance(world.clock, AfterBranch)
        self.known_at, self.today = world.clock.last, world.clock.today()

    def state(
        self,
        as_of: date | None = None,
        known_at: datetime | None = None,
        scope: Scope | None = None,
        sections: Iterable[str] = SECTIONS,
    ) -> PortfolioState:
        """As ``ScenarioView.state``."""
        moment = self.known_at if known_at is None else min(known_at, self.known_at)
        return portfolio_state(self.projector, as_of or self.today, moment, scope, sections)


def main() -> None:
    """Copy the ledger, make the scenario, time both ways in turn, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--programme", default=None)
    args = parser.parse_args()
    copy = Path(tempfile.mkdtemp(prefix="pmo-scenario-world-")) / "ledger.db"
    shutil.copy(args.database, copy)
    with Ledger(str(copy)) as ledger:
        view = PortfolioView(ledger)
        view.catch_up()
        projects = view.state(None, None, Scope(), ["projects"])["projects"]
        active = projects[projects["status"].astype(str) == "active"]
        programme = args.programme or str(active["programme"].astype(str).mode()[0])
        scope = Scope("programme", programme)
        milestones = view.state(None, None, scope, ["milestones"])["milestones"]
        shifted = milestones[milestones["status"].astype(str) == "planned"].iloc[0]
        later = shifted["forecast"].date() + timedelta(days=28)
        book = ScenarioBook(ledger)
        book.create("bench world", author="bench")
        fields = {"project": str(shifted["project"]), "milestone": str(shifted["milestone"]),
                  "forecast": later.isoformat(), "rationale": "bench"}  # fmt: skip
        book.add("bench world", {"area": "milestone", "action": "shift", "fields": fields},
                 author="bench")  # fmt: skip
        scenario = book.get("bench world")
        times: dict[str, list[float]] = {f"{w} {p}": [] for w in ("copy", "fork") for p in "bc"}
        for number in range(args.rounds):
            found: dict[str, Comparison] = {}
            for way in ("copy", "fork") if number % 2 == 0 else ("fork", "copy"):
                world, _ = book.branch(scenario)
                began = time.perf_counter()
                source = CopiedWorld(view, world) if way == "copy" else ScenarioView(view, world)
                built = time.perf_counter() - began
                found[way] = compare(
                    World("plan of record", view, ledger.clock.now()),
                    World("bench world", source, source.known_at),
                    date.today(),
                    scope,
                )
                total = time.perf_counter() - began
                times[f"{way} b"].append(built)
                times[f"{way} c"].append(total)
                print(f"{way}: read models {built:.3f} s, with the comparison {total:.3f} s")
            assert found["copy"] == found["fork"], "the fork's comparison differs from the copy's"
        book.close()
    median = {name: statistics.median(found) for name, found in times.items()}
    print(f"ledger: {view.position:,} events; programme {programme}; {args.rounds} rounds")
    print(f"read models: copy {median['copy b']:.3f} s, fork {median['fork b']:.3f} s (medians),"
          f" ratio {median['copy b'] / median['fork b']:.0f}")  # fmt: skip
    print(f"with the comparison: copy {median['copy c']:.3f} s, fork {median['fork c']:.3f} s,"
          f" ratio {median['copy c'] / median['fork c']:.1f}")  # fmt: skip
    print(f"load average {os.getloadavg()}, {os.cpu_count()} cpus")
    print(f"(the copy of the ledger is at {copy})")


if __name__ == "__main__":
    main()
