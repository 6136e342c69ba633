"""The top of the portfolio tree: perimeters and the programmes they hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self
from uuid import UUID

from domain.timeline import LedgerAggregate, LedgerCreated, Provenance


@dataclass
class PerimeterState:
    """A perimeter as in force at a date."""

    code: str = ""
    name: str = ""


class Perimeter(LedgerAggregate):
    """A business perimeter (B2C, B2B, Data, …) steered by the PMO."""

    kind = "perimeter"
    State = PerimeterState

    class Opened(LedgerCreated):
        """The perimeter enters the portfolio."""

        name: str

        def evolve(self, state: PerimeterState) -> None:
            state.code, state.name = self.code, self.name

    @classmethod
    def open(cls, prov: Provenance, *, code: str, name: str) -> Self:
        """Open a perimeter."""
        return cls._open(cls.Opened, prov, key=code, code=code, name=name)


@dataclass
class ProgrammeState:
    """A programme as in force at a date."""

    code: str = ""
    name: str = ""
    perimeter_id: UUID | None = None


class Programme(LedgerAggregate):
    """A programme: a set of projects steered together inside one perimeter."""

    kind = "programme"
    State = ProgrammeState

    class Opened(LedgerCreated):
        """The programme is opened in its perimeter."""

        name: str
        perimeter_id: UUID

        def evolve(self, state: ProgrammeState) -> None:
            state.code, state.name, state.perimeter_id = self.code, self.name, self.perimeter_id

    @classmethod
    def open(cls, prov: Provenance, *, code: str, name: str, perimeter: Perimeter) -> Self:
        """Open a programme in ``perimeter``."""
        return cls._open(
            cls.Opened, prov, key=code, code=code, name=name, perimeter_id=perimeter.id
        )

    @property
    def perimeter_id(self) -> UUID:
        """The perimeter the programme belongs to."""
        perimeter_id: UUID | None = self.state().perimeter_id
        assert perimeter_id is not None  # set by the creation event
        return perimeter_id
