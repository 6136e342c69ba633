"""Staffing decisions: who works on which project, how many days a week, over which weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.commands import parse
from domain.commands.base import Command, arg, handles
from domain.enums import ProjectStatus
from domain.errors import InvalidTransition, RuleViolation
from domain.model.project import Project
from domain.model.resource import Resource
from domain.timeline import Provenance
from domain.unit_of_work import UnitOfWork
from domain.values import Week, week_range


def _active_project(uow: UnitOfWork, code: str, day: date) -> Project:
    """The project, refused unless it is open on ``day`` (the command's effective date)."""
    project = uow.get(Project, code)
    project.require_in_force(day, "this staffing")
    if project.state(as_of=day).status is not ProjectStatus.ACTIVE:
        raise InvalidTransition(f"project {project.code} is closed on {day}", project=project.code)
    return project


@dataclass(frozen=True, kw_only=True)
class StaffResource(Command):
    """Staff a resource on a project at N person-days per week over a range of weeks.

    The range is set to exactly that many days (0 frees those weeks); a week may never
    be staffed beyond the resource's capacity.
    """

    area, action = "staffing", "set"
    requires_rationale = True
    opens_decision = True
    resource: str = arg("resource code", parse.code)
    project: str = arg("project code", parse.code)
    first_week: Week = arg("first week (2026-W12 or a date)", parse.week)
    last_week: Week = arg("last week", parse.week)
    days: Decimal = arg("person-days per week", parse.days)

    def validate(self) -> None:
        week_range(self.first_week, self.last_week)

    def summary(self) -> str:
        return (
            f"Staff {self.resource} on {self.project} {self.days} days/week"
            f" {self.first_week} .. {self.last_week}"
        )


@handles(StaffResource)
def staff_resource(uow: UnitOfWork, cmd: StaffResource, prov: Provenance) -> None:
    resource = uow.get(Resource, cmd.resource, expected_version=cmd.expected_version)
    project = _active_project(uow, cmd.project, prov.effective_date)
    resource.staff(
        prov,
        project_id=project.id,
        project=project.code,
        first_week=cmd.first_week,
        last_week=cmd.last_week,
        days=cmd.days,
    )


@dataclass(frozen=True, kw_only=True)
class ReleaseResource(Command):
    """Take a resource off a project from a week on."""

    area, action = "staffing", "release"
    requires_rationale = True
    opens_decision = True
    resource: str = arg("resource code", parse.code)
    project: str = arg("project code", parse.code)
    from_week: Week = arg("first week without the resource", parse.week)

    def summary(self) -> str:
        return f"Release {self.resource} from {self.project} from {self.from_week}"


@handles(ReleaseResource)
def release_resource(uow: UnitOfWork, cmd: ReleaseResource, prov: Provenance) -> None:
    resource = uow.get(Resource, cmd.resource, expected_version=cmd.expected_version)
    project = uow.get(Project, cmd.project)
    resource.release(prov, project_id=project.id, project=project.code, from_week=cmd.from_week)


@dataclass(frozen=True, kw_only=True)
class MoveResource(Command):
    """Move a resource from one project to another over a range of weeks, in one decision."""

    area, action = "staffing", "move"
    requires_rationale = True
    opens_decision = True
    resource: str = arg("resource code", parse.code)
    from_project: str = arg("project the resource leaves", parse.code)
    to_project: str = arg("project the resource joins", parse.code)
    first_week: Week = arg("first week on the new project", parse.week)
    last_week: Week = arg("last week on the new project", parse.week)
    days: Decimal = arg("person-days per week on the new project", parse.positive_days)

    def validate(self) -> None:
        week_range(self.first_week, self.last_week)
        if self.from_project.upper() == self.to_project.upper():
            raise RuleViolation(f"moving {self.resource} needs two different projects")

    def summary(self) -> str:
        return f"Move {self.resource} from {self.from_project} to {self.to_project}"


@handles(MoveResource)
def move_resource(uow: UnitOfWork, cmd: MoveResource, prov: Provenance) -> None:
    resource = uow.get(Resource, cmd.resource, expected_version=cmd.expected_version)
    leaving = uow.get(Project, cmd.from_project)
    joining = _active_project(uow, cmd.to_project, prov.effective_date)
    resource.release(prov, project_id=leaving.id, project=leaving.code, from_week=cmd.first_week)
    resource.staff(
        prov,
        project_id=joining.id,
        project=joining.code,
        first_week=cmd.first_week,
        last_week=cmd.last_week,
        days=cmd.days,
    )
