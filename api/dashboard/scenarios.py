"""A scenario beside the plan of record (``/dashboard/scenarios/{name}``): the headline
figures of both worlds side by side with their difference, the milestones whose forecast
or status differ and the projects whose envelope or forecast at completion differ, on
the page's ``as_of`` — what ``pmo scenario compare`` prints, from the same function
(``projections.scenario.compare``). Reading a comparison records nothing. A portfolio of
more than ``LISTED_PROJECTS`` projects is compared on one programme (by default the one
the first hypothesis touches): the whole of a large one takes seconds.

A scenario's read models are a fork of the plan of record's (``Projector.fork``: its own
events over the plan of record's tables, tens of milliseconds at a million events); the
last one built is kept for the next page, keyed by the scenario and its version, which
fix its world whatever the ledger records later.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.dashboard.auth import Viewer
from api.dashboard.figures import figures
from api.dashboard.overview import LISTED_PROJECTS
from api.dashboard.web import (
    PREFIX,
    AsOfText,
    KnownAtText,
    OptionalCode,
    kept,
    link,
    moment_of,
    render,
)
from api.deps import Services, ServicesDep
from api.perimeters import guard_scenario, guard_scope
from domain.model import Programme
from domain.scenarios import ScenarioBook
from projections.scenario import Comparison, ScenarioView, World, compare
from projections.state import Scope

router = APIRouter(include_in_schema=False)
_building = threading.Lock()


def scenario_book(request: Request, services: Services) -> ScenarioBook:
    """The process's book of scenarios (opened on first use)."""
    return kept(request, "dashboard_book", services, lambda: ScenarioBook(services.ledger))


@router.get(f"{PREFIX}/scenarios/{{name}}", response_class=HTMLResponse)
def scenario_page(
    request: Request,
    session: Viewer,
    services: ServicesDep,
    name: Annotated[str, Path(min_length=1, max_length=120)],
    as_of: AsOfText = None,
    known_at: KnownAtText = None,
    programme: OptionalCode = None,
) -> Response:
    """The scenario against the plan of record."""
    at = moment_of(as_of, known_at)
    book = scenario_book(request, services)
    scenario = book.get(name)
    guard_scenario(session.principal, services, scenario)  # as GET /scenarios/{name}
    programme = (programme or "").upper() or _default_programme(services, scenario, at.as_of)
    scope = Scope("programme", programme) if programme else Scope()
    if programme:
        services.ledger.load(Programme, programme)
    guard_scope(session.principal, services, scope)

    def comparison() -> Comparison:
        source = _world_of(request, book, services, scenario)
        return compare(
            World("plan of record", services.view, at.known_at),
            World(scenario.name, source, source.known_at),
            at.as_of,
            scope,
        )

    what = ("scenario", scenario.id, scenario.version, scope)
    found = figures(request, services).remember(what, at, comparison)
    return render(
        request,
        "scenario.html",
        session,
        at,
        keep={"programme": programme},
        programme=programme,
        scenario=scenario,
        hypotheses=list(scenario.hypotheses),
        found=found,
        back=link(f"{PREFIX}/plans", at),
    )


def _default_programme(services: Services, scenario: Any, as_of: date) -> str | None:
    """The whole portfolio when it is small; else the programme of the first project a
    hypothesis names (comparing a whole large portfolio takes seconds)."""
    projects = services.view.state(as_of, None, Scope(), ["projects"])["projects"]
    if len(projects) <= LISTED_PROJECTS:
        return None
    codes = projects["project"].astype(str)
    owner = dict(zip(codes, projects["programme"].astype(str), strict=True))
    for hypothesis in scenario.hypotheses:
        for field in ("project", "from_project", "to_project"):
            code = str(hypothesis.get("fields", {}).get(field, "")).upper()
            if code in owner:
                return owner[code]
    return None


def _world_of(
    request: Request, book: ScenarioBook, services: Services, scenario: Any
) -> ScenarioView:
    """The scenario's read models: the last ones built when the scenario is unchanged
    (one kept per process: a fork is cheap, but a branch the ledger has moved past is
    rebuilt from the log)."""
    key = (services, scenario.id, scenario.version)
    with _building:
        held: tuple[Any, ScenarioView] | None = getattr(request.app.state, "dashboard_world", None)
        if held is None or held[0] != key:
            request.app.state.dashboard_world = None
            world, _ = book.branch(scenario)
            held = request.app.state.dashboard_world = (key, ScenarioView(services.view, world))
    return held[1]
