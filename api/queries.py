"""What the faces share to read the ledger: instants, dates and scopes given as text."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from domain.errors import InvalidInput
from domain.values import calendar_date
from projections.state import Scope


def instant(value: str | None, field: str, *, end_of_day: bool) -> datetime | None:
    """A point in recorded time: an ISO date-time (UTC if no zone), or a date, meaning
    its first instant, or its last with ``end_of_day`` ("known at the end of that day")."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            whole_day = date.fromisoformat(text)
            return datetime.combine(whole_day, time.max if end_of_day else time.min, UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(field, f"{value!r} is not a date or an ISO date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day(value: str | None, field: str) -> date | None:
    """A calendar date given as YYYY-MM-DD, or None."""
    return None if value is None else calendar_date(value, field)


def scope_of(perimeter: str | None, programme: str | None, project: str | None) -> Scope:
    """The scope the filters name: at most one of perimeter, programme and project."""
    filters = (("perimeter", perimeter), ("programme", programme), ("project", project))
    named = [(kind, code) for kind, code in filters if code is not None]
    if len(named) > 1:
        raise InvalidInput(named[1][0], "name one perimeter, programme or project, not several")
    if not named:
        return Scope()
    kind, code = named[0]
    if not code.strip():
        raise InvalidInput(kind, "must not be empty")
    return Scope(kind, code.strip())


def point(as_of: str | None, known_at: str | None) -> tuple[date, datetime]:
    """The (as_of, known_at) pair the options name, today and now by default."""
    when = instant(known_at, "known_at", end_of_day=True) or datetime.now(UTC)
    return day(as_of, "as_of") or date.today(), when
