"""``GET /events``: the event log in recorded order, filtered, a page at a time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.deps import Reader, ServicesDep
from api.errors import responses
from api.perimeters import guard, refuse_limited
from api.schemas import EventPage, EventPublic, IsoDate, IsoInstant
from domain.model import Programme, Project
from domain.values import CODE_PATTERN
from projections.event_log import AREAS, EventFilter, event_names

router = APIRouter(tags=["events"], responses=responses(401, 403, 404, 422, 500, 503))
Kind = Literal[tuple(sorted({*AREAS, *event_names()}))]  # type: ignore[valid-type]
Code = Annotated[str | None, Query(pattern=CODE_PATTERN)]
Kinds = Annotated[
    list[Kind] | None,  # type: ignore[valid-type]
    Query(description="an area (budget) or an event name (MilestoneShifted); repeatable"),
]


def _after(cursor: str | None) -> int:
    """The position a cursor resumes after (0: the start of the log)."""
    return 0 if cursor is None else int(cursor)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@router.get("/events", response_model=EventPage, summary="The event log, filtered")
def list_events(
    principal: Reader,
    services: ServicesDep,
    request: Request,
    response: Response,
    programme: Code = None,
    project: Code = None,
    kind: Kinds = None,
    author: Annotated[str | None, Query(max_length=120)] = None,
    recorded_from: IsoInstant | None = None,
    recorded_to: IsoInstant | None = None,
    effective_from: IsoDate | None = None,
    effective_to: IsoDate | None = None,
    cursor: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9]{1,15}$",
            description="the next_cursor of the previous page: the events recorded after it",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPage:
    """Who decided what, when, effective when, and why; in recorded order.

    With ``programme`` or ``project``, an event belongs through its projects and each
    decision comes just before its first effect there. A page ends with ``next_cursor``
    (also in a ``Link: rel="next"`` header) while more events match: the position of its
    last event, so the cursor stays valid as the log grows. A page costs what it returns
    (the process keeps which events concern which project and programme).
    """
    ledger = services.ledger
    if programme is not None:
        ledger.load(Programme, programme)  # 404 for an unknown programme
        guard(principal, services, Programme, programme)
    if project is not None:
        ledger.load(Project, project)
        guard(principal, services, Project, project)
    if programme is None and project is None:
        refuse_limited(principal, "the whole log (ask for programme= or project=)")
    criteria = EventFilter(
        programme=programme,
        project=project,
        kinds=tuple(kind or ()),
        author=author,
        recorded_from=_utc(recorded_from),
        recorded_to=_utc(recorded_to),
        effective_from=effective_from,
        effective_to=effective_to,
    )
    page = services.log.page(criteria, _after(cursor), limit)
    rows = [EventPublic(**record.as_row()) for record in page.records]
    following = None if page.next_after is None else str(page.next_after)
    if following is not None:
        target = request.url.include_query_params(cursor=following)
        response.headers["Link"] = f'<{target.path}?{target.query}>; rel="next"'
    return EventPage(events=rows, next_cursor=following)
