"""Resources (people and team pools): skills, capacity calendar, rate, and their staffing.

Staffing lives in the resource because its rule is the resource's: no week may be
staffed beyond the resource's capacity. Facts that reduce capacity (an absence, a
departure) are recorded even when they leave the resource over-allocated — the
projections show it and the planner resolves it; only a staffing *increase* beyond
capacity is refused.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Self
from uuid import UUID

from domain.enums import ResourceKind, Skill, Sourcing
from domain.errors import InvalidTransition, OverCapacity, RuleViolation
from domain.timeline import LedgerAggregate, LedgerCreated, LedgerEvent, Provenance
from domain.values import Week

ZERO = Decimal(0)


@dataclass
class ResourceState:
    """A resource as in force at a date: calendar, rates and staffing."""

    code: str = ""
    name: str = ""
    kind: ResourceKind = ResourceKind.PERSON
    skills: list[Skill] = field(default_factory=list)
    sourcing: Sourcing = Sourcing.INTERNAL
    home_perimeter_id: UUID | None = None
    rates: list[tuple[date, Decimal]] = field(default_factory=list)
    capacity_from: list[tuple[Week, Decimal]] = field(default_factory=list)
    absences: dict[Week, Decimal] = field(default_factory=dict)
    last_week: Week | None = None
    staffing: dict[UUID, dict[Week, Decimal]] = field(default_factory=dict)
    project_codes: dict[UUID, str] = field(default_factory=dict)
    load: dict[Week, Decimal] = field(default_factory=dict)

    def base_capacity(self, week: Week) -> Decimal:
        """Person-days per week before absences; zero before arrival and after departure."""
        if self.last_week is not None and week > self.last_week:
            return ZERO
        index = bisect.bisect_right(self.capacity_from, week, key=lambda item: item[0])
        return self.capacity_from[index - 1][1] if index else ZERO

    def capacity(self, week: Week) -> Decimal:
        """Person-days available in ``week``: base capacity minus absences."""
        return max(ZERO, self.base_capacity(week) - self.absences.get(week, ZERO))

    def rate_on(self, day: date) -> Decimal:
        """The daily rate in force on ``day`` (the first known rate before any change)."""
        index = bisect.bisect_right(self.rates, day, key=lambda item: item[0])
        return self.rates[max(index - 1, 0)][1]

    def staffed(self, project_id: UUID, week: Week) -> Decimal:
        """Person-days per week the resource is staffed on a project."""
        return self.staffing.get(project_id, {}).get(week, ZERO)

    def set_capacity(self, week: Week, days: Decimal) -> None:
        """Set the base weekly capacity from ``week`` on."""
        self.capacity_from = [c for c in self.capacity_from if c[0] != week]
        bisect.insort(self.capacity_from, (week, days), key=lambda item: item[0])


class Resource(LedgerAggregate):
    """A person or a team pool, with a capacity calendar and a staffing book."""

    kind = "resource"
    State = ResourceState

    class Registered(LedgerCreated):
        """The resource joins the portfolio's pool of capacity."""

        name: str
        resource_kind: ResourceKind
        skills: list[Skill]
        sourcing: Sourcing
        daily_rate: Decimal
        home_perimeter_id: UUID | None
        weekly_capacity: Decimal
        available_from: Week

        def evolve(self, state: ResourceState) -> None:
            state.code, state.name, state.kind = self.code, self.name, self.resource_kind
            state.skills, state.sourcing = list(self.skills), self.sourcing
            state.home_perimeter_id = self.home_perimeter_id
            state.rates = [(self.effective_date, self.daily_rate)]
            state.set_capacity(self.available_from, self.weekly_capacity)

    class CapacityChanged(LedgerEvent):
        """From a week on, the resource's base weekly capacity changes."""

        revalidates_later = False

        from_week: Week
        days_per_week: Decimal

        def check(self, state: ResourceState) -> None:
            _require_present(state, self.from_week)

        def evolve(self, state: ResourceState) -> None:
            state.set_capacity(self.from_week, self.days_per_week)

    class AbsenceRecorded(LedgerEvent):
        """Holidays or leave: days off per week over a range of weeks."""

        revalidates_later = False
        noun = "absence"

        first_week: Week
        last_week: Week
        days_per_week: Decimal

        def evolve(self, state: ResourceState) -> None:
            for week in self.first_week.until(self.last_week):
                state.absences[week] = self.days_per_week

    class RateChanged(LedgerEvent):
        """The daily rate changes from the effective date."""

        daily_rate: Decimal

        def evolve(self, state: ResourceState) -> None:
            state.rates = [r for r in state.rates if r[0] != self.effective_date]
            bisect.insort(state.rates, (self.effective_date, self.daily_rate), key=lambda r: r[0])

    class SkillsChanged(LedgerEvent):
        """The resource's skills are restated."""

        skills: list[Skill]

        def evolve(self, state: ResourceState) -> None:
            state.skills = list(self.skills)

    class Left(LedgerEvent):
        """The resource leaves after ``last_week``; its staffing beyond shows as unplaced."""

        revalidates_later = False
        noun = "departure"

        last_week: Week

        def check(self, state: ResourceState) -> None:
            if state.last_week is not None:
                raise InvalidTransition(
                    f"resource {state.code} already leaves after {state.last_week}",
                    resource=state.code,
                )

        def evolve(self, state: ResourceState) -> None:
            state.last_week = self.last_week

    class StaffingSet(LedgerEvent):
        """The resource is staffed on a project at N person-days per week over a range."""

        noun = "staffing"

        project_id: UUID
        project: str
        first_week: Week
        last_week: Week
        days_per_week: Decimal

        def check(self, state: ResourceState) -> None:
            for week in self.first_week.until(self.last_week):
                before = state.staffed(self.project_id, week)
                if self.days_per_week <= before:
                    continue  # a decrease never breaks capacity
                load = state.load.get(week, ZERO) - before + self.days_per_week
                capacity = state.capacity(week)
                if load > capacity:
                    raise OverCapacity(
                        f"resource {state.code} would be staffed {load} days in {week}"
                        f" but has a capacity of {capacity} ({_breakdown(state, week, self)})",
                        resource=state.code,
                        week=str(week),
                        load=str(load),
                        capacity=str(capacity),
                        project=self.project,
                    )

        def evolve(self, state: ResourceState) -> None:
            plan = state.staffing.setdefault(self.project_id, {})
            state.project_codes[self.project_id] = self.project
            for week in self.first_week.until(self.last_week):
                _set_days(state, plan, week, self.days_per_week)

    class StaffingReleased(LedgerEvent):
        """The resource stops working on a project from a week on."""

        noun = "release"

        project_id: UUID
        project: str
        from_week: Week

        def check(self, state: ResourceState) -> None:
            plan = state.staffing.get(self.project_id, {})
            if not any(w >= self.from_week and d > 0 for w, d in plan.items()):
                raise RuleViolation(
                    f"resource {state.code} is not staffed on {self.project} from {self.from_week}",
                    resource=state.code,
                    project=self.project,
                )

        def evolve(self, state: ResourceState) -> None:
            plan = state.staffing.get(self.project_id, {})
            for week in [w for w in plan if w >= self.from_week]:
                _set_days(state, plan, week, ZERO)

    @classmethod
    def register(
        cls,
        prov: Provenance,
        *,
        code: str,
        name: str,
        kind: ResourceKind,
        skills: list[Skill],
        sourcing: Sourcing,
        daily_rate: Decimal,
        home_perimeter_id: UUID | None,
        weekly_capacity: Decimal,
        available_from: Week,
    ) -> Self:
        """Register a person or team with its skills, rate and weekly capacity."""
        return cls._open(
            cls.Registered,
            prov,
            key=code,
            code=code,
            name=name,
            resource_kind=kind,
            skills=skills,
            sourcing=sourcing,
            daily_rate=daily_rate,
            home_perimeter_id=home_perimeter_id,
            weekly_capacity=weekly_capacity,
            available_from=available_from,
        )

    def change_capacity(self, prov: Provenance, *, from_week: Week, days: Decimal) -> None:
        """Change the base weekly capacity from a week on."""
        self._record(self.CapacityChanged, prov, from_week=from_week, days_per_week=days)

    def record_absence(
        self, prov: Provenance, *, first_week: Week, last_week: Week, days: Decimal
    ) -> None:
        """Record days off per week over a range (holidays, leave)."""
        self._record(
            self.AbsenceRecorded,
            prov,
            first_week=first_week,
            last_week=last_week,
            days_per_week=days,
        )

    def change_rate(self, prov: Provenance, *, daily_rate: Decimal) -> None:
        """Change the daily rate from the effective date."""
        self._record(self.RateChanged, prov, daily_rate=daily_rate)

    def change_skills(self, prov: Provenance, *, skills: list[Skill]) -> None:
        """Restate the resource's skills."""
        self._record(self.SkillsChanged, prov, skills=skills)

    def leave(self, prov: Provenance, *, last_week: Week) -> None:
        """Record that the resource leaves after ``last_week``."""
        self._record(self.Left, prov, last_week=last_week)

    def staff(
        self,
        prov: Provenance,
        *,
        project_id: UUID,
        project: str,
        first_week: Week,
        last_week: Week,
        days: Decimal,
    ) -> None:
        """Staff the resource on a project at ``days`` per week over a range of weeks."""
        self._record(
            self.StaffingSet,
            prov,
            project_id=project_id,
            project=project,
            first_week=first_week,
            last_week=last_week,
            days_per_week=days,
        )

    def release(self, prov: Provenance, *, project_id: UUID, project: str, from_week: Week) -> None:
        """Take the resource off a project from a week on."""
        self._record(
            self.StaffingReleased, prov, project_id=project_id, project=project, from_week=from_week
        )


def _require_present(state: ResourceState, week: Week) -> None:
    if state.last_week is not None and week > state.last_week:
        raise InvalidTransition(
            f"resource {state.code} has left after {state.last_week}", resource=state.code
        )


def _set_days(state: ResourceState, plan: dict[Week, Decimal], week: Week, days: Decimal) -> None:
    state.load[week] = state.load.get(week, ZERO) - plan.get(week, ZERO) + days
    if days:
        plan[week] = days
    else:
        plan.pop(week, None)


def _breakdown(state: ResourceState, week: Week, change: Resource.StaffingSet) -> str:
    parts = [
        f"{state.project_codes.get(pid, str(pid))} {plan[week]}"
        for pid, plan in state.staffing.items()
        if pid != change.project_id and plan.get(week)
    ]
    parts.append(f"{change.project} {change.days_per_week}")
    return ", ".join(parts)
