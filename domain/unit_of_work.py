"""The unit of work: the aggregates the commands touch, kept between commands.

It loads each aggregate once, checks the expected version of the command's target,
and knows which aggregates hold unsaved events. It outlives a single command: the
ledger keeps one as its cache of aggregates (brought up to date with the events other
writers recorded since, before each use), and a batch keeps one for a bulk load. A
command that is refused, or whose save fails, is rolled back from every aggregate it
touched, so the next command starts from what the store holds.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from domain.errors import AlreadyExists, ConcurrencyConflict, UnknownEntity
from domain.timeline import LedgerAggregate

A = TypeVar("A", bound=LedgerAggregate)


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply stored events in order (the library's projector, minus a costly type check)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class UnitOfWork:
    """Aggregates loaded or created by the commands being executed."""

    def __init__(
        self,
        repository: Repository[UUID],
        *,
        new_id: Callable[[], str],
        max_cached: int = 0,
        sole_writer_of_empty_store: bool = False,
        fast_forward: bool = False,
    ) -> None:
        self._repository = repository
        self._new_id = new_id
        self._max_cached = max_cached
        self._aggregates: OrderedDict[UUID, LedgerAggregate] = OrderedDict()
        self._marks: dict[UUID, int] = {}
        self._dirty: dict[UUID, LedgerAggregate] = {}
        # A bulk load into an empty store knows every aggregate that exists: the ones it
        # created. It can then answer "does it exist?" without reading the store.
        self._known_only = sole_writer_of_empty_store
        self._created: set[UUID] = set()
        self._fast_forward = fast_forward
        self.target: tuple[LedgerAggregate, int] | None = None

    def begin(self) -> None:
        """Start a command: remember nothing touched yet."""
        self._marks = {}
        self.target = None

    def get(
        self, cls: type[A], key: str, *, ref: str | None = None, expected_version: int | None = None
    ) -> A:
        """The aggregate of ``cls`` known by ``key``; ``ref`` is how errors name it."""
        aggregate = self._find(cls, key)
        if aggregate is None:
            raise UnknownEntity(cls.kind, ref or key)
        if expected_version is not None:
            self.target = (aggregate, expected_version)
            if aggregate.version != expected_version:
                raise ConcurrencyConflict(
                    cls.kind, aggregate.code, expected=expected_version, current=aggregate.version
                )
        return aggregate

    def exists(self, cls: type[LedgerAggregate], key: str) -> bool:
        """Whether an aggregate of ``cls`` known by ``key`` exists."""
        return self._find(cls, key) is not None

    def require_absent(
        self, cls: type[LedgerAggregate], key: str, *, ref: str | None = None
    ) -> None:
        """Refuse to create what already exists."""
        if self.exists(cls, key):
            raise AlreadyExists(cls.kind, ref or key)

    def add(self, aggregate: A) -> A:
        """Take a newly created aggregate into the unit of work."""
        self._aggregates[aggregate.id] = aggregate
        self._marks.setdefault(aggregate.id, 0)
        self._created.add(aggregate.id)
        return aggregate

    def new_code(self, prefix: str) -> str:
        """A fresh code for something the caller did not name, e.g. ``RSK-7F3A2C1B``."""
        return f"{prefix}-{self._new_id()}"

    def cached(self, aggregate_id: UUID) -> LedgerAggregate | None:
        """An aggregate already in the unit of work, if any."""
        return self._aggregates.get(aggregate_id)

    def _find(self, cls: type[A], key: str) -> A | None:
        aggregate_id = cls.id_for(key)
        aggregate = self._aggregates.get(aggregate_id)
        if aggregate is None:
            if self._known_only and aggregate_id not in self._created:
                return None
            try:
                aggregate = self._repository.get(aggregate_id, projector_func=replay)
            except AggregateNotFoundError:
                return None
            self._aggregates[aggregate_id] = aggregate
        else:
            self._aggregates.move_to_end(aggregate_id)
            if self._fast_forward and aggregate_id not in self._marks:
                newer = self._repository.event_store.get(aggregate_id, gt=aggregate.version)
                replay(aggregate, newer)
        if not isinstance(aggregate, cls):
            return None
        self._marks.setdefault(aggregate_id, aggregate.version)
        return aggregate

    def new_events(self) -> list[Any]:
        """The current command's events, in the order it produced them; note what changed.

        A command's events are the last ones pending on each aggregate it touched; the
        aggregates are visited in the order the command touched them (its decision first).
        """
        events: list[Any] = []
        for aggregate_id, mark in self._marks.items():
            aggregate = self._aggregates.get(aggregate_id)
            if aggregate is not None and aggregate.version > mark:
                events += aggregate.pending_events[mark - aggregate.version :]
                self._dirty[aggregate_id] = aggregate
        return events

    def rollback(self) -> None:
        """Undo the current command's unsaved changes."""
        for aggregate_id, mark in self._marks.items():
            aggregate = self._aggregates.get(aggregate_id)
            if aggregate is None:
                continue
            if mark == 0:
                del self._aggregates[aggregate_id]
                self._created.discard(aggregate_id)
            else:
                aggregate.rollback(mark)
        self._marks = {}

    def dirty(self) -> list[LedgerAggregate]:
        """Aggregates holding events not saved yet."""
        self.new_events()
        return [a for a in self._dirty.values() if a.pending_events]

    def saved(self) -> None:
        """The dirty aggregates were saved."""
        self._dirty = {}

    def forget_clean(self) -> None:
        """Keep at most ``max_cached`` saved aggregates in memory (oldest used go first)."""
        while len(self._aggregates) > self._max_cached:
            aggregate_id, aggregate = next(iter(self._aggregates.items()))
            if aggregate.pending_events:
                break
            del self._aggregates[aggregate_id]
