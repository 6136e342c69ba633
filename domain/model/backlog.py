"""Backlog items (work packages): effort per skill, priority rank, maturity, milestone served."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self
from uuid import UUID

from domain.enums import BacklogStatus, Maturity
from domain.errors import InvalidTransition, RuleViolation
from domain.timeline import LedgerAggregate, LedgerCreated, LedgerEvent, Provenance
from domain.values import Effort


@dataclass
class BacklogItemState:
    """A backlog item as in force at a date."""

    code: str = ""
    project_id: UUID | None = None
    project: str = ""
    title: str = ""
    effort: Effort = field(default_factory=lambda: Effort({}))
    rank: int = 0
    maturity: Maturity = Maturity.IDEA
    milestone: str | None = None
    status: BacklogStatus = BacklogStatus.OPEN

    def require_open(self) -> None:
        """Done and dropped items no longer change."""
        if self.status is not BacklogStatus.OPEN:
            raise InvalidTransition(
                f"backlog item {self.code} is {self.status.value}", item=self.code
            )


class OpenItemEvent(LedgerEvent):
    """A change that only an open item accepts."""

    def check(self, state: BacklogItemState) -> None:
        state.require_open()


class BacklogItem(LedgerAggregate):
    """A piece of work of a project, estimated per skill and ranked by business priority."""

    kind = "backlog item"
    State = BacklogItemState

    class Added(LedgerCreated):
        """The item enters the project's backlog."""

        project_id: UUID
        project: str
        title: str
        effort: Effort
        rank: int
        maturity: Maturity
        milestone: str | None

        def evolve(self, state: BacklogItemState) -> None:
            state.code, state.project_id, state.title = self.code, self.project_id, self.title
            state.project = self.project
            state.effort, state.rank, state.maturity = self.effort, self.rank, self.maturity
            state.milestone = self.milestone

    class Reestimated(OpenItemEvent):
        """The effort per skill is estimated again."""

        effort: Effort

        def evolve(self, state: BacklogItemState) -> None:
            state.effort = self.effort

    class Reprioritised(OpenItemEvent):
        """The item moves in the priority ranking (1 = first)."""

        rank: int

        def check_not_redundant(self, state: BacklogItemState) -> None:
            if state.rank == self.rank:
                raise RuleViolation(f"{state.code} is already ranked {self.rank}", item=state.code)

        def evolve(self, state: BacklogItemState) -> None:
            state.rank = self.rank

    class MaturityChanged(OpenItemEvent):
        """The item's maturity moves (idea → refined → ready, or back)."""

        maturity: Maturity

        def check_not_redundant(self, state: BacklogItemState) -> None:
            if state.maturity is self.maturity:
                raise RuleViolation(
                    f"{state.code} is already {self.maturity.value}", item=state.code
                )

        def evolve(self, state: BacklogItemState) -> None:
            state.maturity = self.maturity

    class MilestoneLinked(OpenItemEvent):
        """The item now serves another milestone of its project (or none)."""

        milestone: str | None

        def evolve(self, state: BacklogItemState) -> None:
            state.milestone = self.milestone

    class Completed(OpenItemEvent):
        """The item is done."""

        noun = "completion"

        def evolve(self, state: BacklogItemState) -> None:
            state.status = BacklogStatus.DONE

    class Dropped(OpenItemEvent):
        """The item is dropped from the backlog."""

        noun = "drop"

        def evolve(self, state: BacklogItemState) -> None:
            state.status = BacklogStatus.DROPPED

    @classmethod
    def add(
        cls,
        prov: Provenance,
        *,
        code: str,
        project_id: UUID,
        project: str,
        title: str,
        effort: Effort,
        rank: int,
        maturity: Maturity,
        milestone: str | None,
    ) -> Self:
        """Add an item to a project's backlog."""
        return cls._open(
            cls.Added,
            prov,
            key=code,
            code=code,
            project_id=project_id,
            project=project,
            title=title,
            effort=effort,
            rank=rank,
            maturity=maturity,
            milestone=milestone,
        )

    @property
    def project_id(self) -> UUID:
        """The project whose backlog holds the item."""
        project_id: UUID | None = self.state().project_id
        assert project_id is not None  # set by the creation event
        return project_id

    def reestimate(self, prov: Provenance, *, effort: Effort) -> None:
        """Estimate the effort per skill again."""
        self._record(self.Reestimated, prov, effort=effort)

    def reprioritise(self, prov: Provenance, *, rank: int) -> None:
        """Move the item in the ranking."""
        self._record(self.Reprioritised, prov, rank=rank)

    def change_maturity(self, prov: Provenance, *, maturity: Maturity) -> None:
        """Change the item's maturity."""
        self._record(self.MaturityChanged, prov, maturity=maturity)

    def link_milestone(self, prov: Provenance, *, milestone: str | None) -> None:
        """Make the item serve another milestone of its project, or none."""
        self._record(self.MilestoneLinked, prov, milestone=milestone)

    def complete(self, prov: Provenance) -> None:
        """Mark the item done."""
        self._record(self.Completed, prov)

    def drop(self, prov: Provenance) -> None:
        """Drop the item."""
        self._record(self.Dropped, prov)
