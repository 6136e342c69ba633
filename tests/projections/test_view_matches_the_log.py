"""The view's state equals a naive fold of the log, at any (as_of, known_at).

The oracle is the domain itself: every aggregate folds its own events with
``state(as_of, known_at)``. Random event sequences come from the demo simulation with
random seeds and end dates (late timesheets, corrections, back-dated arbitrations,
releases, re-estimates…); the dates are random too, and so is the point where the view
stops building in bulk (a rebuild) and goes on event by event (following the log).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.demo.simulation import run_demo
from domain.enums import Nature
from domain.ledger import Ledger
from domain.model import (
    BacklogItem,
    Envelope,
    OutsideDemand,
    Project,
    Resource,
    Risk,
    Timesheet,
)
from domain.timeline import LedgerAggregate
from projections.projector import Projector
from projections.state import Scope, portfolio_state


def _view(ledger: Ledger, split: float) -> Projector:
    """A view built in bulk up to ``split`` of the log, then event by event."""
    projector = Projector()
    notifications = ledger.recorder.select_notifications(start=1, limit=10**6)
    projector.start_bulk()
    for index, notification in enumerate(notifications):
        if index == int(split * len(notifications)):
            projector.finish_bulk()
        projector.apply(
            notification.id, notification.topic, notification.originator_id.hex, notification.state
        )
    projector.finish_bulk()
    return projector


def _aggregates(ledger: Ledger) -> dict[type, list[LedgerAggregate]]:
    found: dict[type, list[LedgerAggregate]] = defaultdict(list)
    ids = {n.originator_id for n in ledger.recorder.select_notifications(start=1, limit=10**6)}
    for aggregate_id in ids:
        aggregate = ledger.repository.get(aggregate_id)
        found[type(aggregate)].append(aggregate)
    return found


def _exists(aggregate: LedgerAggregate, as_of: date, known_at: datetime) -> bool:
    return any(e.effective_date <= as_of and e.timestamp <= known_at for e in aggregate.history[:1])


def _money(value: Decimal) -> float:
    return float(value)


def _expected(ledger: Ledger, as_of: date, known_at: datetime) -> dict[str, set[tuple[Any, ...]]]:
    expected: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    aggregates = _aggregates(ledger)
    for project in aggregates[Project]:
        if not _exists(project, as_of, known_at):
            continue
        state = project.state(as_of, known_at)
        expected["projects"].add((state.code, state.start, state.end, state.status.value))
        for m in state.milestones.values():
            expected["milestones"].add(
                (state.code, m.code.upper(), m.baseline, m.forecast, m.status.value, m.shifts)
            )
    codes = {p.id: p.code for p in aggregates[Project]}
    for envelope in aggregates[Envelope]:
        if not _exists(envelope, as_of, known_at):
            continue
        state = envelope.state(as_of, known_at)
        for nature in Nature:
            expected["envelopes"].add((state.code, nature.value, _money(state.balance(nature))))
    for resource in aggregates[Resource]:
        if not _exists(resource, as_of, known_at):
            continue
        state = resource.state(as_of, known_at)
        for project_id, plan in state.staffing.items():
            for week, days in plan.items():
                expected["staffing"].add((state.code, codes[project_id], week.monday, float(days)))
    resource_codes = {r.id: r.code for r in aggregates[Resource]}
    for sheet in aggregates[Timesheet]:
        if not _exists(sheet, as_of, known_at):
            continue
        state = sheet.state(as_of, known_at)
        assert state.resource_id is not None
        assert state.week is not None
        who = resource_codes[state.resource_id]
        expected["timesheets"].add((who, state.week.monday, state.status.value, state.corrections))
        for project_id, days in state.lines.by_project.items():
            if days:
                expected["actuals"].add((who, codes[project_id], state.week.monday, float(days)))
    for item in aggregates[BacklogItem]:
        if not _exists(item, as_of, known_at):
            continue
        state = item.state(as_of, known_at)
        effort = tuple(sorted((s.value, float(d)) for s, d in state.effort.by_skill.items() if d))
        expected["backlog"].add(
            (
                state.code,
                state.rank,
                state.maturity.value,
                state.milestone,
                state.status.value,
                effort,
            )
        )
    for demand in aggregates[OutsideDemand]:
        if _exists(demand, as_of, known_at):
            state = demand.state(as_of, known_at)
            expected["demands"].add((state.code, state.status.value))
    for risk in aggregates[Risk]:
        if _exists(risk, as_of, known_at):
            state = risk.state(as_of, known_at)
            expected["risks"].add(
                (state.code, state.probability, state.impact, state.level.value, state.status.value)
            )
    return expected


def _day(value: Any) -> date:
    return pd.Timestamp(value).date()


def _text(value: Any) -> str | None:
    """pandas 3 strings show a missing text as NaN."""
    return None if pd.isna(value) else str(value)


def _seen(view: Projector, as_of: date, known_at: datetime) -> dict[str, set[tuple[Any, ...]]]:
    state = portfolio_state(view, as_of, known_at, Scope())
    seen: dict[str, set[tuple[Any, ...]]] = {}
    seen["projects"] = {
        (r.project, _day(r.start), _day(r.end), r.status) for r in state["projects"].itertuples()
    }
    seen["milestones"] = {
        (r.project, r.milestone, _day(r.baseline), _day(r.forecast), r.status, r.shifts)
        for r in state["milestones"].itertuples()
    }
    seen["envelopes"] = {(r.envelope, r.nature, r.current) for r in state["envelopes"].itertuples()}
    seen["staffing"] = {
        (r.resource, r.project, _day(r.week), r.days) for r in state["staffing"].itertuples()
    }
    seen["timesheets"] = {
        (r.resource, _day(r.week), r.status, r.corrections)
        for r in state["timesheets"].itertuples()
    }
    seen["actuals"] = {
        (r.resource, r.project, _day(r.week), r.days) for r in state["actuals"].itertuples()
    }
    effort: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for r in state["backlog_effort"].itertuples():
        effort[r.item].append((r.skill, r.days))
    seen["backlog"] = {
        (
            r.item,
            r.rank,
            r.maturity,
            _text(r.milestone),
            r.status,
            tuple(sorted(effort[r.item])),
        )
        for r in state["backlog"].itertuples()
    }
    seen["demands"] = {(r.demand, r.status) for r in state["demands"].itertuples()}
    seen["risks"] = {
        (r.risk, r.probability, r.impact, r.level, r.status) for r in state["risks"].itertuples()
    }
    return seen


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    months=st.integers(3, 14),
    split=st.floats(0, 1),
    points=st.lists(st.tuples(st.integers(-30, 330), st.integers(0, 330)), min_size=3, max_size=6),
)
def test_the_view_equals_the_fold_of_the_log_at_random_dates(
    tmp_path_factory: Any, seed: int, months: int, split: float, points: list[tuple[int, int]]
) -> None:
    folder: Path = tmp_path_factory.mktemp("view")
    today = date(2025, 1, 1) + timedelta(days=30 * months)
    run_demo(str(folder / "ledger.db"), today=today, seed=seed)
    with Ledger(str(folder / "ledger.db")) as ledger:
        view = _view(ledger, split)
        for as_of_offset, known_offset in points:
            as_of = date(2025, 1, 1) + timedelta(days=as_of_offset)
            known_at = datetime(2025, 1, 2, 12, tzinfo=UTC) + timedelta(days=known_offset)
            expected, seen = _expected(ledger, as_of, known_at), _seen(view, as_of, known_at)
            for section, rows in expected.items():
                assert seen[section] == rows, f"{section} differs at {as_of} as known at {known_at}"
