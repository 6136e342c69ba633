"""What a planner run returns: status, objectives, the plan, and its explanation."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from planner.problem import Assignment


class Status(Enum):
    """The solver's verdict on the whole run (the first objective level decides)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


LEVELS = ("lateness", "overrun", "reallocation", "cost")


@dataclass(frozen=True)
class Level:
    """One objective level: its value in the plan and the best bound the solver proved."""

    name: str
    value: int
    bound: int
    status: Status


@dataclass(frozen=True)
class Allocation:
    """Units of a resource on a work package in a period."""

    resource: str
    work_package: str
    skill: str
    period: int
    units: int


@dataclass(frozen=True)
class Placement:
    """Where a work package or an activity lies: first and last period (inclusive).

    An activity of duration 0 lies at its start with ``finish == start - 1``."""

    code: str
    start: int
    finish: int


@dataclass(frozen=True)
class MilestoneOutcome:
    """When a milestone's work ends, against its due period."""

    code: str
    due: int
    finish: int
    lateness: int
    priority: int

    @property
    def holds(self) -> bool:
        """Whether the milestone is met."""
        return self.lateness == 0


@dataclass(frozen=True)
class Change:
    """A resource's units on a project in a period, before (current) and after (plan)."""

    resource: str
    project: str
    period: int
    before: int
    after: int


@dataclass(frozen=True)
class ProjectCost:
    """A project's cost in the plan against its budget (None: no budget given)."""

    project: str
    cost: int
    budget: int | None
    overrun: int


@dataclass(frozen=True)
class ExtraCapacity:
    """Capacity that, added, would hold a late milestone: units of a skill in a period."""

    milestone: str
    skill: str
    period: int
    units: int


@dataclass(frozen=True)
class Binding:
    """A constraint the plan runs against: a resource full in a period, a budget spent,
    a successor starting as soon as its predecessor allows."""

    kind: str
    subject: str
    period: int | None
    detail: str


@dataclass(frozen=True)
class Explanation:
    """Why the plan is what it is."""

    late: tuple[MilestoneOutcome, ...] = ()
    extra_capacity: tuple[ExtraCapacity, ...] = ()
    binding: tuple[Binding, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanResult:
    """A planner run."""

    status: Status
    levels: tuple[Level, ...]
    runtime_s: float
    allocations: tuple[Allocation, ...] = ()
    placements: tuple[Placement, ...] = ()
    milestones: tuple[MilestoneOutcome, ...] = ()
    changes: tuple[Change, ...] = ()
    costs: tuple[ProjectCost, ...] = ()
    explanation: Explanation = field(default_factory=Explanation)
    kept: tuple[Assignment, ...] = ()
    """Current staffing the plan keeps beyond the work it models (run activities,
    support, work not broken down): units of a resource on a project in a period."""

    @property
    def has_plan(self) -> bool:
        """Whether the run found a plan (optimal or feasible)."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def level(self, name: str) -> Level | None:
        """The objective level called ``name``, if it was solved."""
        return next((level for level in self.levels if level.name == name), None)

    def staffing(self, project_of: dict[str, str]) -> dict[tuple[str, str, int], int]:
        """Units per (resource, project, period) in the plan: its allocations, whose
        work packages ``project_of`` maps to their projects, plus the staffing kept."""
        units: dict[tuple[str, str, int], int] = {}
        for a in self.allocations:
            key = (a.resource, project_of[a.work_package], a.period)
            units[key] = units.get(key, 0) + a.units
        for k in self.kept:
            key = (k.resource, k.project, k.period)
            units[key] = units.get(key, 0) + k.units
        return units

    def placement(self, code: str) -> Placement:
        """Where the work package or activity ``code`` lies."""
        return next(p for p in self.placements if p.code == code)
