"""``solve(problem)``: the objectives in strict priority, one CP-SAT solve per level.

Levels: (1) milestone lateness weighted by priority, (2) budget overrun, (3) volume of
reallocation against the current staffing, (4) cost. Each level is minimised with the
levels before it held at the value found (lexicographic), starting from the previous
level's plan; the first hint is a greedy plan that favours the current staffing
(``planner.warm``), and after each level the plan keeps as much of the current staffing
as it leaves room for (``top_up``). A level whose objective is a constant (no budget,
say) is not solved. The time limit is shared among the levels in the proportions of
``SHARE``; what a level does not use flows to the next; with ``explain``, a fifth is
kept for the explanation.

Runs are reproducible for a given seed and worker count: every search is limited in
deterministic time, and the time is shared in deterministic time too, so neither the
plan nor the way the time was shared depends on the machine's load (``planner.cpsat``
says how the workers search). On a loaded machine a run takes longer on the wall
clock; a wall-clock limit of three times each share and 5 s is the safety net, and a
search it cuts is no longer reproducible. ``deterministic=False`` gives CP-SAT its usual
parallel portfolio, limited by the wall clock only.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from planner import cpsat, search
from planner.explain import diagnose
from planner.explain import explain as explain_plan
from planner.model import Model, build, upper
from planner.problem import Assignment, PlanningProblem
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
from planner.warm import Greedy, greedy

Progress = Callable[[str, float], None]
# The time of a run shared among the levels left, in these proportions: what a level
# proves early flows to the next. Reallocation gets as much as lateness: its search
# space is the whole staffing, and it decides how many changes the PMO reads.
SHARE = {"lateness": 4, "overrun": 2, "reallocation": 4, "cost": 1}
WALL_CLOCK_NOTE = (
    "the wall clock cut a search short (a slow or busy machine): this run may not be"
    " reproducible for its seed and worker count"
)
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
    large: bool | None = None,
) -> PlanResult:
    """The best plan found within ``time_limit_s``, objectives in priority order.

    With ``explain`` (the default), a fifth of the time is kept for the explanation of
    late milestones (``planner.explain``); a run without a plan is diagnosed.

    ``large``: True plans by neighbourhoods around a greedy plan (``planner.large``),
    False solves the whole model; None (the default) chooses by the model's size."""
    # -- hook: portfolio scale (planner.large imports this module, hence here) --
    from planner import large as portfolio

    if large or (large is None and portfolio.applies(problem)):
        found = portfolio.solve_large(problem, time_limit_s=time_limit_s, workers=workers,
                                      seed=seed, deterministic=deterministic,
                                      progress=progress, explain=explain)  # fmt: skip
        if found.has_plan or large:
            return found
    # -- end of hook --
    began = time.perf_counter()
    limit = time_limit_s * (0.8 if explain else 1.0)
    model = build(problem)
    _hint_start(model)
    interleaved = not problem.work_packages  # rigid activities only: see planner.cpsat
    search.prepare(model, limit)
    levels: list[Level] = []
    solution: list[int] | None = None  # the plan kept so far, every variable
    used = 0.0  # deterministic time spent, in nominal seconds
    cut = False  # whether the wall clock ended a search (the run is not reproducible)
    to_solve = [n for n in LEVELS if not isinstance(model.objectives[n], int)]
    for name in LEVELS:
        objective = model.objectives[name]
        if isinstance(objective, int):
            levels.append(Level(name, objective, objective, Status.OPTIMAL))
            continue
        # Shared in deterministic time, so that the shares, like the searches, do not
        # depend on the machine's load (wall-clock runs share the wall clock).
        spent = time.perf_counter() - began if not deterministic else used
        share = (limit - spent) * SHARE[name] / sum(SHARE[n] for n in to_solve)
        to_solve.remove(name)
        if progress is not None:
            progress(name, time.perf_counter() - began)
        model.cp.minimize(objective)
        outcome = cpsat.run(
            model.cp,
            max(share, 0.05),
            workers=workers,
            seed=seed,
            deterministic=deterministic,
            interleaved=interleaved,
            tune=lambda parameters: search.tune(parameters, problem, limit, deterministic),
        )
        used += outcome.seconds
        cut = cut or (deterministic and outcome.cut)
        status = _STATUS.get(outcome.code, Status.UNKNOWN)
        if not outcome.found:
            if solution is None and status is Status.UNKNOWN:  # -- hook: planner.large --
                rescued = portfolio.rescue(problem, outcome.bound, time.perf_counter() - began)
                if rescued is not None:
                    return rescued  # the best greedy plan rather than none
            if solution is None:
                notes = tuple(diagnose(problem)) if explain and status is Status.INFEASIBLE else ()
                return PlanResult(status, tuple(levels), time.perf_counter() - began,
                                  explanation=Explanation(notes=notes))  # fmt: skip
            # No better plan in time: keep the last one, valued at this level.
            value = cpsat.evaluate(objective, solution)
            levels.append(Level(name, value, _bound(outcome.bound, value), Status.FEASIBLE))
            model.cp.add(objective <= value)
            continue
        levels.append(Level(name, outcome.objective, round(outcome.bound), status))
        model.cp.add(objective <= outcome.objective)
        solution = top_up(model, list(outcome.solution))
        # The next level starts from this whole plan, every variable hinted.
        model.cp.clear_hints()  # type: ignore[no-untyped-call]
        hint = model.cp.proto.solution_hint
        hint.vars.extend(range(len(solution)))
        hint.values.extend(solution)
    if solution is None:  # every level a constant (nothing to schedule): any plan will do
        outcome = cpsat.run(model.cp, max(limit, 0.05), workers=workers, seed=seed,
                            deterministic=deterministic)  # fmt: skip
        if not outcome.found:
            status = _STATUS.get(outcome.code, Status.UNKNOWN)
            return PlanResult(status, tuple(levels), time.perf_counter() - began)
        solution = top_up(model, list(outcome.solution))
    values = {var.index: solution[var.index] for var in _tracked(model)}
    overall = (
        Status.OPTIMAL if all(lv.status is Status.OPTIMAL for lv in levels) else Status.FEASIBLE
    )
    result = _result(model, values, overall, tuple(levels), time.perf_counter() - began)
    result = dataclasses.replace(result, levels=_valued(result))
    notes = (WALL_CLOCK_NOTE,) if cut else ()
    result = dataclasses.replace(
        result, explanation=dataclasses.replace(result.explanation, notes=notes)
    )
    if not explain:
        return result
    if progress is not None:
        progress("explanation", time.perf_counter() - began)
    spent = time.perf_counter() - began if not deterministic else used
    left = time_limit_s - spent
    explanation = explain_plan(
        problem,
        result,
        time_limit_s=max(left, 0.0),
        solver=lambda seconds: cpsat.solver(
            seconds, seed=seed, deterministic=deterministic, workers=workers
        ),
    )
    explanation = dataclasses.replace(explanation, notes=(*notes, *explanation.notes))
    return dataclasses.replace(
        result, explanation=explanation, runtime_s=time.perf_counter() - began
    )


def top_up(model: Model, solution: list[int]) -> list[int]:
    """The solution with as much of the current staffing kept as it leaves room for.

    A level that does not care about reallocation (lateness, overrun) may drop kept
    staffing it has no use for, and a level stopped by its time limit may not restore
    it. Raising a kept line towards what is staffed now, within the capacity the plan
    leaves and the budget its project has left, makes no milestone later, overruns no
    budget and only lessens the reallocation (a higher level than cost): the plan is as
    good on every level before cost, and better on reallocation. Each move's variable is
    set to the new gap, so the solution stays whole (a hint the next level can use)."""
    if not model.kept:
        return solution
    problem = model.problem
    rates = {r.code: r.rate for r in problem.resources}
    capacities = {r.code: r.capacity for r in problem.resources}
    project_of = {w.code: w.project for w in problem.work_packages}
    used: dict[tuple[str, int], int] = defaultdict(int)
    staffed: dict[tuple[str, str, int], int] = defaultdict(int)
    spent = _spent(model, solution)
    for (resource, package, _, t), var in model.x.items():
        used[resource, t] += solution[var.index]
        staffed[resource, project_of[package], t] += solution[var.index]
    for (resource, project, t), var in model.kept.items():
        used[resource, t] += solution[var.index]
        staffed[resource, project, t] += solution[var.index]
    for activity in problem.activities:
        begin = solution[model.begin[activity.code].index]
        for resource, units in activity.demand.items():
            for t in range(begin, begin + activity.duration):
                used[resource, t] += units
    budgets = {b.project: b.amount for b in problem.budgets}
    current = {(c.resource, c.project, c.period): c.units for c in problem.current}
    for key, var in sorted(model.kept.items(), key=lambda kv: kv[0]):
        resource, project, t = key
        more = min(
            upper(var) - solution[var.index],
            current[key] - staffed[key],
            capacities[resource][t] - used[resource, t],
        )
        if project in budgets and rates[resource]:
            more = min(more, (budgets[project] - spent[project]) // rates[resource])
        if more <= 0:
            continue
        solution[var.index] += more
        used[resource, t] += more
        staffed[key] += more
        spent[project] += rates[resource] * more
    for key, var in model.moved.items():
        solution[var.index] = abs(staffed[key] - current[key])
    return solution


def keep_current(
    problem: PlanningProblem, allocations: tuple[Allocation, ...]
) -> tuple[Assignment, ...]:
    """The current staffing a plan of work packages (no rigid activity) can keep, as
    ``top_up`` keeps it: each line raised towards what is staffed now within the
    capacity the allocations leave and the budget their project has left."""
    rates = {r.code: r.rate for r in problem.resources}
    capacities = {r.code: r.capacity for r in problem.resources}
    project_of = {w.code: w.project for w in problem.work_packages}
    used: dict[tuple[str, int], int] = defaultdict(int)
    staffed: dict[tuple[str, str, int], int] = defaultdict(int)
    spent: dict[str, int] = defaultdict(int)
    for a in allocations:
        used[a.resource, a.period] += a.units
        staffed[a.resource, project_of[a.work_package], a.period] += a.units
        spent[project_of[a.work_package]] += rates[a.resource] * a.units
    budgets = {b.project: b.amount for b in problem.budgets}
    kept = []
    for line in sorted(problem.current, key=lambda c: (c.resource, c.project, c.period)):
        key = (line.resource, line.project, line.period)
        more = min(
            line.units - staffed[key], capacities[line.resource][line.period] - used[key[0], key[2]]
        )
        rate = rates[line.resource]
        if line.project in budgets and rate:
            more = min(more, (budgets[line.project] - spent[line.project]) // rate)
        if more <= 0:
            continue
        kept.append(Assignment(line.resource, line.project, line.period, more))
        used[key[0], key[2]] += more
        staffed[key] += more
        spent[line.project] += rate * more
    return tuple(kept)


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


def _bound(bound: float, value: int) -> int:
    """The bound a run without a solution still proved (no better than ``value``)."""
    return min(value, round(bound)) if math.isfinite(bound) else 0


def _tracked(model: Model) -> list[cp_model.IntVar]:
    """The variables the result is read from (and the next level is hinted with)."""
    tracked = [*model.x.values(), *model.start.values(), *model.finish.values()]
    return [*tracked, *model.begin.values(), *model.lateness.values(), *model.kept.values()]


def _hint_start(model: Model, open_periods: tuple[int, ...] | None = None) -> Greedy:
    """Start from a greedy plan that favours the current staffing (``planner.warm``),
    keeping what it leaves of the current staffing where capacity allows (``top_up``).

    Every variable the plan determines is hinted, the derived ones too (activity flags,
    moves, lateness, overrun): CP-SAT takes a complete feasible hint as its first
    solution at once, where an incomplete one must first be completed by search."""
    problem = model.problem
    plan = greedy(problem, open_periods=open_periods)
    solution = [int(var.domain[0]) for var in model.cp.proto.variables]
    hinted: list[cp_model.IntVar] = []
    busy: set[tuple[str, int]] = set()
    for key, var in model.x.items():
        solution[var.index] = min(plan.units.get(key, 0), upper(var))
        if solution[var.index]:
            busy.add((key[1], key[3]))
        hinted.append(var)
    for (code, t), var in model.active.items():
        solution[var.index] = int((code, t) in busy)
        hinted.append(var)
    for code, var in model.start.items():
        if code in plan.start:
            solution[var.index] = plan.start[code]
            solution[model.finish[code].index] = plan.finish[code]
            hinted += [var, model.finish[code]]
    solution = top_up(model, solution)
    hinted += [*model.kept.values(), *model.moved.values()]
    ends = {code: plan.finish[code] + 1 for code in plan.finish}
    serving = problem.serving()
    for milestone in problem.milestones:
        if all(code in ends for code in serving[milestone.code]):
            end = max((ends[code] for code in serving[milestone.code]), default=0)
            late = model.lateness[milestone.code]
            solution[late.index] = min(max(0, end - (milestone.due + 1)), upper(late))
            hinted.append(late)
    spent = _spent(model, solution)
    for budget in problem.budgets:
        over = model.overrun.get(budget.project)
        if over is not None:
            solution[over.index] = min(max(0, spent[budget.project] - budget.amount), upper(over))
            hinted.append(over)
    for var in hinted:
        model.cp.add_hint(var, solution[var.index])
    return plan


def _spent(model: Model, solution: list[int]) -> dict[str, int]:
    """What each project costs in a solution (work, kept staffing, rigid activities)."""
    problem = model.problem
    rates = {r.code: r.rate for r in problem.resources}
    project_of = {w.code: w.project for w in problem.work_packages}
    spent: dict[str, int] = defaultdict(int)
    for (resource, package, _, _), var in model.x.items():
        spent[project_of[package]] += rates[resource] * solution[var.index]
    for (resource, project, _), var in model.kept.items():
        spent[project] += rates[resource] * solution[var.index]
    for activity in problem.activities:
        for resource, units in activity.demand.items():
            spent[activity.project] += rates[resource] * units * activity.duration
    return spent


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
    kept = tuple(
        Assignment(r, p, t, values[var.index])
        for (r, p, t), var in sorted(model.kept.items(), key=lambda kv: kv[0])
        if values[var.index] > 0
    )
    return PlanResult(
        status=status,
        levels=levels,
        runtime_s=runtime,
        allocations=allocations,
        placements=placements,
        milestones=tuple(outcomes),
        changes=_changes(problem, allocations, kept),
        costs=_costs(problem, allocations, kept),
        explanation=Explanation(late=late),
        kept=kept,
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
    placed to make the milestones as little late as that allows, starting from the greedy
    plan under the same rule (``planner.warm``), which stands when the search finds
    nothing in time; work it leaves no room for is taken to end after the horizon
    (``finish == horizon``: its lateness is then a lower bound). None: rigid activities
    and no plan found. A problem too large for one model (``planner.large``) gets the
    greedy status quo without a search."""
    from planner import large  # imports this module

    if large.applies(problem):
        return _greedy_status_quo(problem, greedy(problem, open_periods=open_periods))
    model = build(problem)
    plan = _hint_start(model, open_periods=open_periods)
    current = {(c.resource, c.project, c.period): c.units for c in problem.current}
    for (resource, project, t), terms in model.staffing.items():
        if t not in open_periods:
            model.cp.add(sum(terms) <= current.get((resource, project, t), 0))
    objective = model.objectives["lateness"]
    if not isinstance(objective, int):
        model.cp.minimize(objective)
    outcome = cpsat.run(model.cp, max(time_limit_s, 0.05), workers=workers, seed=seed,
                        deterministic=deterministic)  # fmt: skip
    if not outcome.found:
        if problem.activities:
            return None  # the greedy plan does not place them
        return _greedy_status_quo(problem, plan)
    values = {var.index: outcome.solution[var.index] for var in _tracked(model)}
    allocations = tuple(
        Allocation(r, w, s, t, values[var.index])
        for (r, w, s, t), var in model.x.items()
        if values[var.index] > 0
    )
    return tuple(_outcomes(problem, _placements(model, values, allocations)))


def _greedy_status_quo(problem: PlanningProblem, plan: Greedy) -> tuple[MilestoneOutcome, ...]:
    """The milestones of a greedy plan, work it left out ending after the horizon."""
    beyond = problem.horizon
    placed = tuple(
        Placement(w.code, plan.start.get(w.code, beyond), plan.finish.get(w.code, beyond))
        for w in problem.work_packages
    )
    return tuple(_outcomes(problem, placed))


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


def _changes(
    problem: PlanningProblem, allocations: tuple[Allocation, ...], kept: tuple[Assignment, ...]
) -> tuple[Change, ...]:
    project_of = {w.code: w.project for w in problem.work_packages}
    after: dict[tuple[str, str, int], int] = defaultdict(int)
    for a in allocations:
        after[a.resource, project_of[a.work_package], a.period] += a.units
    for k in kept:
        after[k.resource, k.project, k.period] += k.units
    before = {(c.resource, c.project, c.period): c.units for c in problem.current}
    return tuple(
        Change(r, p, t, before.get((r, p, t), 0), after.get((r, p, t), 0))
        for r, p, t in sorted(set(after) | set(before))
        if before.get((r, p, t), 0) != after.get((r, p, t), 0)
    )


def _costs(
    problem: PlanningProblem, allocations: tuple[Allocation, ...], kept: tuple[Assignment, ...]
) -> tuple[ProjectCost, ...]:
    rates = {r.code: r.rate for r in problem.resources}
    project_of = {w.code: w.project for w in problem.work_packages}
    spent: dict[str, int] = defaultdict(int)
    for a in allocations:
        spent[project_of[a.work_package]] += rates[a.resource] * a.units
    for k in kept:
        spent[k.project] += rates[k.resource] * k.units
    for activity in problem.activities:
        for resource, units in activity.demand.items():
            spent[activity.project] += rates[resource] * units * activity.duration
    budgets = {b.project: b.amount for b in problem.budgets}
    return tuple(
        ProjectCost(p, spent[p], budgets.get(p), max(0, spent[p] - budgets.get(p, spent[p])))
        for p in problem.projects()
    )
