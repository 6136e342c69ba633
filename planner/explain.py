"""Why a plan is what it is: what would hold each late milestone, what binds.

**Extra capacity.** For a milestone the plan makes late, everything else stays as
planned and the question becomes local: the work serving the milestone and all the work
it waits for (its *cone*, closed under precedence) is re-planned on what the rest of
the plan leaves of each resource, plus one unlimited virtual resource per skill. The
model first minimises the milestone's lateness, then the units taken from the virtual
resources (both in one objective, the first weighted above any possible value of the
second). The virtual units used, per skill and period, are the smallest extra capacity
that holds the milestone with the rest of the plan untouched. When even unlimited
capacity cannot hold it, the note says how late it would still be and what is left to
blame: precedence, intensity limits, releases or rigid activities.

**Binding constraints** are read off the plan: resources used to their capacity in a
period, budgets spent, successors that start the period their predecessor ends, work
packages at their intensity limit, and late work that starts at its release.

**No plan at all** (the first level infeasible): :func:`diagnose` compares, per skill,
the effort asked with the capacity of the horizon, and the longest precedence chain
with the horizon's length.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from ortools.sat.python import cp_model

from planner.model import build, upper
from planner.problem import (
    Milestone,
    PlanningProblem,
    Resource,
    RigidActivity,
    WorkPackage,
    least_duration,
)
from planner.result import (
    Binding,
    Explanation,
    ExtraCapacity,
    MilestoneOutcome,
    PlanResult,
)

W = TypeVar("W", WorkPackage, RigidActivity)
VIRTUAL = "+"  # prefix of the virtual resources: "+developer" offers only "developer"
Solver = Callable[[float], cp_model.CpSolver]


def explain(
    problem: PlanningProblem,
    result: PlanResult,
    *,
    time_limit_s: float,
    solver: Solver,
    most: int = 8,
) -> Explanation:
    """The explanation of ``result``: extra capacity for up to ``most`` late milestones
    (highest priority first, then the latest), within ``time_limit_s`` in all."""
    late = sorted(
        (o for o in result.milestones if not o.holds),
        key=lambda o: (-o.priority, -o.lateness, o.code),
    )
    extra: list[ExtraCapacity] = []
    notes: list[str] = []
    explained = late[:most]
    for done, outcome in enumerate(explained):
        share = time_limit_s / max(1, len(explained) - done) if time_limit_s > 0 else 0.05
        found, note = _extra_capacity(problem, result, outcome, solver(max(share, 0.05)))
        extra.extend(found)
        if note:
            notes.append(note)
    if len(late) > most:
        notes.append(
            f"{len(late) - most} more late milestones were not examined for extra capacity"
        )
    return Explanation(
        late=tuple(o for o in result.milestones if not o.holds),
        extra_capacity=tuple(extra),
        binding=tuple(binding(problem, result)),
        notes=tuple(notes),
    )


def cone(problem: PlanningProblem, codes: Iterable[str]) -> set[str]:
    """The work named and everything it waits for, transitively."""
    follows = {item.code: item.predecessors for item in problem.work()}
    found: set[str] = set()
    stack = list(codes)
    while stack:
        code = stack.pop()
        if code not in found:
            found.add(code)
            stack.extend(follows[code])
    return found


def _extra_capacity(
    problem: PlanningProblem,
    result: PlanResult,
    outcome: MilestoneOutcome,
    solver: cp_model.CpSolver,
) -> tuple[list[ExtraCapacity], str | None]:
    """The smallest extra capacity holding one milestone, the rest of the plan fixed."""
    local = residual(problem, result, outcome.code)
    model = build(local)
    virtual = [var for key, var in model.x.items() if key[0].startswith(VIRTUAL)]
    ceiling = sum(upper(var) for var in virtual) + 1
    model.cp.minimize(ceiling * model.lateness[outcome.code] + sum(virtual))
    code = solver.solve(model.cp)
    name = f"{outcome.code}"
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], (
            f"{name}: no re-plan of its work was found in the time given"
            if code == cp_model.UNKNOWN
            else f"{name}: its work cannot be re-planned on what the plan leaves"
            " (rigid activities hold the resources it needs)"
        )
    still = int(solver.value(model.lateness[outcome.code]))
    by_cell: dict[tuple[str, int], int] = defaultdict(int)
    for (resource, _, skill, t), var in model.x.items():
        if resource.startswith(VIRTUAL):
            by_cell[skill, t] += int(solver.value(var))
    extra = [
        ExtraCapacity(outcome.code, skill, t, units)
        for (skill, t), units in sorted(by_cell.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        if units > 0
    ]
    proven = "" if code == cp_model.OPTIMAL else " (best found, not proven smallest)"
    if still > 0:
        return extra, (
            f"{name}: even with unlimited extra capacity it stays {still} period(s) late:"
            " its precedence chain, intensity limits, releases or rigid activities need"
            f" more time than it has{proven}"
        )
    if not extra:
        return [], f"{name}: holds by re-ordering its own work alone{proven}"
    cells = len(extra)
    return extra, f"{name}: holds with the extra capacity listed ({cells} skill-period(s)){proven}"


def residual(problem: PlanningProblem, result: PlanResult, milestone: str) -> PlanningProblem:
    """The local problem of one milestone: its cone of work on what the rest of the plan
    leaves of each resource, plus one unlimited virtual resource per skill it needs."""
    serving = problem.serving()[milestone]
    keep = cone(problem, serving)
    used: dict[tuple[str, int], int] = defaultdict(int)
    for a in result.allocations:
        if a.work_package not in keep:
            used[a.resource, a.period] += a.units
    for k in result.kept:
        used[k.resource, k.period] += k.units
    for activity in problem.activities:
        if activity.code in keep:
            continue
        placed = result.placement(activity.code)
        for t in range(placed.start, placed.finish + 1):
            for resource, units in activity.demand.items():
                used[resource, t] += units
    resources = [
        Resource(
            r.code,
            r.skills,
            tuple(max(0, c - used[r.code, t]) for t, c in enumerate(r.capacity)),
            r.rate,
        )
        for r in problem.resources
    ]
    packages = [w for w in problem.work_packages if w.code in keep]
    needed: dict[str, int] = defaultdict(int)
    for package in packages:
        for skill, units in package.effort.items():
            needed[skill] += units
    virtual = [
        Resource(f"{VIRTUAL}{skill}", frozenset({skill}), (units,) * problem.horizon, 0)
        for skill, units in sorted(needed.items())
        if units
    ]
    due = next(m.due for m in problem.milestones if m.code == milestone)
    return PlanningProblem(
        periods=problem.periods,
        resources=(*resources, *virtual),
        work_packages=tuple(_only_milestone(w, milestone) for w in packages),
        activities=tuple(
            _only_milestone(a, milestone) for a in problem.activities if a.code in keep
        ),
        milestones=(Milestone(milestone, due),),
        granularity=problem.granularity,
    )


def _only_milestone(item: W, milestone: str) -> W:
    """The item, serving ``milestone`` if it did, no milestone otherwise."""
    if item.milestone in (None, milestone):
        return item
    return dataclasses.replace(item, milestone=None)


def binding(problem: PlanningProblem, result: PlanResult) -> list[Binding]:
    """The constraints the plan runs against."""
    found: list[Binding] = []
    used: dict[tuple[str, int], int] = defaultdict(int)
    for a in result.allocations:
        used[a.resource, a.period] += a.units
    for k in result.kept:
        used[k.resource, k.period] += k.units
    for activity in problem.activities:
        placed = result.placement(activity.code)
        for t in range(placed.start, placed.finish + 1):
            for code, units in activity.demand.items():
                used[code, t] += units
    for resource in problem.resources:
        for t, capacity in enumerate(resource.capacity):
            if capacity and used[resource.code, t] >= capacity:
                found.append(Binding("capacity", resource.code, t, f"{capacity} of {capacity}"))
    for cost in result.costs:
        if cost.budget is not None and cost.cost >= cost.budget:
            found.append(Binding("budget", cost.project, None, f"{cost.cost} of {cost.budget}"))
    where = {p.code: p for p in result.placements}
    serving = problem.serving()
    late_work = cone(
        problem, (c for o in result.milestones if not o.holds for c in serving[o.code])
    )
    for item in problem.work():
        first = where[item.code].start
        for before in item.predecessors:
            if first == where[before].finish + 1:
                detail = f"{item.code} starts as soon as {before} ends"
                found.append(Binding("precedence", f"{before} -> {item.code}", first, detail))
        if item.code in late_work and first == item.release and item.release > 0:
            found.append(Binding("release", item.code, first, "starts at its release"))
    per_period: dict[tuple[str, int], int] = defaultdict(int)
    for a in result.allocations:
        per_period[a.work_package, a.period] += a.units
    for package in problem.work_packages:
        ceiling = package.max_per_period
        if ceiling is None:
            continue
        for t in range(problem.horizon):
            if per_period[package.code, t] >= ceiling:
                found.append(Binding("intensity", package.code, t, f"{ceiling} per period"))
    return found


def diagnose(problem: PlanningProblem) -> list[str]:
    """Why no plan exists, as far as totals and chains tell."""
    notes: list[str] = []
    capacity: dict[str, int] = defaultdict(int)
    for resource in problem.resources:
        for skill in resource.skills:
            capacity[skill] += sum(resource.capacity)
    effort: dict[str, int] = defaultdict(int)
    for package in problem.work_packages:
        for skill, units in package.effort.items():
            effort[skill] += units
    for skill, units in sorted(effort.items()):
        if units > capacity[skill]:
            notes.append(
                f"{skill}: {units} units of work for {capacity[skill]} units of capacity"
                " over the horizon (all resources with the skill)"
            )
    length = _earliest_ends(problem)
    longest = max(length.values(), default=0)
    if longest > problem.horizon:
        chain_end = max(length, key=lambda code: length[code])
        notes.append(
            f"the chain of work ending with {chain_end} needs at least {longest} periods;"
            f" the horizon has {problem.horizon}"
        )
    if not notes:
        notes.append(
            "the totals fit: the capacity is there but not when the work can use it"
            " (precedence, releases, intensity limits or rigid activities)"
        )
    return notes


def _earliest_ends(problem: PlanningProblem) -> dict[str, int]:
    """The earliest period after each item ends, capacity ignored."""
    items = {item.code: item for item in problem.work()}
    ends: dict[str, int] = {}
    for code in problem.in_precedence_order():
        item = items[code]
        start = max([item.release, *(ends[p] for p in item.predecessors)])
        ends[code] = start + least_duration(item)
    return ends
