"""Budget commands: open an envelope, and the arbitrations (transfer, raise, cut).

An envelope is named by its owner — a project (``project``) or a perimeter's reserve
(``reserve``) — and its fiscal year. A transfer to or from a reserve is a transfer
whose one side is a reserve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.commands import parse
from domain.commands.base import Command, arg, exactly_one, handles
from domain.enums import EnvelopeOwner, Nature
from domain.model.budget import Envelope, transfer
from domain.model.portfolio import Perimeter
from domain.model.project import Project
from domain.timeline import Provenance
from domain.unit_of_work import UnitOfWork
from domain.values import FiscalYear


def _owner(
    uow: UnitOfWork, project: str | None, reserve: str | None
) -> tuple[EnvelopeOwner, Project | Perimeter]:
    if project is not None:
        return EnvelopeOwner.PROJECT, uow.get(Project, project)
    assert reserve is not None  # exactly one of the two, checked by the command
    return EnvelopeOwner.RESERVE, uow.get(Perimeter, reserve)


def _envelope(
    uow: UnitOfWork,
    project: str | None,
    reserve: str | None,
    fiscal_year: int,
    expected_version: int | None = None,
) -> Envelope:
    owner, entity = _owner(uow, project, reserve)
    return uow.get(
        Envelope,
        Envelope.key(owner, entity.id, fiscal_year),
        ref=Envelope.label(owner, entity.code, fiscal_year),
        expected_version=expected_version,
    )


def _name(project: str | None, reserve: str | None, fiscal_year: int) -> str:
    if project is not None:
        return Envelope.label(EnvelopeOwner.PROJECT, project, fiscal_year)
    return Envelope.label(EnvelopeOwner.RESERVE, reserve or "", fiscal_year)


@dataclass(frozen=True, kw_only=True)
class OpenEnvelope(Command):
    """Open the budget envelope of a project (or a perimeter's reserve) for a fiscal year."""

    area, action = "budget", "open"
    creates = True
    opens_decision = True
    project: str | None = arg("project code", parse.optional(parse.code), default=None)
    reserve: str | None = arg(
        "perimeter code, for the perimeter's reserve", parse.optional(parse.code), default=None
    )
    fiscal_year: int = arg("fiscal year, e.g. 2026", parse.fiscal_year)
    capex: Decimal = arg("capex voted", parse.money_or_zero, default="0")
    opex: Decimal = arg("opex voted", parse.money_or_zero, default="0")

    def validate(self) -> None:
        exactly_one(project=self.project, reserve=self.reserve)

    def default_effective_date(self, today: date) -> date:
        year = FiscalYear(self.fiscal_year)
        return today if today in year else year.first_day

    def summary(self) -> str:
        name = _name(self.project, self.reserve, self.fiscal_year)
        return f"Open envelope {name}: capex {self.capex}, opex {self.opex}"


@handles(OpenEnvelope)
def open_envelope(uow: UnitOfWork, cmd: OpenEnvelope, prov: Provenance) -> None:
    owner, entity = _owner(uow, cmd.project, cmd.reserve)
    key = Envelope.key(owner, entity.id, cmd.fiscal_year)
    uow.require_absent(Envelope, key, ref=Envelope.label(owner, entity.code, cmd.fiscal_year))
    uow.add(
        Envelope.open(
            prov,
            owner=owner,
            owner_id=entity.id,
            owner_code=entity.code,
            fiscal_year=cmd.fiscal_year,
            capex=cmd.capex,
            opex=cmd.opex,
        )
    )


@dataclass(frozen=True, kw_only=True)
class TransferBudget(Command):
    """Move money between two envelopes of one fiscal year (projects or reserves)."""

    area, action = "budget", "transfer"
    requires_rationale = True
    opens_decision = True
    fiscal_year: int = arg("fiscal year of both envelopes", parse.fiscal_year)
    nature: Nature = arg("capex or opex", parse.choice(Nature))
    amount: Decimal = arg("amount to move", parse.money)
    from_project: str | None = arg("source project", parse.optional(parse.code), default=None)
    from_reserve: str | None = arg(
        "source: this perimeter's reserve", parse.optional(parse.code), default=None
    )
    to_project: str | None = arg("target project", parse.optional(parse.code), default=None)
    to_reserve: str | None = arg(
        "target: this perimeter's reserve", parse.optional(parse.code), default=None
    )

    def validate(self) -> None:
        exactly_one(from_project=self.from_project, from_reserve=self.from_reserve)
        exactly_one(to_project=self.to_project, to_reserve=self.to_reserve)

    def summary(self) -> str:
        source = _name(self.from_project, self.from_reserve, self.fiscal_year)
        target = _name(self.to_project, self.to_reserve, self.fiscal_year)
        return f"Transfer {self.amount} {self.nature.value} from {source} to {target}"


@handles(TransferBudget)
def transfer_budget(uow: UnitOfWork, cmd: TransferBudget, prov: Provenance) -> None:
    source = _envelope(
        uow, cmd.from_project, cmd.from_reserve, cmd.fiscal_year, cmd.expected_version
    )
    target = _envelope(uow, cmd.to_project, cmd.to_reserve, cmd.fiscal_year)
    transfer(prov, source=source, target=target, nature=cmd.nature, amount=cmd.amount)


@dataclass(frozen=True, kw_only=True)
class RaiseBudget(Command):
    """Grant new money to an envelope."""

    area, action = "budget", "raise"
    requires_rationale = True
    opens_decision = True
    project: str | None = arg("project code", parse.optional(parse.code), default=None)
    reserve: str | None = arg(
        "perimeter code (its reserve)", parse.optional(parse.code), default=None
    )
    fiscal_year: int = arg("fiscal year", parse.fiscal_year)
    nature: Nature = arg("capex or opex", parse.choice(Nature))
    amount: Decimal = arg("amount granted", parse.money)

    def validate(self) -> None:
        exactly_one(project=self.project, reserve=self.reserve)

    def summary(self) -> str:
        name = _name(self.project, self.reserve, self.fiscal_year)
        return f"Raise {name} by {self.amount} {self.nature.value}"


@handles(RaiseBudget)
def raise_budget(uow: UnitOfWork, cmd: RaiseBudget, prov: Provenance) -> None:
    envelope = _envelope(uow, cmd.project, cmd.reserve, cmd.fiscal_year, cmd.expected_version)
    envelope.raise_funds(prov, nature=cmd.nature, amount=cmd.amount)


@dataclass(frozen=True, kw_only=True)
class CutBudget(Command):
    """Take money back from an envelope."""

    area, action = "budget", "cut"
    requires_rationale = True
    opens_decision = True
    project: str | None = arg("project code", parse.optional(parse.code), default=None)
    reserve: str | None = arg(
        "perimeter code (its reserve)", parse.optional(parse.code), default=None
    )
    fiscal_year: int = arg("fiscal year", parse.fiscal_year)
    nature: Nature = arg("capex or opex", parse.choice(Nature))
    amount: Decimal = arg("amount taken back", parse.money)

    def validate(self) -> None:
        exactly_one(project=self.project, reserve=self.reserve)

    def summary(self) -> str:
        name = _name(self.project, self.reserve, self.fiscal_year)
        return f"Cut {name} by {self.amount} {self.nature.value}"


@handles(CutBudget)
def cut_budget(uow: UnitOfWork, cmd: CutBudget, prov: Provenance) -> None:
    envelope = _envelope(uow, cmd.project, cmd.reserve, cmd.fiscal_year, cmd.expected_version)
    envelope.cut_funds(prov, nature=cmd.nature, amount=cmd.amount)
