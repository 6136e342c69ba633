"""The planning problem: periods, resources, work to place, milestones and budgets.

Every quantity is an integer in the problem's own unit, chosen by the caller: effort,
capacity, intensity and staffing in *units* of work (the ledger's wiring uses tenths of
a person-day), money in minor units (cents) and rates in money per unit of work. Periods
are indexed from 0; a due period is inclusive (the work must be done by its end).

Each class checks itself when built and raises :class:`ProblemError` naming what is
wrong; :class:`PlanningProblem` also checks what refers to what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum


class ProblemError(ValueError):
    """A planning problem that cannot be solved as stated (names what is wrong)."""


class Granularity(Enum):
    """What a period is."""

    WEEK = "week"
    MONTH = "month"


def _code(value: str, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ProblemError(f"{what} needs a non-empty code, not {value!r}")


def _non_negative(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProblemError(f"{what} must be a non-negative integer, not {value!r}")


@dataclass(frozen=True)
class Resource:
    """A person or a team: its skills, capacity per period (units) and rate per unit."""

    code: str
    skills: frozenset[str]
    capacity: tuple[int, ...]
    rate: int = 0

    def __post_init__(self) -> None:
        _code(self.code, "a resource")
        for day in self.capacity:
            _non_negative(day, f"resource {self.code}'s capacity")
        _non_negative(self.rate, f"resource {self.code}'s rate")


@dataclass(frozen=True)
class WorkPackage:
    """Effort per skill to spread over periods, at most ``max_per_period`` units in a
    period (all resources together), not before ``release``, after its predecessors."""

    code: str
    project: str
    effort: Mapping[str, int]
    max_per_period: int | None = None
    predecessors: tuple[str, ...] = ()
    milestone: str | None = None
    release: int = 0

    def __post_init__(self) -> None:
        _code(self.code, "a work package")
        _code(self.project, f"work package {self.code}'s project")
        if not self.effort or sum(self.effort.values()) == 0:
            raise ProblemError(f"work package {self.code} has no effort")
        for skill, units in self.effort.items():
            _non_negative(units, f"work package {self.code}'s effort in {skill}")
        if self.max_per_period is not None and self.max_per_period <= 0:
            raise ProblemError(f"work package {self.code}'s max_per_period must be positive")
        _non_negative(self.release, f"work package {self.code}'s release")


@dataclass(frozen=True)
class RigidActivity:
    """Fixed duration (periods), fixed demand per resource in each of them."""

    code: str
    project: str
    duration: int
    demand: Mapping[str, int] = field(default_factory=dict)
    predecessors: tuple[str, ...] = ()
    milestone: str | None = None
    release: int = 0

    def __post_init__(self) -> None:
        _code(self.code, "an activity")
        _code(self.project, f"activity {self.code}'s project")
        _non_negative(self.duration, f"activity {self.code}'s duration")
        for resource, units in self.demand.items():
            _non_negative(units, f"activity {self.code}'s demand on {resource}")
        _non_negative(self.release, f"activity {self.code}'s release")


@dataclass(frozen=True)
class Milestone:
    """Held when the work serving it ends by the end of period ``due``."""

    code: str
    due: int
    priority: int = 1

    def __post_init__(self) -> None:
        _code(self.code, "a milestone")
        if isinstance(self.due, bool) or not isinstance(self.due, int) or self.due < -1:
            raise ProblemError(f"milestone {self.code}'s due period must be an integer >= -1")
        if self.priority < 1:
            raise ProblemError(f"milestone {self.code}'s priority must be at least 1")


@dataclass(frozen=True)
class Budget:
    """What a project may spend over the horizon (money units)."""

    project: str
    amount: int

    def __post_init__(self) -> None:
        _code(self.project, "a budget")
        _non_negative(self.amount, f"project {self.project}'s budget")


@dataclass(frozen=True)
class Assignment:
    """Current staffing: units of a resource on a project in a period."""

    resource: str
    project: str
    period: int
    units: int

    def __post_init__(self) -> None:
        _non_negative(self.period, "an assignment's period")
        _non_negative(self.units, "an assignment's units")


@dataclass(frozen=True)
class PlanningProblem:
    """Everything the planner needs, checked for consistency."""

    periods: tuple[str, ...]
    resources: tuple[Resource, ...] = ()
    work_packages: tuple[WorkPackage, ...] = ()
    activities: tuple[RigidActivity, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    budgets: tuple[Budget, ...] = ()
    current: tuple[Assignment, ...] = ()
    granularity: Granularity = Granularity.WEEK

    def __post_init__(self) -> None:
        horizon = len(self.periods)
        if horizon == 0:
            raise ProblemError("a problem needs at least one period")
        resources = _unique([r.code for r in self.resources], "resource")
        for resource in self.resources:
            if len(resource.capacity) != horizon:
                raise ProblemError(
                    f"resource {resource.code} has {len(resource.capacity)} capacities"
                    f" for {horizon} periods"
                )
        work = _unique(
            [w.code for w in self.work_packages] + [a.code for a in self.activities],
            "work package or activity",
        )
        milestones = _unique([m.code for m in self.milestones], "milestone")
        _unique([b.project for b in self.budgets], "budget of project")
        skills = {s for r in self.resources for s in r.skills}
        for package in self.work_packages:
            for skill, units in package.effort.items():
                if units and skill not in skills:
                    raise ProblemError(
                        f"work package {package.code} needs {skill}, which no resource has"
                    )
            self._check_links(package.code, package.predecessors, package.milestone, work,
                              milestones, package.release)  # fmt: skip
        for activity in self.activities:
            unknown = sorted(set(activity.demand) - resources)
            if unknown:
                raise ProblemError(f"activity {activity.code} uses unknown resource {unknown[0]}")
            self._check_links(activity.code, activity.predecessors, activity.milestone, work,
                              milestones, activity.release)  # fmt: skip
        _unique([f"{c.resource} on {c.project} in period {c.period}" for c in self.current],
                "line of current staffing for")  # fmt: skip
        for line in self.current:
            if line.resource not in resources:
                raise ProblemError(f"current staffing names unknown resource {line.resource}")
            if line.period >= horizon:
                raise ProblemError(f"current staffing of {line.resource} is beyond the horizon")
        _check_acyclic(self)

    def _check_links(
        self,
        code: str,
        predecessors: tuple[str, ...],
        milestone: str | None,
        work: set[str],
        milestones: set[str],
        release: int,
    ) -> None:
        for before in predecessors:
            if before not in work:
                raise ProblemError(f"{code} follows unknown work {before}")
            if before == code:
                raise ProblemError(f"{code} cannot follow itself")
        if milestone is not None and milestone not in milestones:
            raise ProblemError(f"{code} serves unknown milestone {milestone}")
        if release >= len(self.periods):
            raise ProblemError(f"{code} is released after the horizon")

    def work(self) -> tuple[WorkPackage | RigidActivity, ...]:
        """The work packages, then the rigid activities."""
        return (*self.work_packages, *self.activities)

    def serving(self) -> dict[str, list[str]]:
        """The work packages and activities serving each milestone, by milestone code."""
        found: dict[str, list[str]] = {m.code: [] for m in self.milestones}
        for item in self.work():
            if item.milestone is not None:
                found[item.milestone].append(item.code)
        return found

    def in_precedence_order(self) -> list[str]:
        """The codes of all the work, each after its predecessors (there is no cycle)."""
        following: dict[str, list[str]] = {item.code: [] for item in self.work()}
        waiting = {}
        for item in self.work():
            before = set(item.predecessors)
            waiting[item.code] = len(before)
            for code in before:
                following[code].append(item.code)
        ready = [code for code, count in waiting.items() if count == 0]
        order: list[str] = []
        while ready:
            code = ready.pop()
            order.append(code)
            for after in following[code]:
                waiting[after] -= 1
                if waiting[after] == 0:
                    ready.append(after)
        return order

    @property
    def horizon(self) -> int:
        """The number of periods."""
        return len(self.periods)

    def projects(self) -> list[str]:
        """Every project the problem mentions, sorted."""
        found = {w.project for w in self.work_packages} | {a.project for a in self.activities}
        found |= {b.project for b in self.budgets} | {c.project for c in self.current}
        return sorted(found)


def least_duration(item: WorkPackage | RigidActivity) -> int:
    """The fewest periods an item can last: an activity its duration; a work package one
    period, or more when its intensity limit spreads its effort."""
    if isinstance(item, RigidActivity):
        return item.duration
    total = sum(item.effort.values())
    ceiling = item.max_per_period or total
    return max(1, -(-total // ceiling))


def _unique(codes: list[str], what: str) -> set[str]:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ProblemError(f"two of a kind: {what} {code}")
        seen.add(code)
    return seen


def _check_acyclic(problem: PlanningProblem) -> None:
    """Refuse a precedence cycle, naming one of its members."""
    follows = {w.code: w.predecessors for w in problem.work_packages}
    follows |= {a.code: a.predecessors for a in problem.activities}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in follows:
        if state.get(root):
            continue
        stack = [(root, iter(follows[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                raise ProblemError(f"precedence cycle through {child}")
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(follows[child])))
