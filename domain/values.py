"""Value objects and the validation of raw values: money, person-days, weeks, codes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from uuid import UUID, uuid5

from domain.enums import EndpointKind, Skill
from domain.errors import InvalidInput

CENT = Decimal("0.01")
MAX_MONEY = Decimal("1000000000000")  # a trillion: beyond any envelope, guards arithmetic
MAX_DAYS = Decimal("100000")
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
# The Mondays of the calendar's first and last weeks (each holds a day of the calendar).
FIRST_MONDAY = EARLIEST_DATE - timedelta(days=EARLIEST_DATE.weekday())
LAST_MONDAY = LATEST_DATE - timedelta(days=LATEST_DATE.weekday())

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_CODE = re.compile(CODE_PATTERN)
_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$")
_NAMESPACE = UUID("8a0b5a52-6c1e-4f57-9f0e-4d5f3b1c2e71")


@lru_cache(maxsize=1 << 18)
def entity_id(kind: str, key: str) -> UUID:
    """The stable identifier of an entity of ``kind`` known by ``key`` (case-insensitive)."""
    return uuid5(_NAMESPACE, f"{kind}:{key.upper()}")


def _to_decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool | float):
        raise InvalidInput(
            field, f"{value!r} must be given as a decimal string or an integer, not a float"
        )
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(field, f"{value!r} is not a number") from None
    if not number.is_finite():
        raise InvalidInput(field, f"{value!r} is not a finite number")
    return number


def _two_decimals(number: Decimal, field: str, bound: Decimal) -> Decimal:
    if abs(number) > bound:
        raise InvalidInput(field, f"{number} is larger than the supported maximum {bound}")
    rounded = number.quantize(CENT)
    if rounded != number:
        raise InvalidInput(field, f"{number} has more than 2 decimals")
    return rounded


def money(value: object, field: str = "amount", *, positive: bool = True) -> Decimal:
    """Validate an amount of money: finite, at most 2 decimals, positive (or >= 0)."""
    amount = _two_decimals(_to_decimal(value, field), field, MAX_MONEY)
    if positive and amount <= 0:
        raise InvalidInput(field, f"{amount} must be greater than zero")
    if amount < 0:
        raise InvalidInput(field, f"{amount} must not be negative")
    return amount


def days(value: object, field: str = "days", *, positive: bool = False) -> Decimal:
    """Validate a number of person-days: finite, at most 2 decimals, not negative."""
    amount = _two_decimals(_to_decimal(value, field), field, MAX_DAYS)
    if amount < 0:
        raise InvalidInput(field, f"{amount} must not be negative")
    if positive and amount == 0:
        raise InvalidInput(field, f"{amount} must be greater than zero")
    return amount


def code(value: object, field: str = "code") -> str:
    """Validate an identifier code such as ``B2C`` or ``PAY-CHECKOUT``."""
    if not isinstance(value, str) or not _CODE.match(value.strip()):
        raise InvalidInput(
            field,
            f"{value!r} is not a valid code (letters, digits, '.', '_' or '-', at most 64)",
        )
    return value.strip()


def text(value: object, field: str, *, required: bool = True, limit: int = 200) -> str:
    """Validate free text: stripped, non-empty when required, bounded in length."""
    if not isinstance(value, str):
        raise InvalidInput(field, "must be text")
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(field, "must not be empty")
    if len(cleaned) > limit:
        raise InvalidInput(field, f"is longer than {limit} characters")
    return cleaned


def calendar_date(value: object, field: str) -> date:
    """Validate a date given as a ``date`` or an ISO string, within the supported range."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(field, f"{value!r} is not a date (YYYY-MM-DD)") from None
    if not isinstance(value, date):
        raise InvalidInput(field, f"{value!r} is not a date")
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidInput(field, f"{value} is outside {EARLIEST_DATE} .. {LATEST_DATE}")
    return value


def bounded_int(value: object, field: str, low: int, high: int) -> int:
    """Validate an integer within ``low .. high``."""
    if isinstance(value, bool):
        raise InvalidInput(field, f"{value!r} is not an integer")
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise InvalidInput(field, f"{value!r} is not an integer") from None
    if not low <= number <= high:
        raise InvalidInput(field, f"{number} is not between {low} and {high}")
    return number


@dataclass(frozen=True, order=True, slots=True)
class Week:
    """An ISO week, the period of staffing, capacity and timesheets; known by its Monday."""

    monday: date

    def __post_init__(self) -> None:
        if self.monday.weekday() != 0:
            raise InvalidInput("week", f"{self.monday} is not a Monday")

    @classmethod
    def of(cls, day: date) -> Week:
        """The week that contains ``day``."""
        return cls(day - timedelta(days=day.weekday()))

    @classmethod
    def in_calendar(cls, monday: date, field: str = "week") -> Week:
        """The week starting on ``monday``, refused unless it holds a day of the calendar
        (its first week starts before EARLIEST_DATE, its last ends after LATEST_DATE)."""
        if not FIRST_MONDAY <= monday <= LAST_MONDAY:
            raise InvalidInput(
                field,
                f"the week of {monday} is outside the weeks of {EARLIEST_DATE} .. {LATEST_DATE}",
            )
        return cls(monday)

    def check(self, field: str = "week") -> Week:
        """This week, refused unless it holds a day of the calendar."""
        return Week.in_calendar(self.monday, field)

    @classmethod
    def parse(cls, value: object, field: str = "week") -> Week:
        """Read ``2026-W12``, ``2026W12`` or a date (the week containing it)."""
        if isinstance(value, Week):
            return value
        if isinstance(value, date):
            return cls.of(calendar_date(value, field))
        if isinstance(value, str):
            match = _ISO_WEEK.match(value.strip().upper())
            if match:
                year, number = int(match.group(1)), int(match.group(2))
                try:
                    monday = date.fromisocalendar(year, number, 1)
                except ValueError:
                    raise InvalidInput(field, f"{value!r} is not an ISO week") from None
                return cls.in_calendar(monday, field)
            return cls.of(calendar_date(value, field))
        raise InvalidInput(field, f"{value!r} is not a week (YYYY-Www or a date)")

    def __str__(self) -> str:
        year, number, _ = self.monday.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def sunday(self) -> date:
        """The last day of the week."""
        return self.monday + timedelta(days=6)

    def __add__(self, weeks: int) -> Week:
        return Week(self.monday + timedelta(weeks=weeks))

    def __sub__(self, other: Week) -> int:
        return (self.monday - other.monday).days // 7

    def until(self, last: Week) -> Iterator[Week]:
        """This week and every following one up to ``last`` included."""
        current = self.monday
        while current <= last.monday:
            yield Week(current)
            current += timedelta(weeks=1)


def week_range(first: object, last: object) -> tuple[Week, Week]:
    """Validate an inclusive range of weeks."""
    start, end = Week.parse(first, "first_week"), Week.parse(last, "last_week")
    if end < start:
        raise InvalidInput("last_week", f"{end} is before the first week {start}")
    if end - start > 520:
        raise InvalidInput("last_week", "a range of weeks is limited to ten years")
    return start, end


@dataclass(frozen=True, slots=True)
class FiscalYear:
    """A fiscal year; this portfolio's fiscal years are calendar years."""

    year: int

    @property
    def first_day(self) -> date:
        """1 January."""
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        """31 December."""
        return date(self.year, 12, 31)

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        return f"FY{self.year}"


def fiscal_year(value: object) -> int:
    """Validate a fiscal year number."""
    return bounded_int(value, "fiscal_year", EARLIEST_DATE.year, LATEST_DATE.year)


@dataclass(frozen=True)
class Effort:
    """Person-days of work per skill, as a backlog item needs it."""

    by_skill: Mapping[Skill, Decimal]

    @classmethod
    def of(cls, values: Mapping[Any, object], field: str = "effort") -> Effort:
        """Validate a mapping of skill -> person-days (no negative effort, at least one skill)."""
        parsed: dict[Skill, Decimal] = {}
        for key, value in values.items():
            try:
                skill = key if isinstance(key, Skill) else Skill(str(key).strip().lower())
            except ValueError:
                known = ", ".join(s.value for s in Skill)
                raise InvalidInput(field, f"unknown skill {key!r} (known: {known})") from None
            parsed[skill] = days(value, f"{field}.{skill.value}")
        if not parsed:
            raise InvalidInput(field, "name the effort of at least one skill")
        return cls(dict(sorted(parsed.items(), key=lambda item: item[0].value)))

    @property
    def total(self) -> Decimal:
        """All the person-days, whatever the skill."""
        return sum(self.by_skill.values(), Decimal(0))

    def to_json(self) -> dict[str, str]:
        """Encode for storage."""
        return {skill.value: str(amount) for skill, amount in self.by_skill.items()}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Effort:
        """Decode from storage."""
        return cls({Skill(key): Decimal(value) for key, value in data.items()})


@dataclass(frozen=True)
class DaysByProject:
    """The lines of a timesheet: person-days per project for one week."""

    by_project: Mapping[UUID, Decimal]

    @property
    def total(self) -> Decimal:
        """All the person-days logged that week."""
        return sum(self.by_project.values(), Decimal(0))

    def to_json(self) -> dict[str, str]:
        """Encode for storage."""
        return {key.hex: str(value) for key, value in self.by_project.items()}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> DaysByProject:
        """Decode from storage."""
        return cls({UUID(key): Decimal(value) for key, value in data.items()})


@dataclass(frozen=True)
class Endpoint:
    """One end of a dependency: a milestone, a backlog item, a platform or a component.

    A milestone is ``target_id`` = its project and ``ref`` = its code; a backlog item is
    ``target_id`` = the item and ``ref`` = its code; a platform or component has no
    ``target_id`` and ``ref`` is its name.
    """

    kind: EndpointKind
    target_id: UUID | None
    ref: str

    @property
    def is_internal(self) -> bool:
        """Milestones and backlog items live in this ledger; platforms and components do not."""
        return self.kind in (EndpointKind.MILESTONE, EndpointKind.BACKLOG_ITEM)

    def to_json(self) -> dict[str, str | None]:
        """Encode for storage."""
        return {
            "kind": self.kind.value,
            "target": self.target_id.hex if self.target_id else None,
            "ref": self.ref,
        }

    @classmethod
    def from_json(cls, data: dict[str, str | None]) -> Endpoint:
        """Decode from storage."""
        target = data["target"]
        return cls(EndpointKind(data["kind"]), UUID(target) if target else None, data["ref"] or "")


@dataclass(frozen=True)
class StaffingChange:
    """One week of a resource on a project, as staffed and as a plan proposes it."""

    resource: str
    project: str
    week: Week
    before: Decimal
    after: Decimal


@dataclass(frozen=True)
class StaffingChanges:
    """The staffing changes of a plan proposal, in (resource, project, week) order."""

    changes: tuple[StaffingChange, ...]

    @classmethod
    def of(cls, changes: Iterable[StaffingChange], field: str = "changes") -> StaffingChanges:
        """Validate: days within bounds, one change per resource, project and week."""
        checked = []
        seen: set[tuple[str, str, Week]] = set()
        for change in changes:
            key = (change.resource.upper(), change.project.upper(), change.week)
            if key in seen:
                raise InvalidInput(field, f"{change.resource} on {change.project} in"
                                   f" {change.week} appears twice")  # fmt: skip
            seen.add(key)
            change.week.check(f"{field}.week")
            days(change.before, f"{field}.before")
            days(change.after, f"{field}.after")
            checked.append(change)
        return cls(tuple(sorted(checked, key=lambda c: (c.resource, c.project, c.week))))

    def ranges(self) -> list[tuple[str, str, Week, Week, Decimal]]:
        """Consecutive weeks of one resource on one project at the same new value, as
        (resource, project, first week, last week, days): decreases first, so a week's
        freed days are there before another project takes them."""
        found: list[tuple[bool, str, str, Week, Week, Decimal]] = []
        for change in self.changes:
            rising = change.after > change.before
            if found:
                was_rising, resource, project, first, last, value = found[-1]
                if (resource, project, value, was_rising) == (
                    change.resource, change.project, change.after, rising
                ) and last + 1 == change.week:  # fmt: skip
                    found[-1] = (rising, resource, project, first, change.week, value)
                    continue
            found.append((rising, change.resource, change.project, change.week, change.week,
                          change.after))  # fmt: skip
        found.sort(key=lambda row: row[0])
        return [(r, p, first, last, value) for _, r, p, first, last, value in found]

    def to_json(self) -> list[list[str]]:
        """Encode for storage."""
        return [
            [c.resource, c.project, str(c.week), str(c.before), str(c.after)] for c in self.changes
        ]

    @classmethod
    def from_json(cls, data: list[list[str]]) -> StaffingChanges:
        """Decode from storage."""
        return cls(
            tuple(
                StaffingChange(r, p, Week.parse(w), Decimal(b), Decimal(a))
                for r, p, w, b, a in data
            )
        )


@dataclass(frozen=True)
class Document:
    """A JSON document kept as recorded (a plan proposal's settings and report)."""

    data: Mapping[str, Any]

    @classmethod
    def of(cls, value: object, field: str, *, limit: int = 4_000_000) -> Document:
        """Validate: a JSON object of bounded size."""
        if isinstance(value, Document):
            return value
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise InvalidInput(field, "is not valid JSON") from None
        if not isinstance(value, dict):
            raise InvalidInput(field, "must be a JSON object")
        try:
            text = json.dumps(value, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError):
            raise InvalidInput(field, "holds values JSON cannot encode") from None
        if len(text) > limit:
            raise InvalidInput(field, f"is larger than {limit:,} characters")
        return cls(json.loads(text))

    def to_json(self) -> dict[str, Any]:
        """Encode for storage."""
        return dict(self.data)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        """Decode from storage."""
        return cls(data)
