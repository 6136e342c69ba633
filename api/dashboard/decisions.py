"""Decisions and audit (``/dashboard/decisions``): the event log as a timeline, filtered
like ``GET /events`` (programme, project, kinds, author, recorded and effective dates),
each decision with its author, forum and rationale and, under it, every change it made.

The page shows what was recorded up to the page's ``known_at`` (30 days of it unless
``recorded_from`` says otherwise), read through the process's ``LogIndex`` exactly as
``/events`` reads it: the same events, in the same order. An unscoped window starts at
the log position where it begins (found by bisection on recorded times), so a page
costs what it shows, not the log before it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.dashboard.auth import Viewer
from api.dashboard.web import (
    PREFIX,
    AsOfText,
    KnownAtText,
    OptionalCode,
    moment_of,
    parse_day,
    parse_instant,
    render,
)
from api.deps import Services, ServicesDep
from api.perimeters import guard, refuse_limited
from api.routers.events import Kinds
from api.security import Principal
from domain.ledger import Ledger
from domain.model import Programme, Project
from projections.event_log import AREAS, EventFilter, EventRecord

router = APIRouter(include_in_schema=False)
WINDOW = timedelta(days=30)
Text = Annotated[str | None, Query(max_length=40)]


@router.get(f"{PREFIX}/decisions", response_class=HTMLResponse)
def decisions_page(
    request: Request,
    session: Viewer,
    services: ServicesDep,
    as_of: AsOfText = None,
    known_at: KnownAtText = None,
    programme: OptionalCode = None,
    project: OptionalCode = None,
    kind: Kinds = None,
    author: Annotated[str | None, Query(max_length=120)] = None,
    recorded_from: Text = None,
    recorded_to: Text = None,
    effective_from: Text = None,
    effective_to: Text = None,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,15}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Response:
    """The log as a timeline of decisions and their effects."""
    at = moment_of(as_of, known_at)
    _guard(session.principal, services, programme, project)
    until = parse_instant(recorded_to, "recorded_to") or at.known_at
    since = parse_instant(recorded_from, "recorded_from") or until - WINDOW
    criteria = EventFilter(
        programme=programme or None,
        project=project or None,
        kinds=tuple(kind or ()),
        author=author or None,
        recorded_from=since,
        recorded_to=until,
        effective_from=parse_day(effective_from, "effective_from"),
        effective_to=parse_day(effective_to, "effective_to"),
    )
    start = int(cursor) if cursor else _position_before(services.ledger, since)
    page = services.log.page(criteria, start, limit)
    filters = {
        "programme": programme,
        "project": project,
        "author": author,
        "recorded_from": _text(since),
        "recorded_to": _text(until),
        "effective_from": effective_from,
        "effective_to": effective_to,
    }
    return render(
        request,
        "decisions.html",
        session,
        at,
        keep={k: v for k, v in filters.items() if k not in ("recorded_from", "recorded_to")},
        filters=filters,
        kinds=list(kind or ()),
        areas=AREAS,
        groups=timeline(page.records),
        count=len(page.records),
        next_cursor=page.next_after,
        limit=limit,
    )


def timeline(records: list[EventRecord]) -> list[dict[str, Any]]:
    """Events grouped under the decision they belong to, in the order they come."""
    groups: list[dict[str, Any]] = []
    for record in records:
        row = record.as_row()
        if record.area == "decision":
            groups.append({"decision": row, "effects": []})
        elif (
            groups
            and row["decision"]
            and groups[-1]["decision"]
            and (groups[-1]["decision"]["decision"] == row["decision"])
        ):
            groups[-1]["effects"].append(row)
        else:
            groups.append({"decision": None, "effects": [row]})
    return groups


def _guard(
    principal: Principal, services: Services, programme: str | None, project: str | None
) -> None:
    """What ``/events`` refuses, refused here: unknown codes (404), another perimeter
    (403), the whole log for a perimeter-limited token (403)."""
    if programme:
        services.ledger.load(Programme, programme)
        guard(principal, services, Programme, programme)
    if project:
        services.ledger.load(Project, project)
        guard(principal, services, Project, project)
    if not programme and not project:
        refuse_limited(principal, "the whole log (choose a programme or a project)")


def _position_before(ledger: Ledger, since: datetime) -> int:
    """The last position recorded before ``since`` (0 when none): recorded times grow
    with positions, so bisection reads about 20 events of a million."""
    low, high = 0, ledger.recorder.max_notification_id() or 0
    while low < high:
        middle = (low + high + 1) // 2
        page = ledger.recorder.select_notifications(middle, 1)
        found: Any = ledger.mapper.to_domain_event(page[0]) if page else None
        recorded = found.timestamp if found is not None else None
        if recorded is not None and recorded < since:
            low = middle
        else:
            high = middle - 1
    return low


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
