"""A scenario's world as read models, and its comparison with another world.

``ScenarioView`` answers ``state`` (so the KPIs and the planner's wiring run on it with
the same code as on the plan of record) for a branch of the ledger: while the ledger has
recorded nothing since the branch, the main view's read models are forked
(``Projector.fork``, ``projections.overlay``: the branch's events are written to small
delta tables layered over the main view's, which are read in place and never changed;
tens of milliseconds at a million events, where the copy it replaces took about 1.4 s);
otherwise they are rebuilt up to the branch position (``projected_upto``). The branch's
own events are projected on them, and the state is asked as known at the last of them
(the branch records just after its branch instant, ``domain.branch.AfterBranch``). The
main view may catch up while a fork is read: the fork answers as before, and reads
under the main view's lock.

``compare`` sets two worlds side by side: the headline figures of
``projections.evolution`` (budget, milestones, risks, RAG), each milestone's forecast and
whether it holds its baseline, each project's envelope and forecast at completion, and
the capacity load per skill and per perimeter (the team that owns the capacity): the
capacity KPI's capacity and demand summed over ``months`` months from ``as_of``'s month,
their load, and the busiest month's load, on both sides.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pandas as pd

from domain.branch import AfterBranch, BranchLedger
from domain.ledger import Ledger
from projections.evolution import HEADLINE_REQUESTS, headline_figures, headline_order
from projections.kpis import Request, StateSource, compute_together
from projections.log_reader import LogReader
from projections.projector import Projector
from projections.state import SECTIONS, PortfolioState, Scope, portfolio_state
from projections.view import PortfolioView


def projected_upto(ledger: Ledger, position: int) -> Projector:
    """The read models of the log up to ``position``, built from its first event.

    The bitemporal tables take facts in the order they were recorded: a branch's events,
    recorded just after the branch instant, cannot be laid over read models that already
    hold facts recorded after it. A scenario whose branch the ledger has moved past is
    therefore read from a projection up to its position — a rebuild, whose cost grows
    with the ledger (rebase the scenario to evaluate it at the cost of a fork)."""
    projector = Projector()
    projector.start_bulk()
    try:
        for rows in LogReader(ledger).pages(0):
            for row in rows:
                if row[0] > position:
                    break
                projector.apply(*row)
            else:
                continue
            break
    finally:
        projector.finish_bulk()
    projector.position = position
    return projector


class ScenarioView:
    """The read models of a branch (see the module's docstring)."""

    def __init__(self, main: PortfolioView, world: BranchLedger) -> None:
        with main._lock:
            main.catch_up()
            forked = main.position == world.position
            if forked:  # the branch's events applied while the main view stands still
                self.projector = main.projector.fork()
                self._apply(world)
        if not forked:  # the ledger moved on since the branch: its read models as they were
            self.projector = projected_upto(main.ledger, world.position)
            self._apply(world)
        # A fork reads the main view's tables in place: one reader or writer at a time.
        self._reading = main._lock if forked else threading.RLock()
        clock = world.clock
        self.known_at = clock.last if isinstance(clock, AfterBranch) else clock.now()
        self.today = clock.today()

    def _apply(self, world: BranchLedger) -> None:
        """Project the branch's own events, after its position."""
        position = world.position
        for number, event in enumerate(world.branch_recorder.own_events(), start=1):
            aggregate = UUID(str(event.originator_id)).hex
            self.projector.apply(position + number, event.topic, aggregate, event.state)
        for table in self.projector.tables.values():
            table.prepare()

    def state(
        self,
        as_of: date | None = None,
        known_at: datetime | None = None,
        scope: Scope | None = None,
        sections: Iterable[str] = SECTIONS,
    ) -> PortfolioState:
        """The scenario's state in force on ``as_of``, as known after its hypotheses."""
        moment = self.known_at if known_at is None else min(known_at, self.known_at)
        with self._reading:
            return portfolio_state(self.projector, as_of or self.today, moment, scope, sections)


@dataclass(frozen=True)
class World:
    """One side of a comparison: a name, a state source and the instant it is read at."""

    name: str
    source: StateSource
    known_at: datetime


@dataclass(frozen=True)
class Comparison:
    """Two worlds side by side."""

    left: str
    right: str
    as_of: date
    scope: Scope
    figures: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    budgets: list[dict[str, Any]]
    capacity: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    months: int = 3


class _Remembered:
    """A state source that computes each section once per (as_of, known_at, scope): the
    figures of a comparison ask the whole portfolio's capacity, staffing and absences
    several times (two groupings of the capacity load, the RAG). Each answer holds its
    own shallow copies of the frames (copy-on-write: a figure changing its frame leaves
    the others' alone)."""

    def __init__(self, source: StateSource) -> None:
        self.source = source
        self._heads: dict[tuple[Any, ...], PortfolioState] = {}
        self._frames: dict[tuple[Any, ...], pd.DataFrame] = {}

    def state(
        self,
        as_of: date | None = None,
        known_at: datetime | None = None,
        scope: Scope | None = None,
        sections: Iterable[str] = SECTIONS,
    ) -> PortfolioState:
        """As the source's ``state``."""
        wanted = list(sections)
        question = (as_of, known_at, scope or Scope())
        missing = [name for name in wanted if (*question, name) not in self._frames]
        if missing or question not in self._heads:
            found = self.source.state(as_of, known_at, scope, missing)
            self._heads.setdefault(question, found)
            for name in missing:
                self._frames[(*question, name)] = found[name]
        head = self._heads[question]
        frames = {name: self._frames[(*question, name)].copy(deep=False) for name in wanted}
        return PortfolioState(head.as_of, head.known_at, head.scope, frames)


def compare(left: World, right: World, as_of: date, scope: Scope, *, months: int = 3) -> Comparison:
    """The two worlds on ``as_of`` (see the module's docstring)."""
    left = dataclasses.replace(left, source=_Remembered(left.source))
    right = dataclasses.replace(right, source=_Remembered(right.source))
    # Each world's KPIs computed together: what they derive alike is computed once.
    requests: list[Request] = [
        *HEADLINE_REQUESTS,
        ("budget", {"level": "project"}),
        *(("capacity", {"by": by, "months": months}) for by in LOAD_GROUPS),
    ]
    left_kpis = compute_together(left.source, requests, as_of, left.known_at, scope)
    right_kpis = compute_together(right.source, requests, as_of, right.known_at, scope)
    a = headline_figures(left_kpis)
    b = headline_figures(right_kpis)
    budgets = len(HEADLINE_REQUESTS)
    figures = [
        {
            "kpi": kpi,
            "measure": measure,
            left.name: a.get((kpi, measure)),
            right.name: b.get((kpi, measure)),
            "delta": round(b.get((kpi, measure), 0) - a.get((kpi, measure), 0), 2),
        }
        for kpi, measure in headline_order()
    ]
    return Comparison(
        left.name,
        right.name,
        as_of,
        scope,
        figures,
        _side_by_side(
            _section(left, "milestones", as_of, scope),
            _section(right, "milestones", as_of, scope),
            ("project", "milestone"),
            ("forecast", "status", "slip_days"),
            (left.name, right.name),
        ),
        _side_by_side(
            left_kpis[budgets],
            right_kpis[budgets],
            ("project", "fiscal_year"),
            ("envelope", "fac", "variance"),
            (left.name, right.name),
        ),
        _load_rows(left.name, right.name, left_kpis[budgets + 1 :], right_kpis[budgets + 1 :]),
        months,
    )


LOAD_GROUPS = ("skill", "perimeter")


def _load_rows(
    left_name: str,
    right_name: str,
    left: Sequence[pd.DataFrame],
    right: Sequence[pd.DataFrame],
) -> list[dict[str, Any]]:
    """Per skill and per perimeter (the capacity KPI of each side by each of
    ``LOAD_GROUPS``, in its order): capacity, demand and load over the months asked on
    both sides, the busiest month's load, and the changes."""
    rows = []
    for by, left_frame, right_frame in zip(LOAD_GROUPS, left, right, strict=True):
        a = _load(left_frame, by)
        b = _load(right_frame, by)
        for group in sorted(set(a) | set(b)):
            row: dict[str, Any] = {"by": by, "group": group}
            for name, side in ((left_name, a), (right_name, b)):
                found = side.get(group, _NO_LOAD)
                for measure, value in found.items():
                    row[f"{measure} ({name})"] = value
            before, after = a.get(group, _NO_LOAD), b.get(group, _NO_LOAD)
            row["demand_days (change)"] = round(after["demand_days"] - before["demand_days"], 2)
            row["load_pct (change)"] = _difference(after["load_pct"], before["load_pct"])
            rows.append(row)
    return rows


_NO_LOAD: dict[str, Any] = {
    "capacity_days": 0.0,
    "demand_days": 0.0,
    "load_pct": None,
    "peak_load_pct": None,
}


def _load(frame: pd.DataFrame, by: str) -> dict[str, dict[str, Any]]:
    """The capacity KPI's monthly rows summed per group over the months."""
    if frame.empty:
        return {}
    found = {}
    groups = frame[by].astype(object).where(frame[by].notna(), "(outside)").astype(str)
    for group, months in frame.groupby(groups):
        capacity = float(months["capacity_days"].sum())
        demand = float(months["demand_days"].sum())
        peak = months["load_pct"].max()
        found[str(group)] = {
            "capacity_days": round(capacity, 2),
            "demand_days": round(demand, 2),
            "load_pct": round(100.0 * demand / capacity, 1) if capacity > 0 else None,
            "peak_load_pct": None if pd.isna(peak) else round(float(peak), 1),
        }
    return found


def _difference(after: float | None, before: float | None) -> float | None:
    if after is None or before is None:
        return None
    return round(after - before, 1)


def _section(world: World, name: str, as_of: date, scope: Scope) -> pd.DataFrame:
    return world.source.state(as_of, world.known_at, scope, [name])[name]


def _side_by_side(
    left: pd.DataFrame,
    right: pd.DataFrame,
    keys: tuple[str, ...],
    fields: tuple[str, ...],
    names: tuple[str, str],
) -> list[dict[str, Any]]:
    """One row per key present on either side, each field on both sides, only the rows
    where something differs."""
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for name, frame in zip(names, (left, right), strict=True):
        if frame.empty:
            continue
        for record in frame.to_dict("records"):
            key = tuple(_plain(record[k]) for k in keys)
            row = rows.setdefault(key, dict(zip(keys, key, strict=True)))
            for field in fields:
                row[f"{field} ({name})"] = _plain(record.get(field))
    return [
        row
        for row in rows.values()
        if any(row.get(f"{f} ({names[0]})") != row.get(f"{f} ({names[1]})") for f in fields)
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float):
        return round(value, 2)
    if hasattr(value, "item"):
        return value.item()
    return value
