"""Timesheet commands: submit, approve, correct a resource's week.

Every timesheet event is effective on the Monday of its week, whenever it is recorded:
what changes with a late correction is what the ledger knows, not when it applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.commands import parse
from domain.commands.base import Command, arg, handles
from domain.enums import ResourceKind
from domain.errors import InvalidInput, RuleViolation
from domain.model.project import Project
from domain.model.resource import Resource
from domain.model.timesheet import Timesheet, max_days_per_week
from domain.timeline import Provenance
from domain.unit_of_work import UnitOfWork
from domain.values import DaysByProject, Week


@dataclass(frozen=True, kw_only=True)
class TimesheetCommand(Command):
    """A command about one resource's week."""

    resource: str = arg("resource code", parse.code)
    week: Week = arg("the week (2026-W12 or a date within it)", parse.week)

    def validate(self) -> None:
        if self.effective_date is not None and self.effective_date != self.week.monday:
            raise InvalidInput(
                "effective_date",
                f"a timesheet for {self.week} is effective on its Monday"
                f" ({self.week.monday}), not on {self.effective_date}",
            )

    def default_effective_date(self, today: date) -> date:
        return self.week.monday


def _lines(uow: UnitOfWork, lines: dict[str, Decimal]) -> DaysByProject:
    return DaysByProject({uow.get(Project, code).id: amount for code, amount in lines.items()})


def _timesheet(uow: UnitOfWork, cmd: TimesheetCommand) -> Timesheet:
    resource = uow.get(Resource, cmd.resource)
    return uow.get(
        Timesheet,
        Timesheet.key(resource.id, cmd.week),
        ref=f"{resource.code}/{cmd.week}",
        expected_version=cmd.expected_version,
    )


@dataclass(frozen=True, kw_only=True)
class SubmitTimesheet(TimesheetCommand):
    """Submit the person-days a resource worked per project in a week."""

    area, action = "timesheet", "submit"
    creates = True
    lines: dict[str, Decimal] = arg("person-days per project: PROJECT=DAYS", parse.days_by_code)

    def summary(self) -> str:
        return f"Timesheet {self.resource} {self.week}"


@handles(SubmitTimesheet)
def submit_timesheet(uow: UnitOfWork, cmd: SubmitTimesheet, prov: Provenance) -> None:
    if cmd.week.monday > prov.recorded_at.date():
        raise RuleViolation(
            f"{cmd.week} has not started yet; time is logged once worked", week=str(cmd.week)
        )
    resource = uow.get(Resource, cmd.resource)
    uow.require_absent(
        Timesheet, Timesheet.key(resource.id, cmd.week), ref=f"{resource.code}/{cmd.week}"
    )
    state = resource.state()
    team_capacity = state.base_capacity(cmd.week) if state.kind is ResourceKind.TEAM else None
    uow.add(
        Timesheet.submit(
            prov,
            resource_id=resource.id,
            resource=resource.code,
            week=cmd.week,
            lines=_lines(uow, cmd.lines),
            max_days=max_days_per_week(team_capacity),
        )
    )


@dataclass(frozen=True, kw_only=True)
class ApproveTimesheet(TimesheetCommand):
    """Approve a resource's week as logged."""

    area, action = "timesheet", "approve"

    def summary(self) -> str:
        return f"Approve timesheet {self.resource} {self.week}"


@handles(ApproveTimesheet)
def approve_timesheet(uow: UnitOfWork, cmd: ApproveTimesheet, prov: Provenance) -> None:
    _timesheet(uow, cmd).approve(prov)


@dataclass(frozen=True, kw_only=True)
class CorrectTimesheet(TimesheetCommand):
    """Correct the person-days of a week already submitted."""

    area, action = "timesheet", "correct"
    lines: dict[str, Decimal] = arg("corrected person-days per project", parse.days_by_code)

    def summary(self) -> str:
        return f"Correct timesheet {self.resource} {self.week}"


@handles(CorrectTimesheet)
def correct_timesheet(uow: UnitOfWork, cmd: CorrectTimesheet, prov: Provenance) -> None:
    timesheet = _timesheet(uow, cmd)
    timesheet.correct(prov, lines=_lines(uow, cmd.lines))
