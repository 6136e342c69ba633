"""Decisions: the record that groups the events one arbitration produced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from domain.enums import Forum
from domain.timeline import LedgerAggregate, LedgerCreated, Provenance


@dataclass
class DecisionState:
    """A decision as recorded."""

    code: str = ""
    title: str = ""
    forum: Forum = Forum.WEEKLY


class Decision(LedgerAggregate):
    """A decision taken in a forum, by an author, for a rationale.

    Every event the decision produced carries its id as ``decision_id``; the decision's
    own effective date is the day it was taken.
    """

    kind = "decision"
    State = DecisionState

    class Taken(LedgerCreated):
        """The decision is taken."""

        title: str
        forum: Forum

        def evolve(self, state: DecisionState) -> None:
            state.code, state.title, state.forum = self.code, self.title, self.forum

    @classmethod
    def take(cls, prov: Provenance, *, code: str, title: str, forum: Forum) -> Self:
        """Record a decision; ``prov.decision_id`` must be this decision's own id."""
        return cls._open(cls.Taken, prov, key=code, code=code, title=title, forum=forum)
