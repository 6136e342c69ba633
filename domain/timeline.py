"""The two time axes inside an aggregate: effective-dated history and retroactive validation.

Every ledger event carries an effective date (when the change applies in the business
world) next to its recorded timestamp (when the ledger learned it, set by the ledger's
clock). An aggregate keeps its events in recorded order; its state at an effective date
is the fold of the events effective at or before that date, in (effective date,
recording order). A new event is checked against the state at its own effective date
and, when it is back-dated, every event already recorded at a later effective date is
checked again on top of it: the first one that no longer holds is named in the refusal.

Each event class says what it requires (``check``) and what it changes (``evolve``) on
the aggregate's plain state object; ``check`` runs only when validating a new event,
never on replay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.errors import DomainError, NotInForce, RetroactiveConflict
from domain.values import entity_id


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who records a change, why, under which decision, effective when, recorded when."""

    effective_date: date
    recorded_at: datetime
    author: str
    rationale: str
    decision_id: UUID | None

    def event_fields(self) -> dict[str, Any]:
        """The fields every ledger event carries, ``timestamp`` being the recorded time."""
        return {
            "timestamp": self.recorded_at,
            "effective_date": self.effective_date,
            "author": self.author,
            "rationale": self.rationale,
            "decision_id": self.decision_id,
        }


class LedgerEvent(Aggregate.Event):
    """Base of every ledger event: provenance fields plus ``check`` and ``evolve``."""

    effective_date: date
    author: str
    rationale: str
    decision_id: UUID | None

    # A fact that may legitimately leave later decisions out of line (an absence that
    # over-allocates someone already staffed) does not re-check them when back-dated.
    revalidates_later: ClassVar[bool] = True
    # How refusals name this kind of change, when its class name reads badly.
    noun: ClassVar[str] = ""

    def check(self, state: Any) -> None:
        """Raise a :class:`DomainError` if this change is not allowed in ``state``.

        Checked for a new event, and again for every later event when a back-dated
        one is inserted before them: a rule that must hold whenever the event applies.
        """

    def check_not_redundant(self, state: Any) -> None:
        """Refuse a new event that would change nothing (checked for new events only)."""

    def evolve(self, state: Any) -> None:
        """Apply this change to ``state`` (no checks, no clocks, no ids)."""

    def apply(self, aggregate: Any) -> None:
        """Library hook: record the event in the aggregate's effective-dated history."""
        aggregate._absorb(self)

    @property
    def kind(self) -> str:
        """The event's name, e.g. ``MilestoneShifted``."""
        return type(self).__name__

    @property
    def recorded_at(self) -> datetime:
        """When the ledger learned it (the library's event timestamp)."""
        return self.timestamp


class LedgerCreated(Aggregate.Created, LedgerEvent):
    """Base of the events that bring an aggregate into existence."""

    code: str


E = TypeVar("E", bound=LedgerEvent)


def _effective_order(event: LedgerEvent) -> tuple[date, int]:
    return (event.effective_date, event.originator_version)


def _described(event: LedgerEvent) -> str:
    """``funds transferred out effective 2026-03-01``: how refusals name a change."""
    words = event.noun or re.sub(r"(?<!^)(?=[A-Z])", " ", event.kind).lower()
    return f"{words} effective {event.effective_date}"


@dataclass(slots=True)
class Change:
    """A validated event not yet applied, so several aggregates can be checked first."""

    aggregate: LedgerAggregate
    event: LedgerEvent

    def apply(self) -> None:
        """Apply the validated event to its aggregate and queue it for saving."""
        if self.event.originator_version != self.aggregate.version + 1:
            raise RuntimeError("the aggregate changed between validation and application")
        self.event.mutate(self.aggregate)
        self.aggregate.pending_events.append(self.event)


class LedgerAggregate(Aggregate):
    """An aggregate whose whole state is the fold of its effective-dated history."""

    # The library turns annotated aggregate classes into dataclasses with an __init__
    # taking those fields, so the declarations are for the type checker only.
    if TYPE_CHECKING:
        kind: ClassVar[str]
        State: ClassVar[type[Any]]
        code: str
        history: list[LedgerEvent]
        _tip: Any | None
        _latest_effective: date

    kind = "entity"

    @classmethod
    def id_for(cls, key: str) -> UUID:
        """The identifier of the aggregate of this kind known by ``key``."""
        return entity_id(cls.kind, key)

    @classmethod
    def _open(
        cls, created: type[LedgerCreated], prov: Provenance, *, key: str, **fields: Any
    ) -> Self:
        """Create the aggregate with its creation event, after checking the event."""
        candidate = created(
            originator_id=cls.id_for(key),
            originator_version=cls.INITIAL_VERSION,
            originator_topic=get_topic(cls),
            **prov.event_fields(),
            **fields,
        )
        candidate.check(cls.State())
        aggregate = candidate.mutate(None)
        assert isinstance(aggregate, cls)
        aggregate.pending_events.append(candidate)
        return aggregate

    def _absorb(self, event: LedgerEvent) -> None:
        if isinstance(event, LedgerCreated):
            self.code = event.code
            self.history = []
            self._tip = self.State()
            self._latest_effective = event.effective_date
        self.history.append(event)
        if event.effective_date >= self._latest_effective:
            self._latest_effective = event.effective_date
            if self._tip is not None:
                event.evolve(self._tip)
        else:
            self._tip = None  # a back-dated event: rebuild the tip when next needed

    @property
    def subject(self) -> str:
        """How errors and logs name this aggregate, e.g. ``project PAY-CHECKOUT``."""
        return f"{self.kind} {self.code}"

    def state(self, as_of: date | None = None, known_at: datetime | None = None) -> Any:
        """The state at effective date ``as_of`` as known at ``known_at`` (defaults: all)."""
        if as_of is None and known_at is None:
            return self._tip_state()
        state = self.State()
        for event in sorted(self.history, key=_effective_order):
            if as_of is not None and event.effective_date > as_of:
                break
            if known_at is None or event.timestamp <= known_at:
                event.evolve(state)
        return state

    def _tip_state(self) -> Any:
        if self._tip is None:
            tip = self.State()
            for event in sorted(self.history, key=_effective_order):
                event.evolve(tip)
            self._tip = tip
        return self._tip

    def require_in_force(self, day: date, what: str) -> None:
        """Refuse ``what`` when it applies on ``day``, before this aggregate existed."""
        if day < self.in_force_from:
            raise NotInForce(
                f"{self.subject} is in force from {self.in_force_from}; {what} applies on {day}",
                subject=self.subject,
                in_force_from=self.in_force_from.isoformat(),
            )

    @property
    def in_force_from(self) -> date:
        """The effective date of the creation event."""
        return self.history[0].effective_date

    def prepare(self, event_class: type[E], prov: Provenance, **fields: Any) -> Change:
        """Build the next event and validate it on the timeline, without applying it."""
        candidate = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            **prov.event_fields(),
            **fields,
        )
        self._validate(candidate)
        return Change(self, candidate)

    def _record(self, event_class: type[E], prov: Provenance, **fields: Any) -> None:
        """Validate then apply the next event."""
        self.prepare(event_class, prov, **fields).apply()

    def _validate(self, candidate: LedgerEvent) -> None:
        if candidate.effective_date < self.in_force_from:
            raise NotInForce(
                f"{self.subject} is in force from {self.in_force_from};"
                f" the {_described(candidate)} comes before it",
                subject=self.subject,
                in_force_from=self.in_force_from.isoformat(),
            )
        if candidate.effective_date >= self._latest_effective:
            tip = self._tip_state()
            candidate.check_not_redundant(tip)
            candidate.check(tip)
            return
        self._replay_with(candidate)

    def _replay_with(self, candidate: LedgerEvent) -> None:
        state = self.State()
        reached = False
        for event in sorted([*self.history, candidate], key=_effective_order):
            if event is candidate:
                reached = True
                event.check_not_redundant(state)
                event.check(state)
                if not event.revalidates_later:
                    return
            elif reached:
                try:
                    event.check(state)
                except DomainError as reason:
                    raise RetroactiveConflict(
                        command=f"the {_described(candidate)} on {self.subject}",
                        conflicting=self.describe(event),
                        reason=reason,
                    ) from reason
            event.evolve(state)

    def describe(self, event: LedgerEvent) -> dict[str, Any]:
        """The identifiers of a recorded event, for errors and logs."""
        return {
            "kind": event.kind,
            "subject": self.subject,
            "aggregate_id": str(self.id),
            "version": event.originator_version,
            "effective_date": event.effective_date.isoformat(),
            "recorded_at": event.timestamp.isoformat(timespec="seconds"),
            "author": event.author,
            "decision_id": str(event.decision_id) if event.decision_id else None,
        }

    def rollback(self, version: int) -> None:
        """Forget the unsaved events after ``version`` (a refused command in a batch)."""
        if version >= self.version:
            return
        del self.history[version:]
        self.pending_events[:] = [e for e in self.pending_events if e.originator_version <= version]
        self.version = version
        self.modified_on = self.history[-1].timestamp
        self._latest_effective = max(e.effective_date for e in self.history)
        self._tip = None
