"""A programme (``/dashboard/programme/{code}``): the milestone timeline (baseline against
forecast, with the dependencies between milestones), the milestone trend analysis (each
point a link to the decision that set it), the budget burn of the year, and capacity
against demand per resource and month as a heatmap, its projects with their RAG status
and budget — at the page's (as_of, known_at).

The figures are those of ``/state?scope=programme:P`` and ``/kpis/milestone-trend``,
``/kpis/burn?level=programme``, ``/kpis/capacity``, ``/kpis/rag`` and ``/kpis/budget`` for the same
scope and dates, computed by the same functions on the same view.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.dashboard import charts
from api.dashboard.auth import Viewer
from api.dashboard.figures import figures
from api.dashboard.web import (
    PREFIX,
    AsOfText,
    KnownAtText,
    Moment,
    link,
    moment_of,
    records,
    render,
)
from api.deps import ServicesDep
from api.perimeters import guard_scope
from domain.model import Programme
from domain.values import CODE_PATTERN
from projections.state import Scope

router = APIRouter(include_in_schema=False)
SECTIONS = ["programmes", "projects", "milestones", "dependencies"]


@router.get(f"{PREFIX}/programme/{{code}}", response_class=HTMLResponse)
def programme_page(
    request: Request,
    session: Viewer,
    services: ServicesDep,
    code: Annotated[str, Path(pattern=CODE_PATTERN)],
    as_of: AsOfText = None,
    known_at: KnownAtText = None,
) -> Response:
    """One programme: timeline, trend, burn and capacity."""
    at = moment_of(as_of, known_at)
    services.ledger.load(Programme, code)  # an unknown programme: 404
    scope = Scope("programme", code.upper())
    guard_scope(session.principal, services, scope)
    view = services.view
    figs = figures(request, services)
    state = view.state(at.as_of, at.known_at, scope, SECTIONS)
    milestones = _dated(records(state["milestones"]), ("baseline", "forecast", "reached_on"))
    milestones.sort(key=lambda m: (m["project"], m["baseline"], m["milestone"]))
    drawn = {f"{m['project']}/{m['milestone']}".upper() for m in milestones}
    dependencies = records(state["dependencies"])
    trend = _dated(
        records(figs.kpi("milestone-trend", at, scope)),
        ("report_date", "forecast", "baseline"),
    )
    burn = records(figs.kpi("burn", at, scope, level="programme"))
    capacity = records(figs.kpi("capacity", at, scope))
    budget = records(figs.kpi("budget", at, scope))
    rag = {r["project"]: r for r in records(figs.kpi("rag", at, scope))}
    named = state["programmes"]
    name = str(named["name"].iloc[0]) if not named.empty else code.upper()
    programme = code.upper()
    return render(
        request,
        "programme.html",
        session,
        at,
        programme=programme,
        name=name,
        projects=records(state["projects"]),
        milestones=milestones,
        timeline=charts.timeline(
            milestones,
            _milestone_links(dependencies, drawn),
            at.as_of,
            f"Milestones of {programme}: baseline against forecast",
        ),
        other_dependencies=[d for d in dependencies if not _drawn(d, drawn)],
        trend=charts.trend(
            trend,
            lambda p: _decision_link(p, programme, at),
            f"Milestone trend analysis of {programme}",
        ),
        trend_points=trend,
        burn=charts.burn(burn, f"Budget burn of {programme}, {at.as_of.year}"),
        burn_rows=burn,
        heatmap=charts.heatmap(capacity, f"Capacity against demand of {programme}'s people"),
        budget=[{**b, "rag": rag.get(b["project"])} for b in budget],
    )


def _dated(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Timestamps of ``columns`` as dates (None when missing)."""
    for row in rows:
        for column in columns:
            value = row.get(column)
            row[column] = value.date() if isinstance(value, pd.Timestamp) else None
    return rows


def _drawn(dependency: dict[str, Any], drawn: set[str]) -> bool:
    """Whether the timeline draws a dependency: both ends are milestones on it (the
    others, on platforms, components, items or another programme, are listed)."""
    return bool(
        dependency["dependent_kind"] == "milestone"
        and dependency["prerequisite_kind"] == "milestone"
        and str(dependency["dependent"]).upper() in drawn
        and str(dependency["prerequisite"]).upper() in drawn
    )


def _milestone_links(dependencies: list[dict[str, Any]], drawn: set[str]) -> list[tuple[str, str]]:
    """(prerequisite, dependent) milestones of the timeline, as PROJECT/MILESTONE."""
    return [(str(d["prerequisite"]), str(d["dependent"])) for d in dependencies if _drawn(d, drawn)]


def _decision_link(point: dict[str, Any], programme: str, at: Moment) -> str:
    """The decisions page showing what was recorded at the point's instant, in the
    programme: the decision that moved the milestone, with everything it changed."""
    recorded = point["recorded_at"]
    instant = (
        recorded.astimezone(UTC).isoformat() if isinstance(recorded, pd.Timestamp) else recorded
    )
    target = link(
        f"{PREFIX}/decisions",
        at,
        programme=programme,
        recorded_from=instant,
        recorded_to=instant,
    )
    return f"{target}#event-{point['position']}"
