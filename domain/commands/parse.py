"""Parsers that turn raw command input (text, JSON values) into domain values.

Each parser takes ``(value, field_name)`` and returns the normalised value or raises
:class:`~domain.errors.InvalidInput` naming the field.
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


def code(value: object, field: str) -> str:
    """A code such as ``PAY-CHECKOUT``."""
    return values.code(value, field)


def text(limit: int = 200, *, required: bool = True) -> Parser:
    """Free text up to ``limit`` characters."""

    def parse(value: object, field: str) -> str:
        return values.text(value, field, required=required, limit=limit)

    return parse


def money(value: object, field: str) -> Decimal:
    """An amount greater than zero, at most 2 decimals."""
    return values.money(value, field)


def money_or_zero(value: object, field: str) -> Decimal:
    """An amount of zero or more, at most 2 decimals."""
    return values.money(value, field, positive=False)


def days(value: object, field: str) -> Decimal:
    """Person-days, zero or more."""
    return values.days(value, field)


def positive_days(value: object, field: str) -> Decimal:
    """Person-days, more than zero."""
    return values.days(value, field, positive=True)


def a_date(value: object, field: str) -> date:
    """A calendar date (``YYYY-MM-DD``)."""
    return values.calendar_date(value, field)


def week(value: object, field: str) -> Week:
    """An ISO week (``2026-W12``) or a date within it."""
    return Week.parse(value, field)


def fiscal_year(value: object, field: str) -> int:
    """A fiscal year such as 2026."""
    return values.fiscal_year(value)


def int_between(low: int, high: int) -> Parser:
    """An integer within ``low .. high``."""

    def parse(value: object, field: str) -> int:
        return values.bounded_int(value, field, low, high)

    return parse


def choice(enum: type[E]) -> Parser:
    """One value of ``enum``, by value, case-insensitive."""

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


def effort(value: object, field: str) -> Effort:
    """Person-days per skill: ``{"architect": 5}`` or ``["architect=5"]``."""
    if isinstance(value, Effort):
        return value
    return Effort.of(_pairs(value, field), field)


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

    def parse(value: object, field: str) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return parser(value, field)

    return parse
