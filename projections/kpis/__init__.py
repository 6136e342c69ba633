"""The KPIs a PMO reports, each a function of a state returning a DataFrame.

:data:`KPIS` lists them with the state sections they read and the parameters they take;
:func:`compute` reads those sections from a view at (as_of, known_at) for a scope and
runs one. KPIs that measure people (capacity, timesheets, staffing RAG) read their
resources within the scope but those resources' load across the whole portfolio.
Definitions and thresholds: docs/kpis.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import pandas as pd

from domain.errors import InvalidInput
from projections.kpis import (
    backlog,
    budget,
    capacity,
    earned_value,
    milestones,
    rag,
    risks,
    timesheets,
)
from projections.state import PortfolioState, Scope


@dataclass(frozen=True)
class Kpi:
    """One KPI: what it computes, from which sections, with which parameters."""

    name: str
    summary: str
    function: Callable[..., pd.DataFrame]
    sections: tuple[str, ...]
    whole_sections: tuple[str, ...] = ()  # read for the whole portfolio whatever the scope
    parameters: tuple[str, ...] = ()


KPIS: dict[str, Kpi] = {
    kpi.name: kpi
    for kpi in (
        Kpi(
            "budget",
            "envelope, actuals, committed, forecast at completion, remaining, variance, capex/opex",
            budget.budget,
            budget.SECTIONS,
            parameters=("level", "fiscal_year"),
        ),
        Kpi(
            "burn",
            "monthly spend of the fiscal year: actuals, then the staffing plan, cumulated",
            budget.burn,
            budget.SECTIONS,
            parameters=("level", "fiscal_year"),
        ),
        Kpi(
            "earned-value",
            "PV, EV, AC, SPI, CPI, EAC, VAC at the status date",
            earned_value.earned_value,
            earned_value.SECTIONS,
            parameters=("level",),
        ),
        Kpi(
            "capacity",
            "capacity against demand per resource, skill or perimeter and month",
            capacity.capacity,
            capacity.SECTIONS,
            capacity.WHOLE_SECTIONS,
            parameters=("by", "months", "start"),
        ),
        Kpi(
            "milestones",
            "baseline against forecast and slip, per milestone or rolled up",
            milestones.milestones,
            milestones.SECTIONS,
            parameters=("level",),
        ),
        Kpi(
            "milestone-trend",
            "milestone trend analysis: report date to forecast, with the event and decision",
            milestones.milestone_trend,
            milestones.TREND_SECTIONS,
            parameters=("milestone",),
        ),
        Kpi(
            "timesheet-compliance",
            "expected against logged days per person and week, late and missing sheets",
            timesheets.timesheet_compliance,
            timesheets.SECTIONS,
            timesheets.WHOLE_SECTIONS,
            parameters=("weeks", "grace_hours", "by"),
        ),
        Kpi(
            "risk-exposure",
            "open risks and their exposure (probability x impact) by escalation level",
            risks.risk_exposure,
            risks.SECTIONS,
            parameters=("level", "critical"),
        ),
        Kpi(
            "backlog-maturity",
            "share of the effort due in the next weeks that is ready",
            backlog.backlog_maturity,
            backlog.SECTIONS,
            parameters=("level", "weeks"),
        ),
        Kpi(
            "rag",
            "red/amber/green per project on schedule, cost and staffing, with reasons",
            rag.rag,
            rag.SECTIONS,
            rag.WHOLE_SECTIONS,
        ),
    )
}


class StateSource(Protocol):
    """Anything that answers ``state`` like a :class:`~projections.view.PortfolioView`."""

    def state(
        self,
        as_of: date | None = ...,
        known_at: datetime | None = ...,
        scope: Scope | None = ...,
        sections: Any = ...,
    ) -> PortfolioState: ...


def find(name: str) -> Kpi:
    """The KPI called ``name``."""
    kpi = KPIS.get(name)
    if kpi is None:
        raise InvalidInput("kpi", f"no KPI {name!r}; there are {', '.join(KPIS)}")
    return kpi


def compute(
    source: StateSource,
    name: str,
    as_of: date,
    known_at: datetime,
    scope: Scope | None = None,
    **parameters: Any,
) -> pd.DataFrame:
    """Run KPI ``name`` on the state at (as_of, known_at) for ``scope``."""
    kpi = find(name)
    unknown = sorted(set(parameters) - set(kpi.parameters))
    if unknown:
        takes = ", ".join(kpi.parameters) or "no parameter"
        raise InvalidInput(unknown[0], f"{name} takes {takes}")
    scope = scope or Scope()
    state = source.state(as_of, known_at, scope, sections=kpi.sections)
    return kpi.function(_with_whole(source, state, kpi), **parameters)


def compute_together(
    source: StateSource,
    names: Sequence[str],
    as_of: date,
    known_at: datetime,
    scope: Scope | None = None,
) -> dict[str, pd.DataFrame]:
    """KPIs ``names``, each with its default parameters, from one reading of the state:
    each section is read once for all of them, and a figure several of them derive (the
    project budget, which the RAG and the budget KPI both compute) is computed once.
    Each answer equals :func:`compute`'s for the same KPI."""
    kpis = [find(name) for name in names]
    scope = scope or Scope()
    portfolio = scope.kind == "portfolio"
    wanted: dict[str, None] = {}  # ordered and without repeats
    for kpi in kpis:
        wanted.update(dict.fromkeys(kpi.sections))
        if portfolio:  # the whole portfolio is the scope: one state holds everything
            wanted.update(dict.fromkeys(kpi.whole_sections))
    state = source.state(as_of, known_at, scope, sections=list(wanted))
    # A KPI reading some sections across the whole portfolio gets a state of its own
    # when the scope is narrower (what it derives is then its own as well).
    return {
        kpi.name: kpi.function(state if portfolio else _with_whole(source, state, kpi))
        for kpi in kpis
    }


def _with_whole(source: StateSource, state: PortfolioState, kpi: Kpi) -> PortfolioState:
    """``state`` with ``kpi``'s whole-portfolio sections read for the whole portfolio."""
    if not kpi.whole_sections:
        return state
    whole = state.scope if state.scope.kind == "portfolio" else Scope()
    extra = source.state(state.as_of, state.known_at, whole, sections=kpi.whole_sections)
    return PortfolioState(
        state.as_of, state.known_at, state.scope, {**state.sections, **extra.sections}
    )
