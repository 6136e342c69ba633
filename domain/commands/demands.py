"""Commands on demands from outside the perimeter: raise, accept, decline, withdraw."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.commands import parse
from domain.commands.base import Command, arg, handles
from domain.model.demand import OutsideDemand
from domain.model.resource import Resource
from domain.timeline import Provenance
from domain.unit_of_work import UnitOfWork
from domain.values import Week, week_range


@dataclass(frozen=True, kw_only=True)
class RaiseDemand(Command):
    """Record a request for a resource's time coming from outside its perimeter."""

    area, action = "demand", "raise"
    creates = True
    code: str | None = arg(
        "demand code (default: generated)", parse.optional(parse.code), default=None
    )
    resource: str = arg("resource (usually a team) asked for", parse.code)
    requester: str = arg("who asks, e.g. 'Group IT - Security'", parse.text(120))
    title: str = arg("what is asked", parse.text())
    first_week: Week = arg("first week", parse.week)
    last_week: Week = arg("last week", parse.week)
    days: Decimal = arg("person-days per week asked", parse.positive_days)

    def validate(self) -> None:
        week_range(self.first_week, self.last_week)

    def summary(self) -> str:
        return f"Demand from {self.requester} on {self.resource}"


@handles(RaiseDemand)
def raise_demand(uow: UnitOfWork, cmd: RaiseDemand, prov: Provenance) -> None:
    resource = uow.get(Resource, cmd.resource)
    code = cmd.code or uow.new_code("DMD")
    uow.require_absent(OutsideDemand, code)
    uow.add(
        OutsideDemand.raise_demand(
            prov,
            code=code,
            resource_id=resource.id,
            resource=resource.code,
            requester=cmd.requester,
            title=cmd.title,
            first_week=cmd.first_week,
            last_week=cmd.last_week,
            days=cmd.days,
        )
    )


@dataclass(frozen=True, kw_only=True)
class DemandCommand(Command):
    """A command answering one demand."""

    demand: str = arg("demand code", parse.code)


def _demand(uow: UnitOfWork, cmd: DemandCommand) -> OutsideDemand:
    return uow.get(OutsideDemand, cmd.demand, expected_version=cmd.expected_version)


@dataclass(frozen=True, kw_only=True)
class AcceptDemand(DemandCommand):
    """Accept a demand: it will consume the resource's capacity."""

    area, action = "demand", "accept"
    opens_decision = True

    def summary(self) -> str:
        return f"Accept demand {self.demand}"


@handles(AcceptDemand)
def accept(uow: UnitOfWork, cmd: AcceptDemand, prov: Provenance) -> None:
    _demand(uow, cmd).accept(prov)


@dataclass(frozen=True, kw_only=True)
class DeclineDemand(DemandCommand):
    """Decline a demand."""

    area, action = "demand", "decline"
    requires_rationale = True
    opens_decision = True

    def summary(self) -> str:
        return f"Decline demand {self.demand}"


@handles(DeclineDemand)
def decline(uow: UnitOfWork, cmd: DeclineDemand, prov: Provenance) -> None:
    _demand(uow, cmd).decline(prov)


@dataclass(frozen=True, kw_only=True)
class WithdrawDemand(DemandCommand):
    """Record that the requester withdrew a demand."""

    area, action = "demand", "withdraw"

    def summary(self) -> str:
        return f"Demand {self.demand} withdrawn"


@handles(WithdrawDemand)
def withdraw(uow: UnitOfWork, cmd: WithdrawDemand, prov: Provenance) -> None:
    _demand(uow, cmd).withdraw(prov)
