"""A programme's history decision by decision: what each decision moved.

``history`` reads the events that touched a programme or its projects in recorded
order (``projections.event_log``) and groups them into *steps*: the events of one
decision (its ``Decision.Taken`` and its effects, recorded together), or one event
recorded without a decision (a timesheet, say). For each decision, the programme's
state is read just before its first event was recorded and just after its last, in
force on the decision's effective date (the latest of its events'), and compared:

- budgets: each envelope's current amount per nature;
- milestones: forecast, status and priority;
- staffing: days per resource and project (all the weeks the staffing covers);
- risks: probability, impact, escalation level and status;
- backlog: rank, maturity, milestone served, status and effort;
- the budget KPI per project and fiscal year (forecast at completion, remaining,
  variance), when envelopes or staffing moved (the KPI reads nothing else that a
  decision changes).

The comparison uses the bitemporal read models, so it says what the decision changed as
the ledger knew it then, later corrections apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from domain.errors import UnknownEntity
from domain.ledger import Ledger
from projections.event_log import EventFilter, EventRecord, read_log
from projections.kpis import compute
from projections.state import Scope
from projections.view import PortfolioView

# section: (key columns, compared columns)
COMPARED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "envelopes": (("envelope", "nature"), ("current",)),
    "milestones": (("project", "milestone"), ("forecast", "status", "priority")),
    "staffing": (("resource", "project"), ("days",)),
    "risks": (("risk",), ("probability", "impact", "level", "status")),
    "backlog": (("item",), ("rank", "maturity", "milestone", "status", "effort_days")),
}
KPI_COMPARED = (("project", "fiscal_year"), ("fac", "remaining", "variance"))
EPSILON = timedelta(microseconds=1)


@dataclass(frozen=True)
class Move:
    """One thing a decision changed: in a section (or the budget KPI), for a subject,
    a field's value before and after."""

    section: str
    subject: str
    field: str
    before: Any
    after: Any
    project: str | None = None

    def as_row(self) -> dict[str, Any]:
        """A flat row."""
        return {
            "section": self.section,
            "subject": self.subject,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }

    def __str__(self) -> str:
        return f"{self.section} {self.subject} {self.field}: {self.before} → {self.after}"


@dataclass(frozen=True)
class Step:
    """The events of one decision (or one event without a decision), and what moved."""

    decision: str | None
    events: tuple[EventRecord, ...]
    moves: tuple[Move, ...] = ()

    def summary(self) -> str:
        """What moved, in one line."""
        return "; ".join(str(move) for move in self.moves)


def history(ledger: Ledger, view: PortfolioView, criteria: EventFilter) -> Iterator[Step]:
    """The steps of the events ``criteria`` keeps (a programme's, see the module)."""
    for decision, events in _grouped(read_log(ledger, criteria)):
        if decision is None:
            yield Step(None, events)
        else:
            scope = Scope("programme", criteria.programme) if criteria.programme else None
            yield Step(decision, events, tuple(moves(view, scope or narrowest(events), events)))


def narrowest(events: tuple[EventRecord, ...]) -> Scope:
    """The programme every effect of a decision concerns, else the whole portfolio.

    ``moves`` keeps only what concerns the decision's own projects, so reading the one
    programme they belong to finds the same moves as reading the portfolio, at a
    fraction of the cost (the portfolio's evolution report compares hundreds of
    decisions). An effect outside any programme (a perimeter's reserve, a resource)
    keeps the portfolio."""
    effects = [e for e in events if e.area != "decision"]
    programmes = {code for e in effects for code in e.programmes}
    if len(programmes) == 1 and all(e.programmes for e in effects):
        return Scope("programme", programmes.pop())
    return Scope()


def _grouped(
    records: Iterable[EventRecord],
) -> Iterator[tuple[str | None, tuple[EventRecord, ...]]]:
    current: list[EventRecord] = []
    for record in records:
        if current and (record.decision is None or record.decision != current[0].decision):
            yield current[0].decision, tuple(current)
            current = []
        current.append(record)
        if record.decision is None:
            yield None, tuple(current)
            current = []
    if current:
        yield current[0].decision, tuple(current)


def moves(view: PortfolioView, scope: Scope, events: tuple[EventRecord, ...]) -> list[Move]:
    """What the events of one decision changed (see the module's docstring)."""
    as_of = max(e.effective_date for e in events)
    before_at = min(e.recorded_at for e in events) - EPSILON
    after_at = max(e.recorded_at for e in events)
    after = _state(view, as_of, after_at, scope)
    if after is None:  # the programme is not in force on that date, its projects may be
        scope = Scope()
        after = _state(view, as_of, after_at, scope) or _nothing()
    before = _state(view, as_of, before_at, scope) or _nothing()
    found: list[Move] = []
    for name, (keys, fields) in COMPARED.items():
        old, new = before[name], after[name]
        if name == "staffing":
            old, new = _per_pair(old), _per_pair(new)
        found += _compare(name, old, new, keys, fields)
    if any(m.section in ("envelopes", "staffing") for m in found):
        old_kpi = _kpi(view, as_of, before_at, scope)
        new_kpi = _kpi(view, as_of, after_at, scope)
        found += _compare("budget KPI", old_kpi, new_kpi, *KPI_COMPARED)
    # Facts recorded at the same instant as the decision (a bulk load, a simulated
    # clock) show in the same comparison: keep what concerns the decision's projects.
    touched = {project for e in events for project in e.projects}
    return [m for m in found if m.project is None or m.project in touched]


def _state(
    view: PortfolioView, as_of: date, known_at: datetime, scope: Scope
) -> dict[str, pd.DataFrame] | None:
    """The compared sections; None when the scope's programme is not in force."""
    try:
        state = view.state(as_of, known_at, scope, list(COMPARED))
    except UnknownEntity:
        return None
    return {name: state[name] for name in COMPARED}


def _nothing() -> dict[str, pd.DataFrame]:
    """The compared sections before the programme existed."""
    return {name: pd.DataFrame() for name in COMPARED}


def _kpi(view: PortfolioView, as_of: date, known_at: datetime, scope: Scope) -> pd.DataFrame:
    try:
        return compute(view, "budget", as_of, known_at, scope, level="project")
    except UnknownEntity:
        return pd.DataFrame()


def _per_pair(staffing: pd.DataFrame) -> pd.DataFrame:
    if staffing.empty:
        return pd.DataFrame(columns=["resource", "project", "days"])
    summed = staffing.groupby(["resource", "project"], observed=True)["days"].sum()
    return summed.reset_index()


def _compare(
    section: str,
    old: pd.DataFrame,
    new: pd.DataFrame,
    keys: tuple[str, ...],
    fields: tuple[str, ...],
) -> list[Move]:
    before, after = _by_key(old, keys, fields), _by_key(new, keys, fields)
    found = []
    for key in sorted(set(before) | set(after), key=str):
        was, now = before.get(key, {}), after.get(key, {})
        project = was.get("project") or now.get("project")
        for field in fields:
            if was.get(field) != now.get(field):
                subject = "/".join(str(part) for part in key)
                found.append(Move(section, subject, field, was.get(field), now.get(field), project))
    return found


def _by_key(
    frame: pd.DataFrame, keys: tuple[str, ...], fields: tuple[str, ...]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    if frame.empty:
        return found
    columns = list(dict.fromkeys([*keys, *fields, *(["project"] if "project" in frame else [])]))
    for row in frame[columns].to_dict("records"):
        key = tuple(_plain(row[k]) for k in keys)
        found[key] = {f: _plain(row[f]) for f in columns if f not in keys or f == "project"}
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float):
        return round(value, 2)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value
