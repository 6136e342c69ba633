"""The ledger: an eventsourcing Application that records every PMO decision as events.

``execute`` carries out one command atomically: it validates it on the timelines of
the aggregates it touches, records the decision it belongs to, and saves every event
in one transaction. A concurrent writer on the same aggregate makes the save fail on
the store's (aggregate, version) key; the command is then retried on fresh state, or
refused with the current version when the caller named the version it expected.

``batch`` carries out many commands in one unit of work and saves them in chunks: the
path of bulk loads (the demo, imports, benchmarks).
"""

from __future__ import annotations

import contextlib
import gc
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    JSONTranscoder,
    Recording,
)
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import Environment, EnvType

from domain.clock import Clock, SystemClock
from domain.commands import HANDLERS, Command
from domain.enums import Forum
from domain.errors import ConcurrencyConflict, MissingRationale, UnknownEntity
from domain.model.decision import Decision
from domain.persistence import Store, database_setting, register_domain_transcodings, resolve_store
from domain.timeline import LedgerAggregate, LedgerEvent, Provenance
from domain.unit_of_work import UnitOfWork, replay
from domain.values import text

A = TypeVar("A", bound=LedgerAggregate)


@dataclass(frozen=True)
class RecordedEvent:
    """One event a command recorded, and where it sits in the ledger."""

    kind: str
    subject: str
    aggregate_id: UUID
    version: int
    position: int | None


@dataclass(frozen=True)
class Receipt:
    """What a command recorded."""

    command: str
    summary: str
    decision: str | None
    effective_date: date
    recorded_at: datetime
    events: tuple[RecordedEvent, ...]


# Any 64-bit number both processes agree on: "PMOLEDG" in ASCII.
_DDL_LOCK = 0x504D4F4C454447


def _ensure_wal(path: str, patience_s: float = 30.0) -> None:
    """Put a SQLite file in write-ahead-log mode before the library opens it.

    The library switches a new file to WAL as it connects; that switch needs the file to
    itself and fails at once ("database is locked", no busy wait) when processes or
    threads open a new ledger together. The mode is persistent: set it here, retrying.
    """
    deadline = time.monotonic() + patience_s
    while True:
        try:
            with contextlib.closing(sqlite3.connect(path, timeout=patience_s)) as conn:
                mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as problem:
            if "locked" not in str(problem) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))


def _short_id() -> str:
    return uuid4().hex[:8].upper()


class Ledger(Application[UUID]):
    """The event-sourced ledger of a portfolio."""

    name = "Ledger"
    # Without an expected version, a command that lost a race is run again on fresh
    # state; backing off with jitter lets a burst of writers on one aggregate drain.
    max_attempts = 30
    max_backoff_s = 0.05
    cached_aggregates = 10_000

    def __init__(
        self,
        database: str | None = None,
        *,
        clock: Clock | None = None,
        new_id: Callable[[], str] | None = None,
        store: Store | None = None,
    ) -> None:
        self.store: Store = store or resolve_store(database_setting(database))
        if self.store.kind == "sqlite":
            _ensure_wal(self.store.display)
        self.clock: Clock = clock or SystemClock()
        self._new_id = new_id or _short_id
        super().__init__(env=self.store.env)
        self._executing = threading.Lock()
        self._cache = UnitOfWork(
            self.repository,
            new_id=self._new_id,
            max_cached=self.cached_aggregates,
            fast_forward=True,
        )

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only ``PMO_DATABASE`` chooses the store: the process environment is not read."""
        return Environment(name, dict(env or {}))

    def construct_recorder(self) -> ApplicationRecorder:
        """The store's recorder (``domain.chain``: the library's, keeping the hash chain
        and append-only tables), its tables created (see :meth:`create_tables`)."""
        return self.create_tables(self.factory.application_recorder())

    @staticmethod
    def create_tables(recorder: ApplicationRecorder) -> ApplicationRecorder:
        """Create a recorder's tables once, even when processes start together.

        PostgreSQL's ``CREATE … IF NOT EXISTS`` is not safe against a concurrent twin
        ("relation already exists", "tuple concurrently updated"), so processes take a
        database-wide advisory lock around the creation; SQLite serialises it itself.
        """
        datastore = getattr(recorder, "datastore", None)
        if isinstance(datastore, PostgresDatastore):
            with datastore.get_connection() as conn:
                conn.execute("SELECT pg_advisory_lock(%s)", (_DDL_LOCK,))
                try:
                    recorder.create_table()  # type: ignore[attr-defined]
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (_DDL_LOCK,))
        else:
            recorder.create_table()  # type: ignore[attr-defined]
        return recorder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Add the domain's value types to the library's defaults."""
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    def execute(self, command: Command, *, author: str) -> Receipt:
        """Carry out ``command`` for ``author`` atomically, or refuse it with a domain error.

        Commands of one process run one at a time on the ledger's cache of aggregates;
        other processes are seen through the store (fast-forward before each use) and
        met with optimistic concurrency at save time.
        """
        for attempt in range(self.max_attempts):
            with self._executing:
                outcome = self._attempt(command, author)
            if isinstance(outcome, Receipt):
                return outcome
            if command.expected_version is not None or attempt + 1 == self.max_attempts:
                raise outcome
            time.sleep(random.uniform(0, min(self.max_backoff_s, 0.002 * 2**attempt)))
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, command: Command, author: str) -> Receipt | ConcurrencyConflict:
        """One try: a receipt, or the conflict that lost a race (nothing recorded)."""
        uow = self._cache
        uow.begin()
        try:
            prov, decision = self._run(uow, command, author)
            changed = uow.dirty()
            recordings = self.save(*changed)
        except IntegrityError:
            uow.rollback()
            return self._conflict(uow, changed, command)
        except BaseException:
            uow.rollback()
            raise
        uow.saved()
        uow.forget_clean()
        return self._receipt(command, prov, decision, uow, recordings)

    def batch(
        self,
        *,
        size: int = 1000,
        max_cached: int = 50_000,
        on_saved: Callable[[list[LedgerEvent]], None] | None = None,
    ) -> Batch:
        """A bulk writer: commands applied in memory, saved every ``size`` events.

        ``on_saved`` is called with each chunk of events once it is saved.
        """
        return Batch(self, size=size, max_cached=max_cached, on_saved=on_saved)

    def state_of(
        self,
        cls: type[LedgerAggregate],
        key: str,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> Any:
        """The plain state of one aggregate at (``as_of``, ``known_at``)."""
        return self.load(cls, key).state(as_of, known_at)

    def version_of(self, cls: type[LedgerAggregate], key: str) -> int:
        """The current version of one aggregate (what ``expected_version`` compares to)."""
        return self.load(cls, key).version

    def load(self, cls: type[A], key: str) -> A:
        """Reconstruct one aggregate from its events."""
        try:
            aggregate: LedgerAggregate = self.repository.get(cls.id_for(key), projector_func=replay)
        except AggregateNotFoundError:
            raise UnknownEntity(cls.kind, key) from None
        if not isinstance(aggregate, cls):
            raise UnknownEntity(cls.kind, key)
        return aggregate

    def _bulk_unit_of_work(self, max_cached: int) -> UnitOfWork:
        return UnitOfWork(
            self.repository,
            new_id=self._new_id,
            max_cached=max_cached,
            sole_writer_of_empty_store=self.recorder.max_notification_id() is None,
        )

    def _run(self, uow: UnitOfWork, command: Command, author: str) -> tuple[Provenance, str | None]:
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise TypeError(f"no handler for {type(command).__name__}")
        author = text(author, "author", limit=120)
        if command.requires_rationale and not command.rationale:
            raise MissingRationale(command.command_name())
        effective = command.effective_date or command.default_effective_date(self.clock.today())
        decision_id, decision_code = self._decision(uow, command, author, effective)
        prov = Provenance(effective, self.clock.now(), author, command.rationale, decision_id)
        handler(uow, command, prov)
        return prov, decision_code

    def _decision(
        self, uow: UnitOfWork, command: Command, author: str, effective: date
    ) -> tuple[UUID | None, str | None]:
        """Attach to the named decision, or record a new one when the command is a decision."""
        if command.decision is not None:
            decision = uow.get(Decision, command.decision)
            return decision.id, decision.code
        if not (command.opens_decision or command.forum is not None):
            return None, None
        code = f"D-{self._new_id()}"
        decision_id = Decision.id_for(code)
        prov = Provenance(effective, self.clock.now(), author, command.rationale, decision_id)
        forum = command.forum or Forum.WEEKLY
        uow.add(Decision.take(prov, code=code, title=command.summary(), forum=forum))
        return decision_id, code

    def _conflict(
        self, uow: UnitOfWork, changed: list[LedgerAggregate], command: Command
    ) -> ConcurrencyConflict:
        if uow.target is not None:
            aggregate, expected = uow.target
            current: int = self.repository.get(aggregate.id).version
            return ConcurrencyConflict(
                aggregate.kind, aggregate.code, expected=expected, current=current
            )
        subject = next(
            (a for a in changed if a.kind != "decision"), changed[0] if changed else None
        )
        kind, code = (subject.kind, subject.code) if subject else ("ledger", command.command_name())
        return ConcurrencyConflict(kind, code, expected=None, current=None)

    @staticmethod
    def _receipt(
        command: Command,
        prov: Provenance,
        decision: str | None,
        uow: UnitOfWork,
        recordings: list[Recording[UUID]],
    ) -> Receipt:
        events = []
        for recording in recordings:
            event = recording.domain_event
            assert isinstance(event, LedgerEvent)
            subject = uow.cached(event.originator_id)
            events.append(
                RecordedEvent(
                    kind=event.kind,
                    subject=subject.subject if subject else str(event.originator_id),
                    aggregate_id=event.originator_id,
                    version=event.originator_version,
                    position=recording.notification.id,
                )
            )
        return Receipt(
            command=command.command_name(),
            summary=command.summary(),
            decision=decision,
            effective_date=prov.effective_date,
            recorded_at=prov.recorded_at,
            events=tuple(events),
        )


class BatchAborted(RuntimeError):
    """A chunk of a batch could not be saved; the batch cannot go on.

    Not a refusal: the commands were valid, but the store did not take the chunk (most
    often because another writer recorded on the same aggregates meanwhile). Nothing of
    that chunk was saved; the chunks saved before it remain.
    """


class Batch:
    """Many commands, one unit of work, saved in chunks; a refused command is rolled back.

    Each chunk is atomic; the batch as a whole is not: a bulk load that stops on an
    exception keeps the chunks already saved and drops the unsaved rest. Meant for one
    writer loading a ledger: if a chunk cannot be saved, the batch raises
    :class:`BatchAborted` and refuses to go on.
    """

    def __init__(
        self,
        ledger: Ledger,
        *,
        size: int,
        max_cached: int,
        on_saved: Callable[[list[LedgerEvent]], None] | None = None,
    ) -> None:
        self._ledger = ledger
        self._on_saved = on_saved
        self._uow = ledger._bulk_unit_of_work(max_cached)
        self.size = size
        self.pending = 0
        self.saved = 0
        self._events: list[LedgerEvent] = []
        self._aborted: str | None = None

    def execute(self, command: Command, *, author: str) -> str | None:
        """Apply ``command`` in memory, save when a chunk is full; return its decision code."""
        self._require_usable()
        self._uow.begin()
        try:
            _, decision = self._ledger._run(self._uow, command, author)
        except BaseException:
            self._uow.rollback()
            raise
        produced = self._uow.new_events()
        self._events += produced
        self.pending += len(produced)
        if self.pending >= self.size:
            self.flush()
        return decision

    def flush(self) -> int:
        """Save every pending event now; return how many were saved."""
        self._require_usable()
        dirty = self._uow.dirty()
        if dirty:
            # Saved in the order the commands produced them, not aggregate by aggregate:
            # the log's order is the order decisions were taken.
            events = self._events
            try:
                self._ledger.events.put(events)
            except BaseException as failure:
                self._aborted = f"a chunk of {len(events)} events could not be saved: {failure}"
                raise BatchAborted(self._aborted) from failure
            for aggregate in dirty:
                aggregate.collect_events()
            self._events = []
            self._uow.saved()
            if self._on_saved is not None:
                self._on_saved(events)
        saved, self.pending = self.pending, 0
        self.saved += saved
        self._uow.forget_clean()
        return saved

    def _require_usable(self) -> None:
        if self._aborted is not None:
            raise BatchAborted(f"this batch was aborted ({self._aborted})")

    def __enter__(self) -> Self:
        # A bulk load builds millions of long-lived objects and no cyclic garbage worth
        # chasing: the cyclic collector would walk them again and again. Reference
        # counting still frees everything; the collector resumes when the batch ends.
        self._collecting = gc.isenabled()
        gc.disable()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None and self._aborted is None:
                self.flush()
        finally:
            if self._collecting:
                gc.enable()
