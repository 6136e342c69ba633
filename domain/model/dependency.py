"""Dependencies between milestones or work items, across projects, or on outside platforms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Self

from domain.enums import DependencyStatus
from domain.errors import InvalidTransition, RuleViolation
from domain.timeline import LedgerAggregate, LedgerCreated, LedgerEvent, Provenance
from domain.values import Endpoint


@dataclass
class DependencyState:
    """A dependency as in force at a date."""

    code: str = ""
    dependent: Endpoint | None = None
    prerequisite: Endpoint | None = None
    needed_by: date | None = None
    description: str = ""
    status: DependencyStatus = DependencyStatus.OPEN

    def require_open(self) -> None:
        """Met and cancelled dependencies no longer change."""
        if self.status is not DependencyStatus.OPEN:
            raise InvalidTransition(
                f"dependency {self.code} is {self.status.value}", dependency=self.code
            )


class OpenDependencyEvent(LedgerEvent):
    """A change that only an open dependency accepts."""

    def check(self, state: DependencyState) -> None:
        state.require_open()


class Dependency(LedgerAggregate):
    """What a milestone or backlog item needs from another one, or from outside, and by when."""

    kind = "dependency"
    State = DependencyState

    class Declared(LedgerCreated):
        """The dependent needs the prerequisite, by a date when it lies outside."""

        dependent: Endpoint
        prerequisite: Endpoint
        needed_by: date | None
        description: str

        def evolve(self, state: DependencyState) -> None:
            state.code, state.description = self.code, self.description
            state.dependent, state.prerequisite = self.dependent, self.prerequisite
            state.needed_by = self.needed_by

    class NeededByChanged(OpenDependencyEvent):
        """The date by which the prerequisite is needed moves."""

        needed_by: date

        def check_not_redundant(self, state: DependencyState) -> None:
            if state.needed_by == self.needed_by:
                raise RuleViolation(
                    f"dependency {state.code} is already needed by {self.needed_by}",
                    dependency=state.code,
                )

        def evolve(self, state: DependencyState) -> None:
            state.needed_by = self.needed_by

    class Met(OpenDependencyEvent):
        """The prerequisite was delivered."""

        noun = "delivery"

        def evolve(self, state: DependencyState) -> None:
            state.status = DependencyStatus.MET

    class Cancelled(OpenDependencyEvent):
        """The dependency no longer holds."""

        noun = "cancellation"

        def evolve(self, state: DependencyState) -> None:
            state.status = DependencyStatus.CANCELLED

    @classmethod
    def declare(
        cls,
        prov: Provenance,
        *,
        code: str,
        dependent: Endpoint,
        prerequisite: Endpoint,
        needed_by: date | None,
        description: str,
    ) -> Self:
        """Declare that ``dependent`` needs ``prerequisite``."""
        return cls._open(
            cls.Declared,
            prov,
            key=code,
            code=code,
            dependent=dependent,
            prerequisite=prerequisite,
            needed_by=needed_by,
            description=description,
        )

    def change_needed_by(self, prov: Provenance, *, needed_by: date) -> None:
        """Move the needed-by date."""
        self._record(self.NeededByChanged, prov, needed_by=needed_by)

    def meet(self, prov: Provenance) -> None:
        """Record that the prerequisite was delivered."""
        self._record(self.Met, prov)

    def cancel(self, prov: Provenance) -> None:
        """Cancel the dependency."""
        self._record(self.Cancelled, prov)
