"""The KPIs a PMO reports, each a function of a state returning a DataFrame.

:data:`KPIS` lists them with the state sections they read and the parameters they take;
:func:`compute` reads those sections from a view at (as_of, known_at) for a scope and
runs one. KPIs that measure people (capacity, timesheets, staffing RAG) read their
resources within the scope but those resources' load across the whole portfolio.
Definitions and thresholds: docs/kpis.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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


Request = str | tuple[str, Mapping[str, Any]]
"""A KPI asked of :func:`compute_together`: its name, or its name and parameters."""


def compute(
    source: StateSource,
    name: str,
    as_of: date,
    known_at: datetime,
    scope: Scope | None = None,
    **parameters: Any,
) -> pd.DataFrame:
    """Run KPI ``name`` on the state at (as_of, known_at) for ``scope``."""
    kpi = _checked(name, parameters)
    scope = scope or Scope()
    state = source.state(as_of, known_at, scope, sections=kpi.sections)
    return kpi.function(_with_whole(source, state, kpi), **parameters)


def compute_together(
    source: StateSource,
    requests: Sequence[Request],
    as_of: date,
    known_at: datetime,
    scope: Scope | None = None,
) -> list[pd.DataFrame]:
    """The KPIs asked (a name, or a name and its parameters), in order, from one reading
    of the state: each section is read once for all of them (the whole-portfolio ones
    once for all the KPIs that read some), and what several of them derive from the
    same state is computed once (the project budget of the RAG and of the budget KPI at
    any level; the monthly load of resources, of the capacity KPI by any grouping).
    Each answer equals :func:`compute`'s for the same KPI and parameters."""
    asked = [(request, {}) if isinstance(request, str) else request for request in requests]
    kpis = [(_checked(name, parameters), parameters) for name, parameters in asked]
    scope = scope or Scope()
    portfolio = scope.kind == "portfolio"  # then one state holds everything
    wanted: dict[str, None] = {}  # ordered and without repeats
    whole: dict[str, None] = {}
    for kpi, _ in kpis:
        wanted.update(dict.fromkeys(kpi.sections))
        (wanted if portfolio else whole).update(dict.fromkeys(kpi.whole_sections))
    state = source.state(as_of, known_at, scope, sections=list(wanted))
    shared = state
    if whole:
        extra = source.state(as_of, known_at, Scope(), sections=list(whole))
        shared = PortfolioState(as_of, known_at, scope, {**state.sections, **extra.sections})

    def state_for(kpi: Kpi) -> PortfolioState:
        if not kpi.whole_sections or portfolio:
            return state
        if set(kpi.sections) & (set(whole) - set(kpi.whole_sections)):
            # another KPI reads across the portfolio a section this one reads scoped
            return _with_whole(source, state, kpi)
        return shared

    return [kpi.function(state_for(kpi), **parameters) for kpi, parameters in kpis]


def _checked(name: str, parameters: Mapping[str, Any]) -> Kpi:
    """KPI ``name``, which must take every one of ``parameters``."""
    kpi = find(name)
    unknown = sorted(set(parameters) - set(kpi.parameters))
    if unknown:
        takes = ", ".join(kpi.parameters) or "no parameter"
        raise InvalidInput(unknown[0], f"{name} takes {takes}")
    return kpi


def _with_whole(source: StateSource, state: PortfolioState, kpi: Kpi) -> PortfolioState:
    """``state`` with ``kpi``'s whole-portfolio sections read for the whole portfolio."""
    if not kpi.whole_sections:
        return state
    whole = state.scope if state.scope.kind == "portfolio" else Scope()
    extra = source.state(state.as_of, state.known_at, whole, sections=kpi.whole_sections)
    return PortfolioState(
        state.as_of, state.known_at, state.scope, {**state.sections, **extra.sections}
    )
