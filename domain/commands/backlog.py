"""Backlog commands: add, re-estimate, re-prioritise, mature, link, complete, drop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.commands import parse
from domain.commands.base import Command, arg, handles
from domain.enums import Maturity
from domain.model.backlog import BacklogItem
from domain.model.project import Project
from domain.timeline import Provenance
from domain.unit_of_work import UnitOfWork
from domain.values import Effort


def _milestone_of(project: Project, milestone: str | None, day: date) -> str | None:
    """The milestone as the project spells it on ``day``, refusing one it does not hold."""
    if milestone is None:
        return None
    project.require_in_force(day, f"a backlog item serving {milestone}")
    spelled: str = project.state(as_of=day).milestone(milestone).code
    return spelled


@dataclass(frozen=True, kw_only=True)
class AddBacklogItem(Command):
    """Add an item to a project's backlog, with its effort per skill."""

    area, action = "backlog", "add"
    creates = True
    code: str = arg("item code, e.g. PAY-142", parse.code)
    project: str = arg("project code", parse.code)
    title: str = arg("what the item delivers", parse.text())
    effort: Effort = arg("person-days per skill: SKILL=DAYS", parse.effort)
    rank: int = arg("priority rank in the backlog (1 = first)", parse.int_between(1, 100000))
    maturity: Maturity = arg("idea, refined or ready", parse.choice(Maturity), default="idea")
    milestone: str | None = arg(
        "code of the project milestone it serves", parse.optional(parse.code), default=None
    )

    def summary(self) -> str:
        return f"Add backlog item {self.code} to {self.project}"


@handles(AddBacklogItem)
def add_backlog_item(uow: UnitOfWork, cmd: AddBacklogItem, prov: Provenance) -> None:
    project = uow.get(Project, cmd.project)
    milestone = _milestone_of(project, cmd.milestone, prov.effective_date)
    uow.require_absent(BacklogItem, cmd.code)
    uow.add(
        BacklogItem.add(
            prov,
            code=cmd.code,
            project_id=project.id,
            project=project.code,
            title=cmd.title,
            effort=cmd.effort,
            rank=cmd.rank,
            maturity=cmd.maturity,
            milestone=milestone,
        )
    )


@dataclass(frozen=True, kw_only=True)
class BacklogItemCommand(Command):
    """A command on one backlog item."""

    item: str = arg("backlog item code", parse.code)


def _item(uow: UnitOfWork, cmd: BacklogItemCommand) -> BacklogItem:
    return uow.get(BacklogItem, cmd.item, expected_version=cmd.expected_version)


@dataclass(frozen=True, kw_only=True)
class ReestimateBacklogItem(BacklogItemCommand):
    """Estimate an item's effort per skill again."""

    area, action = "backlog", "reestimate"
    effort: Effort = arg("person-days per skill: SKILL=DAYS", parse.effort)

    def summary(self) -> str:
        return f"Re-estimate {self.item}"


@handles(ReestimateBacklogItem)
def reestimate(uow: UnitOfWork, cmd: ReestimateBacklogItem, prov: Provenance) -> None:
    _item(uow, cmd).reestimate(prov, effort=cmd.effort)


@dataclass(frozen=True, kw_only=True)
class ReprioritiseBacklogItem(BacklogItemCommand):
    """Move an item in the priority ranking (a backlog arbitration)."""

    area, action = "backlog", "rank"
    opens_decision = True
    rank: int = arg("new rank (1 = first)", parse.int_between(1, 100000))

    def summary(self) -> str:
        return f"Rank {self.item} at {self.rank}"


@handles(ReprioritiseBacklogItem)
def reprioritise(uow: UnitOfWork, cmd: ReprioritiseBacklogItem, prov: Provenance) -> None:
    _item(uow, cmd).reprioritise(prov, rank=cmd.rank)


@dataclass(frozen=True, kw_only=True)
class ChangeBacklogMaturity(BacklogItemCommand):
    """Change an item's maturity (idea, refined, ready)."""

    area, action = "backlog", "maturity"
    maturity: Maturity = arg("idea, refined or ready", parse.choice(Maturity))

    def summary(self) -> str:
        return f"{self.item} is {self.maturity.value}"


@handles(ChangeBacklogMaturity)
def change_maturity(uow: UnitOfWork, cmd: ChangeBacklogMaturity, prov: Provenance) -> None:
    _item(uow, cmd).change_maturity(prov, maturity=cmd.maturity)


@dataclass(frozen=True, kw_only=True)
class LinkBacklogMilestone(BacklogItemCommand):
    """Make an item serve another milestone of its project (or none)."""

    area, action = "backlog", "link"
    milestone: str | None = arg(
        "milestone code (omit to unlink)", parse.optional(parse.code), default=None
    )

    def summary(self) -> str:
        return f"{self.item} serves {self.milestone or 'no milestone'}"


@handles(LinkBacklogMilestone)
def link_milestone(uow: UnitOfWork, cmd: LinkBacklogMilestone, prov: Provenance) -> None:
    item = _item(uow, cmd)
    project = uow.get(Project, item.state().project)
    item.link_milestone(prov, milestone=_milestone_of(project, cmd.milestone, prov.effective_date))


@dataclass(frozen=True, kw_only=True)
class CompleteBacklogItem(BacklogItemCommand):
    """Mark an item done."""

    area, action = "backlog", "complete"

    def summary(self) -> str:
        return f"{self.item} done"


@handles(CompleteBacklogItem)
def complete(uow: UnitOfWork, cmd: CompleteBacklogItem, prov: Provenance) -> None:
    _item(uow, cmd).complete(prov)


@dataclass(frozen=True, kw_only=True)
class DropBacklogItem(BacklogItemCommand):
    """Drop an item from the backlog."""

    area, action = "backlog", "drop"
    opens_decision = True

    def summary(self) -> str:
        return f"Drop {self.item}"


@handles(DropBacklogItem)
def drop(uow: UnitOfWork, cmd: DropBacklogItem, prov: Provenance) -> None:
    _item(uow, cmd).drop(prov)
