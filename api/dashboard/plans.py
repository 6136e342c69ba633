"""The planner's proposals (``/dashboard/plans``): the latest proposals and scenarios; a
proposal (milestones before and after, staffing changes by resource and week, cost
against budget) with accept and reject for the ``pmo`` role; running the planner for
``pmo`` and ``manager`` (recorded as a proposal, as ``POST /plans`` does).

A proposal's figures are its recorded report (``GET /plans/{code}``), as known at the
page's ``known_at`` (a proposal recorded later is not listed; answering it is offered
only on the live page); answering it runs
``api.planning.accept`` / ``reject``, the code behind ``POST /plans/{code}/accept``.
Forms carry the session's CSRF secret; a role that may not is refused with 403 whether
or not it was shown the button.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.dashboard.auth import Viewer, checked
from api.dashboard.scenarios import scenario_book
from api.dashboard.web import PREFIX, AsOfText, KnownAtText, Moment, link, moment_of, render
from api.deps import PLANNERS, RECORDERS, Services, ServicesDep
from api.errors import ProblemError
from api.perimeters import guard, refuse_limited
from api.planning import PlanRequest, propose
from api.planning import accept as accept_proposal
from api.planning import reject as reject_proposal
from api.routers.reading import moment
from domain.model import PlanProposal, Programme
from domain.values import CODE_PATTERN

router = APIRouter(include_in_schema=False)
LISTED = 20
Code = Annotated[str, Path(pattern=CODE_PATTERN)]


@router.get(f"{PREFIX}/plans", response_class=HTMLResponse)
def plans_page(
    request: Request,
    session: Viewer,
    services: ServicesDep,
    as_of: AsOfText = None,
    known_at: KnownAtText = None,
) -> Response:
    """The latest proposals, the scenarios, and the planner's form."""
    at = moment_of(as_of, known_at)
    log = services.log
    log.catch_up()
    latest = []
    if not session.principal.perimeters:  # a proposal names no perimeter (as /plans/{code})
        for code in reversed(log.proposals[-LISTED:]):
            state = as_known(services, code, at)
            if state.code:  # recorded by the page's known_at
                latest.append({"code": code, **summary(state)})
    return render(
        request,
        "plans.html",
        session,
        at,
        proposals=latest,
        # a limited token may not list scenarios (GET /scenarios answers it 403)
        scenarios=[] if session.principal.perimeters else scenario_book(request, services).names(),
        may_plan=session.principal.role in PLANNERS,
    )


def as_known(services: Services, code: str, at: Moment) -> Any:
    """A proposal as the page's ``known_at`` knew it (empty when not recorded yet)."""
    when = at.known_at if "known_at" in at.given else None
    return services.ledger.state_of(PlanProposal, code, known_at=when)


def summary(state: Any) -> dict[str, Any]:
    """What a list shows of a proposal: scope, dates, status, size, late milestones."""
    report = state.report.data
    late = sum(1 for m in report.get("milestones", []) if m.get("after_late_weeks"))
    return {
        "scope": state.scope,
        "as_of": state.as_of,
        "status": state.status.value,
        "solver": state.solver_status,
        "changes": len(state.changes.changes),
        "late": late,
        "milestones": len(report.get("milestones", [])),
    }


@router.post(f"{PREFIX}/plans")
async def run_planner(
    request: Request,
    session: Viewer,
    services: ServicesDep,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
    programme: Annotated[str | None, Form(max_length=40)] = None,
    horizon: Annotated[int, Form(ge=1, le=156)] = 26,
    time_limit_s: Annotated[float, Form(ge=0.5, le=3600)] = 10.0,
) -> Response:
    """Run the planner and show its proposal (recorded, as ``POST /plans`` records it)."""
    checked(session, csrf, *PLANNERS)
    scope = (programme or "").strip().upper() or None
    if scope is None:
        refuse_limited(session.principal, "planning the whole portfolio (give a programme)")
    else:
        services.ledger.load(Programme, scope)
        guard(session.principal, services, Programme, scope)
    day, _ = moment(None, None)
    plan = PlanRequest(
        as_of=day,
        programme=scope,
        horizon=horizon,
        time_limit_s=min(time_limit_s, services.settings.max_plan_seconds),
    )

    def run() -> str:
        return propose(services.view, plan, author=session.principal.name).code

    code = await anyio.to_thread.run_sync(run, limiter=services.planning)
    return RedirectResponse(f"{PREFIX}/plans/{code}", status_code=303)


@router.get(f"{PREFIX}/plans/{{code}}", response_class=HTMLResponse)
def proposal_page(
    request: Request,
    session: Viewer,
    services: ServicesDep,
    code: Code,
    as_of: AsOfText = None,
    known_at: KnownAtText = None,
) -> Response:
    """One proposal: milestones before and after, changes, cost; accept or reject."""
    at = moment_of(as_of, known_at)
    services.ledger.load(PlanProposal, code)  # an unknown proposal: 404
    refuse_limited(session.principal, f"plan proposal {code}")
    state = as_known(services, code, at)
    if not state.code:
        raise ProblemError(
            404, "unknown-entity", "Not found", f"plan proposal {code} was not recorded yet then"
        )
    report = state.report.data
    weeks, grid = changes_grid(state.changes.changes)
    return render(
        request,
        "proposal.html",
        session,
        at,
        code=state.code,
        proposal={**summary(state), "known_at": state.known_at, "settings": state.settings.data},
        report=report,
        weeks=weeks,
        grid=grid,
        total_cost=sum(c["cost_eur"] for c in report.get("costs", [])),
        total_overrun=sum(c["overrun_eur"] for c in report.get("costs", [])),
        open=state.status.value == "proposed" and "known_at" not in at.given,
        back=link(f"{PREFIX}/plans", at),
    )


def changes_grid(changes: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The changes as rows of (resource, project) and columns of weeks: the change of
    person-days each week (after minus before), with the total."""
    weeks = sorted({str(c.week) for c in changes})
    rows: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for c in changes:
        rows[(c.resource, c.project)][str(c.week)] = float(c.after - c.before)
    return weeks, [
        {"resource": r, "project": p, "cells": cells, "total": round(sum(cells.values()), 2)}
        for (r, p), cells in sorted(rows.items())
    ]


def _answer_route(action: str) -> Any:
    answer = accept_proposal if action == "accept" else reject_proposal

    def respond(
        session: Viewer,
        services: ServicesDep,
        code: Code,
        rationale: Annotated[str, Form(min_length=1, max_length=2000)],
        csrf: Annotated[str | None, Form(max_length=200)] = None,
    ) -> Response:
        checked(session, csrf, *RECORDERS)
        refuse_limited(session.principal, f"plan proposal {code}")
        answer(services.ledger, code, rationale, author=session.principal.name)
        return RedirectResponse(f"{PREFIX}/plans/{code}", status_code=303)

    respond.__name__ = f"{action}_proposal_page"
    respond.__doc__ = f"{action.title()} a proposal from the dashboard (pmo only)."
    return respond


for _action in ("accept", "reject"):
    router.add_api_route(
        f"{PREFIX}/plans/{{code}}/{_action}", _answer_route(_action), methods=["POST"]
    )
