"""Weekly timesheets (pointages): submitted, approved, corrected.

A timesheet is about one resource and one week; all its events are effective on the
Monday of that week, so a correction recorded months later changes what the ledger
says about that week from the day it learned it, and never what it said before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Self
from uuid import UUID

from domain.enums import TimesheetStatus
from domain.errors import InvalidInput, InvalidTransition, RuleViolation
from domain.timeline import LedgerAggregate, LedgerCreated, LedgerEvent, Provenance
from domain.values import DaysByProject, Week

DAYS_PER_PERSON = Decimal(7)


@dataclass
class TimesheetState:
    """A timesheet as in force at a date."""

    code: str = ""
    resource_id: UUID | None = None
    week: Week | None = None
    lines: DaysByProject = field(default_factory=lambda: DaysByProject({}))
    max_days: Decimal = DAYS_PER_PERSON
    status: TimesheetStatus = TimesheetStatus.SUBMITTED
    corrections: int = 0


def max_days_per_week(team_capacity: Decimal | None) -> Decimal:
    """What a week can hold: 7 days for a person; for a team, 7 per member's 5 days."""
    if team_capacity is None:
        return DAYS_PER_PERSON
    return (team_capacity * DAYS_PER_PERSON / 5).quantize(Decimal("0.01"))


def _check_lines(lines: DaysByProject, resource: str, week: Week, limit: Decimal) -> None:
    if lines.total > limit:
        raise InvalidInput(
            "lines",
            f"{resource} logs {lines.total} days in {week}; its week holds at most {limit}",
        )


class Timesheet(LedgerAggregate):
    """One resource's logged person-days per project for one week."""

    kind = "timesheet"
    State = TimesheetState

    class Submitted(LedgerCreated):
        """The resource submits its week."""

        resource_id: UUID
        resource: str
        week: Week
        lines: DaysByProject
        max_days: Decimal

        def check(self, state: TimesheetState) -> None:
            _check_lines(self.lines, self.resource, self.week, self.max_days)

        def evolve(self, state: TimesheetState) -> None:
            state.code, state.resource_id, state.week = self.code, self.resource_id, self.week
            state.lines, state.max_days = self.lines, self.max_days

    class Approved(LedgerEvent):
        """The manager approves the week as logged."""

        noun = "approval"

        def check(self, state: TimesheetState) -> None:
            if state.status is TimesheetStatus.APPROVED:
                raise InvalidTransition(
                    f"timesheet {state.code} is already approved", timesheet=state.code
                )

        def evolve(self, state: TimesheetState) -> None:
            state.status = TimesheetStatus.APPROVED

    class Corrected(LedgerEvent):
        """The logged days are corrected (and need approving again)."""

        noun = "correction"

        lines: DaysByProject

        def check(self, state: TimesheetState) -> None:
            assert state.week is not None  # set by the creation event
            _check_lines(self.lines, state.code, state.week, state.max_days)

        def check_not_redundant(self, state: TimesheetState) -> None:
            if self.lines == state.lines:
                raise RuleViolation(
                    f"timesheet {state.code} already holds these lines", timesheet=state.code
                )

        def evolve(self, state: TimesheetState) -> None:
            state.lines = self.lines
            state.status = TimesheetStatus.CORRECTED
            state.corrections += 1

    @staticmethod
    def key(resource_id: UUID, week: Week) -> str:
        """The natural key of a timesheet."""
        return f"{resource_id.hex}:{week}"

    @classmethod
    def submit(
        cls,
        prov: Provenance,
        *,
        resource_id: UUID,
        resource: str,
        week: Week,
        lines: DaysByProject,
        max_days: Decimal,
    ) -> Self:
        """Submit a week of person-days per project (at most ``max_days`` in all)."""
        return cls._open(
            cls.Submitted,
            prov,
            key=cls.key(resource_id, week),
            code=f"{resource}/{week}",
            resource_id=resource_id,
            resource=resource,
            week=week,
            lines=lines,
            max_days=max_days,
        )

    def approve(self, prov: Provenance) -> None:
        """Approve the week."""
        self._record(self.Approved, prov)

    def correct(self, prov: Provenance, *, lines: DaysByProject) -> None:
        """Correct the logged days."""
        self._record(self.Corrected, prov, lines=lines)
