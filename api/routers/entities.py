"""``GET /{things}/{code}``: one thing the ledger holds, with its version as ETag.

A client reads a project (a resource, a risk…) here, then sends its ETag back as
``If-Match`` with a command that changes it: the command is refused with 409 if
someone changed it meanwhile. Envelopes and timesheets, named by several keys, give
their versions in the receipts of the commands that change them.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from api.deps import Reader, ServicesDep
from api.errors import responses
from api.perimeters import guard, refuse_limited
from api.routers.reading import AsOf, KnownAt
from api.schemas import EntityPublic
from api.security import Principal
from domain.model import (
    BacklogItem,
    Decision,
    Dependency,
    OutsideDemand,
    Perimeter,
    Programme,
    Project,
    Resource,
    Risk,
)
from domain.timeline import LedgerAggregate
from domain.values import CODE_PATTERN
from projections.event_log import plain

KINDS: dict[str, type[LedgerAggregate]] = {
    "perimeters": Perimeter,
    "programmes": Programme,
    "projects": Project,
    "resources": Resource,
    "backlog-items": BacklogItem,
    "dependencies": Dependency,
    "demands": OutsideDemand,
    "risks": Risk,
    "decisions": Decision,
}
Code = Annotated[str, Path(pattern=CODE_PATTERN, examples=["PAY-A"])]
_ETAG: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The thing as in force on as_of, as known at known_at",
        "headers": {"ETag": {"description": "its current version", "schema": {"type": "string"}}},
    }
}


def plain_state(value: Any) -> Any:
    """An aggregate's state as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain_state(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(plain(k)): plain_state(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain_state(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return plain(value)


def read_entity(
    principal: Principal,
    services: ServicesDep,
    cls: type[LedgerAggregate],
    code: str,
    as_of: Any,
    known_at: Any,
) -> JSONResponse:
    """One aggregate's state and version (404 when unknown; 403 outside the perimeter of
    a limited token)."""
    aggregate = services.ledger.load(cls, code)
    if cls in (Decision, OutsideDemand):
        refuse_limited(principal, f"{cls.kind} {code}")
    guard(principal, services, cls, code)
    if known_at is not None and known_at.tzinfo is None:
        known_at = known_at.replace(tzinfo=UTC)
    state = aggregate.state(as_of, known_at)
    body = EntityPublic(
        kind=cls.kind, code=aggregate.code, version=aggregate.version, state=plain_state(state)
    )
    return JSONResponse(body.model_dump(mode="json"), headers={"ETag": f'"{aggregate.version}"'})


def _route(cls: type[LedgerAggregate]) -> Any:
    def read(
        principal: Reader,
        services: ServicesDep,
        code: Code,
        as_of: AsOf = None,
        known_at: KnownAt = None,
    ) -> JSONResponse:
        return read_entity(principal, services, cls, code, as_of, known_at)

    read.__name__ = f"read_{cls.kind.replace(' ', '_')}"
    read.__doc__ = f"One {cls.kind}: its state (all of it by default) and its version as ETag."
    return read


def router() -> APIRouter:
    """The routes of every kind of thing named by one code."""
    found = APIRouter(tags=["entities"])
    for plural, cls in KINDS.items():
        endpoint = _route(cls)
        found.add_api_route(
            f"/{plural}/{{code}}",
            endpoint,
            methods=["GET"],
            response_model=EntityPublic,
            responses={**_ETAG, **responses(401, 403, 404, 422, 500, 503)},
            summary=f"One {cls.kind}",
            operation_id=endpoint.__name__,
        )
    return found
