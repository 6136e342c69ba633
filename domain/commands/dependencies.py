"""Dependency commands: declare, move the needed-by date, meet, cancel.

A milestone is named ``PROJECT/MILESTONE``; a backlog item by its code; a platform or a
shared component by its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.commands import parse
from domain.commands.base import Command, arg, exactly_one, handles
from domain.enums import EndpointKind
from domain.errors import InvalidInput, RuleViolation
from domain.model.backlog import BacklogItem
from domain.model.dependency import Dependency
from domain.model.project import Project
from domain.timeline import Provenance
from domain.unit_of_work import UnitOfWork
from domain.values import Endpoint


def _milestone_ref(value: object, field: str) -> str:
    project, sep, milestone = str(value).partition("/")
    if not sep:
        raise InvalidInput(field, f"{value!r} is not PROJECT/MILESTONE")
    return f"{parse.code(project, field)}/{parse.code(milestone, field)}"


_MILESTONE = parse.optional(_milestone_ref)
_CODE = parse.optional(parse.code)
_NAME = parse.optional(parse.text(120))


def _endpoint(uow: UnitOfWork, kind: EndpointKind, ref: str) -> Endpoint:
    if kind is EndpointKind.MILESTONE:
        project_code, _, milestone = ref.partition("/")
        project = uow.get(Project, project_code)
        found = project.state().milestone(milestone)
        return Endpoint(kind, project.id, f"{project.code}/{found.code}")
    if kind is EndpointKind.BACKLOG_ITEM:
        item = uow.get(BacklogItem, ref)
        return Endpoint(kind, item.id, item.code)
    return Endpoint(kind, None, ref)


@dataclass(frozen=True, kw_only=True)
class DeclareDependency(Command):
    """Declare that a milestone or backlog item needs another one, or something outside."""

    area, action = "dependency", "declare"
    creates = True
    code: str | None = arg("dependency code (default: generated)", _CODE, default=None)
    milestone: str | None = arg("dependent milestone, PROJECT/MILESTONE", _MILESTONE, default=None)
    item: str | None = arg("dependent backlog item code", _CODE, default=None)
    on_milestone: str | None = arg("needed milestone, PROJECT/MILESTONE", _MILESTONE, default=None)
    on_item: str | None = arg("needed backlog item code", _CODE, default=None)
    on_platform: str | None = arg("needed external platform", _NAME, default=None)
    on_component: str | None = arg("needed shared component", _NAME, default=None)
    needed_by: date | None = arg(
        "date the prerequisite is needed by (required outside the ledger)",
        parse.optional(parse.a_date),
        default=None,
    )
    description: str = arg("what is needed", parse.text(500, required=False), default="")

    def validate(self) -> None:
        exactly_one(milestone=self.milestone, item=self.item)
        exactly_one(
            on_milestone=self.on_milestone,
            on_item=self.on_item,
            on_platform=self.on_platform,
            on_component=self.on_component,
        )
        if self.needed_by is None and (self.on_platform or self.on_component):
            raise InvalidInput("needed_by", "a platform or component dependency needs a date")

    def endpoints(self) -> tuple[tuple[EndpointKind, str], tuple[EndpointKind, str]]:
        """The raw (kind, reference) of the dependent and of the prerequisite."""
        dependent = (
            (EndpointKind.MILESTONE, self.milestone)
            if self.milestone
            else (EndpointKind.BACKLOG_ITEM, self.item or "")
        )
        options = [
            (EndpointKind.MILESTONE, self.on_milestone),
            (EndpointKind.BACKLOG_ITEM, self.on_item),
            (EndpointKind.PLATFORM, self.on_platform),
            (EndpointKind.COMPONENT, self.on_component),
        ]
        kind, ref = next((k, r) for k, r in options if r is not None)
        return dependent, (kind, ref or "")

    def summary(self) -> str:
        (_, dependent), (_, prerequisite) = self.endpoints()
        return f"{dependent} depends on {prerequisite}"


@handles(DeclareDependency)
def declare(uow: UnitOfWork, cmd: DeclareDependency, prov: Provenance) -> None:
    (dep_kind, dep_ref), (pre_kind, pre_ref) = cmd.endpoints()
    dependent = _endpoint(uow, dep_kind, dep_ref)
    prerequisite = _endpoint(uow, pre_kind, pre_ref)
    if dependent == prerequisite:
        raise RuleViolation(f"{dependent.ref} cannot depend on itself")
    code = cmd.code or uow.new_code("DEP")
    uow.require_absent(Dependency, code)
    uow.add(
        Dependency.declare(
            prov,
            code=code,
            dependent=dependent,
            prerequisite=prerequisite,
            needed_by=cmd.needed_by,
            description=cmd.description,
        )
    )


@dataclass(frozen=True, kw_only=True)
class DependencyCommand(Command):
    """A command on one dependency."""

    dependency: str = arg("dependency code", parse.code)


def _dependency(uow: UnitOfWork, cmd: DependencyCommand) -> Dependency:
    return uow.get(Dependency, cmd.dependency, expected_version=cmd.expected_version)


@dataclass(frozen=True, kw_only=True)
class ChangeNeededBy(DependencyCommand):
    """Move the date a prerequisite is needed by."""

    area, action = "dependency", "needed-by"
    needed_by: date = arg("new needed-by date", parse.a_date)

    def summary(self) -> str:
        return f"{self.dependency} needed by {self.needed_by}"


@handles(ChangeNeededBy)
def change_needed_by(uow: UnitOfWork, cmd: ChangeNeededBy, prov: Provenance) -> None:
    _dependency(uow, cmd).change_needed_by(prov, needed_by=cmd.needed_by)


@dataclass(frozen=True, kw_only=True)
class MeetDependency(DependencyCommand):
    """Record that the prerequisite was delivered."""

    area, action = "dependency", "meet"

    def summary(self) -> str:
        return f"{self.dependency} met"


@handles(MeetDependency)
def meet(uow: UnitOfWork, cmd: MeetDependency, prov: Provenance) -> None:
    _dependency(uow, cmd).meet(prov)


@dataclass(frozen=True, kw_only=True)
class CancelDependency(DependencyCommand):
    """Cancel a dependency that no longer holds."""

    area, action = "dependency", "cancel"

    def summary(self) -> str:
        return f"{self.dependency} cancelled"


@handles(CancelDependency)
def cancel(uow: UnitOfWork, cmd: CancelDependency, prov: Provenance) -> None:
    _dependency(uow, cmd).cancel(prov)
