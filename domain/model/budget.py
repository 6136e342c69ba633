"""Budget envelopes per project (or perimeter reserve) and fiscal year, and arbitrations.

An envelope holds capex and opex. Arbitrations move money: a transfer takes from one
envelope and gives to another of the same fiscal year (a reserve being an envelope too),
so it never creates or loses money; a raise brings new money in, a cut gives it back.
Every movement is effective inside the envelope's fiscal year, and no envelope is ever
overdrawn at any effective date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Self
from uuid import UUID

from domain.enums import EnvelopeOwner, Nature
from domain.errors import InsufficientFunds, OutsideFiscalYear, RuleViolation
from domain.timeline import LedgerAggregate, LedgerCreated, LedgerEvent, Provenance
from domain.values import FiscalYear

ZERO = Decimal(0)


def _per_nature() -> dict[Nature, Decimal]:
    return dict.fromkeys(Nature, ZERO)


@dataclass
class EnvelopeState:
    """An envelope as in force at a date: what it started with and how it moved."""

    code: str = ""
    owner: EnvelopeOwner = EnvelopeOwner.PROJECT
    owner_id: UUID | None = None
    fiscal_year: int = 0
    initial: dict[Nature, Decimal] = field(default_factory=_per_nature)
    transferred_in: dict[Nature, Decimal] = field(default_factory=_per_nature)
    transferred_out: dict[Nature, Decimal] = field(default_factory=_per_nature)
    raised: dict[Nature, Decimal] = field(default_factory=_per_nature)
    cut: dict[Nature, Decimal] = field(default_factory=_per_nature)

    def balance(self, nature: Nature) -> Decimal:
        """What the envelope holds in ``nature``."""
        return (
            self.initial[nature]
            + self.transferred_in[nature]
            - self.transferred_out[nature]
            + self.raised[nature]
            - self.cut[nature]
        )

    @property
    def total(self) -> Decimal:
        """Capex plus opex."""
        return sum((self.balance(n) for n in Nature), ZERO)


class EnvelopeEvent(LedgerEvent):
    """Every envelope movement is effective inside the envelope's fiscal year."""

    def check(self, state: EnvelopeState) -> None:
        if self.effective_date not in FiscalYear(state.fiscal_year):
            raise OutsideFiscalYear(
                f"envelope {state.code} belongs to FY{state.fiscal_year};"
                f" a movement effective {self.effective_date} falls outside it",
                envelope=state.code,
                fiscal_year=state.fiscal_year,
                effective_date=self.effective_date.isoformat(),
            )


class Withdrawal(EnvelopeEvent):
    """A movement that takes money out, so it needs the money to be there."""

    nature: Nature
    amount: Decimal

    def check(self, state: EnvelopeState) -> None:
        super().check(state)
        available = state.balance(self.nature)
        if self.amount > available:
            raise InsufficientFunds(
                f"envelope {state.code} holds {available} {self.nature.value}"
                f" on {self.effective_date}; {self.amount} cannot be taken from it",
                envelope=state.code,
                nature=self.nature.value,
                available=str(available),
                requested=str(self.amount),
                effective_date=self.effective_date.isoformat(),
            )


class Envelope(LedgerAggregate):
    """The budget of a project, or the reserve of a perimeter, for one fiscal year."""

    kind = "envelope"
    State = EnvelopeState

    class Opened(LedgerCreated, EnvelopeEvent):
        """The envelope is opened with its voted capex and opex."""

        owner: EnvelopeOwner
        owner_id: UUID
        fiscal_year: int
        capex: Decimal
        opex: Decimal

        def check(self, state: EnvelopeState) -> None:
            EnvelopeEvent.check(self, EnvelopeState(code=self.code, fiscal_year=self.fiscal_year))

        def evolve(self, state: EnvelopeState) -> None:
            state.code, state.owner, state.owner_id = self.code, self.owner, self.owner_id
            state.fiscal_year = self.fiscal_year
            state.initial = {Nature.CAPEX: self.capex, Nature.OPEX: self.opex}

    class FundsTransferredOut(Withdrawal):
        """Money leaves for another envelope (the counterpart)."""

        counterpart_id: UUID
        counterpart: str

        def evolve(self, state: EnvelopeState) -> None:
            state.transferred_out[self.nature] += self.amount

    class FundsTransferredIn(EnvelopeEvent):
        """Money arrives from another envelope (the counterpart)."""

        nature: Nature
        amount: Decimal
        counterpart_id: UUID
        counterpart: str

        def evolve(self, state: EnvelopeState) -> None:
            state.transferred_in[self.nature] += self.amount

    class Raised(EnvelopeEvent):
        """New money is granted to the envelope."""

        noun = "raise"

        nature: Nature
        amount: Decimal

        def evolve(self, state: EnvelopeState) -> None:
            state.raised[self.nature] += self.amount

    class Cut(Withdrawal):
        """Money is taken back from the envelope."""

        noun = "cut"

        def evolve(self, state: EnvelopeState) -> None:
            state.cut[self.nature] += self.amount

    @staticmethod
    def key(owner: EnvelopeOwner, owner_id: UUID, fiscal_year: int) -> str:
        """The natural key of an envelope."""
        return f"{owner.value}:{owner_id.hex}:{fiscal_year}"

    @staticmethod
    def label(owner: EnvelopeOwner, owner_code: str, fiscal_year: int) -> str:
        """How an envelope is named: ``PAY-CHECKOUT/FY2026`` or ``B2C-RESERVE/FY2026``."""
        suffix = "-RESERVE" if owner is EnvelopeOwner.RESERVE else ""
        return f"{owner_code}{suffix}/FY{fiscal_year}"

    @classmethod
    def open(
        cls,
        prov: Provenance,
        *,
        owner: EnvelopeOwner,
        owner_id: UUID,
        owner_code: str,
        fiscal_year: int,
        capex: Decimal,
        opex: Decimal,
    ) -> Self:
        """Open the envelope of a project or of a perimeter's reserve for a fiscal year."""
        return cls._open(
            cls.Opened,
            prov,
            key=cls.key(owner, owner_id, fiscal_year),
            code=cls.label(owner, owner_code, fiscal_year),
            owner=owner,
            owner_id=owner_id,
            fiscal_year=fiscal_year,
            capex=capex,
            opex=opex,
        )

    @property
    def fiscal_year(self) -> int:
        """The envelope's fiscal year."""
        year: int = self.state().fiscal_year
        return year

    def raise_funds(self, prov: Provenance, *, nature: Nature, amount: Decimal) -> None:
        """Grant new money to the envelope."""
        self._record(self.Raised, prov, nature=nature, amount=amount)

    def cut_funds(self, prov: Provenance, *, nature: Nature, amount: Decimal) -> None:
        """Take money back from the envelope."""
        self._record(self.Cut, prov, nature=nature, amount=amount)


def transfer(
    prov: Provenance, *, source: Envelope, target: Envelope, nature: Nature, amount: Decimal
) -> None:
    """Move money between two envelopes of one fiscal year, atomically.

    Both sides are validated on their own timelines before either is applied, so a
    refusal on the receiving side leaves the source untouched.
    """
    if source.id == target.id:
        raise RuleViolation(
            f"a transfer needs two different envelopes, not {source.code} twice",
            envelope=source.code,
        )
    if source.fiscal_year != target.fiscal_year:
        raise RuleViolation(
            f"{source.code} and {target.code} belong to different fiscal years",
            source=source.code,
            target=target.code,
        )
    out = source.prepare(
        Envelope.FundsTransferredOut,
        prov,
        nature=nature,
        amount=amount,
        counterpart_id=target.id,
        counterpart=target.code,
    )
    into = target.prepare(
        Envelope.FundsTransferredIn,
        prov,
        nature=nature,
        amount=amount,
        counterpart_id=source.id,
        counterpart=source.code,
    )
    out.apply()
    into.apply()
