"""``/plans``: run the planner on the ledger (recorded as a proposal), read, accept, reject.

A solve takes seconds to minutes: it runs in a worker thread, at most ``plan_slots`` at
a time per process, so the event loop keeps answering other requests meanwhile.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Body, Header, Request
from fastapi.responses import JSONResponse, Response

from api.deps import Planner, Reader, Recorder, ServicesDep
from api.errors import responses
from api.perimeters import guard, refuse_limited
from api.planning import PlanRequest, propose, recorded, rows_of
from api.planning import accept as accept_proposal
from api.planning import reject as reject_proposal
from api.routers.commands import CREATED
from api.routers.entities import Code, plain_state
from api.routers.reading import moment
from api.schemas import EntityPublic, PlanAnswer, PlanCreate, ProposalPublic, ReceiptPublic
from api.writes import KEY_DOC, KEY_PATTERN, canonical, write
from api.writes import recorded as receipt_response
from domain.enums import Forum
from domain.model import PlanProposal, Programme

router = APIRouter(prefix="/plans", tags=["plans"])
IdempotencyKey = Annotated[str | None, Header(pattern=KEY_PATTERN, description=KEY_DOC)]
_WRITE_PROBLEMS = responses(400, 401, 403, 404, 409, 413, 415, 422, 500, 503)
ForumName = Literal[tuple(f.value for f in Forum)]  # type: ignore[valid-type]


class PlanAnswerCreate(PlanAnswer):
    """Accepting or rejecting a proposal: why, and in which forum (weekly by default)."""

    forum: ForumName | None = None  # type: ignore[valid-type]


@router.post(
    "",
    status_code=201,
    response_model=ProposalPublic,
    responses={201: {"description": "The proposal, recorded"}, **_WRITE_PROBLEMS},
    summary="Run the planner: a proposal of staffing changes",
)
async def run_plan(
    request: Request,
    body: PlanCreate,
    principal: Planner,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Plan the portfolio (or one programme) week by week from ``as_of`` over ``horizon``
    weeks, on what the ledger knew at ``known_at``; record the run as a proposal and
    return it: milestones before and after, staffing changes, cost against budget, the
    extra capacity that would hold each late milestone. ``time_limit_s`` is capped by
    the server's ``max_plan_seconds``."""
    settings = services.settings
    if body.programme is None:
        refuse_limited(principal, "planning the whole portfolio (give a programme)")
    else:
        services.ledger.load(Programme, body.programme)  # 404 for an unknown programme
        guard(principal, services, Programme, body.programme)

    def run() -> Response:
        if body.programme is not None:
            services.ledger.load(Programme, body.programme)  # 404 for an unknown programme
        as_of, known_at = moment(body.as_of, body.known_at)
        plan_request = PlanRequest(
            as_of=as_of,
            known_at=known_at if body.known_at is not None else None,
            programme=body.programme,
            horizon=body.horizon,
            time_limit_s=max(0.5, min(body.time_limit_s, settings.max_plan_seconds)),
            workers=body.workers,
            seed=body.seed,
        )
        proposal = propose(services.view, plan_request, author=principal.name)
        document = ProposalPublic(
            proposal=proposal.code,
            report=proposal.report,
            staffing_changes=list(rows_of(proposal.changes)),
        )
        return JSONResponse(document.model_dump(mode="json"), status_code=201)

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


@router.get(
    "/{code}",
    response_model=EntityPublic,
    responses=responses(401, 403, 404, 422, 500, 503),
    summary="A recorded proposal",
)
def read_plan(principal: Reader, services: ServicesDep, code: Code) -> JSONResponse:
    """A proposal: scope, dates, settings, digest, changes, report and status; its version
    as ETag."""
    proposal: Any = services.ledger.load(PlanProposal, code)
    refuse_limited(principal, f"plan proposal {code}")  # a proposal names no programme
    body = EntityPublic(
        kind=PlanProposal.kind,
        code=proposal.code,
        version=proposal.version,
        state=plain_state(recorded(services.ledger, code)),
    )
    return JSONResponse(body.model_dump(mode="json"), headers={"ETag": f'"{proposal.version}"'})


def _answer_route(action: str) -> Any:
    answer = accept_proposal if action == "accept" else reject_proposal

    def respond(
        request: Request,
        code: Code,
        body: Annotated[PlanAnswerCreate, Body()],
        principal: Recorder,
        services: ServicesDep,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        options: dict[str, Any] = {"forum": body.forum} if body.forum else {}
        refuse_limited(principal, f"plan proposal {code}")

        def run() -> Response:
            receipt = answer(
                services.ledger, code, body.rationale, author=principal.name, **options
            )
            return receipt_response(receipt, principal)

        return write(
            request,
            services,
            principal,
            key=idempotency_key,
            body=canonical(body.model_dump(mode="json")),
            if_match=None,
            run=run,
        )

    respond.__name__ = f"{action}_plan"
    return respond


for _action, _doc in (
    ("accept", "Accept a proposal: its staffing changes recorded under one decision (refused"
               " if the staffing changed since the plan was made)."),
    ("reject", "Reject a proposal, with the reason."),
):  # fmt: skip
    router.add_api_route(
        f"/{{code}}/{_action}",
        _answer_route(_action),
        methods=["POST"],
        status_code=201,
        response_model=ReceiptPublic,
        responses={**CREATED, **_WRITE_PROBLEMS},
        summary=_doc.split(":")[0].split(",")[0],
        description=_doc,
    )
