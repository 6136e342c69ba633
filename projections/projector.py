"""From stored events to step-table ops: the portfolio view's projector.

One handler per kind of event, on the event's raw JSON (see ``codec``). Each handler
turns the event into ops of the view's tables, with the event's effective date, position
and recorded time. The projector also remembers what exact expansion needs: the weeks a
(resource, project) pair is staffed on (a release zeroes all of them, even those staffed
later by a back-dated decision), the projects on a timesheet (a correction zeroes the
lines it drops), the skills of a backlog item (a re-estimate zeroes those it drops).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from eventsourcing.utils import get_topic

from domain.model import (
    BacklogItem,
    Decision,
    Dependency,
    Envelope,
    OutsideDemand,
    Perimeter,
    Programme,
    Project,
    Resource,
    Risk,
    Timesheet,
)
from projections.bitemporal import OPEN, Mode, StepTable, Value
from projections.codec import (
    MISSING,
    Labels,
    data,
    day,
    enum,
    hundredths,
    instant,
    parse,
    week,
)
from projections.lookups import Kind, Lookup, rows_of
from projections.overlay import ForkedLabels, ForkedLookup, OverlayTable
from projections.tables import (
    CANCELLED,
    CODED,
    NONE,
    PLANNED,
    REACHED,
    SHEET,
    SHIFTED,
    SKILL,
    build_tables,
    codes,
)

_C = {name: codes(enum_class) for name, enum_class in CODED.items()}
_NATURE = _C["nature"]
M = MISSING


class Op:
    """Where the event being projected sits on the two time axes (one, reused)."""

    __slots__ = ("_fields", "_labels", "aggregate", "effective", "position", "recorded")

    def __init__(self, labels: Labels) -> None:
        self._labels = labels
        self._fields: dict[str, Any] = {}
        self.aggregate = self.effective = self.position = self.recorded = 0

    @property
    def author(self) -> int:
        """The author, as a label (only some tables need it)."""
        return self._labels.id(self._fields["author"])

    @property
    def decision(self) -> int:
        """The decision, as a label, or NONE."""
        decision = self._fields.get("decision_id")
        return self._labels.id(decision["_data_"]) if decision else NONE


Handler = Callable[["Projector", Op, dict[str, Any]], None]


@dataclass
class Projector:
    """Applies stored events to the view's tables, in log order."""

    tables: dict[str, StepTable] = field(default_factory=build_tables)
    labels: Labels = field(default_factory=Labels)
    position: int = 0
    latest: int = 0  # the latest recorded instant of the events applied (microseconds)
    programme_of: dict[int, int] = field(default_factory=dict)
    perimeter_of: dict[int, int] = field(default_factory=dict)  # programme or project
    project_of_item: dict[int, int] = field(default_factory=dict)
    staffed_weeks: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    releases: dict[tuple[int, int], list[tuple[int, int, int, int]]] = field(default_factory=dict)
    sheet_projects: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    item_skills: dict[int, set[int]] = field(default_factory=dict)
    sheet_of: dict[int, tuple[int, int]] = field(default_factory=dict)
    sheet_state: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    bulk: dict[str, array[int]] | None = None
    query_cache: dict[str, Any] = field(default_factory=dict)  # kept by the query side
    _op: Op | None = None

    def apply(self, position: int, topic: str, originator: str, state: bytes) -> None:
        """Project one stored event (``originator`` is the aggregate id in hex)."""
        self.position = position
        handler = HANDLERS.get(topic)
        if handler is None:
            return
        fields = parse(state)
        recorded = instant(fields["timestamp"])
        if recorded > self.latest:
            self.latest = recorded
        op = self._op
        if op is None:
            op = self._op = Op(self.labels)
        op._fields = fields
        op.aggregate = self.labels.id(originator)
        op.effective = day(fields["effective_date"])
        op.position = position
        op.recorded = recorded
        handler(self, op, fields)

    def put(self, table: str, key: tuple[int, ...], op: Op, value: Value) -> None:
        """Apply one op to a table, at the event's place on both axes."""
        self.put_at(table, key, op.effective, op.position, op.recorded, value)

    def put_at(
        self,
        table: str,
        key: tuple[int, ...],
        effective: int,
        position: int,
        recorded: int,
        value: Value,
    ) -> None:
        """Apply one op to a table (buffered during a bulk rebuild when the table allows)."""
        buffer = self.bulk.get(table) if self.bulk is not None else None
        if buffer is not None:
            buffer.extend((*key, effective, position, recorded, *value))
        else:
            self.tables[table].apply(key, effective, position, recorded, value, mark=self.position)

    def start_bulk(self) -> None:
        """From now on, buffer the ops of the tables that can be built at once (all but
        sums): for a rebuild from zero."""
        self.bulk = {
            name: array("q")
            for name, table in self.tables.items()
            if table.mode is not Mode.SUM and not len(table)
        }

    def finish_bulk(self) -> None:
        """Build the buffered tables at once (see ``StepTable.build``)."""
        buffers, self.bulk = self.bulk or {}, None
        for name, buffer in buffers.items():
            table = self.tables[name]
            width = len(table.keys) + 3 + table.op_width
            flat = np.frombuffer(buffer, dtype=np.int64) if buffer else np.zeros(0, np.int64)
            table.build(flat.reshape(-1, width))

    # -- persistence ----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """What the projector knows, as int64 arrays and texts (see ``restored``)."""
        if self.bulk is not None:
            raise RuntimeError("finish the bulk build before taking a snapshot")
        return {
            "position": self.position,
            "latest": self.latest,
            "labels": self.labels.texts,
            **{
                name: rows_of(getattr(self, name), width, kind)
                for name, (width, kind, _) in _LOOKUPS.items()
            },
            "tables": {name: table.snapshot() for name, table in self.tables.items()},
        }

    @classmethod
    def restored(cls, saved: dict[str, Any]) -> Projector:
        """A projector as it was when ``snapshot`` was taken; its tables' keys and its
        large lookups are unpacked as events touch them."""
        projector = cls(labels=Labels(saved["labels"]), position=saved["position"])
        for name, (width, kind, lazy) in _LOOKUPS.items():
            lookup = Lookup(saved[name], width, kind)
            setattr(projector, name, lookup if lazy else lookup.whole())
        for name, table in projector.tables.items():
            table.restore(saved["tables"][name])
        latest = saved.get("latest")  # not in snapshots stored before it was kept
        projector.latest = int(latest) if latest is not None else projector.latest_in_tables()
        return projector

    def fork(self) -> Projector:
        """A projector over this one as it is now, for a scenario: its tables, lookups and
        labels read through this one's (never changed) and hold only what is applied to
        the fork, so making it costs nothing the ledger's size sets. Apply events to the
        fork only while this projector is where it was (``OverlayTable.apply`` checks),
        and read it while nothing writes this one; this one may move on meanwhile: the
        fork answers as before (see ``projections.overlay``)."""
        if self.bulk is not None:
            raise RuntimeError("finish the bulk build before forking")
        fork = Projector(
            tables={name: OverlayTable(table) for name, table in self.tables.items()},
            labels=ForkedLabels(self.labels),
            position=self.position,
            latest=self.latest,
        )
        for name, (_, _, lazy) in _LOOKUPS.items():
            base = getattr(self, name)
            setattr(fork, name, ForkedLookup(base) if lazy else dict(base))
        return fork

    def latest_in_tables(self) -> int:
        """The latest recorded instant any table row holds (when a row was known from or
        until): no state changes for a ``known_at`` after it."""
        latest = 0
        for table in self.tables.values():
            if not len(table):
                continue
            until = table.column("rec_to")
            until = until[until != OPEN]
            latest = max(latest, int(table.column("rec_from").max()), int(until.max(initial=0)))
        return latest

    def text(self, value: Any) -> int:
        """A plain or transcoded text as a label id."""
        return self.labels.id(str(data(value)))


# The projector's lookups: key fields, kind of value, and whether a restored projector
# unpacks them lazily (the large ones) or at once (the ones queries read whole).
_LOOKUPS: dict[str, tuple[int, Kind, bool]] = {
    "programme_of": (1, "value", False),
    "perimeter_of": (1, "value", False),
    "project_of_item": (1, "value", True),
    "sheet_of": (1, "tuple", True),
    "sheet_state": (1, "tuple", True),
    "staffed_weeks": (2, "set", True),
    "releases": (2, "list", True),
    "sheet_projects": (2, "set", True),
    "item_skills": (1, "set", True),
}


def _perimeter_opened(p: Projector, op: Op, f: dict[str, Any]) -> None:
    p.put("perimeters", (op.aggregate,), op, (p.text(f["code"]), p.text(f["name"])))


def _programme_opened(p: Projector, op: Op, f: dict[str, Any]) -> None:
    perimeter = p.labels.ref(f["perimeter_id"])
    p.perimeter_of[op.aggregate] = perimeter
    value = (p.text(f["code"]), p.text(f["name"]), perimeter)
    p.put("programmes", (op.aggregate,), op, value)


def _project_opened(p: Projector, op: Op, f: dict[str, Any]) -> None:
    programme = p.labels.ref(f["programme_id"])
    perimeter = p.perimeter_of.get(programme, NONE)
    p.programme_of[op.aggregate] = programme
    p.perimeter_of[op.aggregate] = perimeter
    value = (
        p.text(f["code"]),
        p.text(f["name"]),
        programme,
        perimeter,
        day(f["start_date"]),
        day(f["end_date"]),
        _C["status"]["active"],
    )
    p.put("projects", (op.aggregate,), op, value)


def _project_rescheduled(p: Projector, op: Op, f: dict[str, Any]) -> None:
    value = (M, M, M, M, day(f["start_date"]), day(f["end_date"]), M)
    p.put("projects", (op.aggregate,), op, value)


def _project_closed(p: Projector, op: Op, f: dict[str, Any]) -> None:
    value = (M, M, M, M, M, M, _C["status"]["closed"])
    p.put("projects", (op.aggregate,), op, value)


def _milestone(kind: int) -> Handler:
    def handle(p: Projector, op: Op, f: dict[str, Any]) -> None:
        name = p.text(f["milestone"].upper())
        key = (op.aggregate, name)
        if kind == PLANNED:
            value = (PLANNED, p.text(f["name"]), int(f["priority"]), day(f["baseline"]))
            moved = day(f["baseline"])
        elif kind == SHIFTED:
            value, moved = (SHIFTED, day(f["forecast"]), 0, 0), day(f["forecast"])
        elif kind == REACHED:
            value, moved = (REACHED, op.effective, 0, 0), op.effective
        else:
            value, moved = (CANCELLED, 0, 0, 0), NONE
        p.put("milestones", key, op, value)
        move = (moved, kind, op.decision, op.author)
        p.put("milestone_moves", (*key, op.position), op, move)

    return handle


def _envelope_opened(p: Projector, op: Op, f: dict[str, Any]) -> None:
    owner_kind = enum(f["owner"])
    owner = p.labels.ref(f["owner_id"])
    is_project = owner_kind == "project"
    project = owner if is_project else NONE
    programme = p.programme_of.get(owner, NONE) if is_project else NONE
    perimeter = p.perimeter_of.get(owner, NONE) if is_project else owner
    value = (
        p.text(f["code"]),
        _C["owner_kind"][owner_kind],
        owner,
        int(f["fiscal_year"]),
        project,
        programme,
        perimeter,
    )
    p.put("envelopes", (op.aggregate,), op, value)
    for nature, amount in (("capex", f["capex"]), ("opex", f["opex"])):
        p.put(
            "envelope_lines", (op.aggregate, _NATURE[nature]), op, (hundredths(amount), 0, 0, 0, 0)
        )


def _movement(slot: int) -> Handler:
    def handle(p: Projector, op: Op, f: dict[str, Any]) -> None:
        amounts = [0, 0, 0, 0, 0]
        amounts[slot] = hundredths(f["amount"])
        key = (op.aggregate, _NATURE[enum(f["nature"])])
        p.put("envelope_lines", key, op, tuple(amounts))

    return handle


def _resource_registered(p: Projector, op: Op, f: dict[str, Any]) -> None:
    skills = sum(1 << SKILL[enum(s)] for s in f["skills"])
    home = p.labels.ref(f["home_perimeter_id"])
    value = (
        p.text(f["code"]),
        p.text(f["name"]),
        _C["kind"][enum(f["resource_kind"])],
        _C["sourcing"][enum(f["sourcing"])],
        home,
        skills,
        NONE,
    )
    p.put("resources", (op.aggregate,), op, value)
    p.put(
        "capacity",
        (op.aggregate, week(f["available_from"])),
        op,
        (hundredths(f["weekly_capacity"]),),
    )
    p.put("rates", (op.aggregate, op.effective), op, (hundredths(f["daily_rate"]),))


def _capacity_changed(p: Projector, op: Op, f: dict[str, Any]) -> None:
    key = (op.aggregate, week(f["from_week"]))
    p.put("capacity", key, op, (hundredths(f["days_per_week"]),))


def _absence(p: Projector, op: Op, f: dict[str, Any]) -> None:
    days = hundredths(f["days_per_week"])
    for monday in range(week(f["first_week"]), week(f["last_week"]) + 1, 7):
        p.put("absences", (op.aggregate, monday), op, (days,))


def _rate_changed(p: Projector, op: Op, f: dict[str, Any]) -> None:
    p.put("rates", (op.aggregate, op.effective), op, (hundredths(f["daily_rate"]),))


def _skills_changed(p: Projector, op: Op, f: dict[str, Any]) -> None:
    skills = sum(1 << SKILL[enum(s)] for s in f["skills"])
    p.put("resources", (op.aggregate,), op, (M, M, M, M, M, skills, M))


def _left(p: Projector, op: Op, f: dict[str, Any]) -> None:
    p.put("resources", (op.aggregate,), op, (M, M, M, M, M, M, week(f["last_week"])))


def _staffing_set(p: Projector, op: Op, f: dict[str, Any]) -> None:
    project = p.labels.ref(f["project_id"])
    pair = (op.aggregate, project)
    weeks = p.staffed_weeks.setdefault(pair, set())
    days = hundredths(f["days_per_week"])
    releases = p.releases.get(pair, [])
    for monday in range(week(f["first_week"]), week(f["last_week"]) + 1, 7):
        key = (op.aggregate, project, monday)
        if monday not in weeks:
            weeks.add(monday)
            for from_week, effective, position, recorded in releases:
                if from_week <= monday:  # an earlier-known release zeroes this week too
                    p.put_at("staffing", key, effective, position, recorded, (0,))
        p.put("staffing", key, op, (days,))


def _staffing_released(p: Projector, op: Op, f: dict[str, Any]) -> None:
    project = p.labels.ref(f["project_id"])
    pair = (op.aggregate, project)
    from_week = week(f["from_week"])
    p.releases.setdefault(pair, []).append((from_week, op.effective, op.position, op.recorded))
    for monday in sorted(p.staffed_weeks.get(pair, ())):
        if monday >= from_week:
            p.put("staffing", (op.aggregate, project, monday), op, (0,))


def _sheet_lines(p: Projector, op: Op, sheet: tuple[int, int], lines: dict[str, str]) -> None:
    resource, monday = sheet
    new = {p.labels.id(project): hundredths(days) for project, days in lines.items()}
    known = p.sheet_projects.setdefault(sheet, set())
    for project in sorted(known | set(new)):
        p.put("timesheet_lines", (resource, monday, project), op, (new.get(project, 0),))
    known.update(new)


# Every event of a timesheet is effective on its Monday, so its order on the
# effective-date axis is its recording order: the projector can keep the sheet's whole
# state and write it as a last-write-wins value, exactly, without a fold history.


def _sheet_state(p: Projector, op: Op, state: tuple[int, int, int, int]) -> None:
    sheet = p.sheet_of[op.aggregate]
    p.sheet_state[op.aggregate] = state
    p.put("timesheets", sheet, op, state)


def _sheet_submitted(p: Projector, op: Op, f: dict[str, Any]) -> None:
    sheet = (p.labels.ref(f["resource_id"]), week(f["week"]))
    p.sheet_of[op.aggregate] = sheet
    _sheet_lines(p, op, sheet, data(f["lines"]))
    _sheet_state(p, op, (SHEET["submitted"], op.recorded, 0, op.author))


def _sheet_approved(p: Projector, op: Op, f: dict[str, Any]) -> None:
    _, submitted_at, corrections, author = p.sheet_state[op.aggregate]
    _sheet_state(p, op, (SHEET["approved"], submitted_at, corrections, author))


def _sheet_corrected(p: Projector, op: Op, f: dict[str, Any]) -> None:
    _sheet_lines(p, op, p.sheet_of[op.aggregate], data(f["lines"]))
    _, submitted_at, corrections, author = p.sheet_state[op.aggregate]
    _sheet_state(p, op, (SHEET["corrected"], submitted_at, corrections + 1, author))


def _effort(p: Projector, op: Op, effort: dict[str, str]) -> None:
    new = {SKILL[skill]: hundredths(days) for skill, days in effort.items()}
    known = p.item_skills.setdefault(op.aggregate, set())
    for skill in sorted(known | set(new)):
        p.put("backlog_effort", (op.aggregate, skill), op, (new.get(skill, 0),))
    known.update(new)


def _item_added(p: Projector, op: Op, f: dict[str, Any]) -> None:
    project = p.labels.ref(f["project_id"])
    p.project_of_item[op.aggregate] = project
    milestone = p.text(f["milestone"].upper()) if f["milestone"] else NONE
    value = (
        p.text(f["code"]),
        project,
        p.text(f["title"]),
        int(f["rank"]),
        _C["maturity"][enum(f["maturity"])],
        milestone,
        _C["backlog_status"]["open"],
    )
    p.put("backlog", (op.aggregate,), op, value)
    _effort(p, op, data(f["effort"]))


def _item_patch(field_index: int, read: Callable[[Projector, dict[str, Any]], int]) -> Handler:
    def handle(p: Projector, op: Op, f: dict[str, Any]) -> None:
        value = [M] * 7
        value[field_index] = read(p, f)
        p.put("backlog", (op.aggregate,), op, tuple(value))

    return handle


def _dependency_declared(p: Projector, op: Op, f: dict[str, Any]) -> None:
    dependent, prerequisite = data(f["dependent"]), data(f["prerequisite"])
    value = (
        p.text(f["code"]),
        _C["endpoint"][dependent["kind"]],
        p.labels.id(dependent["ref"]),
        _endpoint_project(p, dependent),
        _C["endpoint"][prerequisite["kind"]],
        p.labels.id(prerequisite["ref"]),
        _endpoint_project(p, prerequisite),
        day(f["needed_by"]) if f["needed_by"] else NONE,
        _C["dependency_status"]["open"],
        p.text(f["description"]),
    )
    p.put("dependencies", (op.aggregate,), op, value)


def _endpoint_project(p: Projector, endpoint: dict[str, Any]) -> int:
    target = endpoint.get("target")
    if not target:
        return NONE
    if endpoint["kind"] == "milestone":
        return p.labels.id(target)
    return p.project_of_item.get(p.labels.id(target), NONE)


def _dependency_patch(status: str | None) -> Handler:
    def handle(p: Projector, op: Op, f: dict[str, Any]) -> None:
        value = [M] * 10
        if status is None:
            value[7] = day(f["needed_by"])
        else:
            value[8] = _C["dependency_status"][status]
        p.put("dependencies", (op.aggregate,), op, tuple(value))

    return handle


def _demand_raised(p: Projector, op: Op, f: dict[str, Any]) -> None:
    value = (
        p.text(f["code"]),
        p.labels.ref(f["resource_id"]),
        p.text(f["requester"]),
        p.text(f["title"]),
        week(f["first_week"]),
        week(f["last_week"]),
        hundredths(f["days_per_week"]),
        _C["demand_status"]["raised"],
    )
    p.put("demands", (op.aggregate,), op, value)


def _demand_answered(status: str) -> Handler:
    def handle(p: Projector, op: Op, f: dict[str, Any]) -> None:
        value = (M, M, M, M, M, M, M, _C["demand_status"][status])
        p.put("demands", (op.aggregate,), op, value)

    return handle


def _risk_raised(p: Projector, op: Op, f: dict[str, Any]) -> None:
    scope_kind = enum(f["scope"])
    scope = p.labels.ref(f["scope_id"])
    project = scope if scope_kind == "project" else NONE
    programme = scope if scope_kind == "programme" else p.programme_of.get(scope, NONE)
    perimeter = scope if scope_kind == "perimeter" else p.perimeter_of.get(scope, NONE)
    value = (
        p.text(f["code"]),
        _C["scope_kind"][scope_kind],
        scope,
        project,
        programme,
        perimeter,
        p.text(f["title"]),
        int(f["probability"]),
        int(f["impact"]),
        p.text(f["owner"]),
        p.text(f["response"]),
        _C["strategy"][enum(f["strategy"])],
        _C["level"][enum(f["level"])],
        _C["risk_status"]["open"],
    )
    p.put("risks", (op.aggregate,), op, value)


def _risk_patch(**changes: Callable[[Projector, dict[str, Any]], int]) -> Handler:
    index = {"probability": 7, "impact": 8, "owner": 9, "response": 10, "strategy": 11}
    index |= {"level": 12, "risk_status": 13}

    def handle(p: Projector, op: Op, f: dict[str, Any]) -> None:
        value = [M] * 14
        for name, read in changes.items():
            value[index[name]] = read(p, f)
        p.put("risks", (op.aggregate,), op, tuple(value))

    return handle


def _decision_taken(p: Projector, op: Op, f: dict[str, Any]) -> None:
    value = (p.text(f["code"]), p.text(f["title"]), _C["forum"][enum(f["forum"])])
    p.put("decisions", (op.aggregate,), op, value)


def _int(name: str) -> Callable[[Projector, dict[str, Any]], int]:
    return lambda p, f: int(f[name])


def _code(enum_name: str, name: str) -> Callable[[Projector, dict[str, Any]], int]:
    return lambda p, f: _C[enum_name][enum(f[name])]


def _constant(value: int) -> Callable[[Projector, dict[str, Any]], int]:
    return lambda p, f: value


HANDLERS: dict[str, Handler] = {
    get_topic(cls): handler
    for cls, handler in (
        (Perimeter.Opened, _perimeter_opened),
        (Programme.Opened, _programme_opened),
        (Project.Opened, _project_opened),
        (Project.Rescheduled, _project_rescheduled),
        (Project.Closed, _project_closed),
        (Project.MilestonePlanned, _milestone(PLANNED)),
        (Project.MilestoneShifted, _milestone(SHIFTED)),
        (Project.MilestoneReached, _milestone(REACHED)),
        (Project.MilestoneCancelled, _milestone(CANCELLED)),
        (Envelope.Opened, _envelope_opened),
        (Envelope.FundsTransferredIn, _movement(1)),
        (Envelope.FundsTransferredOut, _movement(2)),
        (Envelope.Raised, _movement(3)),
        (Envelope.Cut, _movement(4)),
        (Resource.Registered, _resource_registered),
        (Resource.CapacityChanged, _capacity_changed),
        (Resource.AbsenceRecorded, _absence),
        (Resource.RateChanged, _rate_changed),
        (Resource.SkillsChanged, _skills_changed),
        (Resource.Left, _left),
        (Resource.StaffingSet, _staffing_set),
        (Resource.StaffingReleased, _staffing_released),
        (Timesheet.Submitted, _sheet_submitted),
        (Timesheet.Approved, _sheet_approved),
        (Timesheet.Corrected, _sheet_corrected),
        (BacklogItem.Added, _item_added),
        (BacklogItem.Reestimated, lambda p, op, f: _effort(p, op, data(f["effort"]))),
        (BacklogItem.Reprioritised, _item_patch(3, _int("rank"))),
        (BacklogItem.MaturityChanged, _item_patch(4, _code("maturity", "maturity"))),
        (
            BacklogItem.MilestoneLinked,
            _item_patch(5, lambda p, f: p.text(f["milestone"].upper()) if f["milestone"] else NONE),
        ),
        (BacklogItem.Completed, _item_patch(6, _constant(_C["backlog_status"]["done"]))),
        (BacklogItem.Dropped, _item_patch(6, _constant(_C["backlog_status"]["dropped"]))),
        (Dependency.Declared, _dependency_declared),
        (Dependency.NeededByChanged, _dependency_patch(None)),
        (Dependency.Met, _dependency_patch("met")),
        (Dependency.Cancelled, _dependency_patch("cancelled")),
        (OutsideDemand.Raised, _demand_raised),
        (OutsideDemand.Accepted, _demand_answered("accepted")),
        (OutsideDemand.Declined, _demand_answered("declined")),
        (OutsideDemand.Withdrawn, _demand_answered("withdrawn")),
        (Risk.Raised, _risk_raised),
        (Risk.Reassessed, _risk_patch(probability=_int("probability"), impact=_int("impact"))),
        (
            Risk.ResponseUpdated,
            _risk_patch(
                owner=lambda p, f: p.text(f["owner"]),
                response=lambda p, f: p.text(f["response"]),
                strategy=_code("strategy", "strategy"),
            ),
        ),
        (Risk.Escalated, _risk_patch(level=_code("level", "level"))),
        (Risk.Deescalated, _risk_patch(level=_code("level", "level"))),
        (Risk.Closed, _risk_patch(risk_status=_constant(_C["risk_status"]["closed"]))),
        (Decision.Taken, _decision_taken),
    )
}
