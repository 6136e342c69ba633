"""The planner wired to the ledger: a planning problem from a projected state, a run
recorded as a proposal, and the report a PMO reads.

**What is planned.** Weeks from the one containing ``as_of``, ``horizon`` of them,
plus one last period, *after*, that stands for everything beyond the horizon (unlimited
capacity: work placed there is late by at least the rest of the horizon, which the
first objective makes as rare as it can). Milestones still planned whose forecast falls
within the horizon, in the projects in scope (the portfolio, or one programme) that are
active; the open backlog items serving them (effort per skill) and every open item they
wait for, through the dependencies between items and milestones; a milestone's due week
is the week of its current forecast. Business priority 1 (highest) to 5 weighs a week of
lateness 16, 8, 4, 2 and 1.

**Who works.** Every resource, with its weekly capacity less its absences, the outside
demands it accepted and, for a programme, its staffing on projects outside the
programme (fixed: the plan does not touch other programmes). Its current staffing on
the projects in scope is the starting point: every change counts as reallocation.

**Units.** Effort, capacity and staffing in hundredths of a person-day (the ledger's
precision), money in ten-thousandths of a euro (a daily rate in cents is then the
cost of one unit). Budgets: what the project's envelopes of the fiscal years the
horizon touches still hold after the actuals of those years.

What the ledger knows but the planner does not model (dependencies on platforms and
components, items without effort) is listed in the report's notes.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from domain.commands import AcceptProposal, RecordProposal, RejectProposal
from domain.errors import InvalidInput, UnknownEntity
from domain.ledger import Ledger, Receipt
from domain.model.plan import PlanProposal
from domain.values import (
    EARLIEST_DATE,
    LAST_MONDAY,
    LATEST_DATE,
    Document,
    StaffingChange,
    StaffingChanges,
    Week,
)
from planner.problem import (
    Assignment,
    Budget,
    Granularity,
    Milestone,
    PlanningProblem,
    Resource,
    WorkPackage,
)
from planner.result import MilestoneOutcome, PlanResult
from planner.solve import solve, status_quo
from projections.kpis import StateSource
from projections.state import PortfolioState, Scope
from projections.view import PortfolioView

UNITS_PER_DAY = 100
MONEY_PER_EURO = 10_000
AFTER = "after"
WEIGHTS = {1: 16, 2: 8, 3: 4, 4: 2, 5: 1}
SECTIONS = (
    "projects",
    "milestones",
    "resources",
    "capacity",
    "absences",
    "rates",
    "staffing",
    "actuals",
    "backlog",
    "backlog_effort",
    "dependencies",
    "demands",
    "envelopes",
)
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class PlanRequest:
    """What to plan and how long to search."""

    as_of: date
    known_at: datetime | None = None  # None: what the ledger knows now
    programme: str | None = None
    horizon: int = 26
    time_limit_s: float = 30.0
    workers: int = 2
    seed: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.horizon <= 156:
            raise InvalidInput("horizon", "must be 1 to 156 weeks")
        if not 0.5 <= self.time_limit_s <= 3600:
            raise InvalidInput("time_limit", "must be 0.5 to 3600 seconds")
        if not 1 <= self.workers <= 64:
            raise InvalidInput("workers", "must be 1 to 64")

    @property
    def scope(self) -> str:
        """How the proposal names what it planned."""
        return "portfolio" if self.programme is None else f"programme {self.programme}"

    def settings(self) -> dict[str, Any]:
        """The solver settings, as recorded with the proposal."""
        return {
            "horizon_weeks": self.horizon,
            "time_limit_s": self.time_limit_s,
            "workers": self.workers,
            "seed": self.seed,
            "deterministic": True,
        }


@dataclass(frozen=True)
class PlanInputs:
    """The planning problem and how its codes map back to the ledger."""

    problem: PlanningProblem
    weeks: tuple[Week, ...]
    milestones: dict[str, tuple[str, str, date, int]]  # key -> project, code, forecast, priority
    notes: tuple[str, ...] = ()

    def period(self, index: int) -> str:
        """A period's label: its ISO week, or ``after`` the horizon."""
        return str(self.weeks[index]) if index < len(self.weeks) else AFTER


@dataclass(frozen=True)
class Proposal:
    """A planner run on the ledger, recorded."""

    code: str
    inputs: PlanInputs
    result: PlanResult
    before: tuple[MilestoneOutcome, ...] | None
    report: dict[str, Any]
    receipt: Receipt
    changes: StaffingChanges = field(default_factory=lambda: StaffingChanges(()))


@dataclass(frozen=True)
class PlanRun:
    """A planner run on a state, not recorded: its problem, plan, status quo and report."""

    inputs: PlanInputs
    result: PlanResult
    before: tuple[MilestoneOutcome, ...] | None
    changes: StaffingChanges
    report: dict[str, Any]


def run_plan(
    source: StateSource,
    request: PlanRequest,
    *,
    known_at: datetime,
    progress: Progress | None = None,
) -> PlanRun:
    """Plan on the state ``source`` gives (the ledger's view, or a scenario's) as known at
    ``known_at``; nothing is recorded."""
    state = source.state(request.as_of, known_at, Scope(), SECTIONS)
    inputs = build_inputs(state, request)
    problem = inputs.problem
    if not problem.work_packages and not problem.activities:
        # Nothing to schedule: the solver has no objective to minimise (and asserts).
        scope = f"programme {request.programme}" if request.programme else "the portfolio"
        raise InvalidInput("programme", f"nothing to plan: {scope} has no open backlog item")
    result = solve(
        problem,
        time_limit_s=request.time_limit_s * 0.85,
        workers=request.workers,
        seed=request.seed,
        progress=progress,
    )
    if progress is not None:
        progress("status quo", result.runtime_s)
    before = status_quo(
        problem,
        time_limit_s=request.time_limit_s * 0.15,
        workers=request.workers,
        seed=request.seed,
        open_periods=(problem.horizon - 1,),
    )
    changes = staffing_changes(inputs, result)
    return PlanRun(inputs, result, before, changes, build_report(inputs, result, before, changes))


def propose(
    view: PortfolioView,
    request: PlanRequest,
    *,
    author: str,
    progress: Progress | None = None,
) -> Proposal:
    """Plan on what the ledger knew at ``known_at``, record the proposal, return it."""
    known_at = request.known_at or view.ledger.clock.now()
    run = run_plan(view, request, known_at=known_at, progress=progress)
    receipt = view.ledger.execute(
        RecordProposal(
            scope=request.scope,
            as_of=request.as_of,
            known_at=known_at,
            inputs_digest=digest(run.inputs.problem),
            solver_status=run.result.status.value,
            settings=Document.of(request.settings(), "settings"),
            changes=run.changes,
            report=Document.of(run.report, "report"),
            rationale="planner run",
        ),
        author=author,
    )
    code = next(e.subject for e in receipt.events).removeprefix(f"{PlanProposal.kind} ")
    return Proposal(code, run.inputs, run.result, run.before, run.report, receipt, run.changes)


def accept(ledger: Ledger, code: str, rationale: str, *, author: str, **options: Any) -> Receipt:
    """Accept a proposal: its staffing changes recorded under one decision."""
    return ledger.execute(
        AcceptProposal(proposal=code, rationale=rationale, **options), author=author
    )


def reject(ledger: Ledger, code: str, rationale: str, *, author: str, **options: Any) -> Receipt:
    """Reject a proposal with its reason."""
    return ledger.execute(
        RejectProposal(proposal=code, rationale=rationale, **options), author=author
    )


def recorded(ledger: Ledger, code: str) -> Any:
    """A recorded proposal's state (its report, changes and status)."""
    return ledger.state_of(PlanProposal, code)


# -- the problem -------------------------------------------------------------------------


def build_inputs(state: PortfolioState, request: PlanRequest) -> PlanInputs:
    """The planning problem of the state, for the request's scope and horizon."""
    # The plan keeps to the calendar's weeks: no staffing can be recorded outside them.
    start = min(max(request.as_of, EARLIEST_DATE), LATEST_DATE)
    first = Week.of(start)
    weeks = tuple(w for w in (first + i for i in range(request.horizon)) if w.monday <= LAST_MONDAY)
    notes: list[str] = []
    if start != request.as_of:
        notes.append(f"{request.as_of} is outside the calendar: planned from the week of {start}")
    if len(weeks) < request.horizon:
        notes.append(
            f"the horizon stops at the calendar's last week, {weeks[-1]}:"
            f" {len(weeks)} of {request.horizon} weeks planned"
        )
    projects = state["projects"]
    active = projects[projects["status"].astype(str) == "active"]
    if request.programme is not None:
        known = {p.upper(): p for p in projects["programme"].astype(str)}
        programme = known.get(request.programme.upper())
        if programme is None:
            raise UnknownEntity("programme", request.programme)
        active = active[active["programme"].astype(str) == programme]
    in_scope = set(active["project"].astype(str))
    milestones = _milestones(state, in_scope, weeks)
    packages, item_notes = _work(state, in_scope, milestones)
    notes += item_notes
    used_projects = {p.project for p in packages}
    resources = _resources(state, weeks, in_scope, packages)
    current = _current(state, weeks, in_scope)
    budgets = _budgets(state, used_projects | {c.project for c in current}, weeks)
    serving = {p.milestone for p in packages}
    kept = {k: v for k, v in milestones.items() if k in serving}
    dropped = len(milestones) - len(kept)
    if dropped:
        notes.append(f"{dropped} milestone(s) in the horizon have no open work with effort")
    problem = PlanningProblem(
        periods=(*(str(w) for w in weeks), AFTER),
        resources=tuple(resources),
        work_packages=tuple(packages),
        milestones=tuple(
            Milestone(key, due, WEIGHTS.get(priority, 1))
            for key, (_, _, _, due, priority) in sorted(kept.items())
        ),
        budgets=tuple(budgets),
        current=tuple(current),
        granularity=Granularity.WEEK,
    )
    return PlanInputs(
        problem,
        weeks,
        {
            key: (project, code, forecast, priority)
            for key, (project, code, forecast, _, priority) in kept.items()
        },
        tuple(notes),
    )


def _milestones(
    state: PortfolioState, projects: set[str], weeks: tuple[Week, ...]
) -> dict[str, tuple[str, str, date, int, int]]:
    """Planned milestones of the projects in scope due within the horizon, by key."""
    found = {}
    frame = state["milestones"]
    for row in _records(frame):
        project = str(row["project"])
        if project not in projects or str(row["status"]) != "planned":
            continue
        forecast = pd.Timestamp(row["forecast"]).date()
        week = Week.of(forecast)
        if week > weeks[-1]:
            continue
        due = -1 if week < weeks[0] else week - weeks[0]
        found[f"{project}/{row['milestone']}"] = (
            project, str(row["milestone"]), forecast, due, int(row["priority"])
        )  # fmt: skip
    return found


def _work(
    state: PortfolioState,
    projects: set[str],
    milestones: dict[str, tuple[str, str, date, int, int]],
) -> tuple[list[WorkPackage], list[str]]:
    """The open items serving those milestones and every open item they wait for."""
    notes: list[str] = []
    backlog = state["backlog"]
    open_items = backlog[backlog["status"].astype(str) == "open"]
    project_of = dict(zip(open_items["item"], open_items["project"].astype(str), strict=True))
    milestone_of = {
        item: f"{project}/{ms}"
        for item, project, ms in zip(
            open_items["item"], open_items["project"].astype(str), open_items["milestone"],
            strict=True,
        )
        if isinstance(ms, str) and ms
    }  # fmt: skip
    effort: dict[str, dict[str, int]] = defaultdict(dict)
    rows = state["backlog_effort"]
    for item, skill, days in zip(rows["item"], rows["skill"].astype(str), rows["days"],
                                 strict=True):  # fmt: skip
        units = round(float(days) * UNITS_PER_DAY)
        if item in project_of and units > 0:
            effort[item][skill] = units
    by_milestone: dict[str, list[str]] = defaultdict(list)
    for item, key in milestone_of.items():
        by_milestone[key].append(item)
    after: dict[str, set[str]] = defaultdict(set)  # item -> items it waits for
    external = 0
    for row in _records(state["dependencies"]):
        if str(row["status"]) != "open":
            continue
        kinds = (str(row["dependent_kind"]), str(row["prerequisite_kind"]))
        if not all(k in ("milestone", "backlog-item") for k in kinds):
            external += 1
            continue
        dependents = _items_of(str(row["dependent"]), kinds[0], by_milestone, project_of)
        prerequisites = _items_of(str(row["prerequisite"]), kinds[1], by_milestone, project_of)
        for item in dependents:
            after[item] |= set(prerequisites) - {item}
    if external:
        notes.append(f"{external} open dependency(ies) on platforms or components are not modelled")
    wanted = [item for name in milestones for item in by_milestone.get(name, [])]
    chosen: set[str] = set()
    stack = list(wanted)
    outside: set[str] = set()
    while stack:
        item = stack.pop()
        if item in chosen or item in outside:
            continue
        if project_of[item] not in projects:
            outside.add(item)
            continue
        chosen.add(item)
        stack.extend(after[item])
    if outside:
        notes.append(f"{len(outside)} open item(s) outside the scope are waited for and not"
                     " planned here")  # fmt: skip
    without = sorted(i for i in chosen if not effort.get(i))
    if without:
        notes.append(f"{len(without)} open item(s) have no effort estimate and are left out:"
                     f" {', '.join(without[:5])}{' …' if len(without) > 5 else ''}")  # fmt: skip
    keep = sorted(i for i in chosen if effort.get(i))
    kept = set(keep)
    packages = []
    for item in keep:
        serves = milestone_of.get(item)
        packages.append(
            WorkPackage(
                code=item,
                project=project_of[item],
                effort=effort[item],
                predecessors=tuple(sorted(after[item] & kept)),
                milestone=serves if serves in milestones else None,
            )
        )
    return packages, notes


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records")  # type: ignore[return-value]


def _items_of(
    ref: str, kind: str, by_milestone: dict[str, list[str]], project_of: dict[str, str]
) -> list[str]:
    if kind == "milestone":
        return by_milestone.get(ref, [])
    return [ref] if ref in project_of else []


def _weekly(frame: pd.DataFrame, week_column: str, weeks: tuple[Week, ...]) -> pd.DataFrame:
    """Rows of the horizon's weeks, with the week's index."""
    if frame.empty:
        return frame.assign(slot=pd.Series(dtype=np.int64))
    mondays = pd.to_datetime(frame[week_column]).dt.date
    first = weeks[0].monday
    index = mondays.map(lambda d: (d - first).days // 7)
    frame = frame.assign(slot=index)
    return frame[(frame["slot"] >= 0) & (frame["slot"] < len(weeks))]


def _resources(
    state: PortfolioState,
    weeks: tuple[Week, ...],
    projects: set[str],
    packages: list[WorkPackage],
) -> list[Resource]:
    """Every resource with the capacity the plan may use, week by week."""
    horizon = len(weeks)
    capacity: dict[str, list[float]] = {}
    steps = state["capacity"].sort_values(["resource", "from_week"])
    for resource, rows in steps.groupby("resource", observed=True):
        days = [0.0] * horizon
        for start, value in zip(pd.to_datetime(rows["from_week"]).dt.date, rows["days_per_week"],
                                strict=True):  # fmt: skip
            for i, week in enumerate(weeks):
                if week.monday >= start:
                    days[i] = float(value)
        capacity[str(resource)] = days
    taken: dict[tuple[str, int], float] = defaultdict(float)
    for row in _records(_weekly(state["absences"], "week", weeks)):
        taken[str(row["resource"]), int(row["slot"])] += float(row["days"])
    for row in _records(state["demands"]):
        if str(row["status"]) != "accepted":
            continue
        first, last = (
            Week.of(pd.Timestamp(row["first_week"]).date()),
            Week.of(pd.Timestamp(row["last_week"]).date()),
        )
        for i, week in enumerate(weeks):
            if first <= week <= last:
                taken[str(row["resource"]), i] += float(row["days_per_week"])
    staffing = _weekly(state["staffing"], "week", weeks)
    for row in _records(staffing):
        if str(row["project"]) not in projects:
            taken[str(row["resource"]), int(row["slot"])] += float(row["days"])
    rates = state["rates"].sort_values(["resource", "from_day"])
    rate_of = {str(r): float(rows["daily_rate"].iloc[-1])
               for r, rows in rates.groupby("resource", observed=True)}  # fmt: skip
    needed = sum(sum(p.effort.values()) for p in packages)
    found = []
    for row in _records(state["resources"]):
        code = str(row["resource"])
        skills = frozenset(s for s in str(row["skills"]).split(",") if s)
        left = row["last_week"]
        weekly = capacity.get(code, [0.0] * horizon)
        units = []
        for i, week in enumerate(weeks):
            gone = not pd.isna(left) and week.monday > pd.Timestamp(left).date()
            free = 0.0 if gone else max(0.0, weekly[i] - taken[code, i])
            units.append(round(free * UNITS_PER_DAY))
        units.append(max(needed, 1))  # after the horizon: unlimited
        rate = round(rate_of.get(code, 0.0) * 100)  # cents per day = money per unit
        if skills:
            found.append(Resource(code, skills, tuple(units), rate))
    return found


def _current(
    state: PortfolioState, weeks: tuple[Week, ...], projects: set[str]
) -> list[Assignment]:
    staffing = _weekly(state["staffing"], "week", weeks)
    found = []
    for row in _records(staffing):
        if str(row["project"]) in projects and float(row["days"]) > 0:
            found.append(Assignment(str(row["resource"]), str(row["project"]), int(row["slot"]),
                                    round(float(row["days"]) * UNITS_PER_DAY)))  # fmt: skip
    return found


def _budgets(state: PortfolioState, projects: set[str], weeks: tuple[Week, ...]) -> list[Budget]:
    years = {weeks[0].monday.year, weeks[-1].monday.year}
    envelopes = state["envelopes"]
    envelopes = envelopes[envelopes["owner"].astype(str) == "project"]
    envelopes = envelopes[envelopes["fiscal_year"].isin(years)]
    amounts = envelopes.groupby(envelopes["project"].astype(str))["current"].sum()
    actuals = state["actuals"]
    spent_rows = actuals[pd.to_datetime(actuals["week"]).dt.year.isin(years)]
    spent = spent_rows.groupby(spent_rows["project"].astype(str))["cost"].sum()
    found = []
    for project in sorted(projects):
        if project in amounts.index:
            left = float(amounts[project]) - float(spent.get(project, 0.0))
            found.append(Budget(project, max(0, round(left * MONEY_PER_EURO))))
    return found


def digest(problem: PlanningProblem) -> str:
    """SHA-256 of the problem in a canonical JSON form: two runs on equal inputs share it."""

    def plain(value: Any) -> Any:
        if isinstance(value, frozenset | set):
            return sorted(value)
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in sorted(value.items())}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if hasattr(value, "value") and not isinstance(value, int | str):
            return value.value
        return value

    text = json.dumps(plain(asdict(problem)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# -- the result --------------------------------------------------------------------------


def staffing_changes(inputs: PlanInputs, result: PlanResult) -> StaffingChanges:
    """The plan's staffing against the current one, week by week, in person-days."""
    if not result.has_plan:
        return StaffingChanges(())
    horizon = len(inputs.weeks)
    return StaffingChanges.of(
        StaffingChange(
            c.resource,
            c.project,
            inputs.weeks[c.period],
            Decimal(c.before) / UNITS_PER_DAY,
            Decimal(c.after) / UNITS_PER_DAY,
        )
        for c in result.changes
        if c.period < horizon
    )


def build_report(
    inputs: PlanInputs,
    result: PlanResult,
    before: tuple[MilestoneOutcome, ...] | None,
    changes: StaffingChanges,
) -> dict[str, Any]:
    """What the proposal says, in the ledger's words (JSON)."""
    horizon = len(inputs.weeks)

    def when(period: int) -> str:
        return inputs.period(period) if period >= 0 else "before the horizon"

    prior = {o.code: o for o in before or ()}
    milestones = []
    for outcome in result.milestones:
        project, code, forecast, priority = inputs.milestones[outcome.code]
        was = prior.get(outcome.code)
        milestones.append(
            {
                "project": project,
                "milestone": code,
                "forecast": forecast.isoformat(),
                "due_week": when(outcome.due),
                "priority": priority,
                "before_week": when(was.finish) if was else None,
                "before_late_weeks": was.lateness if was else None,
                "after_week": when(outcome.finish),
                "after_late_weeks": outcome.lateness,
                "beyond_horizon": outcome.finish >= horizon,
            }
        )  # fmt: skip
    explanation = result.explanation
    return {
        "status": result.status.value,
        "runtime_s": round(result.runtime_s, 2),
        "weeks": [str(inputs.weeks[0]), str(inputs.weeks[-1])],
        "size": {
            "resources": len(inputs.problem.resources),
            "work_packages": len(inputs.problem.work_packages),
            "milestones": len(inputs.problem.milestones),
            "projects": len(inputs.problem.projects()),
        },
        "levels": [
            {"name": lv.name, "value": lv.value, "bound": lv.bound, "status": lv.status.value}
            for lv in result.levels
        ],
        "milestones": milestones,
        "costs": [
            {
                "project": c.project,
                "cost_eur": c.cost / MONEY_PER_EURO,
                "budget_eur": None if c.budget is None else c.budget / MONEY_PER_EURO,
                "overrun_eur": c.overrun / MONEY_PER_EURO,
            }
            for c in result.costs
        ],
        "changes": len(changes.changes),
        "extra_capacity": [
            {
                "milestone": e.milestone,
                "skill": e.skill,
                "week": when(e.period),
                "days": e.units / UNITS_PER_DAY,
            }
            for e in explanation.extra_capacity
        ],
        "binding": _binding_summary(inputs, result),
        "notes": [
            *inputs.notes,
            *(
                [
                    "nobody moving: no placement of the work within the horizon was found in"
                    " the time given, so 'before' is not known"
                ]
                if before is None and result.has_plan
                else []
            ),
            *explanation.notes,
        ],
    }


def _binding_summary(inputs: PlanInputs, result: PlanResult) -> dict[str, Any]:
    """Binding constraints, counted by kind, with the resources full most often."""
    kinds: dict[str, int] = defaultdict(int)
    full: dict[str, int] = defaultdict(int)
    for b in result.explanation.binding:
        if b.period is not None and b.period >= len(inputs.weeks):
            continue
        kinds[b.kind] += 1
        if b.kind == "capacity":
            full[b.subject] += 1
    busiest = sorted(full.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    budgets = [b.subject for b in result.explanation.binding if b.kind == "budget"]
    return {
        "by_kind": dict(sorted(kinds.items())),
        "resources_full_weeks": dict(busiest),
        "budgets_spent": budgets,
    }


def rows_of(changes: StaffingChanges) -> Iterable[dict[str, Any]]:
    """The changes as rows for tables and CSV."""
    for c in changes.changes:
        yield {
            "resource": c.resource,
            "project": c.project,
            "week": str(c.week),
            "before": float(c.before),
            "after": float(c.after),
        }
