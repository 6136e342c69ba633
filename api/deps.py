"""The dependencies routes declare: the ledger, its view, and who is calling."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from anyio import CapacityLimiter
from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ProblemError
from api.idempotency import IdempotencyStore
from api.security import Principal, Role, TokenStore
from api.settings import Settings
from domain.ledger import Ledger
from domain.scenarios import ScenarioBook
from projections.answers import AnswerCache
from projections.log_index import LogIndex
from projections.view import PortfolioView


@dataclass
class Services:
    """What one process of the API holds: opened by the app's lifespan, closed with it."""

    settings: Settings
    ledger: Ledger
    view: PortfolioView
    log: LogIndex  # which events concern which project and programme, for /events
    tokens: TokenStore
    idempotency: IdempotencyStore
    planning: CapacityLimiter
    scenarios: ScenarioBook  # the what-if scenarios, in their own tables beside the ledger
    answers: AnswerCache  # serialized states by question, for the view's position


# Dependencies that only look at the request are ``async``: FastAPI runs a plain ``def``
# dependency in its thread pool, and those hops (one per dependency per request) cost
# more than the work. What touches the store (the token's lookup) stays a ``def``.


async def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(_services)]
_bearer = HTTPBearer(auto_error=False, description="a token from `pmo token create`")
_CHALLENGE = 'Bearer realm="pmo"'


def _principal(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise ProblemError(
            401,
            "unauthorized",
            "Authentication required",
            "send Authorization: Bearer <token> (see `pmo token create`)",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    principal = services.tokens.find(credentials.credentials)
    if principal is None:
        raise ProblemError(
            401,
            "invalid-token",
            "Authentication required",
            "the bearer token is unknown or revoked",
            headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
        )
    return principal


def allow(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting the listed roles only (401 without a token, 403 otherwise)."""

    async def admitted(principal: Annotated[Principal, Depends(_principal)]) -> Principal:
        if principal.role not in roles:
            names = ", ".join(r.value for r in roles)
            raise ProblemError(
                403, "forbidden", "Forbidden", f"role {principal.role.value} may not; {names} may"
            )
        return principal

    return admitted


READERS = (Role.PMO, Role.MANAGER, Role.AUDITOR)
PLANNERS = (Role.PMO, Role.MANAGER)
RECORDERS = (Role.PMO,)
AUDITORS = (Role.PMO, Role.AUDITOR)

Reader = Annotated[Principal, Depends(allow(*READERS))]
Planner = Annotated[Principal, Depends(allow(*PLANNERS))]
Recorder = Annotated[Principal, Depends(allow(*RECORDERS))]
Auditor = Annotated[Principal, Depends(allow(*AUDITORS))]


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for inner in dependant.dependencies:
        names |= _query_names(inner)
    return names


_QUERY_NAMES: dict[int, frozenset[str]] = {}


async def known_query(request: Request) -> None:
    """Refuse query parameters a route does not declare (422): a misspelt filter
    (``?programe=PAY``) would otherwise be ignored, and the answer silently wider."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _QUERY_NAMES.get(id(route))
    if known is None:
        known = _QUERY_NAMES[id(route)] = frozenset(_query_names(route.dependant))
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise ProblemError(
            422,
            "validation-error",
            "Invalid request",
            "invalid: " + ", ".join(f"query.{name}" for name in unknown),
            errors=[{"field": f"query.{name}", "message": "unknown parameter"} for name in unknown],
        )
