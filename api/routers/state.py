"""``GET /state``: the portfolio, a perimeter, a programme or a project at any
(as_of, known_at), from the read models the process keeps caught up."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import Reader, ServicesDep
from api.errors import responses
from api.export import frame_rows
from api.perimeters import guard_scope
from api.routers.reading import AsOf, KnownAt, ScopeParam, moment, scope_from
from api.schemas import StatePublic
from projections.state import SECTIONS

router = APIRouter(tags=["state"], responses=responses(401, 403, 404, 422, 500, 503))
Section = Literal[SECTIONS]  # type: ignore[valid-type]


@router.get("/state", response_model=StatePublic, summary="The portfolio at a date, as known then")
def read_state(
    principal: Reader,
    services: ServicesDep,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    scope: ScopeParam = "portfolio",
    section: Annotated[list[Section] | None, Query(description="only these sections")] = None,
) -> StatePublic:
    """Structure, envelopes, staffing, milestones, backlog, dependencies, demands, risks and
    actuals in force on ``as_of`` as the ledger knew them at ``known_at``."""
    day, when = moment(as_of, known_at)
    guard_scope(principal, services, scope_from(scope))
    wanted = list(dict.fromkeys(section or SECTIONS))
    state = services.view.state(day, when, scope_from(scope), wanted)
    return StatePublic(
        scope=str(state.scope),
        as_of=state.as_of,
        known_at=state.known_at,
        sections={name: frame_rows(frame) for name, frame in state.sections.items()},
    )
