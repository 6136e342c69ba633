"""Parsers that turn raw command input (text, JSON values) into domain values.

Each parser takes ``(value, field_name)`` and returns the normalised value or raises
:class:`~domain.errors.InvalidInput` naming the field. Each also carries a ``spec``: what
kind of value it reads and its bounds (a plain dict), so a face can describe the input
it accepts (the HTTP API publishes it as JSON Schema) without parsing anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from domain import values
from domain.errors import InvalidInput
from domain.values import Effort, Week

Parser = Callable[[object, str], Any]
E = TypeVar("E", bound=Enum)
P = TypeVar("P", bound=Callable[..., Any])


def _spec(kind: str, **bounds: Any) -> Callable[[P], P]:
    """Note what a parser reads (``kind``) and its bounds on the parser itself."""

    def note(parser: P) -> P:
        parser.spec = {"kind": kind, **bounds}  # type: ignore[attr-defined]
        return parser

    return note


def spec_of(parser: Parser) -> dict[str, Any]:
    """What ``parser`` reads: ``{"kind": "money", "positive": True, ...}`` (``other`` if unsaid)."""
    found: dict[str, Any] = getattr(parser, "spec", {"kind": "other"})
    return found


@_spec("code", pattern=values.CODE_PATTERN)
def code(value: object, field: str) -> str:
    """A code such as ``PAY-CHECKOUT``."""
    return values.code(value, field)


def text(limit: int = 200, *, required: bool = True) -> Parser:
    """Free text up to ``limit`` characters."""

    @_spec("text", limit=limit, required=required)
    def parse(value: object, field: str) -> str:
        return values.text(value, field, required=required, limit=limit)

    return parse


@_spec("money", positive=True, maximum=values.MAX_MONEY)
def money(value: object, field: str) -> Decimal:
    """An amount greater than zero, at most 2 decimals."""
    return values.money(value, field)


@_spec("money", positive=False, maximum=values.MAX_MONEY)
def money_or_zero(value: object, field: str) -> Decimal:
    """An amount of zero or more, at most 2 decimals."""
    return values.money(value, field, positive=False)


@_spec("days", positive=False, maximum=values.MAX_DAYS)
def days(value: object, field: str) -> Decimal:
    """Person-days, zero or more."""
    return values.days(value, field)


@_spec("days", positive=True, maximum=values.MAX_DAYS)
def positive_days(value: object, field: str) -> Decimal:
    """Person-days, more than zero."""
    return values.days(value, field, positive=True)


@_spec("date", earliest=values.EARLIEST_DATE, latest=values.LATEST_DATE)
def a_date(value: object, field: str) -> date:
    """A calendar date (``YYYY-MM-DD``)."""
    return values.calendar_date(value, field)


@_spec("week")
def week(value: object, field: str) -> Week:
    """An ISO week (``2026-W12``) or a date within it."""
    return Week.parse(value, field)


@_spec("int", low=values.EARLIEST_DATE.year, high=values.LATEST_DATE.year)
def fiscal_year(value: object, field: str) -> int:
    """A fiscal year such as 2026."""
    return values.fiscal_year(value)


def int_between(low: int, high: int) -> Parser:
    """An integer within ``low .. high``."""

    @_spec("int", low=low, high=high)
    def parse(value: object, field: str) -> int:
        return values.bounded_int(value, field, low, high)

    return parse


def choice(enum: type[E]) -> Parser:
    """One value of ``enum``, by value, case-insensitive."""

    @_spec("choice", enum=enum)
    def parse(value: object, field: str) -> E:
        if isinstance(value, enum):
            return value
        wanted = str(value.value if isinstance(value, Enum) else value).strip().lower()
        for member in enum:
            if wanted in (str(member.value), member.name.lower()):
                return member
        known = ", ".join(str(m.value) for m in enum)
        raise InvalidInput(field, f"{value!r} is not one of: {known}")

    return parse


def choices(enum: type[E]) -> Parser:
    """A non-empty list of distinct values of ``enum``."""
    one = choice(enum)

    @_spec("choices", enum=enum)
    def parse(value: object, field: str) -> list[E]:
        items = [value] if isinstance(value, str | Enum) else value
        if not isinstance(items, Iterable):
            raise InvalidInput(field, "must be a list")
        parsed = list(dict.fromkeys(one(item, field) for item in items))
        if not parsed:
            raise InvalidInput(field, "name at least one")
        return parsed

    return parse


def _pairs(value: object, field: str) -> dict[str, object]:
    """Read a mapping given as a dict or as ``key=value`` strings."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable):
        raise InvalidInput(field, "must be a mapping or a list of KEY=VALUE")
    pairs: dict[str, object] = {}
    for item in items:
        key, sep, amount = str(item).partition("=")
        if not sep or not key.strip():
            raise InvalidInput(field, f"{item!r} is not KEY=VALUE")
        if key.strip() in pairs:
            raise InvalidInput(field, f"{key.strip()!r} is given twice")
        pairs[key.strip()] = amount.strip()
    return pairs


@_spec("effort", maximum=values.MAX_DAYS)
def effort(value: object, field: str) -> Effort:
    """Person-days per skill: ``{"architect": 5}`` or ``["architect=5"]``."""
    if isinstance(value, Effort):
        return value
    return Effort.of(_pairs(value, field), field)


@_spec("days_by_code", pattern=values.CODE_PATTERN, maximum=values.MAX_DAYS)
def days_by_code(value: object, field: str) -> dict[str, Decimal]:
    """Person-days per code (timesheet lines): ``{"PAY-01": 2.5}`` or ``["PAY-01=2.5"]``."""
    parsed = {
        code(key, f"{field}.{key}"): days(amount, f"{field}.{key}")
        for key, amount in _pairs(value, field).items()
    }
    if len({key.upper() for key in parsed}) != len(parsed):
        raise InvalidInput(field, "a project appears twice")
    return parsed


def optional(parser: Parser) -> Parser:
    """``parser``, letting ``None`` (and an empty string) through as ``None``."""

    @_spec("optional", inner=parser)
    def parse(value: object, field: str) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return parser(value, field)

    return parse
