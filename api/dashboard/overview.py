"""The portfolio overview (``/``): perimeters → programmes → projects with their RAG
status and budget (envelope, actuals, forecast at completion), the milestones of the
next 90 days and the open risks by escalation level, at the page's (as_of, known_at).
A scope of more than ``LISTED_PROJECTS`` projects lists its programmes (with their
projects' colours counted and budgets summed); each programme's page lists its projects.

Every figure is the KPI the API serves for the same dates (``/kpis/rag``,
``/kpis/budget``, ``/kpis/milestones``, ``/kpis/risk-exposure``), computed by the same
functions on the same view; programme and perimeter budgets are sums of their projects'.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.dashboard import charts
from api.dashboard.auth import Viewer
from api.dashboard.figures import figures
from api.dashboard.web import (
    AsOfText,
    KnownAtText,
    OptionalCode,
    link,
    moment_of,
    records,
    render,
)
from api.deps import ServicesDep
from api.perimeters import guard_scope
from projections.state import Scope

router = APIRouter(include_in_schema=False)
HORIZON_DAYS = 90
LISTED_PROJECTS = 400  # beyond, the tree stops at programmes (each page lists its projects)
MONEY = ("envelope", "actuals", "committed", "fac")
RANK = {"red": 0, "amber": 1, "green": 2}


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    session: Viewer,
    services: ServicesDep,
    as_of: AsOfText = None,
    known_at: KnownAtText = None,
    perimeter: OptionalCode = None,
) -> Response:
    """The portfolio (or one perimeter) at a glance."""
    at = moment_of(as_of, known_at)
    limited_to = session.principal.perimeters
    if not perimeter and limited_to:  # may not read the whole portfolio: its own part
        return RedirectResponse(link("/", at, perimeter=limited_to[0]), status_code=303)
    scope = Scope("perimeter", perimeter.upper()) if perimeter else Scope()
    guard_scope(session.principal, services, scope)
    view = services.view
    figs = figures(request, services)
    projects = view.state(at.as_of, at.known_at, scope, ["projects", "perimeters"])
    found = figs.kpis(("rag", "budget", "milestones", "risk-exposure"), at, scope)
    rag, budget, milestones, risks = found.values()
    listed = len(projects["projects"]) <= LISTED_PROJECTS
    if not listed:  # only the colours are counted: the reasons are not shown
        rag = rag[["project", "overall"]]
    tree = portfolio_tree(
        records(projects["projects"][["perimeter", "programme", "project", "name", "status"]]),
        records(rag),
        records(budget[["project", *MONEY]]),
    )
    return render(
        request,
        "overview.html",
        session,
        at,
        scope=scope,
        keep={"perimeter": perimeter.upper() if perimeter else None},
        perimeter=perimeter.upper() if perimeter else None,
        perimeters=[str(p) for p in projects["perimeters"]["perimeter"]],
        tree=tree,
        listed=listed,
        listed_limit=LISTED_PROJECTS,
        totals=_sums([p["budget"] for p in tree]),
        bars=charts.budget_bars(
            [{"label": p["code"], **p["budget"]} for p in tree],
            "Budget by perimeter: envelope, forecast at completion, actuals",
        ),
        upcoming=upcoming(milestones, at.as_of),
        horizon=HORIZON_DAYS,
        risks=records(risks),
        fiscal_year=at.as_of.year,
    )


def upcoming(milestones: pd.DataFrame, as_of: Any) -> list[dict[str, Any]]:
    """Planned milestones whose forecast falls in the next 90 days, soonest first."""
    if milestones.empty:
        return []
    start = pd.Timestamp(as_of)
    end = start + timedelta(days=HORIZON_DAYS)
    soon = milestones[
        (milestones["status"].astype(str) == "planned")
        & (milestones["forecast"] >= start)
        & (milestones["forecast"] <= end)
    ]
    return records(soon.sort_values(["forecast", "project", "milestone"]))


def _sums(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(sum(r[k] for r in rows), 2) for k in MONEY}


def portfolio_tree(
    projects: list[dict[str, Any]], rag: list[dict[str, Any]], budget: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Perimeters holding programmes holding projects, each with its RAG and budget;
    a programme's and a perimeter's budget is the sum of its projects', its RAG counts
    its projects' overall colours."""
    colours = {r["project"]: r for r in rag}
    money = {b["project"]: {k: float(b[k]) for k in MONEY} for b in budget}
    nothing = dict.fromkeys(MONEY, 0.0)
    perimeters: dict[str, dict[str, Any]] = {}
    for p in projects:
        perimeter = perimeters.setdefault(
            p["perimeter"], {"code": p["perimeter"], "programmes": {}}
        )
        programme = perimeter["programmes"].setdefault(
            p["programme"], {"code": p["programme"], "projects": []}
        )
        programme["projects"].append(
            {**p, "rag": colours.get(p["project"]), "budget": money.get(p["project"], nothing)}
        )
    tree = []
    for perimeter in perimeters.values():
        programmes = list(perimeter["programmes"].values())
        for programme in programmes:
            programme["budget"] = _sums([q["budget"] for q in programme["projects"]])
            programme["counts"] = _counts(programme["projects"])
            programme["worst"] = _worst(programme["counts"])
        perimeter["programmes"] = programmes
        perimeter["budget"] = _sums([g["budget"] for g in programmes])
        perimeter["counts"] = {
            c: sum(g["counts"][c] for g in programmes) for c in ("red", "amber", "green")
        }
        tree.append(perimeter)
    return tree


def _counts(projects: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(("red", "amber", "green"), 0)
    for project in projects:
        if project["rag"] is not None:
            counts[str(project["rag"]["overall"])] += 1
    return counts


def _worst(counts: dict[str, int]) -> str | None:
    return next((c for c in RANK if counts[c]), None)
