"""``POST /scenarios/{name}/hypotheses/{area}/{action}``: a hypothesis is any command the
ledger accepts, one route per command with the very body of ``/commands/{area}/{action}``
(the same generated model), checked by the ledger's rules on the scenario's branch after
the hypotheses before it. A refusal is the problem the command route would answer
(409 naming the rule, 404 for an unknown code) and keeps nothing.
"""

# No `from __future__ import annotations` here: the generated routes annotate their
# body with a model built at run time, which FastAPI must see as an object.

import inspect
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response

from api.command_schemas import body_model, command_values
from api.deps import Planner, ServicesDep
from api.perimeters import guard_command
from api.routers.commands import AREAS
from api.routers.scenarios import WRITE_PROBLEMS, location
from api.scenario_schemas import HypothesisReceipt, ScenarioName
from api.writes import KEY_DOC, KEY_PATTERN, canonical, write
from domain.commands import ALL_COMMANDS, Command, TakeDecision

IdempotencyKey = Annotated[str | None, Header(pattern=KEY_PATTERN, description=KEY_DOC)]
ADDED: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Accepted on the branch and kept with the scenario (not in the ledger)",
        "headers": {"Location": {"schema": {"type": "string"}}},
    }
}


def _route(command: type[Command]) -> Any:
    model = body_model(command)

    def add(
        request: Request,
        name: ScenarioName,
        body: model,  # type: ignore[valid-type]
        principal: Planner,
        services: ServicesDep,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        values = command_values(body)
        guard_command(principal, services, values, unplaced_ok=command is TakeDecision)
        book = services.scenarios

        def run() -> Response:
            hypothesis = {"area": command.area, "action": command.action, "fields": values}
            receipt = book.add(name, hypothesis, author=principal.name)
            scenario = book.get(name)
            document = {
                "scenario": scenario.name,
                "number": len(scenario.hypotheses),
                "command": receipt.command,
                "summary": receipt.summary,
                "effective_date": receipt.effective_date.isoformat(),
                "author": principal.name,
                "events": [
                    {"kind": e.kind, "subject": e.subject, "version": e.version}
                    for e in receipt.events
                ],
            }
            return JSONResponse(document, status_code=201, headers={"Location": location(scenario)})

        return write(
            request,
            services,
            principal,
            key=idempotency_key,
            body=canonical(values),
            if_match=None,
            run=run,
        )

    add.__name__ = f"hypothesis_{command.area}_{command.action}".replace("-", "_")
    return add


def router() -> APIRouter:
    """One route per command of the registry, under the scenario's hypotheses."""
    found = APIRouter(prefix="/scenarios/{name}/hypotheses", tags=["scenario hypotheses"])
    for command in ALL_COMMANDS:
        endpoint = _route(command)
        doc = inspect.getdoc(command) or command.command_name()
        found.add_api_route(
            f"/{command.area}/{command.action}",
            endpoint,
            methods=["POST"],
            status_code=201,
            response_model=HypothesisReceipt,
            summary=f"Hypothesis: {doc.splitlines()[0]}",
            description=(
                f"{AREAS[command.area]} Tried on the scenario's branch, never recorded in the"
                " ledger; the body is that of `POST /commands/"
                f"{command.area}/{command.action}`.\n\n{doc}"
            ),
            operation_id=endpoint.__name__,
            responses={**ADDED, **WRITE_PROBLEMS},
        )
    return found
