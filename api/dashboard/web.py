"""What every dashboard page shares: the templates, the two time axes read from the URL,
links that keep them, figures formatted for reading, and the HTML response."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

import pandas as pd
from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import TypeAdapter, ValidationError

from api.dashboard.sessions import Session
from api.errors import ProblemError
from api.routers.reading import moment
from api.schemas import IsoDate, IsoInstant
from api.security import Role
from domain.values import CODE_PATTERN

HERE = Path(__file__).parent
PREFIX = "/dashboard"
_DAY = TypeAdapter(IsoDate)
_INSTANT = TypeAdapter(IsoInstant)

# A code from a form's field: blank (the field left empty) means none.
OptionalCode = Annotated[str | None, Query(pattern=rf"^(|{CODE_PATTERN[1:-1]})$")]
AsOfText = Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD")]
KnownAtText = Annotated[str | None, Query(max_length=40, description="YYYY-MM-DDTHH:MM")]


T = TypeVar("T")


def kept(request: Request, name: str, services: Any, build: Callable[[], T]) -> T:
    """What the dashboard keeps per served ledger (a session store, the book of
    scenarios): built on first use, rebuilt when the app serves a new ledger."""
    held = getattr(request.app.state, name, None)
    if held is None or held[0] is not services:
        held = (services, build())
        setattr(request.app.state, name, held)
    value: T = held[1]
    return value


@dataclass(frozen=True)
class Moment:
    """The point a page is drawn at: the two time axes, as the URL gave them."""

    as_of: date
    known_at: datetime
    given: dict[str, str]  # what the URL held, kept in every link

    @property
    def as_of_text(self) -> str:
        """The ``as_of`` date for the picker."""
        return self.as_of.isoformat()

    @property
    def known_at_text(self) -> str:
        """The ``known_at`` instant for the picker (UTC, to the minute)."""
        return self.known_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def parse_day(text: str | None, field: str) -> date | None:
    """A date from the URL (None when blank); 422 when it is not one."""
    if not text or not text.strip():
        return None
    try:
        day: date = _DAY.validate_python(text.strip())
    except ValidationError as error:
        raise _invalid(field) from error
    return day


def parse_instant(text: str | None, field: str) -> datetime | None:
    """An instant from the URL, UTC when it names no zone (None when blank)."""
    if not text or not text.strip():
        return None
    try:
        when: datetime = _INSTANT.validate_python(text.strip())
    except ValidationError as error:
        raise _invalid(field) from error
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _invalid(field: str) -> ProblemError:
    return ProblemError(
        422, "validation-error", "Invalid request", f"{field}: not a valid date or instant"
    )


def moment_of(as_of: str | None, known_at: str | None) -> Moment:
    """The page's moment from its query (blank pickers mean today and now)."""
    given = {k: v.strip() for k, v in (("as_of", as_of), ("known_at", known_at)) if v and v.strip()}
    day, when = moment(parse_day(as_of, "as_of"), parse_instant(known_at, "known_at"))
    return Moment(day, when, given)


def link(path: str, at: Moment, **params: Any) -> str:
    """A dashboard URL keeping the page's moment, with more parameters."""
    query = {**at.given, **{k: v for k, v in params.items() if v not in (None, "")}}
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


def money(value: Any) -> str:
    """Euros, whole, with thousands separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):,.0f}"


def number(value: Any, digits: int = 1) -> str:
    """A figure with ``digits`` decimals (– when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):,.{digits}f}"


def day_text(value: Any) -> str:
    """A date as YYYY-MM-DD (– when missing)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat()
    return str(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts of plain values (categoricals as their codes)."""
    if frame.empty:
        return []
    return [
        {str(k): (None if v is pd.NaT else v) for k, v in row.items()}
        for row in frame.astype(dict.fromkeys(frame.select_dtypes("category"), str)).to_dict(
            "records"
        )
    ]


@cache
def _environment() -> Environment:
    """The templates' environment, built on the first page (never at import)."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=money, number=number, day=day_text)
    env.globals.update(link=link, prefix=PREFIX)
    return env


def render(
    request: Request,
    template: str,
    session: Session | None,
    at: Moment | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page from its template, with what the layout needs."""
    page = (
        _environment()
        .get_template(template)
        .render(
            request=request,
            session=session,
            at=at,
            may_decide=session is not None and session.principal.role is Role.PMO,
            **context,
        )
    )
    headers = {
        "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
        "style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    return HTMLResponse(page, status_code=status, headers=headers)
