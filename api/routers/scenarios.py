"""``/scenarios``: what-if branches of the ledger — create, list, show, promote, rebase,
abandon (hypotheses: ``scenario_hypotheses``; evaluation: ``scenario_evaluation``).

Roles: ``pmo`` and ``manager`` create scenarios and try hypotheses on them; only ``pmo``
promotes (promoting records decisions in the ledger); rebasing and abandoning are for
``pmo`` and for the scenario's author; ``auditor`` reads. The author of a scenario, of a
hypothesis and of an evaluation is the token's principal, never a body field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response

from api.deps import Planner, Reader, Recorder, ServicesDep
from api.errors import ProblemError, responses
from api.perimeters import guard_scenario, refuse_limited
from api.routers.reading import moment
from api.scenario_schemas import (
    ScenarioAnswer,
    ScenarioCreate,
    ScenarioName,
    ScenarioPublic,
    ScenarioSummary,
)
from api.security import Principal, Role
from api.writes import KEY_DOC, KEY_PATTERN, canonical, write
from domain.errors import InvalidInput, RebaseRefused
from domain.scenarios import Scenario, ScenarioBook
from domain.values import text

router = APIRouter(prefix="/scenarios", tags=["scenarios"])
IdempotencyKey = Annotated[str | None, Header(pattern=KEY_PATTERN, description=KEY_DOC)]
READ_PROBLEMS = responses(401, 403, 404, 422, 500, 503)
WRITE_PROBLEMS = responses(400, 401, 403, 404, 409, 413, 415, 422, 500, 503)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def summary_of(scenario: Scenario) -> dict[str, Any]:
    """A scenario's branch, status and author as JSON (``ScenarioBase``)."""
    return {
        "name": scenario.name,
        "status": scenario.status,
        "position": scenario.position,
        "branched_at": scenario.branch_at.isoformat(),
        "author": scenario.author,
        "rationale": getattr(scenario, "rationale", ""),  # scenarios created before it
        "decision": scenario.decision,
    }


def counted(scenario: Scenario) -> dict[str, Any]:
    """A scenario as listed (``ScenarioSummary``)."""
    return {
        **summary_of(scenario),
        "hypotheses": len(scenario.hypotheses),
        "evaluations": len(scenario.evaluations),
    }


def location(scenario: Scenario) -> str:
    """The scenario's URL path."""
    return f"/scenarios/{quote(scenario.name, safe='')}"


@router.post(
    "",
    status_code=201,
    response_model=ScenarioSummary,
    responses={
        201: {
            "description": "Created: the scenario (its URL in Location)",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        **WRITE_PROBLEMS,
    },
    summary="Create a scenario: a branch of the ledger",
)
def create_scenario(
    request: Request,
    body: ScenarioCreate,
    principal: Planner,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Branch the ledger at its current position, or at the last position recorded by
    ``known_at``: nothing is copied; the branch reads the ledger as it was there. The
    author is the caller's principal."""

    def run() -> Response:
        known_at = None if body.known_at is None else moment(None, body.known_at)[1]
        if known_at is not None and not EARLIEST <= known_at <= datetime.now(UTC):
            raise InvalidInput("known_at", "must lie between 2000-01-01 and now")
        scenario = services.scenarios.create(
            body.name, author=principal.name, known_at=known_at, rationale=body.rationale
        )
        return JSONResponse(
            counted(scenario), status_code=201, headers={"Location": location(scenario)}
        )

    return write(
        request,
        services,
        principal,
        key=idempotency_key,
        body=canonical(body.model_dump(mode="json")),
        if_match=None,
        run=run,
    )


@router.get(
    "",
    response_model=list[ScenarioSummary],
    responses=READ_PROBLEMS,
    summary="Every scenario",
)
def list_scenarios(principal: Reader, services: ServicesDep) -> list[dict[str, Any]]:
    """Every scenario, in the order they were created: branch, status, author, how many
    hypotheses and evaluations it holds. Refused to a perimeter-limited token (it would
    list hypotheses of every perimeter)."""
    refuse_limited(principal, "the list of every scenario")
    book = services.scenarios
    return [counted(book.get(name)) for name in book.names()]


@router.get(
    "/{name}",
    response_model=ScenarioPublic,
    responses=READ_PROBLEMS,
    summary="A scenario: its hypotheses and evaluations",
)
def show_scenario(principal: Reader, services: ServicesDep, name: ScenarioName) -> JSONResponse:
    """The scenario's branch, its hypotheses in order (each replayed on the branch: what
    it did, effective when), every evaluation kept with it, and — while it is open — what
    the ledger changed since the branch that its hypotheses touch (why a promotion would
    be refused)."""
    book = services.scenarios
    scenario = book.get(name)
    guard_scenario(principal, services, scenario)
    _, receipts = book.branch(scenario)
    hypotheses = [
        {
            "number": number,
            "command": f"{h['area']} {h['action']}",
            "arguments": h["fields"],
            "author": h["author"],
            "summary": receipt.summary,
            "effective_date": receipt.effective_date.isoformat(),
        }
        for number, (h, receipt) in enumerate(zip(scenario.hypotheses, receipts, strict=True), 1)
    ]
    document = {
        **summary_of(scenario),
        "hypotheses": hypotheses,
        "evaluations": scenario.evaluations,
        "conflicts": book.conflicts(scenario) if scenario.status == "open" else [],
    }
    return JSONResponse(ScenarioPublic.model_validate(document).model_dump(mode="json"))


def _author_or_pmo(principal: Principal, scenario: Scenario, action: str) -> None:
    if principal.role is not Role.PMO and principal.name != scenario.author:
        raise ProblemError(
            403,
            "forbidden",
            "Forbidden",
            f"only the pmo role or the scenario's author ({scenario.author}) may {action} it",
        )


def _acted(
    request: Request,
    services: ServicesDep,
    principal: Principal,
    key: str | None,
    body: dict[str, Any],
    act: Any,
) -> Response:
    """Run an action on a scenario through the write path; answer with the scenario."""

    def run() -> Response:
        return JSONResponse(counted(act()))

    return write(
        request, services, principal, key=key, body=canonical(body), if_match=None, run=run
    )


@router.post(
    "/{name}/promote",
    response_model=ScenarioSummary,
    responses={200: {"description": "Promoted: the decision it became"}, **WRITE_PROBLEMS},
    summary="Promote a scenario: its hypotheses recorded for real",
)
def promote_scenario(
    request: Request,
    name: ScenarioName,
    body: ScenarioAnswer,
    principal: Recorder,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record the scenario's hypotheses in the ledger for real, atomically, under one
    decision naming the scenario (``decision`` in the answer). Refused with 409
    ``scenario-conflict``, listing the conflicts in ``details.conflicts``, when the
    ledger changed what they touch since the branch (rebase first). ``pmo`` only."""
    book = services.scenarios
    guard_scenario(principal, services, book.get(name))

    def promote() -> Scenario:
        book.promote(name, author=principal.name, rationale=body.rationale)
        return book.get(name)

    return _acted(request, services, principal, idempotency_key, body.model_dump(), promote)


@router.post(
    "/{name}/rebase",
    response_model=ScenarioSummary,
    responses={200: {"description": "Rebased: the new branch position"}, **WRITE_PROBLEMS},
    summary="Rebase a scenario on the ledger as it is now",
)
def rebase_scenario(
    request: Request,
    name: ScenarioName,
    principal: Planner,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Move the branch to the ledger's current position if every hypothesis still holds
    there (each is checked again); otherwise change nothing: 409 ``rebase-refused``,
    the refusals in ``details.refusals``. ``pmo``, or the scenario's author."""
    book = services.scenarios
    scenario = book.get(name)
    guard_scenario(principal, services, scenario)
    _author_or_pmo(principal, scenario, "rebase")

    def rebase() -> Scenario:
        refused = book.rebase(name, author=principal.name)
        if refused:
            raise RebaseRefused(scenario.name, refused)
        return book.get(name)

    return _acted(request, services, principal, idempotency_key, {}, rebase)


@router.post(
    "/{name}/abandon",
    response_model=ScenarioSummary,
    responses={200: {"description": "Abandoned (kept for audit)"}, **WRITE_PROBLEMS},
    summary="Abandon a scenario",
)
def abandon_scenario(
    request: Request,
    name: ScenarioName,
    body: ScenarioAnswer,
    principal: Planner,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Close the scenario without recording its hypotheses; it stays in the book, for
    audit. ``pmo``, or the scenario's author."""
    book: ScenarioBook = services.scenarios
    scenario = book.get(name)
    guard_scenario(principal, services, scenario)
    _author_or_pmo(principal, scenario, "abandon")

    def abandon() -> Scenario:
        reason = text(body.rationale, "rationale", limit=2000)
        return book.abandon(name, author=principal.name, reason=reason)

    return _acted(request, services, principal, idempotency_key, body.model_dump(), abandon)
