"""The event log read back: every recorded event, decoded, attributed, and filterable.

The reader follows the ledger's notification log in recorded order, page by page,
and keeps a small index of the portfolio tree as it goes, so each event can be
attributed to the projects (and so programmes) it concerns: a transfer to the
envelope's project, a staffing change to its project, a timesheet to the projects on
its lines, a risk to its scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.utils import resolve_topic

from domain.enums import EndpointKind, EnvelopeOwner, ScopeKind
from domain.errors import InvalidInput
from domain.ledger import Ledger
from domain.model import (
    AGGREGATES,
    BacklogItem,
    Decision,
    Dependency,
    Envelope,
    Programme,
    Project,
    Resource,
    Risk,
    Timesheet,
)
from domain.timeline import LedgerCreated, LedgerEvent
from domain.values import DaysByProject, Document, Effort, Endpoint, StaffingChanges, Week

PAGE = 1000
_COMMON = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "effective_date",
    "author",
    "rationale",
    "decision_id",
}


@dataclass(frozen=True)
class EventRecord:
    """One recorded event, as a reader of the log sees it."""

    position: int
    recorded_at: datetime
    effective_date: date
    area: str
    kind: str
    subject: str
    version: int
    author: str
    rationale: str
    decision: str | None
    forum: str | None
    details: dict[str, Any]
    projects: frozenset[str]
    programmes: frozenset[str]
    event: LedgerEvent = field(repr=False, compare=False)

    def as_row(self) -> dict[str, Any]:
        """A flat, JSON-friendly row (for tables, CSV and JSON output)."""
        return {
            "position": self.position,
            "recorded_at": self.recorded_at.isoformat(),
            "effective_date": self.effective_date.isoformat(),
            "area": self.area,
            "kind": self.kind,
            "subject": self.subject,
            "version": self.version,
            "author": self.author,
            "decision": self.decision,
            "forum": self.forum,
            "rationale": self.rationale,
            "details": self.details,
        }


@dataclass(frozen=True)
class EventFilter:
    """Which events to keep; every criterion given must hold."""

    programme: str | None = None
    project: str | None = None
    kinds: tuple[str, ...] = ()
    author: str | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None
    effective_from: date | None = None
    effective_to: date | None = None

    @property
    def scoped(self) -> bool:
        """Whether the filter keeps one programme's or one project's events."""
        return self.programme is not None or self.project is not None

    def accepts(self, record: EventRecord) -> bool:
        """Whether ``record`` passes every criterion."""
        return self.in_scope(record) and self.accepts_anywhere(record)

    def in_scope(self, record: EventRecord) -> bool:
        """Whether ``record`` concerns the programme and project asked for."""
        return (self.programme is None or self.programme.upper() in record.programmes) and (
            self.project is None or self.project.upper() in record.projects
        )

    def accepts_anywhere(self, record: EventRecord) -> bool:
        """Whether ``record`` passes the criteria other than programme and project."""
        checks = (
            not self.kinds or any(_kind_matches(k, record) for k in self.kinds),
            self.author is None or self.author.lower() == record.author.lower(),
            self.recorded_from is None or record.recorded_at >= self.recorded_from,
            self.recorded_to is None or record.recorded_at <= self.recorded_to,
            self.effective_from is None or record.effective_date >= self.effective_from,
            self.effective_to is None or record.effective_date <= self.effective_to,
        )
        return all(checks)


def _squash(name: str) -> str:
    return name.strip().lower().replace("-", "").replace("_", "").replace(" ", "")


def _kind_matches(wanted: str, record: EventRecord) -> bool:
    """``budget`` (an area), ``Raised`` (an event name) or ``budget:Raised`` (both)."""
    area, _, kind = wanted.rpartition(":")
    if area and _squash(area) != record.area:
        return False
    return _squash(kind) in (record.kind.lower(), record.area)


AREAS = (
    "perimeter",
    "programme",
    "project",
    "milestone",
    "resource",
    "staffing",
    "budget",
    "timesheet",
    "backlog",
    "dependency",
    "demand",
    "risk",
    "decision",
    "plan",
)


def event_names() -> set[str]:
    """The names of every kind of event the ledger records."""
    return {
        name
        for aggregate in AGGREGATES
        for name, member in vars(aggregate).items()
        if isinstance(member, type) and issubclass(member, LedgerEvent)
    }


def check_kinds(kinds: tuple[str, ...]) -> None:
    """Refuse a kind that is neither an area, an event name, nor ``area:EventName``."""
    areas = {_squash(a) for a in AREAS}
    known = areas | {n.lower() for n in event_names()}
    for wanted in kinds:
        area, _, kind = wanted.rpartition(":")
        if (area and _squash(area) not in areas) or _squash(kind) not in known:
            raise InvalidInput(
                "kind",
                f"{wanted!r} is neither an area ({', '.join(AREAS)}), an event name"
                " (MilestoneShifted) nor both (budget:Raised)",
            )


@dataclass
class PortfolioIndex:
    """What a reader of the log learned so far: codes, kinds, and the portfolio tree."""

    subjects: dict[UUID, str] = field(default_factory=dict)
    areas: dict[UUID, str] = field(default_factory=dict)
    project_programme: dict[UUID, UUID] = field(default_factory=dict)
    programme_perimeter: dict[UUID, UUID] = field(default_factory=dict)
    scope: dict[UUID, frozenset[UUID]] = field(default_factory=dict)
    programme_scope: dict[UUID, frozenset[UUID]] = field(default_factory=dict)
    forums: dict[UUID, str] = field(default_factory=dict)

    def code(self, aggregate_id: UUID) -> str:
        """The code of an aggregate (its id when the log has not named it yet)."""
        return self.subjects.get(aggregate_id, str(aggregate_id))

    def kind(self, aggregate_id: UUID) -> str:
        """The kind of an aggregate: ``project``, ``envelope``…"""
        return self.areas.get(aggregate_id, "?")

    def perimeter_of(self, owner_id: UUID) -> UUID:
        """The perimeter of a project or programme (a perimeter is its own)."""
        owner_id = self.project_programme.get(owner_id, owner_id)
        return self.programme_perimeter.get(owner_id, owner_id)

    def learn(self, event: LedgerEvent) -> None:
        """Update the index with a creation (or scope-changing) event."""
        aid = event.originator_id
        if isinstance(event, LedgerCreated):
            self.subjects[aid] = event.code
            self.areas[aid] = _kind_of(event)
        if isinstance(event, Project.Opened):
            self.project_programme[aid] = event.programme_id
            self.scope[aid] = frozenset({aid})
        elif isinstance(event, Programme.Opened):
            self.programme_perimeter[aid] = event.perimeter_id
            self.programme_scope[aid] = frozenset({aid})
        elif isinstance(event, Envelope.Opened):
            if event.owner is EnvelopeOwner.PROJECT:
                self.scope[aid] = frozenset({event.owner_id})
        elif isinstance(event, BacklogItem.Added):
            self.scope[aid] = frozenset({event.project_id})
        elif isinstance(event, Timesheet.Submitted | Timesheet.Corrected):
            self.scope[aid] = self.scope.get(aid, frozenset()) | frozenset(event.lines.by_project)
        elif isinstance(event, Risk.Raised):
            if event.scope is ScopeKind.PROJECT:
                self.scope[aid] = frozenset({event.scope_id})
            elif event.scope is ScopeKind.PROGRAMME:
                self.programme_scope[aid] = frozenset({event.scope_id})
        elif isinstance(event, Dependency.Declared):
            ends = (self._endpoint_project(e) for e in (event.dependent, event.prerequisite))
            self.scope[aid] = frozenset(p for p in ends if p is not None)
        elif isinstance(event, Decision.Taken):
            self.forums[aid] = event.forum.value

    def _endpoint_project(self, endpoint: Endpoint) -> UUID | None:
        if endpoint.kind is EndpointKind.MILESTONE:
            return endpoint.target_id
        if endpoint.kind is EndpointKind.BACKLOG_ITEM and endpoint.target_id:
            return next(iter(self.scope.get(endpoint.target_id, frozenset())), None)
        return None

    def projects_of(self, event: LedgerEvent) -> frozenset[UUID]:
        """The projects an event concerns."""
        found = self.scope.get(event.originator_id, frozenset())
        project_id = getattr(event, "project_id", None)
        if isinstance(event, Resource.StaffingSet | Resource.StaffingReleased) and project_id:
            found = found | {project_id}
        return found

    def programmes_of(self, event: LedgerEvent, projects: frozenset[UUID]) -> frozenset[UUID]:
        """The programmes an event concerns (through its projects, or directly)."""
        direct = self.programme_scope.get(event.originator_id, frozenset())
        return direct | {self.project_programme[p] for p in projects if p in self.project_programme}


def _kind_of(event: LedgerCreated) -> str:
    aggregate_class = resolve_topic(event.originator_topic)
    return str(getattr(aggregate_class, "kind", "?"))


# The area of the portfolio an event belongs to, named as the commands name it.
_AREA_OF_KIND = {"envelope": "budget", "backlog item": "backlog"}


def area_of(event: LedgerEvent, aggregate_kind: str) -> str:
    """``budget``, ``staffing``, ``milestone``, ``timesheet``… for an event."""
    if isinstance(event, Resource.StaffingSet | Resource.StaffingReleased):
        return "staffing"
    if isinstance(event, Project.Event) and event.kind.startswith("Milestone"):
        return "milestone"
    return _AREA_OF_KIND.get(aggregate_kind, aggregate_kind)


def plain(value: Any, index: PortfolioIndex | None = None) -> Any:
    """A JSON-friendly rendering of an event field."""
    if isinstance(value, Decimal | Week | UUID):
        if isinstance(value, UUID) and index is not None:
            return index.code(value)
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Effort | Document | StaffingChanges):
        return value.to_json()
    if isinstance(value, DaysByProject):
        return {plain(k, index): str(v) for k, v in value.by_project.items()}
    if isinstance(value, Endpoint):
        return {"kind": value.kind.value, "ref": value.ref}
    if isinstance(value, list):
        return [plain(v, index) for v in value]
    return value


def read_events(ledger: Ledger, after: int | None = None) -> Iterator[tuple[int, LedgerEvent]]:
    """Every event after position ``after``, decoded, with its position, in recorded order."""
    while True:
        page = ledger.recorder.select_notifications(
            start=after, limit=PAGE, inclusive_of_start=False
        )
        if not page:
            return
        for notification in page:
            event = ledger.mapper.to_domain_event(notification)
            assert isinstance(event, LedgerEvent)
            yield notification.id, event
        after = page[-1].id


def read_log(ledger: Ledger, criteria: EventFilter | None = None) -> Iterator[EventRecord]:
    """Every event of the ledger in recorded order, decoded and attributed, that matches.

    With a programme or project filter, a decision is shown just before the first of
    its effects that concerns that programme or project.
    """
    criteria = criteria or EventFilter()
    index = PortfolioIndex()
    decisions: dict[UUID, EventRecord] = {}
    for position, event in read_events(ledger):
        index.learn(event)
        record = record_of(position, event, index)
        if criteria.scoped and isinstance(event, Decision.Taken):
            if criteria.accepts_anywhere(record):
                decisions[event.originator_id] = record
            continue
        if criteria.accepts(record):
            decision = decisions.pop(event.decision_id, None) if event.decision_id else None
            if decision is not None:
                yield decision
            yield record


def record_of(position: int, event: LedgerEvent, index: PortfolioIndex) -> EventRecord:
    """An event as the log shows it, attributed with what ``index`` knows."""
    aid = event.originator_id
    projects = index.projects_of(event)
    programmes = index.programmes_of(event, projects)
    fields = vars(event)
    details = {
        # A reference is shown by its code, under the name of what it refers to.
        (key[:-3] if key.endswith("_id") else key): plain(value, index)
        for key, value in fields.items()
        if key not in _COMMON and not (key.endswith("_id") and key[:-3] in fields)
    }
    decision = event.decision_id
    return EventRecord(
        position=position,
        recorded_at=event.timestamp,
        effective_date=event.effective_date,
        area=area_of(event, index.areas.get(aid, "?")),
        kind=event.kind,
        subject=index.code(aid),
        version=event.originator_version,
        author=event.author,
        rationale=event.rationale,
        decision=index.code(decision) if decision else None,
        forum=index.forums.get(decision) if decision else None,
        details=details,
        projects=frozenset(index.code(p).upper() for p in projects),
        programmes=frozenset(index.code(p).upper() for p in programmes),
        event=event,
    )
