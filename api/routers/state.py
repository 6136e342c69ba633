"""``GET /state``: the portfolio, a perimeter, a programme or a project at any
(as_of, known_at), from the read models the process keeps caught up.

The sections are serialized once per question and kept (``AnswerCache``) while no event
writes what the answer read: a dashboard asking the same programme "as known now" again
gets the stored bytes until the ledger records something about it (``api.warm`` keeps
today's state of every programme ready). The envelope (scope, as_of, the known_at
asked) is written for each request.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from api.deps import Reader, Services, ServicesDep
from api.errors import responses
from api.perimeters import guard_scope
from api.routers.reading import AsOf, KnownAt, ScopeParam, moment, scope_from
from api.schemas import StatePublic
from api.security import Principal
from projections.state import SECTIONS, Scope, StateRows

router = APIRouter(tags=["state"], responses=responses(401, 403, 404, 422, 500, 503))
Section = Literal[SECTIONS]  # type: ignore[valid-type]
_EMPTY = b"{}}"  # how an envelope without sections ends


@router.get("/state", response_model=StatePublic, summary="The portfolio at a date, as known then")
async def read_state(
    principal: Reader,
    services: ServicesDep,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    scope: ScopeParam = "portfolio",
    section: Annotated[list[Section] | None, Query(description="only these sections")] = None,
) -> Response:
    """Structure, envelopes, staffing, milestones, backlog, dependencies, demands, risks and
    actuals in force on ``as_of`` as the ledger knew them at ``known_at``."""
    day, when = moment(as_of, known_at)
    where = scope_from(scope)
    wanted = list(dict.fromkeys(section or SECTIONS))
    # An answer already stored is sent from the event loop (no thread for it, and no wait
    # for a question being computed); one to compute, or a limited token's (its check
    # reads the store), is worked out in a thread.
    sections = None
    if not principal.perimeters:
        sections = services.view.stored_answer(services.answers, day, when, where, wanted)
    if sections is None:
        sections = await run_in_threadpool(_answer, principal, services, day, when, where, wanted)
    head = StatePublic(scope=str(where), as_of=day, known_at=when, sections={})
    envelope = head.model_dump_json().encode()
    body = envelope[: -len(_EMPTY)] + sections + b"}"
    return Response(body, media_type="application/json")


def _answer(
    principal: Principal,
    services: Services,
    day: date,
    when: datetime,
    where: Scope,
    wanted: list[str],
) -> bytes:
    guard_scope(principal, services, where)
    return services.view.answer(services.answers, sections_json, day, when, where, wanted)


def sections_json(sections: StateRows) -> bytes:
    """The state's sections as a JSON object of row lists."""
    return orjson.dumps(sections)
