"""What a what-if scenario costs on a large ledger (issue 6, scope item 4).

    python bench/scenario.py --database BIG.db [--programme CODE] [--hypotheses 10]

On a ledger made by ``pmo demo --scale 1000000 --database BIG.db`` (copied first: the
scenario book's tables are added to the copy, never to BIG.db): open the ledger and its
read models (restored from their stored snapshot, then caught up — what `pmo` does on
every command, and what a server does once), then, timed as one: create a scenario, add
``--hypotheses`` budget transfers between two projects of the programme, each checked by
the ledger's rules on the branch, and evaluate the programme on the scenario (its state,
and the budget and milestones KPIs). The target: 2 s on the million-event demo. The same
run also times the plan of record's state and KPIs for the programme, the baseline.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from domain.ledger import Ledger
from domain.scenarios import ScenarioBook
from projections.kpis import compute
from projections.scenario import ScenarioView
from projections.state import Scope
from projections.view import PortfolioView


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--programme", default=None)
    parser.add_argument("--hypotheses", type=int, default=10)
    args = parser.parse_args()
    copy = Path(tempfile.mkdtemp(prefix="pmo-scenario-")) / "ledger.db"
    shutil.copy(args.database, copy)
    began = time.perf_counter()
    with Ledger(str(copy)) as ledger:
        view = PortfolioView(ledger)
        caught = view.catch_up()
        opened = time.perf_counter() - began
        projects = view.state(None, None, Scope(), ["projects"])["projects"]
        active = projects[projects["status"].astype(str) == "active"]
        programme = args.programme or str(active["programme"].astype(str).mode()[0])
        pair = list(active[active["programme"].astype(str) == programme]["project"].astype(str))
        year = date.today().year
        scope = Scope("programme", programme)

        began = time.perf_counter()
        baseline_state = view.state(None, None, scope)
        for kpi in ("budget", "milestones"):
            compute(view, kpi, date.today(), ledger.clock.now(), scope, level="project")
        baseline = time.perf_counter() - began

        book = ScenarioBook(ledger)
        began = time.perf_counter()
        book.create("bench", author="bench")
        for number in range(args.hypotheses):
            source, target = pair[number % 2], pair[(number + 1) % 2]
            fields = {"fiscal_year": str(year), "nature": "capex", "amount": "100",
                      "from_project": source, "to_project": target,
                      "rationale": f"hypothesis {number}"}  # fmt: skip
            book.add("bench", {"area": "budget", "action": "transfer", "fields": fields},
                     author="bench")  # fmt: skip
        added = time.perf_counter() - began
        world, _ = book.branch(book.get("bench"))
        scenario = ScenarioView(view, world)
        state = scenario.state(None, None, scope)
        for kpi in ("budget", "milestones"):
            compute(scenario, kpi, scenario.today, scenario.known_at, scope, level="project")
        total = time.perf_counter() - began
        book.close()
    print(f"ledger: {view.position:,} events; read models restored and caught up in {opened:.1f} s"
          f" ({caught.events:,} events applied)")  # fmt: skip
    print(
        f"programme {programme}: {len(pair)} active projects,"
        f" {len(baseline_state['milestones'])} milestones"
    )
    print(f"plan of record, state and two KPIs (baseline): {baseline:.2f} s")
    print(
        f"scenario: create and {args.hypotheses} hypotheses {added:.2f} s;"
        f" with the evaluation {total:.2f} s (ratio to the baseline {total / baseline:.1f});"
        f" {len(state['envelopes'])} envelopes in the scenario's state"
    )
    print(f"(the copy of the ledger is at {copy})")


if __name__ == "__main__":
    main()
