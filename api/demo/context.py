"""The demo's working memory: what it has planned, so it proposes commands that can hold.

The simulation drives the ledger through the same commands a PMO records; it keeps a
light mirror of capacity, budgets and milestones to choose realistic, feasible moves.
The ledger remains the judge: a command it refuses is counted, never forced.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from domain.clock import SimulatedClock
from domain.commands import Command
from domain.errors import DomainError
from domain.ledger import Batch
from domain.values import Week

ZERO = Decimal(0)
HALF = Decimal("0.5")


@dataclass
class MilestonePlan:
    """A milestone as the demo knows it."""

    code: str
    forecast: date
    priority: int
    reached: bool = False


@dataclass
class ProjectPlan:
    """A project of the demo portfolio."""

    code: str
    name: str
    programme: str
    perimeter: str
    slice: int
    skills: tuple[str, ...]
    start: date
    end: date
    milestones: list[MilestonePlan] = field(default_factory=list)
    staff: dict[str, tuple[Week, Week, Decimal]] = field(default_factory=dict)
    backlog: dict[str, str] = field(default_factory=dict)  # item -> maturity or "done"
    ranks: dict[str, int] = field(default_factory=dict)
    fiscal_years: set[int] = field(default_factory=set)
    kicked_off: bool = False
    closed: bool = False
    next_item: int = 1

    def open_milestones(self) -> list[MilestonePlan]:
        """Milestones neither reached nor cancelled, in date order."""
        return sorted((m for m in self.milestones if not m.reached), key=lambda m: m.forecast)


@dataclass
class ResourcePlan:
    """A resource of the demo portfolio and its planned weekly load."""

    code: str
    name: str
    kind: str
    skills: tuple[str, ...]
    perimeter: str | None
    capacity: Decimal
    login: str
    sourcing: str = "internal"
    slice: int = 0
    last_week: Week | None = None
    absences: dict[Week, Decimal] = field(default_factory=dict)
    load: dict[Week, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(dict))

    def free(self, week: Week) -> Decimal:
        """Person-days still free in ``week``."""
        if self.last_week is not None and week > self.last_week:
            return ZERO
        used = sum(self.load.get(week, {}).values(), ZERO)
        return max(ZERO, self.capacity - self.absences.get(week, ZERO) - used)

    def available(self, first: Week, last: Week, *projects: str) -> Decimal:
        """The least room over a range of weeks if ``projects`` gave their days back."""
        return max(ZERO, min((self._room(w, projects) for w in first.until(last)), default=ZERO))

    def _room(self, week: Week, projects: tuple[str, ...]) -> Decimal:
        if self.last_week is not None and week > self.last_week:
            return ZERO
        load = self.load.get(week, {})
        others = sum((d for p, d in load.items() if p not in projects), ZERO)
        return self.capacity - self.absences.get(week, ZERO) - others

    def plan(self, project: str, first: Week, last: Week, days: Decimal) -> None:
        """Mirror a staffing decision."""
        for week in first.until(last):
            if days:
                self.load[week][project] = days
            else:
                self.load[week].pop(project, None)

    def staffed_from(self, project: str, week: Week) -> bool:
        """Whether the resource works on ``project`` in ``week`` or later."""
        return any(w >= week and project in projects for w, projects in self.load.items())

    def release(self, project: str, from_week: Week) -> None:
        """Mirror a release."""
        for week, projects in self.load.items():
            if week >= from_week:
                projects.pop(project, None)


@dataclass
class RiskPlan:
    """A risk as the demo knows it; ``level`` indexes the escalation ladder."""

    probability: int
    impact: int
    opened: date
    level: int = 0

    @property
    def exposure(self) -> int:
        """Probability times impact."""
        return self.probability * self.impact


@dataclass
class Demo:
    """Everything the simulation routines share."""

    batch: Batch
    clock: SimulatedClock
    rng: random.Random
    today: date
    slices: int
    projects: dict[str, ProjectPlan] = field(default_factory=dict)
    resources: dict[str, ResourcePlan] = field(default_factory=dict)
    balances: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    risks: dict[str, RiskPlan] = field(default_factory=dict)
    demands: list[str] = field(default_factory=list)
    dependencies: dict[str, tuple[str, str, date | None]] = field(default_factory=dict)
    sheets: dict[tuple[str, Week], dict[str, Decimal]] = field(default_factory=dict)
    sheets_of_week: dict[Week, list[str]] = field(default_factory=dict)
    to_approve: list[tuple[str, Week, str]] = field(default_factory=list)
    deferred: dict[date, list[tuple[time, Command, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    refused: Counter[str] = field(default_factory=Counter)
    refusal_examples: list[str] = field(default_factory=list)
    counter: int = 0
    decision: str | None = None
    _slice_projects: dict[int, list[ProjectPlan]] = field(default_factory=dict)
    _slice_resources: dict[int, list[ResourcePlan]] = field(default_factory=dict)

    def at(self, day: date, hour: int, minute: int = 0) -> None:
        """Move the ledger's clock to ``day`` at ``hour:minute`` UTC."""
        self.clock.set(datetime.combine(day, time(hour, minute), UTC))

    def do(self, command: Command, author: str) -> bool:
        """Record ``command``; a refusal is counted, never forced."""
        try:
            self.decision = self.batch.execute(command, author=author)
        except DomainError as refusal:
            self.refused[type(command).__name__] += 1
            if len(self.refusal_examples) < 5:
                self.refusal_examples.append(f"{command.summary()}: {refusal}")
            return False
        return True

    def remember_sheet(self, resource: str, week: Week, lines: dict[str, Decimal]) -> None:
        """Remember a submitted timesheet, so it can be corrected weeks later."""
        self.sheets[(resource, week)] = lines
        self.sheets_of_week.setdefault(week, []).append(resource)

    def next_code(self, prefix: str) -> str:
        """A deterministic code such as ``RSK-000042``."""
        self.counter += 1
        return f"{prefix}-{self.counter:06d}"

    def pmo(self) -> str:
        """One of the PMO team, as author."""
        return self.rng.choice(("claire.dubois", "marc.leroy", "nadia.benali"))

    def chance(self, probability: float) -> bool:
        """True with ``probability``."""
        return self.rng.random() < probability

    def add_project(self, plan: ProjectPlan) -> None:
        """Remember a project, indexed by its slice."""
        self.projects[plan.code] = plan
        self._slice_projects.setdefault(plan.slice, []).append(plan)

    def add_resource(self, resource: ResourcePlan) -> None:
        """Remember a resource, indexed by its slice."""
        self.resources[resource.code] = resource
        self._slice_resources.setdefault(resource.slice, []).append(resource)

    def slice_resources(self, slice_index: int) -> list[ResourcePlan]:
        """The resources of one slice."""
        return self._slice_resources.get(slice_index, [])

    def slice_projects(self, slice_index: int) -> list[ProjectPlan]:
        """The projects of one slice."""
        return self._slice_projects.get(slice_index, [])

    def active_projects(self, slice_index: int | None = None) -> list[ProjectPlan]:
        """Projects kicked off and not closed (of one slice, or all)."""
        plans = self.projects.values() if slice_index is None else self.slice_projects(slice_index)
        return [p for p in plans if p.kicked_off and not p.closed]

    @staticmethod
    def suffix(slice_index: int) -> str:
        """Codes of the first slice are the catalogue's; later slices get ``-S2``, ``-S3``…"""
        return "" if slice_index == 0 else f"-S{slice_index + 1}"

    def people_with(
        self, skill: str, slice_index: int, perimeter: str | None
    ) -> list[ResourcePlan]:
        """Resources of a slice offering ``skill``, those of ``perimeter`` first."""
        found = [
            r
            for r in self._slice_resources.get(slice_index, [])
            if skill in r.skills and r.last_week is None
        ]
        return sorted(found, key=lambda r: (r.perimeter != perimeter, r.code))


def thursday(week: Week) -> date:
    """The Thursday of a week: where the demo puts milestone dates."""
    return week.monday + timedelta(days=3)


def round_half(value: float) -> Decimal:
    """A number of days rounded to the half-day."""
    return (Decimal(str(round(value * 2))) / 2).quantize(Decimal("0.01"))


def round_money(value: float, step: int = 1000) -> Decimal:
    """An amount rounded to ``step`` euros."""
    return Decimal(int(value // step) * step).quantize(Decimal("0.01"))
