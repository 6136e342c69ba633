"""A branch of the ledger at a recorded position: the world of a what-if scenario.

A ``BranchLedger`` is the ledger application itself — the same commands, handlers,
aggregates and rules — on a store that reads each aggregate as the main store held it
at the branch position, followed by the branch's own events, and writes only to memory.
Nothing is copied when the branch is made: an aggregate's events are read from the main
store the first time a command of the branch touches it, so the cost of a branch is the
aggregates its hypotheses touch, not the size of the ledger. The main ledger never sees
what the branch records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from domain.clock import Clock
from domain.ledger import Ledger
from domain.persistence import Store


class ReadsUpTo(Protocol):
    """What a branch needs of the main store (``domain.chain``'s recorders)."""

    def select_events_upto(self, aggregate: UUID, position: int) -> list[StoredEvent]: ...

    def max_notification_id(self) -> int | None: ...


class BranchRecorder(POPOApplicationRecorder):
    """The main store's events up to a position, then the branch's own, in memory."""

    def __init__(self, main: ReadsUpTo, position: int) -> None:
        super().__init__()
        self.main = main
        self.position = position
        self._base: dict[UUID, list[StoredEvent]] = {}
        self.reads_from_main = 0  # aggregates read from the main store (the branch's cost)

    def base(self, aggregate: UUID) -> list[StoredEvent]:
        """The aggregate's events in the main store at the branch position (read once)."""
        found = self._base.get(aggregate)
        if found is None:
            found = self.main.select_events_upto(aggregate, self.position)
            self._base[aggregate] = found
            self.reads_from_main += 1
        return found

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """The aggregate's events: the main store's at the branch position, then the
        branch's, filtered as the library asks."""
        aggregate = originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
        events = [*self.base(aggregate), *super().select_events(aggregate)]
        chosen = [
            e
            for e in events
            if (gt is None or e.originator_version > gt)
            and (lte is None or e.originator_version <= lte)
        ]
        if desc:
            chosen.reverse()
        return chosen if limit is None else chosen[:limit]

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        for event in stored_events:
            aggregate = UUID(str(event.originator_id))
            if any(e.originator_version == event.originator_version for e in self.base(aggregate)):
                raise IntegrityError(f"version {event.originator_version} already recorded")
        super()._assert_uniqueness(stored_events, **kwargs)

    def own_events(self) -> list[StoredEvent]:
        """What the branch recorded, in order."""
        return list(self._stored_events)


class AfterBranch:
    """The branch's clock: what it records is recorded just after the branch instant, a
    microsecond apart, so that the branch's world is "the ledger as known at the branch,
    plus the hypotheses" — asked as known at the last hypothesis, the read models leave
    out what the main ledger recorded after the branch (``projections.scenario``)."""

    def __init__(self, branch_at: datetime) -> None:
        self._at = branch_at.astimezone(UTC)
        self._ticks = 0

    def now(self) -> datetime:
        """One microsecond after the last instant handed out."""
        self._ticks += 1
        return self._at + timedelta(microseconds=self._ticks)

    def today(self) -> date:
        """The branch's day: hypotheses take effect then unless they say otherwise."""
        return self._at.date()

    @property
    def last(self) -> datetime:
        """The last instant handed out (the branch instant if none)."""
        return self._at + timedelta(microseconds=self._ticks)


class BranchLedger(Ledger):
    """The ledger on a branch of ``main`` at ``position`` (see the module's docstring)."""

    def __init__(self, main: Ledger, position: int, *, clock: Clock | None = None) -> None:
        self.main = main
        self.position = position
        store = Store(
            "branch",
            f"branch of {main.store.display} at position {position}",
            {"PERSISTENCE_MODULE": "eventsourcing.popo"},
        )
        super().__init__(clock=clock or main.clock, store=store)

    def construct_recorder(self) -> ApplicationRecorder:
        """The layered recorder over the main store."""
        main: ReadsUpTo = self.main.recorder  # type: ignore[assignment]
        return BranchRecorder(main, self.position)

    @property
    def branch_recorder(self) -> BranchRecorder:
        """The recorder, typed."""
        recorder = self.recorder
        assert isinstance(recorder, BranchRecorder)
        return recorder
