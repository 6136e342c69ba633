"""Projects and their milestones (jalons): baseline, forecast, shifts, reached or cancelled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Self
from uuid import UUID

from domain.enums import MilestoneStatus, ProjectStatus
from domain.errors import AlreadyExists, InvalidTransition, RuleViolation, UnknownEntity
from domain.timeline import LedgerAggregate, LedgerCreated, LedgerEvent, Provenance


@dataclass
class MilestoneState:
    """A milestone as in force at a date."""

    code: str
    name: str
    baseline: date
    forecast: date
    priority: int
    status: MilestoneStatus = MilestoneStatus.PLANNED
    shifts: int = 0
    reached_on: date | None = None

    @property
    def slip_days(self) -> int:
        """How many days the forecast (or the reach date) lies after the baseline."""
        return ((self.reached_on or self.forecast) - self.baseline).days


@dataclass
class ProjectState:
    """A project as in force at a date."""

    code: str = ""
    name: str = ""
    programme_id: UUID | None = None
    start: date = date.min
    end: date = date.max
    status: ProjectStatus = ProjectStatus.ACTIVE
    milestones: dict[str, MilestoneState] = field(default_factory=dict)

    def require_active(self) -> None:
        """Refuse changes to a closed project."""
        if self.status is not ProjectStatus.ACTIVE:
            raise InvalidTransition(f"project {self.code} is closed", project=self.code)

    def milestone(self, code: str) -> MilestoneState:
        """The milestone known by ``code`` (case-insensitive)."""
        try:
            return self.milestones[code.upper()]
        except KeyError:
            raise UnknownEntity("milestone", f"{self.code}/{code}") from None

    def planned_milestone(self, code: str) -> MilestoneState:
        """A milestone that can still move: neither reached nor cancelled."""
        milestone = self.milestone(code)
        if milestone.status is not MilestoneStatus.PLANNED:
            raise InvalidTransition(
                f"milestone {self.code}/{milestone.code} is {milestone.status.value}",
                project=self.code,
                milestone=milestone.code,
                status=milestone.status.value,
            )
        return milestone

    def require_after_start(self, milestone: str, day: date) -> None:
        """A milestone never lies before its project starts."""
        if day < self.start:
            raise RuleViolation(
                f"milestone {self.code}/{milestone} on {day} would lie before"
                f" the project starts ({self.start})",
                project=self.code,
                milestone=milestone,
                date=day.isoformat(),
                project_start=self.start.isoformat(),
            )


class Project(LedgerAggregate):
    """A project of a programme, with its dates and milestones."""

    kind = "project"
    State = ProjectState

    class Opened(LedgerCreated):
        """The project is opened in its programme."""

        name: str
        programme_id: UUID
        start_date: date
        end_date: date

        def evolve(self, state: ProjectState) -> None:
            state.code, state.name, state.programme_id = self.code, self.name, self.programme_id
            state.start, state.end = self.start_date, self.end_date

    class Rescheduled(LedgerEvent):
        """The project's start or end date moves."""

        noun = "rescheduling"

        start_date: date
        end_date: date

        def check(self, state: ProjectState) -> None:
            state.require_active()
            probe = ProjectState(code=state.code, start=self.start_date)
            for milestone in state.milestones.values():
                if milestone.status is MilestoneStatus.PLANNED:
                    probe.require_after_start(milestone.code, milestone.forecast)

        def evolve(self, state: ProjectState) -> None:
            state.start, state.end = self.start_date, self.end_date

    class Closed(LedgerEvent):
        """The project is closed; nothing moves any more."""

        noun = "closure"

        def check(self, state: ProjectState) -> None:
            state.require_active()
            for milestone in state.milestones.values():
                if milestone.status is MilestoneStatus.PLANNED:
                    raise InvalidTransition(
                        f"project {state.code} still has the planned milestone {milestone.code}",
                        project=state.code,
                        milestone=milestone.code,
                    )

        def evolve(self, state: ProjectState) -> None:
            state.status = ProjectStatus.CLOSED

    class MilestonePlanned(LedgerEvent):
        """A milestone is planned; its first date is its baseline."""

        milestone: str
        name: str
        baseline: date
        priority: int

        def check(self, state: ProjectState) -> None:
            state.require_active()
            if self.milestone.upper() in state.milestones:
                raise AlreadyExists("milestone", f"{state.code}/{self.milestone}")
            state.require_after_start(self.milestone, self.baseline)

        def evolve(self, state: ProjectState) -> None:
            state.milestones[self.milestone.upper()] = MilestoneState(
                self.milestone, self.name, self.baseline, self.baseline, self.priority
            )

    class MilestoneShifted(LedgerEvent):
        """The milestone's forecast date moves; the rationale says why."""

        milestone: str
        forecast: date

        def check(self, state: ProjectState) -> None:
            state.require_active()
            milestone = state.planned_milestone(self.milestone)
            state.require_after_start(milestone.code, self.forecast)

        def check_not_redundant(self, state: ProjectState) -> None:
            milestone = state.milestones.get(self.milestone.upper())
            if milestone is not None and milestone.forecast == self.forecast:
                raise RuleViolation(
                    f"milestone {state.code}/{milestone.code} is already forecast"
                    f" on {self.forecast}",
                    project=state.code,
                    milestone=milestone.code,
                )

        def evolve(self, state: ProjectState) -> None:
            milestone = state.milestones[self.milestone.upper()]
            milestone.forecast = self.forecast
            milestone.shifts += 1

    class MilestoneReached(LedgerEvent):
        """The milestone was reached on the event's effective date."""

        milestone: str

        def check(self, state: ProjectState) -> None:
            state.require_active()
            state.planned_milestone(self.milestone)

        def evolve(self, state: ProjectState) -> None:
            milestone = state.milestones[self.milestone.upper()]
            milestone.status = MilestoneStatus.REACHED
            milestone.reached_on = self.effective_date

    class MilestoneCancelled(LedgerEvent):
        """The milestone will not be delivered."""

        milestone: str

        def check(self, state: ProjectState) -> None:
            state.require_active()
            state.planned_milestone(self.milestone)

        def evolve(self, state: ProjectState) -> None:
            state.milestones[self.milestone.upper()].status = MilestoneStatus.CANCELLED

    @classmethod
    def open(
        cls,
        prov: Provenance,
        *,
        code: str,
        name: str,
        programme_id: UUID,
        start: date,
        end: date,
    ) -> Self:
        """Open a project in a programme, running from ``start`` to ``end``."""
        return cls._open(
            cls.Opened,
            prov,
            key=code,
            code=code,
            name=name,
            programme_id=programme_id,
            start_date=start,
            end_date=end,
        )

    @property
    def programme_id(self) -> UUID:
        """The programme the project belongs to."""
        programme_id: UUID | None = self.state().programme_id
        assert programme_id is not None  # set by the creation event
        return programme_id

    def reschedule(self, prov: Provenance, *, start: date, end: date) -> None:
        """Move the project's dates; planned milestones must stay after the start."""
        self._record(self.Rescheduled, prov, start_date=start, end_date=end)

    def close(self, prov: Provenance) -> None:
        """Close the project once every milestone is reached or cancelled."""
        self._record(self.Closed, prov)

    def plan_milestone(
        self, prov: Provenance, *, milestone: str, name: str, baseline: date, priority: int
    ) -> None:
        """Plan a milestone with its baseline date and business priority (1 = highest)."""
        self._record(
            self.MilestonePlanned,
            prov,
            milestone=milestone,
            name=name,
            baseline=baseline,
            priority=priority,
        )

    def shift_milestone(self, prov: Provenance, *, milestone: str, forecast: date) -> None:
        """Move a milestone's forecast date."""
        self._record(self.MilestoneShifted, prov, milestone=milestone, forecast=forecast)

    def reach_milestone(self, prov: Provenance, *, milestone: str) -> None:
        """Record that a milestone was reached (on the effective date)."""
        self._record(self.MilestoneReached, prov, milestone=milestone)

    def cancel_milestone(self, prov: Provenance, *, milestone: str) -> None:
        """Cancel a milestone."""
        self._record(self.MilestoneCancelled, prov, milestone=milestone)

    def has_milestone(self, milestone: str) -> bool:
        """Whether the project holds a milestone with that code."""
        return milestone.upper() in self.state().milestones
