"""Commands that shape the portfolio tree: perimeters, programmes, projects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.commands import parse
from domain.commands.base import Command, arg, handles
from domain.errors import InvalidInput
from domain.model.portfolio import Perimeter, Programme
from domain.model.project import Project
from domain.timeline import Provenance
from domain.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class OpenPerimeter(Command):
    """Open a perimeter of the portfolio (B2C, B2B, Data…)."""

    area, action = "perimeter", "open"
    creates = True
    code: str = arg("perimeter code, e.g. B2C", parse.code)
    name: str = arg("perimeter name", parse.text())

    def summary(self) -> str:
        return f"Open perimeter {self.code}"


@handles(OpenPerimeter)
def open_perimeter(uow: UnitOfWork, cmd: OpenPerimeter, prov: Provenance) -> None:
    uow.require_absent(Perimeter, cmd.code)
    uow.add(Perimeter.open(prov, code=cmd.code, name=cmd.name))


@dataclass(frozen=True, kw_only=True)
class OpenProgramme(Command):
    """Open a programme in a perimeter."""

    area, action = "programme", "open"
    creates = True
    code: str = arg("programme code", parse.code)
    name: str = arg("programme name", parse.text())
    perimeter: str = arg("code of the perimeter it belongs to", parse.code)

    def summary(self) -> str:
        return f"Open programme {self.code} in {self.perimeter}"


@handles(OpenProgramme)
def open_programme(uow: UnitOfWork, cmd: OpenProgramme, prov: Provenance) -> None:
    perimeter = uow.get(Perimeter, cmd.perimeter)
    uow.require_absent(Programme, cmd.code)
    uow.add(Programme.open(prov, code=cmd.code, name=cmd.name, perimeter=perimeter))


@dataclass(frozen=True, kw_only=True)
class OpenProject(Command):
    """Open a project in a programme, with its start and end dates."""

    area, action = "project", "open"
    creates = True
    code: str = arg("project code", parse.code)
    name: str = arg("project name", parse.text())
    programme: str = arg("code of the programme it belongs to", parse.code)
    start: date = arg("start date", parse.a_date)
    end: date = arg("planned end date", parse.a_date)

    def validate(self) -> None:
        _require_ordered(self.start, self.end)

    def summary(self) -> str:
        return f"Open project {self.code} in {self.programme}"


@handles(OpenProject)
def open_project(uow: UnitOfWork, cmd: OpenProject, prov: Provenance) -> None:
    programme = uow.get(Programme, cmd.programme)
    uow.require_absent(Project, cmd.code)
    uow.add(
        Project.open(
            prov,
            code=cmd.code,
            name=cmd.name,
            programme_id=programme.id,
            start=cmd.start,
            end=cmd.end,
        )
    )


@dataclass(frozen=True, kw_only=True)
class RescheduleProject(Command):
    """Move a project's start or end date."""

    area, action = "project", "reschedule"
    requires_rationale = True
    opens_decision = True
    project: str = arg("project code", parse.code)
    start: date = arg("new start date", parse.a_date)
    end: date = arg("new end date", parse.a_date)

    def validate(self) -> None:
        _require_ordered(self.start, self.end)

    def summary(self) -> str:
        return f"Reschedule {self.project} to {self.start} .. {self.end}"


@handles(RescheduleProject)
def reschedule_project(uow: UnitOfWork, cmd: RescheduleProject, prov: Provenance) -> None:
    project = uow.get(Project, cmd.project, expected_version=cmd.expected_version)
    project.reschedule(prov, start=cmd.start, end=cmd.end)


@dataclass(frozen=True, kw_only=True)
class CloseProject(Command):
    """Close a project once its milestones are reached or cancelled."""

    area, action = "project", "close"
    opens_decision = True
    project: str = arg("project code", parse.code)

    def summary(self) -> str:
        return f"Close project {self.project}"


@handles(CloseProject)
def close_project(uow: UnitOfWork, cmd: CloseProject, prov: Provenance) -> None:
    uow.get(Project, cmd.project, expected_version=cmd.expected_version).close(prov)


def _require_ordered(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput("end", f"{end} is before the start {start}")
