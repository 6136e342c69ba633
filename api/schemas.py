"""The public shapes of what the HTTP API answers (``…Public``) and takes (``…Create``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_INSTANT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


def _day(value: Any) -> Any:
    """A date as the schema publishes it (YYYY-MM-DD), never a number read as a timestamp."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DAY.match(value):
        raise ValueError("must be a date, YYYY-MM-DD")
    return date.fromisoformat(value)


def _instant(value: Any) -> Any:
    """An instant as ISO 8601 text (``2026-03-02T09:00:00Z``), never a number."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _INSTANT.match(value):
        raise ValueError("must be an ISO 8601 instant, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]")
    moment = datetime.fromisoformat(value)
    try:  # an offset can carry the first or last instant out of the calendar
        return moment.astimezone(UTC) if moment.tzinfo else moment
    except OverflowError:
        raise ValueError("must be an instant within the years 1 to 9999 in UTC") from None


def _whole(value: Any) -> Any:
    """JSON Schema counts 3.0 as an integer; strict pydantic would not."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = Annotated[int, BeforeValidator(_whole)]
IsoDate = Annotated[date, BeforeValidator(_day)]
IsoInstant = Annotated[datetime, BeforeValidator(_instant)]


class RecordedEventPublic(BaseModel):
    """One event a command recorded."""

    kind: str = Field(examples=["FundsTransferredOut"])
    subject: str = Field(examples=["envelope PAY-A/FY2026"])
    version: int = Field(examples=[4])
    position: int | None = Field(examples=[128])


class ReceiptPublic(BaseModel):
    """What a command recorded."""

    command: str = Field(examples=["budget transfer"])
    summary: str
    decision: str | None = Field(examples=["D-1A2B3C4D"])
    effective_date: date
    recorded_at: datetime
    author: str = Field(examples=["claire.dubois"])
    events: list[RecordedEventPublic]


class EntityPublic(BaseModel):
    """One thing the ledger holds, as in force on ``as_of`` as known at ``known_at``."""

    kind: str = Field(examples=["project"])
    code: str = Field(examples=["PAY-A"])
    version: int = Field(description="the aggregate's version (its ETag)", examples=[7])
    state: dict[str, Any]


class EventPublic(BaseModel):
    """One event of the log."""

    position: int
    recorded_at: datetime
    effective_date: date
    area: str
    kind: str
    subject: str
    version: int
    author: str
    decision: str | None
    forum: str | None
    rationale: str
    details: dict[str, Any]


class EventPage(BaseModel):
    """A page of the event log; ``next_cursor`` fetches the next one (null: no more)."""

    events: list[EventPublic]
    next_cursor: str | None


class StatePublic(BaseModel):
    """The portfolio (or a part of it) in force on ``as_of`` as known at ``known_at``."""

    scope: str = Field(examples=["programme PAY"])
    as_of: date
    known_at: datetime
    sections: dict[str, list[dict[str, Any]]]


class KpiPublic(BaseModel):
    """One KPI's rows, with what was computed."""

    kpi: str = Field(examples=["budget"])
    scope: str
    as_of: date
    known_at: datetime
    parameters: dict[str, Any]
    rows: list[dict[str, Any]]


class KpiInfo(BaseModel):
    """A KPI the API computes."""

    name: str
    summary: str
    parameters: list[str]


class PlanCreate(BaseModel):
    """A planner run: what to plan and how long to search."""

    model_config = {"extra": "forbid"}

    programme: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="only this one"
    )
    as_of: IsoDate | None = Field(default=None, description="the plan starts this week (today)")
    known_at: IsoInstant | None = Field(default=None, description="plan on what was known then")
    horizon: int = Field(default=26, ge=1, le=156, description="weeks planned")
    time_limit_s: float = Field(default=10.0, ge=0.5, le=3600, description="solver seconds")
    workers: int = Field(default=2, ge=1, le=8, description="solver threads")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class PlanAnswer(BaseModel):
    """Accepting or rejecting a proposal."""

    model_config = {"extra": "forbid"}

    rationale: str = Field(min_length=1, max_length=2000, examples=["Hold the GO-LIVE"])
    forum: str | None = Field(default=None, examples=["steering-committee"])


class ProposalPublic(BaseModel):
    """A planner run, recorded as a proposal."""

    proposal: str = Field(examples=["PLAN-1A2B3C4D"])
    report: dict[str, Any]
    staffing_changes: list[dict[str, Any]]


class Health(BaseModel):
    """Whether the process (and its store) answers."""

    status: str = Field(examples=["ok"])
