"""The event log, paged from a position: what a long-running reader keeps to avoid
re-reading the log from its start for every page.

``read_log`` attributes every event to its projects and programmes by replaying the
log from the start. A process serving pages of the log (the HTTP API) keeps that
attribution instead, caught up incrementally: for each project and programme, the
positions of the events that concern it (as ``read_log`` would attribute them, at the
time they were recorded), and for each decision, where it was taken and the positions
of its effects. A page then costs what it returns: an unscoped page reads the log from
its cursor; a scoped one reads only the positions of its project or programme.

A page lists exactly what ``read_log`` lists with the same filter, in the same order
(a decision just before its first effect in scope), a page at a time; the cursor is the
position of the last event of the page, so it stays valid as the log grows.

Attributing a million events takes a minute; a process that persists the index
(``persist=True``, as ``pmo serve`` does) stores it beside the view's snapshot (the same
tables, ``ViewStore``, view ``log-index``) every ``save_every`` events, and a new
process starts from the stored index and catches up from its position. The stored
index is tied to the code that attributes events (``version``): when that changes, it
is ignored and the log is read again.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, SafeUUID

import numpy as np
import numpy.typing as npt
from eventsourcing.persistence import ConnectionPoolClosedError, PersistenceError

from domain.ledger import Ledger
from domain.model import Decision, PlanProposal
from domain.timeline import LedgerEvent
from projections.event_log import EventFilter, EventRecord, PortfolioIndex, read_events, record_of
from projections.view_store import ViewStore

Ints = npt.NDArray[np.int64]
SAVE_EVERY = 100_000  # events attributed between two stored indexes


def version() -> str:
    """The code that attributes events, as stored with an index (its modules' text)."""
    digest = hashlib.sha256()
    for module in ("event_log.py", "log_index.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class LogPage:
    """Events of one page, and the cursor of the next one (None when none follows)."""

    records: list[EventRecord]
    next_after: int | None


class LogIndex:
    """The attribution of every event, kept caught up with the log."""

    def __init__(
        self, ledger: Ledger, *, persist: bool = False, save_every: int = SAVE_EVERY
    ) -> None:
        self._ledger = ledger
        self._tree = PortfolioIndex()
        self._position = 0
        self._by_project: dict[str, array[int]] = {}
        self._by_programme: dict[str, array[int]] = {}
        self._taken_at: dict[UUID, int] = {}
        self._effects: dict[UUID, array[int]] = {}
        self._proposals: list[str] = []  # plan proposals' codes, in recorded order
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._warming: threading.Thread | None = None
        self._store = ViewStore(ledger, view="log-index") if persist else None
        self._version = version()
        self.save_every = save_every
        self.saved_position = 0
        self.restored_from: int | None = None
        saved = self._store.load(self._version) if self._store is not None else None
        if saved is not None:
            self._restore(saved)
            self.saved_position = self.restored_from = self._position

    @property
    def tree(self) -> PortfolioIndex:
        """The portfolio tree as of the last catch-up: codes, kinds, who belongs where."""
        return self._tree

    @property
    def position(self) -> int:
        """The last position attributed."""
        return self._position

    @property
    def proposals(self) -> list[str]:
        """The codes of the plan proposals recorded, oldest first."""
        return list(self._proposals)

    def catch_up(self, limit: int | None = None) -> int:
        """Attribute the events recorded since the last call (at most ``limit`` of them);
        how many there were. Once at the end of the log, the index is stored if
        ``save_every`` events were attributed since it last was (a store costs seconds
        at a million events: once, not at every slice of a first catch-up)."""
        with self._lock:
            seen = 0
            for position, event in read_events(self._ledger, after=self._position):
                self._learn(position, event)
                self._position = position
                seen += 1
                if seen == limit:
                    break
            at_end = limit is None or seen < limit
            due = self._position - self.saved_position >= max(self.save_every, 1)
            if self._store is not None and at_end and due:
                self._save()
            return seen

    def warm(
        self,
        slice_events: int = 1_000,
        pause_s: float = 0.05,
        then: Callable[[], object] | None = None,
    ) -> threading.Thread:
        """Catch up in a background thread (once), ``slice_events`` at a time with pauses
        between slices that leave the interpreter to the requests, then call ``then``
        (unless stopped first); ``close`` stops it."""
        with self._lock:
            if self._warming is not None:
                return self._warming

            def run() -> None:
                try:
                    while not self._stopping.is_set():
                        if self.catch_up(limit=slice_events) < slice_events:
                            if then is not None:
                                then()
                            return
                        self._stopping.wait(pause_s)
                except (PersistenceError, ConnectionPoolClosedError, sqlite3.ProgrammingError):
                    return  # the ledger was closed without ``close``: nothing more to read

            self._warming = threading.Thread(target=run, name="pmo-log-index", daemon=True)
            self._warming.start()
            return self._warming

    def close(self) -> None:
        """Stop the background catch-up and wait for it: call before closing the ledger
        (closing a connection under a running query can crash the process)."""
        self._stopping.set()
        thread = self._warming
        if thread is not None:
            thread.join()

    def save(self) -> bool:
        """Store the index at its position (False if a further one is stored)."""
        if self._store is None:
            raise RuntimeError("this index does not persist")
        with self._lock:
            return self._save()

    def _save(self) -> bool:
        assert self._store is not None
        stored = self._store.save(self._snapshot(), self._version)
        self.saved_position = self._position
        return stored

    def _snapshot(self) -> dict[str, Any]:
        """The index as arrays and texts (``ViewStore``'s parts); every id is written
        once, as a number into the list of ids (``uuids``), wherever it appears."""
        tree, ids = self._tree, _Numbering()
        snapshot = {
            "position": self._position,
            "subjects": ids.texts_by_id(tree.subjects),
            "areas": ids.texts_by_id(tree.areas),
            "forums": ids.texts_by_id(tree.forums),
            "project_programme": ids.ids_by_id(tree.project_programme),
            "programme_perimeter": ids.ids_by_id(tree.programme_perimeter),
            "scope": ids.sets_by_id(tree.scope),
            "programme_scope": ids.sets_by_id(tree.programme_scope),
            "effects": {"ids": ids.numbers(self._effects), **_flat(self._effects.values())},
            "taken_at": {
                "ids": ids.numbers(self._taken_at),
                "positions": np.fromiter(self._taken_at.values(), np.int64, len(self._taken_at)),
            },
            "by_project": {"codes": list(self._by_project), **_flat(self._by_project.values())},
            "by_programme": {
                "codes": list(self._by_programme),
                **_flat(self._by_programme.values()),
            },
            "proposals": list(self._proposals),
        }
        snapshot["uuids"] = [uuid.hex for uuid in ids.uuids]
        return snapshot

    def _restore(self, saved: dict[str, Any]) -> None:
        uuids = _uuids(saved["uuids"])

        def pick(numbers: Ints) -> list[UUID]:
            return list(map(uuids.__getitem__, numbers.tolist()))

        def texts(part: dict[str, Any]) -> dict[UUID, str]:
            return dict(zip(pick(part["ids"]), part["values"], strict=True))

        def links(part: dict[str, Any]) -> dict[UUID, UUID]:
            return dict(zip(pick(part["ids"]), pick(part["values"]), strict=True))

        def sets(part: dict[str, Any]) -> dict[UUID, frozenset[UUID]]:
            members = pick(part["members"])
            ends = np.cumsum(part["counts"]).tolist()
            return {
                key: frozenset(members[start:end])
                for key, start, end in zip(pick(part["ids"]), [0, *ends[:-1]], ends, strict=True)
            }

        self._position = int(saved["position"])
        self._tree = PortfolioIndex(
            subjects=texts(saved["subjects"]),
            areas=texts(saved["areas"]),
            forums=texts(saved["forums"]),
            project_programme=links(saved["project_programme"]),
            programme_perimeter=links(saved["programme_perimeter"]),
            scope=sets(saved["scope"]),
            programme_scope=sets(saved["programme_scope"]),
        )
        effects, taken = saved["effects"], saved["taken_at"]
        self._effects = dict(zip(pick(effects["ids"]), _unflat(effects), strict=True))
        self._taken_at = dict(zip(pick(taken["ids"]), taken["positions"].tolist(), strict=True))
        for name in ("by_project", "by_programme"):
            part = saved[name]
            setattr(self, f"_{name}", dict(zip(part["codes"], _unflat(part), strict=True)))
        self._proposals = list(saved["proposals"])

    def _learn(self, position: int, event: LedgerEvent) -> None:
        self._tree.learn(event)
        if isinstance(event, Decision.Taken):
            self._taken_at[event.originator_id] = position
            return
        if isinstance(event, PlanProposal.Proposed):
            self._proposals.append(event.code)
        projects = self._tree.projects_of(event)
        for project in projects:
            self._by_project.setdefault(self._tree.code(project).upper(), array("q")).append(
                position
            )
        for programme in self._tree.programmes_of(event, projects):
            self._by_programme.setdefault(self._tree.code(programme).upper(), array("q")).append(
                position
            )
        if event.decision_id is not None:
            self._effects.setdefault(event.decision_id, array("q")).append(position)

    def page(self, criteria: EventFilter, after: int, limit: int) -> LogPage:
        """Up to ``limit`` events matching ``criteria`` recorded after position ``after``."""
        self.catch_up()
        found: list[EventRecord] = []
        source = self._scoped(criteria, after) if criteria.scoped else self._all(criteria, after)
        for record in source:
            found.append(record)
            if len(found) > limit:
                break
        page = found[:limit]
        following = page[-1].position if len(found) > limit else None
        return LogPage(page, following)

    def _record(self, position: int, event: LedgerEvent) -> EventRecord:
        return record_of(position, event, self._tree)

    def _all(self, criteria: EventFilter, after: int) -> Iterator[EventRecord]:
        for position, event in read_events(self._ledger, after=after):
            if position > self._position:
                return  # recorded after the catch-up: the next page will have it
            record = self._record(position, event)
            if criteria.accepts_anywhere(record):
                yield record

    def _positions(self, criteria: EventFilter) -> tuple[array[int], list[array[int]]]:
        """The positions to read (the shorter list) and those each must also be in."""
        lists = []
        if criteria.programme is not None:
            lists.append(self._by_programme.get(criteria.programme.upper(), array("q")))
        if criteria.project is not None:
            lists.append(self._by_project.get(criteria.project.upper(), array("q")))
        lists.sort(key=len)
        return lists[0], lists[1:]

    def _scoped(self, criteria: EventFilter, after: int) -> Iterator[EventRecord]:
        shortest, others = self._positions(criteria)
        for position in shortest[bisect_right(shortest, after) :]:
            if not all(_holds(other, position) for other in others):
                continue
            record = self._record(position, self._event(position))
            if not criteria.accepts_anywhere(record):
                continue
            decision = self._decision_before(record, criteria, after, (shortest, *others))
            if decision is not None:
                yield decision
            yield record

    def _decision_before(
        self,
        record: EventRecord,
        criteria: EventFilter,
        after: int,
        scope: tuple[array[int], ...],
    ) -> EventRecord | None:
        """The decision ``record`` belongs to, when it is the decision's first effect the
        filter keeps (and the decision was not the last event of the previous page)."""
        decision_id = record.event.decision_id
        if decision_id is None or decision_id not in self._taken_at:
            return None
        taken = self._taken_at[decision_id]
        if taken == after:
            return None
        for earlier in self._effects.get(decision_id, array("q")):
            if earlier >= record.position:
                break
            in_scope = all(_holds(positions, earlier) for positions in scope)
            if in_scope and criteria.accepts_anywhere(self._record(earlier, self._event(earlier))):
                return None
        decided = self._record(taken, self._event(taken))
        return decided if criteria.accepts_anywhere(decided) else None

    def _event(self, position: int) -> LedgerEvent:
        notification = self._ledger.recorder.select_notifications(start=position, limit=1)[0]
        event = self._ledger.mapper.to_domain_event(notification)
        assert isinstance(event, LedgerEvent)
        return event


def _uuids(texts: list[str]) -> list[UUID]:
    """UUIDs from their 32-digit hex texts, as ``UUID(text)`` makes them but without its
    parsing (a stored index holds millions: 8 µs each was most of a restore)."""
    made = []
    new, assign, safe = object.__new__, object.__setattr__, SafeUUID.unknown
    for text in texts:
        uuid = new(UUID)
        assign(uuid, "int", int(text, 16))
        assign(uuid, "is_safe", safe)
        made.append(uuid)
    return made


class _Numbering:
    """Numbers for ids, in the order they are first met (a stored index's ``uuids``)."""

    def __init__(self) -> None:
        self.of: dict[UUID, int] = {}
        self.uuids: list[UUID] = []

    def numbers(self, uuids: Iterable[UUID]) -> Ints:
        of, found = self.of, []
        for uuid in uuids:
            number = of.get(uuid)
            if number is None:
                number = of[uuid] = len(self.uuids)
                self.uuids.append(uuid)
            found.append(number)
        return np.array(found, dtype=np.int64)

    def texts_by_id(self, found: dict[UUID, str]) -> dict[str, Any]:
        return {"ids": self.numbers(found), "values": list(found.values())}

    def ids_by_id(self, found: dict[UUID, UUID]) -> dict[str, Any]:
        return {"ids": self.numbers(found), "values": self.numbers(found.values())}

    def sets_by_id(self, found: dict[UUID, frozenset[UUID]]) -> dict[str, Any]:
        return {
            "ids": self.numbers(found),
            "counts": np.fromiter(map(len, found.values()), np.int64, len(found)),
            "members": self.numbers(m for members in found.values() for m in members),
        }


def _flat(lists: Iterable[array[int]]) -> dict[str, Ints]:
    """Lists of positions as one array and each list's length."""
    arrays = list(lists)
    flat = b"".join(a.tobytes() for a in arrays)
    return {
        "counts": np.fromiter(map(len, arrays), np.int64, len(arrays)),
        "positions": np.frombuffer(flat, dtype=np.int64),
    }


def _unflat(part: dict[str, Any]) -> list[array[int]]:
    """The lists ``_flat`` wrote, in order."""
    flat = np.ascontiguousarray(part["positions"], dtype=np.int64).tobytes()
    found, start = [], 0
    for count in part["counts"].tolist():
        positions = array("q")
        positions.frombytes(flat[start * 8 : (start + count) * 8])
        found.append(positions)
        start += count
    return found


def _holds(positions: array[int], position: int) -> bool:
    """Whether the sorted ``positions`` hold ``position``."""
    at = bisect_right(positions, position)
    return at > 0 and positions[at - 1] == position
