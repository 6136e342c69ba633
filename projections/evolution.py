"""What changed between two instants: the fortnightly IT steering committee's view.

``evolution(ledger, view, start, end, programme)`` gathers, for the portfolio or one
programme, what was recorded after ``start`` and up to ``end``:

- the decisions taken, with what each moved (``projections.audit``);
- budgets moved (every budget event), milestones shifted, planned, reached or cancelled
  (with their reasons), risks raised, escalated, de-escalated or closed;
- headline KPI figures at both instants *as they were known then* (in force on the
  instant's date, known at the instant) and their deltas; a figure is flagged *corrected*
  when the ledger, as it is known now, gives another value for that instant (a
  back-dated fact recorded since).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from domain.errors import UnknownEntity
from domain.ledger import Ledger
from projections.audit import Step, history
from projections.event_log import EventFilter, EventRecord
from projections.kpis import Request, StateSource, compute_together
from projections.state import Scope
from projections.view import PortfolioView

# KPI: (parameters, how its rows reduce to headline figures)
HEADLINES: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "budget": ({"level": "portfolio"}, ("envelope", "actuals", "fac", "remaining", "variance")),
    "milestones": (
        {"level": "portfolio"},
        ("milestones", "reached", "open", "slipped", "overdue", "total_slip_days"),
    ),
    "risk-exposure": ({"level": "portfolio"}, ("open_risks", "exposure", "critical")),
}
RAG = ("green", "amber", "red")
# The KPIs the headline figures are read from: HEADLINES' in order, then the RAG.
HEADLINE_REQUESTS: list[Request] = [
    *((kpi, parameters) for kpi, (parameters, _) in HEADLINES.items()),
    "rag",
]
MILESTONE_KINDS = {"MilestonePlanned", "MilestoneShifted", "MilestoneReached", "MilestoneCancelled"}
RISK_KINDS = {"Raised", "Escalated", "Deescalated", "Closed"}


@dataclass(frozen=True)
class Figure:
    """A headline figure at both instants, and whether either was corrected since."""

    kpi: str
    measure: str
    start: float | None
    end: float | None
    corrected_start: bool
    corrected_end: bool

    @property
    def delta(self) -> float | None:
        """The change between the instants."""
        if self.start is None or self.end is None:
            return None
        return round(self.end - self.start, 2)

    def as_row(self) -> dict[str, Any]:
        """A flat row."""
        return {
            "kpi": self.kpi,
            "measure": self.measure,
            "start": self.start,
            "end": self.end,
            "delta": self.delta,
            "corrected": ", ".join(
                what
                for what, flag in (("start", self.corrected_start), ("end", self.corrected_end))
                if flag
            ),
        }


@dataclass(frozen=True)
class Evolution:
    """The committee's view between two instants."""

    start: datetime
    end: datetime
    scope: Scope
    decisions: tuple[Step, ...]
    budgets: tuple[EventRecord, ...]
    milestones: tuple[EventRecord, ...]
    risks: tuple[EventRecord, ...]
    figures: tuple[Figure, ...]


def evolution(
    ledger: Ledger,
    view: PortfolioView,
    start: datetime,
    end: datetime,
    programme: str | None = None,
    *,
    now: datetime,
) -> Evolution:
    """What changed after ``start`` up to ``end`` (see the module's docstring)."""
    if end <= start:
        raise ValueError("the end of the period must come after its start")
    scope = Scope("programme", programme) if programme else Scope()
    criteria = EventFilter(programme=programme, recorded_from=start, recorded_to=end)
    steps = [s for s in history(ledger, view, criteria) if s.events[0].recorded_at > start]
    events = [e for step in steps for e in step.events]
    return Evolution(
        start,
        end,
        scope,
        tuple(s for s in steps if s.decision is not None),
        tuple(e for e in events if e.area == "budget"),
        tuple(e for e in events if e.area == "milestone" and e.kind in MILESTONE_KINDS),
        tuple(e for e in events if e.area == "risk" and e.kind in RISK_KINDS),
        tuple(figures(view, scope, start, end, now)),
    )


def figures(
    view: PortfolioView, scope: Scope, start: datetime, end: datetime, now: datetime
) -> list[Figure]:
    """The headline figures at ``start`` and ``end`` as known then, flagged when the
    ledger as known ``now`` says otherwise for that instant."""
    then_start, then_end = _headlines(view, scope, start, start), _headlines(view, scope, end, end)
    now_start, now_end = _headlines(view, scope, start, now), _headlines(view, scope, end, now)
    found = []
    for key in then_start | then_end:
        kpi, measure = key
        found.append(
            Figure(
                kpi,
                measure,
                then_start.get(key),
                then_end.get(key),
                now_start.get(key) != then_start.get(key),
                now_end.get(key) != then_end.get(key),
            )
        )
    order = {key: i for i, key in enumerate(_order())}
    return sorted(found, key=lambda f: order.get((f.kpi, f.measure), len(order)))


def _order() -> list[tuple[str, str]]:
    keys = [(kpi, m) for kpi, (_, measures) in HEADLINES.items() for m in measures]
    return keys + [("rag", colour) for colour in RAG]


def _headlines(
    view: PortfolioView, scope: Scope, instant: datetime, known_at: datetime
) -> dict[tuple[str, str], float]:
    return headlines(view, scope, instant.date(), known_at)


def headlines(
    source: StateSource, scope: Scope, as_of: date, known_at: datetime
) -> dict[tuple[str, str], float]:
    """The headline figures (see the module's docstring) of a state source, its KPIs
    computed together (``projections.kpis.compute_together``)."""
    try:
        frames = compute_together(source, HEADLINE_REQUESTS, as_of, known_at, scope)
    except UnknownEntity:  # the programme did not exist yet
        frames = [pd.DataFrame() for _ in HEADLINE_REQUESTS]
    return headline_figures(frames)


def headline_figures(frames: Sequence[pd.DataFrame]) -> dict[tuple[str, str], float]:
    """The headline figures from the answers to ``HEADLINE_REQUESTS``, in its order."""
    found: dict[tuple[str, str], float] = {}
    for (kpi, (_, measures)), frame in zip(HEADLINES.items(), frames, strict=False):
        for measure in measures:
            total = frame[measure].sum() if measure in frame and not frame.empty else 0
            found[kpi, measure] = round(float(total), 2)
    rag = frames[len(HEADLINES)]
    for colour in RAG:
        count = int((rag["overall"].astype(str) == colour).sum()) if not rag.empty else 0
        found["rag", colour] = float(count)
    return found


def headline_order() -> list[tuple[str, str]]:
    """The headline figures in reading order."""
    return _order()
