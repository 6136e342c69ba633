"""``POST /commands/{area}/{action}``: every command the ledger accepts, one route each.

The routes are generated from the command registry (``domain.commands.ALL_COMMANDS``),
as `pmo record` is, so the HTTP API records exactly what the command line records, with
the same checks and messages. The author of what is recorded is the caller's token
principal; there is no author field in any body.
"""

# No `from __future__ import annotations` here: the generated routes annotate their
# body with a model built at run time, which FastAPI must see as an object.

import inspect
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.command_schemas import body_model, command_values
from api.deps import Recorder, ServicesDep
from api.errors import responses
from api.perimeters import guard_command
from api.schemas import ReceiptPublic
from api.writes import (
    ETAG_PATTERN,
    IF_MATCH_DOC,
    KEY_DOC,
    KEY_PATTERN,
    canonical,
    expected_version,
    recorded,
    write,
)
from domain.commands import ALL_COMMANDS, Command, TakeDecision

AREAS = {
    "perimeter": "The perimeters of the portfolio.",
    "programme": "Programmes in a perimeter.",
    "project": "Projects: open, reschedule, close.",
    "milestone": "Milestones (jalons): plan, shift, reach, cancel.",
    "resource": "People and team pools: capacity, absences, rates, skills, departures.",
    "staffing": "Who works on which project, how many days a week.",
    "budget": "Envelopes and arbitrations: transfer, raise, cut.",
    "timesheet": "Weekly timesheets: submit, approve, correct.",
    "backlog": "Backlog items: add, re-estimate, rank, mature, link, complete, drop.",
    "dependency": "Dependencies on milestones, items, platforms and components.",
    "demand": "Demands on a resource's time from outside its perimeter.",
    "risk": "Risks: raise, reassess, respond, escalate, close.",
    "decision": "Decisions that later changes can join.",
}
IfMatch = Annotated[str | None, Header(pattern=ETAG_PATTERN, description=IF_MATCH_DOC)]
IdempotencyKey = Annotated[str | None, Header(pattern=KEY_PATTERN, description=KEY_DOC)]
CREATED: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Recorded: the receipt (events, versions, log positions)",
        "headers": {
            "ETag": {
                "description": "the version of the aggregate the command changed",
                "schema": {"type": "string"},
            }
        },
    }
}


def _route(command: type[Command]) -> tuple[Any, type[BaseModel]]:
    model = body_model(command)

    def record(
        request: Request,
        body: model,  # type: ignore[valid-type]
        principal: Recorder,
        services: ServicesDep,
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        values = command_values(body)
        guard_command(principal, services, values, unplaced_ok=command is TakeDecision)

        def run() -> Response:
            cmd = command(**values, expected_version=expected_version(if_match))
            return recorded(services.ledger.execute(cmd, author=principal.name), principal)

        return write(
            request,
            services,
            principal,
            key=idempotency_key,
            body=canonical(values),
            if_match=if_match,
            run=run,
        )

    record.__name__ = f"{command.area}_{command.action}".replace("-", "_")
    return record, model


def routers() -> list[APIRouter]:
    """One router per area of the portfolio, one route per command."""
    found: dict[str, APIRouter] = {}
    for command in ALL_COMMANDS:
        router = found.get(command.area)
        if router is None:
            router = APIRouter(prefix=f"/commands/{command.area}", tags=[command.area])
            found[command.area] = router
        endpoint, _ = _route(command)
        doc = inspect.getdoc(command) or command.command_name()
        router.add_api_route(
            f"/{command.action}",
            endpoint,
            methods=["POST"],
            status_code=201,
            response_model=ReceiptPublic,
            summary=doc.splitlines()[0],
            description=doc
            + "\n\nRecorded with the caller's principal as author. "
            + ("A rationale is required. " if command.requires_rationale else "")
            + ("Records a decision. " if command.opens_decision else ""),
            operation_id=endpoint.__name__,
            responses={**CREATED, **responses(400, 401, 403, 404, 409, 413, 415, 422, 500, 503)},
        )
    return list(found.values())
