"""Record a decision on its own, so several later changes can refer to it."""

from __future__ import annotations

from dataclasses import dataclass

from domain.commands import parse
from domain.commands.base import Command, arg, handles
from domain.errors import InvalidInput
from domain.timeline import Provenance
from domain.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class TakeDecision(Command):
    """Record a decision (forum, rationale); later changes attach to it with ``decision``.

    The ledger records the decision itself: see :meth:`domain.ledger.Ledger.execute`.
    """

    area, action = "decision", "take"
    creates = True
    requires_rationale = True
    opens_decision = True
    title: str = arg("what was decided", parse.text())

    def validate(self) -> None:
        if self.decision is not None:
            raise InvalidInput("decision", "a new decision cannot attach to another one")

    def summary(self) -> str:
        return self.title


@handles(TakeDecision)
def take_decision(uow: UnitOfWork, cmd: TakeDecision, prov: Provenance) -> None:
    """Nothing beyond the decision the ledger opens for every decision-kind command."""
