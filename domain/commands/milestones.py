"""Commands on milestones (jalons): plan, shift, reach, cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.commands import parse
from domain.commands.base import Command, arg, handles
from domain.model.project import Project
from domain.timeline import Provenance
from domain.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class PlanMilestone(Command):
    """Plan a milestone of a project; its date becomes the baseline."""

    area, action = "milestone", "plan"
    project: str = arg("project code", parse.code)
    milestone: str = arg("milestone code, unique in the project (e.g. GO-LIVE)", parse.code)
    name: str = arg("milestone name", parse.text())
    baseline: date = arg("baseline date", parse.a_date)
    priority: int = arg("business priority, 1 (highest) to 5", parse.int_between(1, 5), default=3)

    def summary(self) -> str:
        return f"Plan milestone {self.project}/{self.milestone} on {self.baseline}"


@handles(PlanMilestone)
def plan_milestone(uow: UnitOfWork, cmd: PlanMilestone, prov: Provenance) -> None:
    project = uow.get(Project, cmd.project, expected_version=cmd.expected_version)
    project.plan_milestone(
        prov,
        milestone=cmd.milestone,
        name=cmd.name,
        baseline=cmd.baseline,
        priority=cmd.priority,
    )


@dataclass(frozen=True, kw_only=True)
class ShiftMilestone(Command):
    """Move a milestone's forecast date, with the reason."""

    area, action = "milestone", "shift"
    requires_rationale = True
    opens_decision = True
    project: str = arg("project code", parse.code)
    milestone: str = arg("milestone code", parse.code)
    forecast: date = arg("new forecast date", parse.a_date)

    def summary(self) -> str:
        return f"Shift milestone {self.project}/{self.milestone} to {self.forecast}"


@handles(ShiftMilestone)
def shift_milestone(uow: UnitOfWork, cmd: ShiftMilestone, prov: Provenance) -> None:
    project = uow.get(Project, cmd.project, expected_version=cmd.expected_version)
    project.shift_milestone(prov, milestone=cmd.milestone, forecast=cmd.forecast)


@dataclass(frozen=True, kw_only=True)
class ReachMilestone(Command):
    """Record that a milestone was reached (on the effective date)."""

    area, action = "milestone", "reach"
    project: str = arg("project code", parse.code)
    milestone: str = arg("milestone code", parse.code)

    def summary(self) -> str:
        return f"Milestone {self.project}/{self.milestone} reached"


@handles(ReachMilestone)
def reach_milestone(uow: UnitOfWork, cmd: ReachMilestone, prov: Provenance) -> None:
    project = uow.get(Project, cmd.project, expected_version=cmd.expected_version)
    project.reach_milestone(prov, milestone=cmd.milestone)


@dataclass(frozen=True, kw_only=True)
class CancelMilestone(Command):
    """Cancel a milestone."""

    area, action = "milestone", "cancel"
    requires_rationale = True
    opens_decision = True
    project: str = arg("project code", parse.code)
    milestone: str = arg("milestone code", parse.code)

    def summary(self) -> str:
        return f"Cancel milestone {self.project}/{self.milestone}"


@handles(CancelMilestone)
def cancel_milestone(uow: UnitOfWork, cmd: CancelMilestone, prov: Provenance) -> None:
    project = uow.get(Project, cmd.project, expected_version=cmd.expected_version)
    project.cancel_milestone(prov, milestone=cmd.milestone)
