"""The portfolio view: follows a ledger's log, keeps its snapshot beside it, answers state.

Its life: open on a ledger, restore the stored snapshot (if its tables' definition is
this one), catch up with what the log recorded since, answer, and store a new snapshot
when enough was caught up (``save_every`` events). A view that starts from zero builds
its tables in bulk (``Projector.start_bulk``): a rebuild. Every query catches up first,
so what a command just recorded is in the answer (read-your-writes); a process that
issues commands through the same view may also call ``catch_up`` right after each.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from domain.ledger import Ledger
from projections.answers import AnswerCache, Stamp
from projections.log_reader import LogReader
from projections.projector import Projector
from projections.state import (
    SECTIONS,
    PortfolioState,
    Scope,
    StateRows,
    instant_of,
    micros,
    ordinal,
    portfolio_state,
    state_rows_read,
)
from projections.tables import build_tables
from projections.view_store import ViewStore

# Bump when the projector's handlers change what they write: stored snapshots of another
# version are ignored (the view rebuilds). Changes to the tables' shapes bump it anyway.
HANDLERS_VERSION = 1
NOW = "now"  # the answer cache's "known at" of a question asked as known now
INLINE_EVENTS = 20  # the most events an event loop's question catches up (``_stored``)
FOLLOW_DUE_SECONDS = 1.0  # a follow made due and not run by then no longer holds others
_GENERATIONS = itertools.count(1)


def version() -> str:
    """The definition of the view's tables and handlers, as stored with a snapshot."""
    shapes = [(t.name, t.keys, t.values, t.mode.value, t.op_width) for t in build_tables().values()]
    digest = hashlib.sha256(repr((HANDLERS_VERSION, shapes)).encode()).hexdigest()
    return digest[:16]


@dataclass(frozen=True)
class CatchUp:
    """What one catch-up did."""

    events: int
    seconds: float
    rebuilt: bool
    saved: bool


class PortfolioView:
    """The read model of one ledger (thread-safe: one catch-up or query at a time)."""

    def __init__(self, ledger: Ledger, *, persist: bool = True, save_every: int = 20_000) -> None:
        self.ledger = ledger
        self.save_every = save_every
        self._reader = LogReader(ledger)
        self._store = ViewStore(ledger) if persist else None
        self._version = version()
        self._lock = threading.RLock()
        self.projector = Projector()
        self.saved_position = 0
        self.restored_from: int | None = None
        saved = self._store.load(self._version) if self._store is not None else None
        if saved is not None:
            self.projector = Projector.restored(saved)
            self.saved_position = self.restored_from = self.projector.position
        # A rebuild starts another generation: the answers of one hold no more. Drawn
        # from a count of the process, so that no two views share one.
        self.generation = next(_GENERATIONS)
        self._follow_due = 0.0  # when a follow was last made due (``follow_due``)
        self._publish()

    def _publish(self) -> None:
        """What a question asked without the lock reads: one tuple, replaced whole."""
        projector = self.projector
        self._published = (projector, self.generation, projector.position, projector.latest)

    @property
    def position(self) -> int:
        """The log position the view reflects."""
        return self.projector.position

    @property
    def latest_recorded(self) -> datetime:
        """The latest recorded instant the view holds (nothing it knows changes after)."""
        return instant_of(self.projector.latest)

    def catch_up(self, save: bool = True, upto: int | None = None) -> CatchUp:
        """Apply what the log recorded since ``position`` (up to position ``upto`` if
        given); save a snapshot if due (and ``save``: an event loop's catch-up of a few
        events leaves it to a thread)."""
        with self._lock:
            started = time.perf_counter()
            projector = self.projector
            before = projector.position
            rebuild = before == 0
            with _collector_paused():
                if rebuild:
                    self.generation = next(_GENERATIONS)  # a bulk load writes no marks
                    self._publish()
                    projector.start_bulk()
                try:
                    for rows in self._reader.pages(projector.position):
                        for position, topic, originator, state in rows:
                            if upto is not None and position > upto:
                                break
                            projector.apply(position, topic, originator, state)
                        if upto is not None and projector.position >= upto:
                            break
                finally:
                    if rebuild:
                        projector.finish_bulk()
                for table in projector.tables.values():
                    table.prepare()  # new rows into columns and indexes, before queries
            self._publish()
            applied = projector.position - before
            saved = False
            if (
                save
                and self._store is not None
                and projector.position - self.saved_position >= max(self.save_every, 1)
            ):
                saved = self.save()
            return CatchUp(applied, time.perf_counter() - started, rebuild and applied > 0, saved)

    def follow_due(self) -> bool:
        """Whether a writer should have the view :meth:`follow` its write: False while
        a follow is already due (it will apply this write too, having not begun yet),
        for at most ``FOLLOW_DUE_SECONDS`` (a follow that never ran does not stop the
        next). Writers that record at once queue one follow, not one each."""
        now = time.monotonic()
        if now - self._follow_due < FOLLOW_DUE_SECONDS:
            return False
        self._follow_due = now
        return True

    def follow(self, save: bool = True, upto: int | None = None) -> bool:
        """Catch up now (up to position ``upto`` if given) if nothing holds the view (a
        catch-up or a question under way), without waiting; whether it did. For a
        writer, after its write: whoever holds the view, or the next question, catches
        up anyway."""
        self._follow_due = 0.0
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self.catch_up(save, upto)
            return True
        finally:
            self._lock.release()

    def rebuild(self) -> CatchUp:
        """Forget everything and build the view again from the first event."""
        with self._lock:
            self.projector = Projector()
            self.generation = next(_GENERATIONS)
            self.saved_position = 0
            self._publish()
            return self.catch_up()

    def save(self) -> bool:
        """Store a snapshot at the current position (False if a further one is stored)."""
        with self._lock:
            if self._store is None:
                raise RuntimeError("this view does not persist")
            stored = self._store.save(self.projector.snapshot(), self._version)
            self.saved_position = self.projector.position
            return stored

    def state(
        self,
        as_of: date | None = None,
        known_at: datetime | None = None,
        scope: Scope | None = None,
        sections: Iterable[str] = SECTIONS,
    ) -> PortfolioState:
        """The state in force on ``as_of`` (today) as known at ``known_at`` (now)."""
        with self._lock:
            self.catch_up()
            return portfolio_state(
                self.projector,
                as_of or self.ledger.clock.today(),
                known_at or self.ledger.clock.now(),
                scope,
                sections,
            )

    def answer(
        self,
        cache: AnswerCache,
        render: Callable[[StateRows], bytes],
        as_of: date,
        known_at: datetime,
        scope: Scope | None = None,
        sections: Iterable[str] = SECTIONS,
    ) -> bytes:
        """``render`` of the state's sections as JSON-ready rows (``state_rows``), from
        ``cache`` when the same question was answered and nothing it read was written
        since.

        A ``known_at`` at or after the latest recorded instant the view holds is "known
        now": one question, whatever the instant asked and however the log moves on, as
        long as no event writes what its answer read (``projections.reads``): a write
        the answer read is in the next answer.
        """
        scope = scope or Scope()
        wanted = tuple(sections)
        found = self._stored(cache, as_of, known_at, scope, wanted)
        if found is not None:  # caught up by another question: no wait for the view
            return found
        with self._lock:
            self.catch_up()
            projector = self.projector
            question = self._question(as_of, known_at, scope, wanted, projector.latest)
            found = cache.get(question, self.holds)
            if found is not None:
                return found
            known = instant_of(projector.latest) if question[2] == NOW else known_at
            rows, reads = state_rows_read(projector, as_of, known, scope, wanted)
            stamp = Stamp(self.generation, projector.position, reads)
        rendered = render(rows)  # outside the lock: the rows are the query's own
        cache.put(question, rendered, stamp)
        return rendered

    def holds(self, stamp: Stamp) -> bool:
        """Whether an answer of ``stamp`` is still the view's answer: computed by this
        view since its last rebuild, and nothing it read written since its position.
        Safe without the lock (a catch-up under way can only make it False)."""
        projector, generation, _, _ = self._published
        if stamp.generation != generation:
            return False
        return not stamp.reads.written_since(projector.tables, stamp.position)

    def stored_answer(
        self,
        cache: AnswerCache,
        as_of: date,
        known_at: datetime,
        scope: Scope | None = None,
        sections: Iterable[str] = SECTIONS,
    ) -> bytes | None:
        """What :meth:`answer` would return, when it is in ``cache``, still holds, and
        the log has not moved past what the view applied; None otherwise (then
        ``answer`` it).

        Made for an event loop: it never waits for the view (a question being computed
        or a catch-up under way does not hold it up), and reads the log's last position,
        only when there is a stored answer to send, only from a local file (SQLite,
        without a pool of network connections to wait for); on PostgreSQL it is always
        None, and the answer comes from a thread.
        """
        if not self._reader.local:
            return None
        return self._stored(cache, as_of, known_at, scope or Scope(), tuple(sections), inline=True)

    def holds_answer(
        self,
        cache: AnswerCache,
        as_of: date,
        known_at: datetime,
        scope: Scope | None = None,
        sections: Iterable[str] = SECTIONS,
    ) -> bool:
        """Whether ``cache`` holds an answer to the question that still holds at the
        position the view has reached (a look: nothing counted, the log not read)."""
        _, _, _, latest = self._published
        question = self._question(as_of, known_at, scope or Scope(), tuple(sections), latest)
        return cache.get(question, self.holds, count=False) is not None

    def _stored(
        self,
        cache: AnswerCache,
        as_of: date,
        known_at: datetime,
        scope: Scope,
        sections: tuple[str, ...],
        inline: bool = False,
    ) -> bytes | None:
        """The stored answer, if it holds and the view has applied the whole log (one
        read of the log's last position, only when there is an answer); never waits
        for the view, counts nothing when there is none to give.

        With ``inline`` (an event loop), a log at most ``INLINE_EVENTS`` ahead is caught
        up here if nothing holds the view (no snapshot saved: a thread's catch-up does
        that): right after a write, the first question applies it, and the others find
        the view there, rather than each going to a thread to wait its turn.
        """
        _, _, position, latest = self._published
        question = self._question(as_of, known_at, scope, sections, latest)
        if cache.get(question, self.holds, count=False) is None:
            return None
        last = self._reader.last_position()
        if last != position:  # recorded since: catch up first
            if not inline or not 0 < last - position <= INLINE_EVENTS:
                return None
            if not self.follow(save=False, upto=last):  # no more than it saw: a batch
                return None  # recorded meanwhile waits for a thread
            _, _, position, latest = self._published
            if position < last:
                return None
            question = self._question(as_of, known_at, scope, sections, latest)
        return cache.get(question, self.holds)

    @staticmethod
    def _question(
        as_of: date, known_at: datetime, scope: Scope, sections: tuple[str, ...], latest: int
    ) -> tuple[Scope, int, int | str, tuple[str, ...]]:
        """A state question as the answer cache keys it ("known now": ``NOW``)."""
        known = micros(known_at)
        return (scope, ordinal(as_of), NOW if known >= latest else known, sections)

    def digest(self) -> str:
        """A fingerprint of what the view answers: its labels and every table's rows,
        in sorted order (two views agree exactly when their digests do)."""
        with self._lock:
            digest = hashlib.sha256()
            for text in self.projector.labels.texts:
                digest.update(text.encode())
                digest.update(b"\0")
            for name, table in sorted(self.projector.tables.items()):
                columns = [table.column(field) for field in table.fields]
                order = np.lexsort(columns[::-1]) if len(table) else np.zeros(0, np.int64)
                digest.update(name.encode())
                for column in columns:
                    digest.update(np.ascontiguousarray(column[order]).tobytes())
            return digest.hexdigest()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Catching up allocates many long-lived tuples (millions in a rebuild): the cyclic
    collector, which would walk them again and again, is paused meanwhile (the
    projector makes no reference cycles for it to free)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
