"""``GET /events``: the event log in recorded order, filtered, a page at a time."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from itertools import islice
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.deps import Reader, ServicesDep
from api.errors import ProblemError, responses
from api.schemas import EventPage, EventPublic
from domain.model import Programme, Project
from domain.values import CODE_PATTERN
from projections.event_log import AREAS, EventFilter, event_names, read_log

router = APIRouter(tags=["events"], responses=responses(401, 403, 404, 422, 500, 503))
Kind = Literal[tuple(sorted({*AREAS, *event_names()}))]  # type: ignore[valid-type]
Code = Annotated[str | None, Query(pattern=CODE_PATTERN)]
Kinds = Annotated[
    list[Kind] | None,  # type: ignore[valid-type]
    Query(description="an area (budget) or an event name (MilestoneShifted); repeatable"),
]


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    """Where a cursor resumes: how many matching events came before it."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith("o") and text[1:].isdigit():
            return int(text[1:])
    except (ValueError, UnicodeDecodeError):
        pass
    message = "not a cursor of /events"
    raise ProblemError(
        422,
        "validation-error",
        "Invalid request",
        f"cursor: {message}",
        errors=[{"field": "query.cursor", "message": message}],
    )


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@router.get("/events", response_model=EventPage, summary="The event log, filtered")
def list_events(
    _: Reader,
    services: ServicesDep,
    request: Request,
    response: Response,
    programme: Code = None,
    project: Code = None,
    kind: Kinds = None,
    author: Annotated[str | None, Query(max_length=120)] = None,
    recorded_from: datetime | None = None,
    recorded_to: datetime | None = None,
    effective_from: date | None = None,
    effective_to: date | None = None,
    cursor: Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPage:
    """Who decided what, when, effective when, and why; in recorded order.

    With ``programme`` or ``project``, an event belongs through its projects and each
    decision comes just before its first effect there. A page ends with ``next_cursor``
    (also in a ``Link: rel="next"`` header) while more events match. The log is read
    from its start for every page: the cursor stays valid as the log grows.
    """
    ledger = services.ledger
    if programme is not None:
        ledger.load(Programme, programme)  # 404 for an unknown programme
    if project is not None:
        ledger.load(Project, project)
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
    start = _offset(cursor)
    matching = islice(read_log(ledger, criteria), start, start + limit + 1)
    rows = [EventPublic(**record.as_row()) for record in matching]
    more = len(rows) > limit
    page = rows[:limit]
    following = _cursor(start + limit) if more else None
    if following is not None:
        target = request.url.include_query_params(cursor=following)
        response.headers["Link"] = f'<{target.path}?{target.query}>; rel="next"'
    return EventPage(events=page, next_cursor=following)
