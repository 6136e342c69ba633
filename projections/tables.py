"""The step tables of the portfolio view, their folds, and the integer codes they use."""

from __future__ import annotations

from enum import Enum

from domain.enums import (
    BacklogStatus,
    DemandStatus,
    DependencyStatus,
    EndpointKind,
    EnvelopeOwner,
    EscalationLevel,
    Forum,
    Maturity,
    MilestoneStatus,
    Nature,
    ProjectStatus,
    ResourceKind,
    RiskStatus,
    RiskStrategy,
    ScopeKind,
    Skill,
    Sourcing,
    TimesheetStatus,
)
from projections.bitemporal import Mode, StepTable, Value
from projections.codec import MISSING

NONE = -1  # an absent reference or date


def codes(enum: type[Enum]) -> dict[str, int]:
    """An enum's values as small integers, in declaration order."""
    return {str(member.value): index for index, member in enumerate(enum)}


def members(enum: type[Enum]) -> list[Enum]:
    """The enum members by their integer code."""
    return list(enum)


CODED: dict[str, type[Enum]] = {
    "status": ProjectStatus,
    "kind": ResourceKind,
    "sourcing": Sourcing,
    "nature": Nature,
    "owner_kind": EnvelopeOwner,
    "maturity": Maturity,
    "backlog_status": BacklogStatus,
    "dependency_status": DependencyStatus,
    "demand_status": DemandStatus,
    "risk_status": RiskStatus,
    "strategy": RiskStrategy,
    "level": EscalationLevel,
    "scope_kind": ScopeKind,
    "forum": Forum,
    "milestone_status": MilestoneStatus,
    "sheet_status": TimesheetStatus,
    "endpoint": EndpointKind,
}
SKILL = codes(Skill)


def patch(state: Value | None, op: Value) -> Value | None:
    """Fields an op leaves ``MISSING`` keep their value; the first op gives them all."""
    if state is None:
        return op
    return tuple(
        state_field if op_field == MISSING else op_field
        for state_field, op_field in zip(state, op, strict=True)
    )


PLANNED, SHIFTED, REACHED, CANCELLED = range(4)
_MILESTONE = codes(MilestoneStatus)


def milestone(state: Value | None, op: Value) -> Value | None:
    """(kind, a, b, c) ops into (name, priority, baseline, forecast, status, shifts, reached_on)."""
    kind, a, b, c = op
    if kind == PLANNED:
        return (a, b, c, c, _MILESTONE["planned"], 0, NONE)
    if state is None:
        return None
    name, priority, baseline, forecast, status, shifts, reached_on = state
    if kind == SHIFTED:
        return (name, priority, baseline, a, status, shifts + 1, reached_on)
    if kind == REACHED:
        return (name, priority, baseline, forecast, _MILESTONE["reached"], shifts, a)
    return (name, priority, baseline, forecast, _MILESTONE["cancelled"], shifts, reached_on)


SHEET = codes(TimesheetStatus)


def build_tables() -> dict[str, StepTable]:
    """A fresh, empty set of the view's tables."""
    last, fold, total = Mode.LAST, Mode.FOLD, Mode.SUM
    specs = [
        StepTable("perimeters", ("perimeter",), ("code", "name"), last),
        StepTable("programmes", ("programme",), ("code", "name", "perimeter"), last),
        StepTable(
            "projects",
            ("project",),
            ("code", "name", "programme", "perimeter", "start", "end", "status"),
            fold,
            patch,
        ),
        StepTable(
            "milestones",
            ("project", "milestone"),
            (
                "name",
                "priority",
                "baseline",
                "forecast",
                "milestone_status",
                "shifts",
                "reached_on",
            ),
            fold,
            milestone,
            partition="project",
            op_width=4,
        ),
        StepTable(
            "envelopes",
            ("envelope",),
            ("code", "owner_kind", "owner", "fiscal_year", "project", "programme", "perimeter"),
            last,
            partition="project",
        ),
        StepTable(
            "envelope_lines",
            ("envelope", "nature"),
            ("initial", "moved_in", "moved_out", "raised", "cut"),
            total,
            partition="envelope",
        ),
        StepTable(
            "resources",
            ("resource",),
            ("code", "name", "kind", "sourcing", "home", "skills", "last_week"),
            fold,
            patch,
            partition="resource",
        ),
        StepTable("capacity", ("resource", "from_week"), ("days",), last, partition="resource"),
        StepTable("absences", ("resource", "week"), ("days",), last, partition="resource"),
        StepTable("rates", ("resource", "from_day"), ("rate",), last, partition="resource"),
        StepTable(
            "staffing", ("resource", "project", "week"), ("days",), last, partition="project"
        ),
        StepTable(
            "timesheet_lines",
            ("resource", "week", "project"),
            ("days",),
            last,
            partition="project",
        ),
        StepTable(
            "timesheets",
            ("resource", "week"),
            ("sheet_status", "submitted_at", "corrections", "author"),
            last,
            partition="resource",
        ),
        StepTable(
            "backlog",
            ("item",),
            ("code", "project", "title", "rank", "maturity", "milestone", "backlog_status"),
            fold,
            patch,
            partition="project",
        ),
        StepTable("backlog_effort", ("item", "skill"), ("days",), last, partition="item"),
        StepTable(
            "dependencies",
            ("dependency",),
            (
                "code",
                "dependent_kind",
                "dependent",
                "dependent_project",
                "prerequisite_kind",
                "prerequisite",
                "prerequisite_project",
                "needed_by",
                "dependency_status",
                "description",
            ),
            fold,
            patch,
        ),
        StepTable(
            "demands",
            ("demand",),
            (
                "code",
                "resource",
                "requester",
                "title",
                "first_week",
                "last_week",
                "days",
                "demand_status",
            ),
            fold,
            patch,
            partition="resource",
        ),
        StepTable(
            "risks",
            ("risk",),
            (
                "code",
                "scope_kind",
                "scope",
                "project",
                "programme",
                "perimeter",
                "title",
                "probability",
                "impact",
                "owner",
                "response",
                "strategy",
                "level",
                "risk_status",
            ),
            fold,
            patch,
            partition="programme",
        ),
        StepTable(
            "decisions", ("decision",), ("code", "title", "forum"), last, partition="decision"
        ),
        StepTable(
            "milestone_moves",
            ("project", "milestone", "position"),
            ("forecast", "move", "decision", "author"),
            last,
            partition="project",
        ),
    ]
    return {table.name: table for table in specs}
