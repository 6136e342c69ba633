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
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from domain.ledger import Ledger
from domain.model import Decision, PlanProposal
from domain.timeline import LedgerEvent
from projections.event_log import EventFilter, EventRecord, PortfolioIndex, read_events, record_of


@dataclass(frozen=True)
class LogPage:
    """Events of one page, and the cursor of the next one (None when none follows)."""

    records: list[EventRecord]
    next_after: int | None


class LogIndex:
    """The attribution of every event, kept caught up with the log."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._tree = PortfolioIndex()
        self._position = 0
        self._by_project: dict[str, array[int]] = {}
        self._by_programme: dict[str, array[int]] = {}
        self._taken_at: dict[UUID, int] = {}
        self._effects: dict[UUID, array[int]] = {}
        self._proposals: list[str] = []  # plan proposals' codes, in recorded order
        self._lock = threading.Lock()

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
        how many there were."""
        with self._lock:
            seen = 0
            for position, event in read_events(self._ledger, after=self._position):
                self._learn(position, event)
                self._position = position
                seen += 1
                if seen == limit:
                    break
            return seen

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


def _holds(positions: array[int], position: int) -> bool:
    """Whether the sorted ``positions`` hold ``position``."""
    at = bisect_right(positions, position)
    return at > 0 and positions[at - 1] == position
