"""``solve(problem)``: the objectives in strict priority, one CP-SAT solve per level.

Levels: (1) milestone lateness weighted by priority, (2) budget overrun, (3) volume of
reallocation against the current staffing, (4) cost. Each level is minimised with the
levels before it held at the value found (lexicographic), starting from the previous
level's plan; the current staffing is the first hint. A level whose objective is a
constant (no budget, say) is not solved. The time limit is shared: half to the first
level, then evenly.

Runs are reproducible for a given seed and worker count: the search is interleaved
(``interleave_search``) and limited in deterministic time (``max_deterministic_time``, a
third of the share: it ran about three times slower than the wall clock here), with a
wall-clock limit as a safety net. ``deterministic=False`` gives the solver its usual
parallel portfolio, limited by the wall clock only.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from planner import search
from planner.explain import diagnose, upper
from planner.explain import explain as explain_plan
from planner.model import Model, build
from planner.problem import PlanningProblem
from planner.result import (
    LEVELS,
    Allocation,
    Change,
    Explanation,
    Level,
    MilestoneOutcome,
    Placement,
    PlanResult,
    ProjectCost,
    Status,
)
from planner.warm import greedy

Progress = Callable[[str, float], None]
_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
}


def solve(
    problem: PlanningProblem,
    *,
    time_limit_s: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    deterministic: bool = True,
    progress: Progress | None = None,
    explain: bool = True,
) -> PlanResult:
    """The best plan found within ``time_limit_s``, objectives in priority order.

    With ``explain`` (the default), a fifth of the time is kept for the explanation of
    late milestones (``planner.explain``); a run without a plan is diagnosed."""
    began = time.perf_counter()
    limit = time_limit_s * (0.8 if explain else 1.0)
    model = build(problem)
    _hint_start(model)
    search.prepare(model)
    levels: list[Level] = []
    values: dict[int, int] | None = None
    best: cp_model.CpSolver | None = None  # the solver that holds the plan kept so far
    to_solve = [n for n in LEVELS if not isinstance(model.objectives[n], int)]
    for name in LEVELS:
        objective = model.objectives[name]
        if isinstance(objective, int):
            levels.append(Level(name, objective, objective, Status.OPTIMAL))
            continue
        left = limit - (time.perf_counter() - began)
        first = values is None
        share = left / 2 if first and len(to_solve) > 1 else left / len(to_solve)
        to_solve.remove(name)
        if progress is not None:
            progress(name, time.perf_counter() - began)
        solver = _solver(max(share, 0.05), workers, seed, deterministic)
        search.tune(solver.parameters, problem, limit, deterministic)
        model.cp.minimize(objective)
        code = solver.solve(model.cp)
        status = _STATUS.get(code, Status.UNKNOWN)
        if status not in (Status.OPTIMAL, Status.FEASIBLE):
            if values is None:
                notes = tuple(diagnose(problem)) if explain and status is Status.INFEASIBLE else ()
                return PlanResult(status, tuple(levels), time.perf_counter() - began,
                                  explanation=Explanation(notes=notes))  # fmt: skip
            # No better plan in time: keep the last one, valued at this level.
            assert best is not None
            value = int(best.value(objective))
            levels.append(Level(name, value, _bound(solver, value), Status.FEASIBLE))
            model.cp.add(objective <= value)
            continue
        value, bound = round(solver.objective_value), round(solver.best_objective_bound)
        levels.append(Level(name, value, bound, status))
        values, best = _values(model, solver), solver
        model.cp.add(objective <= value)
        # The next level starts from this whole plan, every variable hinted.
        model.cp.clear_hints()  # type: ignore[no-untyped-call]
        hint = model.cp.proto.solution_hint
        solution = list(solver.response_proto.solution)
        hint.vars.extend(range(len(solution)))
        hint.values.extend(solution)
    assert values is not None
    overall = (
        Status.OPTIMAL if all(lv.status is Status.OPTIMAL for lv in levels) else Status.FEASIBLE
    )
    result = _result(model, values, overall, tuple(levels), time.perf_counter() - began)
    result = dataclasses.replace(result, levels=_valued(result))
    if not explain:
        return result
    if progress is not None:
        progress("explanation", time.perf_counter() - began)
    left = time_limit_s - (time.perf_counter() - began)
    explanation = explain_plan(
        problem,
        result,
        time_limit_s=max(left, 0.0),
        solver=lambda seconds: _solver(seconds, workers, seed, deterministic),
    )
    return dataclasses.replace(
        result, explanation=explanation, runtime_s=time.perf_counter() - began
    )


def _valued(result: PlanResult) -> tuple[Level, ...]:
    """Each level valued on the final plan. A level not proven optimal may be improved
    by the levels after it, and its slack variables (lateness, overrun, moves) are only
    bounded from below, so the value its own solve reported can overstate the plan."""
    truth = {
        "lateness": sum(o.priority * o.lateness for o in result.milestones),
        "overrun": sum(c.overrun for c in result.costs),
        "reallocation": sum(abs(c.after - c.before) for c in result.changes),
        "cost": sum(c.cost for c in result.costs),
    }
    return tuple(
        Level(lv.name, truth[lv.name], min(lv.bound, truth[lv.name]), lv.status)
        for lv in result.levels
    )


def _bound(solver: cp_model.CpSolver, value: int) -> int:
    """The bound a run without a solution still proved (no better than ``value``)."""
    bound = solver.best_objective_bound
    return min(value, round(bound)) if math.isfinite(bound) else 0


def _solver(seconds: float, workers: int, seed: int, deterministic: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.num_workers = workers
    parameters.random_seed = seed
    if deterministic:
        # CP-SAT's deterministic time ran about 3x slower than the wall clock on
        # PSPLIB instances here: a third of the share keeps the run near its limit; the
        # wall-clock limit is a safety net (a run it cuts is no longer reproducible).
        parameters.interleave_search = True
        parameters.max_deterministic_time = seconds / 3
        parameters.max_time_in_seconds = 1.5 * seconds + 1
    else:
        parameters.max_time_in_seconds = seconds
    return solver


def _tracked(model: Model) -> list[cp_model.IntVar]:
    """The variables the result is read from (and the next level is hinted with)."""
    tracked = [*model.x.values(), *model.start.values(), *model.finish.values()]
    return [*tracked, *model.begin.values(), *model.lateness.values()]


def _values(model: Model, solver: cp_model.CpSolver) -> dict[int, int]:
    """The values of the tracked variables, by proto index."""
    return {var.index: int(solver.value(var)) for var in _tracked(model)}


def _hint_start(model: Model) -> None:
    """Start from a greedy plan that favours the current staffing (``planner.warm``)."""
    plan = greedy(model.problem)
    for key, var in model.x.items():
        model.cp.add_hint(var, min(plan.units.get(key, 0), upper(var)))
    for code, var in model.start.items():
        if code in plan.start:
            model.cp.add_hint(var, plan.start[code])
            model.cp.add_hint(model.finish[code], plan.finish[code])


def _result(
    model: Model,
    values: dict[int, int],
    status: Status,
    levels: tuple[Level, ...],
    runtime: float,
) -> PlanResult:
    problem = model.problem
    allocations = tuple(
        Allocation(r, w, s, t, values[var.index])
        for (r, w, s, t), var in sorted(model.x.items(), key=lambda kv: kv[0])
        if values[var.index] > 0
    )
    placements = _placements(model, values, allocations)
    outcomes = _outcomes(problem, placements)
    late = tuple(o for o in outcomes if not o.holds)
    return PlanResult(
        status=status,
        levels=levels,
        runtime_s=runtime,
        allocations=allocations,
        placements=placements,
        milestones=tuple(outcomes),
        changes=_changes(problem, allocations),
        costs=_costs(problem, allocations),
        explanation=Explanation(late=late),
    )


def _outcomes(
    problem: PlanningProblem, placements: tuple[Placement, ...]
) -> list[MilestoneOutcome]:
    ends = {p.code: p.finish + 1 for p in placements}
    outcomes = []
    serving = problem.serving()
    for milestone in problem.milestones:
        end = max((ends[code] for code in serving[milestone.code]), default=0)
        lateness = max(0, end - (milestone.due + 1))
        outcomes.append(
            MilestoneOutcome(milestone.code, milestone.due, end - 1, lateness, milestone.priority)
        )
    return outcomes


def status_quo(
    problem: PlanningProblem,
    *,
    time_limit_s: float = 5.0,
    workers: int = 2,
    seed: int = 0,
    deterministic: bool = True,
    open_periods: tuple[int, ...] = (),
) -> tuple[MilestoneOutcome, ...] | None:
    """How the milestones end if nobody moves: in every period but ``open_periods``, a
    resource works on a project at most the units it is staffed there now; the work is
    placed to make the milestones as little late as that allows. None: no such plan was
    found (the current staffing cannot do the work within the horizon)."""
    model = build(problem)
    current = {(c.resource, c.project, c.period): c.units for c in problem.current}
    for (resource, project, t), terms in model.staffing.items():
        if t not in open_periods:
            model.cp.add(sum(terms) <= current.get((resource, project, t), 0))
    objective = model.objectives["lateness"]
    solver = _solver(max(time_limit_s, 0.05), workers, seed, deterministic)
    if not isinstance(objective, int):
        model.cp.minimize(objective)
    if solver.solve(model.cp) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = _values(model, solver)
    allocations = tuple(
        Allocation(r, w, s, t, values[var.index])
        for (r, w, s, t), var in model.x.items()
        if values[var.index] > 0
    )
    return tuple(_outcomes(problem, _placements(model, values, allocations)))


def _placements(
    model: Model, values: dict[int, int], allocations: tuple[Allocation, ...]
) -> tuple[Placement, ...]:
    periods: dict[str, list[int]] = defaultdict(list)
    for allocation in allocations:
        periods[allocation.work_package].append(allocation.period)
    placed = [
        Placement(w.code, min(periods[w.code]), max(periods[w.code]))
        for w in model.problem.work_packages
    ]
    for activity in model.problem.activities:
        begin = values[model.begin[activity.code].index]
        placed.append(Placement(activity.code, begin, begin + activity.duration - 1))
    return tuple(placed)


def _changes(problem: PlanningProblem, allocations: tuple[Allocation, ...]) -> tuple[Change, ...]:
    project_of = {w.code: w.project for w in problem.work_packages}
    after: dict[tuple[str, str, int], int] = defaultdict(int)
    for a in allocations:
        after[a.resource, project_of[a.work_package], a.period] += a.units
    before = {(c.resource, c.project, c.period): c.units for c in problem.current}
    return tuple(
        Change(r, p, t, before.get((r, p, t), 0), after.get((r, p, t), 0))
        for r, p, t in sorted(set(after) | set(before))
        if before.get((r, p, t), 0) != after.get((r, p, t), 0)
    )


def _costs(
    problem: PlanningProblem, allocations: tuple[Allocation, ...]
) -> tuple[ProjectCost, ...]:
    rates = {r.code: r.rate for r in problem.resources}
    project_of = {w.code: w.project for w in problem.work_packages}
    spent: dict[str, int] = defaultdict(int)
    for a in allocations:
        spent[project_of[a.work_package]] += rates[a.resource] * a.units
    for activity in problem.activities:
        for resource, units in activity.demand.items():
            spent[activity.project] += rates[resource] * units * activity.duration
    budgets = {b.project: b.amount for b in problem.budgets}
    return tuple(
        ProjectCost(p, spent[p], budgets.get(p), max(0, spent[p] - budgets.get(p, spent[p])))
        for p in problem.projects()
    )
