"""Demands on a team's capacity from outside the perimeter (group IT, other entities)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Self
from uuid import UUID

from domain.enums import DemandStatus
from domain.errors import InvalidTransition
from domain.timeline import LedgerAggregate, LedgerCreated, LedgerEvent, Provenance
from domain.values import Week

ZERO = Decimal(0)


@dataclass
class DemandState:
    """A demand as in force at a date."""

    code: str = ""
    resource_id: UUID | None = None
    resource: str = ""
    requester: str = ""
    title: str = ""
    first_week: Week | None = None
    last_week: Week | None = None
    days_per_week: Decimal = ZERO
    status: DemandStatus = DemandStatus.RAISED


class Decided(LedgerEvent):
    """An answer to a demand: only a raised demand can be answered."""

    def check(self, state: DemandState) -> None:
        if state.status is not DemandStatus.RAISED:
            raise InvalidTransition(
                f"demand {state.code} is already {state.status.value}", demand=state.code
            )


class OutsideDemand(LedgerAggregate):
    """A request for person-days of a resource, coming from outside its perimeter."""

    kind = "demand"
    State = DemandState

    class Raised(LedgerCreated):
        """Someone outside asks for the resource's time over a range of weeks."""

        resource_id: UUID
        resource: str
        requester: str
        title: str
        first_week: Week
        last_week: Week
        days_per_week: Decimal

        def evolve(self, state: DemandState) -> None:
            state.code, state.title, state.requester = self.code, self.title, self.requester
            state.resource_id, state.resource = self.resource_id, self.resource
            state.first_week, state.last_week = self.first_week, self.last_week
            state.days_per_week = self.days_per_week

    class Accepted(Decided):
        """The demand is accepted: it consumes the resource's capacity."""

        noun = "acceptance"

        def evolve(self, state: DemandState) -> None:
            state.status = DemandStatus.ACCEPTED

    class Declined(Decided):
        """The demand is declined."""

        noun = "refusal"

        def evolve(self, state: DemandState) -> None:
            state.status = DemandStatus.DECLINED

    class Withdrawn(Decided):
        """The requester withdraws the demand."""

        noun = "withdrawal"

        def evolve(self, state: DemandState) -> None:
            state.status = DemandStatus.WITHDRAWN

    @classmethod
    def raise_demand(
        cls,
        prov: Provenance,
        *,
        code: str,
        resource_id: UUID,
        resource: str,
        requester: str,
        title: str,
        first_week: Week,
        last_week: Week,
        days: Decimal,
    ) -> Self:
        """Record a demand on a resource's time from outside the perimeter."""
        return cls._open(
            cls.Raised,
            prov,
            key=code,
            code=code,
            resource_id=resource_id,
            resource=resource,
            requester=requester,
            title=title,
            first_week=first_week,
            last_week=last_week,
            days_per_week=days,
        )

    def accept(self, prov: Provenance) -> None:
        """Accept the demand."""
        self._record(self.Accepted, prov)

    def decline(self, prov: Provenance) -> None:
        """Decline the demand."""
        self._record(self.Declined, prov)

    def withdraw(self, prov: Provenance) -> None:
        """Withdraw the demand."""
        self._record(self.Withdrawn, prov)
