"""Query parameters the reading routes share: the two time axes and the scope."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Query

from api.schemas import IsoDate, IsoInstant
from domain.values import CODE_PATTERN, LATEST_DATE
from projections.state import Scope

SCOPE_PATTERN = rf"^(portfolio|(perimeter|programme|project):{CODE_PATTERN[1:-1]})$"

AsOf = Annotated[
    IsoDate | None, Query(description="the date the state is in force (default: today)")
]
KnownAt = Annotated[
    IsoInstant | None,
    Query(description="what the ledger knew at this instant (UTC if no zone; default: now)"),
]
ScopeParam = Annotated[
    str,
    Query(
        pattern=SCOPE_PATTERN,
        description="portfolio, or perimeter:CODE, programme:CODE, project:CODE",
        examples=["programme:PAY"],
    ),
]


def scope_from(text: str) -> Scope:
    """The scope a ``scope`` parameter names."""
    if text == "portfolio":
        return Scope()
    kind, _, code = text.partition(":")
    return Scope(kind, code)


def moment(as_of: date | None, known_at: datetime | None) -> tuple[date, datetime]:
    """(as_of, known_at) with their defaults: today, now; a zone-less instant is UTC."""
    if known_at is None:
        when = datetime.now(UTC)
    elif known_at.tzinfo is None:
        when = known_at.replace(tzinfo=UTC)
    else:
        try:
            when = known_at.astimezone(UTC)
        except OverflowError:  # the first or last representable instants, shifted out
            when = (
                datetime.min.replace(tzinfo=UTC)
                if known_at.year < 2
                else datetime.max.replace(tzinfo=UTC)
            )
    # Nothing takes effect after the ledger's last day (domain.values.LATEST_DATE): a
    # later as_of is that day (the answer names it), and calendar sums from so far on
    # would run out of the calendar.
    return min(as_of or date.today(), LATEST_DATE), when
