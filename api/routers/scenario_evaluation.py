"""Evaluating a scenario with the same code as the plan of record: ``GET
/scenarios/{name}/state``, ``/kpis/{kpi}``, ``/compare``, and ``POST /plan``.

Each evaluation is read on the scenario's world (``projections.scenario.ScenarioView``:
the ledger as known at the branch, plus the hypotheses) and kept with the scenario —
who looked, when, at what — as `pmo scenario compare` and `plan` keep theirs; the
ledger of record records nothing. Readers (``auditor`` too) may read the state, KPIs and
comparison; ``pmo`` and ``manager`` may run the planner.
"""

# No `from __future__ import annotations`: the generated KPI routes' signatures are
# built from objects at run time.

import inspect
from datetime import date
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from api.deps import Planner, Reader, Services, ServicesDep
from api.errors import responses
from api.export import frame_rows
from api.perimeters import guard, guard_scope, refuse_limited
from api.planning import PlanRequest, rows_of, run_plan
from api.routers.kpis import CONTENT, answer, chosen_format, own_parameters
from api.routers.reading import AsOf, ScopeParam, scope_from
from api.routers.scenarios import READ_PROBLEMS, WRITE_PROBLEMS
from api.routers.state import Section
from api.scenario_report import comparison_document, comparison_markdown
from api.scenario_schemas import (
    NAME_PATTERN,
    ComparisonPublic,
    ScenarioName,
    ScenarioPlanCreate,
    ScenarioPlanPublic,
)
from api.schemas import StatePublic
from api.security import Principal
from api.writes import KEY_DOC, KEY_PATTERN, canonical, write
from domain.model import Programme
from domain.scenarios import Scenario
from projections.kpis import KPIS, Kpi, compute
from projections.scenario import ScenarioView, World, compare
from projections.state import SECTIONS

router = APIRouter(prefix="/scenarios/{name}", tags=["scenarios"])
IdempotencyKey = Annotated[str | None, Header(pattern=KEY_PATTERN, description=KEY_DOC)]
RECORD = "record"
MARKDOWN = "text/markdown"


def world_of(services: Services, name: str) -> tuple[Scenario, ScenarioView]:
    """The scenario and its world as read models."""
    scenario = services.scenarios.get(name)
    world, _ = services.scenarios.branch(scenario)
    return scenario, ScenarioView(services.view, world)


def _kept(services: Services, scenario: Scenario, principal: Principal, what: str,
          summary: dict[str, Any]) -> None:  # fmt: skip
    services.scenarios.record_evaluation(
        scenario.name, author=principal.name, what=what, summary=summary
    )


@router.get(
    "/state",
    response_model=StatePublic,
    responses=READ_PROBLEMS,
    summary="A scenario's portfolio at a date",
)
def scenario_state(
    principal: Reader,
    services: ServicesDep,
    name: ScenarioName,
    as_of: AsOf = None,
    scope: ScopeParam = "portfolio",
    section: Annotated[list[Section] | None, Query(description="only these sections")] = None,
) -> StatePublic:
    """What ``GET /state`` answers, on the scenario's world: the ledger as known at the
    branch, plus the hypotheses (``known_at`` is the last hypothesis's instant);
    ``as_of`` defaults to the branch's day."""
    chosen = scope_from(scope)
    guard_scope(principal, services, chosen)
    scenario, source = world_of(services, name)
    wanted = list(dict.fromkeys(section or SECTIONS))
    state = source.state(as_of, None, chosen, wanted)
    summary = {"as_of": state.as_of.isoformat(), "scope": str(chosen), "sections": wanted}
    _kept(services, scenario, principal, "state", summary)
    return StatePublic(
        scope=str(state.scope),
        as_of=state.as_of,
        known_at=state.known_at,
        sections={key: frame_rows(frame) for key, frame in state.sections.items()},
    )


def _kpi_route(kpi: Kpi) -> Any:
    def read_kpi(
        request: Request, principal: Reader, services: ServicesDep, **query: Any
    ) -> Response:
        name, as_of, scope = query.pop("name"), query.pop("as_of"), scope_from(query.pop("scope"))
        guard_scope(principal, services, scope)
        fmt = chosen_format(request, query.pop("format"))
        scenario, source = world_of(services, name)
        day = as_of or source.today
        parameters = {key: value for key, value in query.items() if value is not None}
        frame = compute(source, kpi.name, day, source.known_at, scope, **parameters)
        shown = {k: str(v) if isinstance(v, date) else v for k, v in parameters.items()}
        about = {
            "kpi": kpi.name,
            "scope": str(scope),
            "as_of": day.isoformat(),
            "known_at": source.known_at.isoformat(),
            "parameters": shown,
        }
        summary = {**about, "rows": len(frame)}
        _kept(services, scenario, principal, f"kpi {kpi.name}", summary)
        return answer(kpi, fmt, frame, about)

    keyword = inspect.Parameter.KEYWORD_ONLY
    read_kpi.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", keyword, annotation=Request),
            inspect.Parameter("principal", keyword, annotation=Reader),
            inspect.Parameter("services", keyword, annotation=ServicesDep),
            inspect.Parameter("name", keyword, annotation=ScenarioName),
            inspect.Parameter("as_of", keyword, default=None, annotation=AsOf),
            inspect.Parameter("scope", keyword, default="portfolio", annotation=ScopeParam),
            *own_parameters(kpi),
        ]
    )
    read_kpi.__name__ = f"scenario_kpi_{kpi.name.replace('-', '_')}"
    return read_kpi


for _kpi in KPIS.values():
    router.add_api_route(
        f"/kpis/{_kpi.name}",
        _kpi_route(_kpi),
        methods=["GET"],
        response_class=JSONResponse,
        responses={**CONTENT, **READ_PROBLEMS},
        summary=f"A scenario's KPI: {_kpi.summary}",
        description=f"What `GET /kpis/{_kpi.name}` answers, on the scenario's world.",
        operation_id=f"scenario_kpi_{_kpi.name.replace('-', '_')}",
    )

Other = Annotated[
    str,
    Query(
        alias="with",
        pattern=NAME_PATTERN,
        description="`record` (the plan of record) or another scenario's name",
        examples=[RECORD],
    ),
]


@router.get(
    "/compare",
    response_model=ComparisonPublic,
    responses={
        200: {"description": "The comparison, as JSON or Markdown", "content": {MARKDOWN: {}}},
        **responses(401, 403, 404, 422, 500, 503),
    },
    summary="A scenario beside the plan of record or another scenario",
)
def compare_scenario(
    request: Request,
    principal: Reader,
    services: ServicesDep,
    name: ScenarioName,
    other: Other = RECORD,
    as_of: AsOf = None,
    scope: ScopeParam = "portfolio",
    months: Annotated[int, Query(ge=1, le=36, description="months of capacity load")] = 3,
    format: Annotated[
        Literal["json", "markdown"] | None, Query(description="json or markdown (else Accept)")
    ] = None,
) -> Response:
    """The scenario (right) beside the plan of record or another scenario (left) on
    ``as_of`` (today): headline KPIs (budget, milestones, risks, RAG) with their deltas,
    the milestones whose forecast or status differ, the envelopes and forecasts at
    completion that differ, and the capacity load per skill and perimeter over
    ``months`` months; JSON, or the one-page Markdown summary (``format=markdown`` or
    ``Accept: text/markdown``)."""
    chosen = scope_from(scope)
    guard_scope(principal, services, chosen)
    scenario, source = world_of(services, name)
    right = World(scenario.name, source, source.known_at)
    if other.lower() == RECORD:
        view = services.view
        view.catch_up()
        left = World("plan of record", view, services.ledger.clock.now())
    else:
        them, their_source = world_of(services, other)
        left = World(them.name, their_source, their_source.known_at)
    found = compare(left, right, as_of or date.today(), chosen, months=months)
    summary = {"as_of": found.as_of.isoformat(), "scope": str(chosen), "kpis": found.figures}
    _kept(services, scenario, principal, f"compare with {left.name}", summary)
    wanted = format or ("markdown" if MARKDOWN in request.headers.get("accept", "") else "json")
    if wanted == "markdown":
        return Response(comparison_markdown(found), media_type=f"{MARKDOWN}; charset=utf-8")
    return JSONResponse(comparison_document(found))


@router.post(
    "/plan",
    response_model=ScenarioPlanPublic,
    responses={200: {"description": "The planner's run (not recorded)"}, **WRITE_PROBLEMS},
    summary="Run the planner on a scenario",
)
async def plan_scenario(
    request: Request,
    name: ScenarioName,
    body: ScenarioPlanCreate,
    principal: Planner,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """What ``POST /plans`` runs, on the scenario's world, from ``as_of`` (the branch's
    day) over ``horizon`` weeks: milestones before and after, staffing changes, cost
    against budget, the extra capacity that would hold each late milestone. Nothing is
    recorded in the ledger; the run is kept with the scenario. Runs in a worker thread
    (one of the process's planner slots); ``time_limit_s`` is capped by the server."""
    if body.programme is None:
        refuse_limited(principal, "planning the whole portfolio (give a programme)")
    elif principal.perimeters:
        guard(principal, services, Programme, body.programme)
    limit = max(0.5, min(body.time_limit_s, services.settings.max_plan_seconds))

    def run() -> Response:
        scenario, source = world_of(services, name)
        plan = PlanRequest(
            as_of=body.as_of or source.today,
            known_at=source.known_at,
            programme=body.programme,
            horizon=body.horizon,
            time_limit_s=limit,
            workers=body.workers,
            seed=body.seed,
        )
        found = run_plan(source, plan, known_at=source.known_at)
        summary = {"settings": plan.settings(), "levels": found.report["levels"]}
        _kept(services, scenario, principal, "plan", summary)
        document = ScenarioPlanPublic(
            scenario=scenario.name,
            report=found.report,
            staffing_changes=list(rows_of(found.changes)),
        )
        return JSONResponse(document.model_dump(mode="json"))

    def guarded() -> Response:
        return write(
            request,
            services,
            principal,
            key=idempotency_key,
            body=canonical(body.model_dump(mode="json")),
            if_match=None,
            run=run,
        )

    return await anyio.to_thread.run_sync(guarded, limiter=services.planning)
