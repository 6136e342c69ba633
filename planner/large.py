"""Planning at portfolio scale: a complete greedy plan, improved by large-neighbourhood
search (LNS) on small CP-SAT models.

At portfolio scale (hundreds of projects, thousands of work packages) the whole model
has close to a million variables: building it takes seconds and gigabytes, and CP-SAT's
presolve alone spends the first level's time without a plan. :func:`solve_large` never
builds it:

1. **A complete plan first**: the greedy plan of ``planner.warm`` (which retries until
   every package is placed, when it can). Without one there is no answer here: the
   status is UNKNOWN (the caller may then try the whole model).
2. **Bounds** without the solver, each valid for every plan: lateness at least what
   precedence, releases and intensity alone impose (capacity ignored); cost at least
   each skill's effort at the cheapest rate of those who hold it, and overrun at least
   what that least cost exceeds each budget by; reallocation at least, per project, the
   difference between its work and its current staffing.
3. **Improvement by neighbourhoods**, level after level (lateness, overrun,
   reallocation, cost), each level's share of the budget (what a level leaves, having
   reached its bound or found nothing in ``STALE`` neighbourhoods in a row, goes on).
   A neighbourhood is a set of work packages (around a late milestone, a project
   weighing on the level, or a skill in a window of periods), grown with the packages
   that share their resources in their periods. Everything else stays as planned: the
   neighbourhood is a planning problem of its own, on what the fixed packages leave of
   each resource, each package released after its fixed predecessors and done before
   its fixed successors start, each milestone at least as late as its fixed work makes
   it, budgets and current staffing net of the fixed packages. Its four objectives are
   then the whole plan's up to constants, so the levels before the one improved are
   held at their value and that level is minimised from the current plan (a feasible
   hint). A better plan replaces the current one only if its true values, recomputed on
   the whole plan, are lexicographically better.

Determinism: every decision depends on the problem, the seed and the solver's
deterministic outcomes only. Each sub-solve is interleaved and limited in
deterministic time; the budget is counted in *work units* (per sub-solve, per unit of
its deterministic time and per variable built), derived from the time limit alone. The
wall clock is a safety net only: the search stops when it passes the end of its share
of the time limit (on a loaded machine), and the explanation's solves stop at the time
limit; a run cut so is no longer reproducible, and the result's notes say so for the
search and for an explanation that had less than its share.
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner import cpsat
from planner.explain import explain as explain_plan
from planner.model import build
from planner.problem import (
    Assignment,
    Budget,
    PlanningProblem,
    Resource,
    WorkPackage,
    least_duration,
)
from planner.result import (
    LEVELS,
    Allocation,
    Explanation,
    Level,
    Placement,
    PlanResult,
    Status,
)
from planner.solve import _changes, _costs, _outcomes, _valued, keep_current
from planner.warm import RULES, greedy

Progress = Callable[[str, float], None]
Cell = tuple[str, str, int]  # resource, skill, period (of one work package)
Values = tuple[int, int, int, int]  # lateness, overrun, reallocation, cost

# Above this many allocation variables (estimated from the windows, without building the
# model), ``planner.solve.solve`` takes this path. Measured on the generated portfolio,
# 60 s (docs/planner.md): at 21,760 (150 packages) the whole model finds a plan, later
# than this path's; at 46,407 (300) it overruns its time limit with a far worse one; the
# demo portfolio (19,830) stays on the whole model.
THRESHOLD = 25_000
# What a neighbourhood costs, in work units meant to be seconds on the shared 2-core
# machine it was measured on: per sub-solve, per variable of its model (building it in
# Python, loading and presolving it in CP-SAT, about 0.13 ms) and per unit of CP-SAT's
# deterministic time (which ran 1.5-7 times slower than the wall clock there).
VARIABLE_CHARGE = 1.3e-4
DTIME_CHARGE = 2.5
SOLVE_CHARGE = 0.3  # and per sub-solve, whatever its size (starting CP-SAT, choosing)
SEARCH_SHARE = 0.7  # of the time left after the explanation's share, for the search
SUB_DTIME = 1.0  # deterministic time of one sub-solve
LEVEL_SHARES = (0.4, 0.2, 0.2, 0.2)  # of the search's budget, in order
STALE = 8  # neighbourhoods in a row that improve nothing: the level's budget goes on
SMALLEST, LARGEST, FIRST_SIZE = 8, 120, 30  # packages in a neighbourhood


def estimated_size(problem: PlanningProblem) -> int:
    """The allocation variables the whole model would have (``x[r, w, s, t]``)."""
    holders: dict[tuple[str, int], int] = defaultdict(int)
    for resource in problem.resources:
        for t, units in enumerate(resource.capacity):
            if units:
                for skill in resource.skills:
                    holders[skill, t] += 1
    windows = _windows(problem, {}, {}, set(problem.in_precedence_order()))
    total = 0
    for package in problem.work_packages:
        first, last = windows[package.code]
        for skill, units in package.effort.items():
            if units:
                total += sum(holders[skill, t] for t in range(first, last + 1))
    return total


def applies(problem: PlanningProblem) -> bool:
    """Whether ``solve`` should take this path: work packages only, and a whole model
    above :data:`THRESHOLD` allocation variables."""
    return not problem.activities and estimated_size(problem) > THRESHOLD


# -- the plan and its values -------------------------------------------------------------


@dataclass
class Plan:
    """Units per work package and (resource, skill, period); its four values."""

    cells: dict[str, dict[Cell, int]]
    values: Values = (0, 0, 0, 0)

    def span(self, code: str) -> tuple[int, int]:
        periods = [t for _, _, t in self.cells[code]]
        return min(periods), max(periods)


def _levels(
    problem: PlanningProblem,
    cells: dict[str, dict[Cell, int]],
    floors: dict[str, int] | None = None,
) -> Values:
    """The four objective values of a complete plan of ``problem``'s packages, each
    milestone at least ``floors`` late (what fixed work outside the problem imposes)."""
    floors = floors or {}
    project_of = {w.code: w.project for w in problem.work_packages}
    rates = {r.code: r.rate for r in problem.resources}
    ends: dict[str, int] = {}
    spent: dict[str, int] = defaultdict(int)
    staffed: dict[tuple[str, str, int], int] = defaultdict(int)
    for code, placed in cells.items():
        project = project_of[code]
        ends[code] = max(t for _, _, t in placed) + 1
        for (resource, _, t), units in placed.items():
            spent[project] += rates[resource] * units
            staffed[resource, project, t] += units
    serving = problem.serving()
    lateness = 0
    for milestone in problem.milestones:
        end = max((ends[code] for code in serving[milestone.code]), default=0)
        late = max(floors.get(milestone.code, 0), end - (milestone.due + 1), 0)
        lateness += milestone.priority * late
    overrun = sum(max(0, spent[b.project] - b.amount) for b in problem.budgets)
    current = {(c.resource, c.project, c.period): c.units for c in problem.current}
    moved = sum(abs(staffed.get(k, 0) - current.get(k, 0)) for k in set(staffed) | set(current))
    return lateness, overrun, moved, sum(spent.values())


def _bounds(problem: PlanningProblem) -> Values:
    """Lower bounds valid for every plan (see the module's docstring)."""
    windows = _windows(problem, {}, {}, {w.code for w in problem.work_packages})
    length = {w.code: least_duration(w) for w in problem.work_packages}
    serving = problem.serving()
    lateness = 0
    for milestone in problem.milestones:
        end = max((windows[code][0] + length[code] for code in serving[milestone.code]), default=0)
        lateness += milestone.priority * max(0, end - (milestone.due + 1))
    cheapest: dict[str, int] = {}
    for resource in problem.resources:
        if any(resource.capacity):
            for skill in resource.skills:
                cheapest[skill] = min(cheapest.get(skill, resource.rate), resource.rate)
    least: dict[str, int] = defaultdict(int)
    for package in problem.work_packages:
        for skill, units in package.effort.items():
            least[package.project] += units * cheapest.get(skill, 0)
    overrun = sum(max(0, least[b.project] - b.amount) for b in problem.budgets)
    # A project's units move by at least what its work exceeds its current staffing by
    # (the sum of |planned - current| is at least sum - sum, planned covering the work).
    gap: dict[str, int] = defaultdict(int)
    for package in problem.work_packages:
        gap[package.project] += sum(package.effort.values())
    for line in problem.current:
        gap[line.project] -= line.units
    # Staffing beyond the work can be kept (planner.model), so only work above the
    # current staffing must move someone.
    return lateness, overrun, sum(max(0, v) for v in gap.values()), sum(least.values())


def _windows(
    problem: PlanningProblem,
    release: dict[str, int],
    deadline: dict[str, int],
    free: set[str],
) -> dict[str, tuple[int, int]]:
    """The periods each ``free`` package may work in: after its release (or ``release``)
    and its free predecessors' least durations, before its ``deadline`` (the horizon's
    end by default) and its free successors' least durations."""
    packages = {w.code: w for w in problem.work_packages if w.code in free}
    order = [code for code in problem.in_precedence_order() if code in packages]
    length = {code: least_duration(w) for code, w in packages.items()}
    following: dict[str, list[str]] = defaultdict(list)
    earliest: dict[str, int] = {}
    for code in order:
        package = packages[code]
        before = [p for p in package.predecessors if p in packages]
        for p in before:
            following[p].append(code)
        earliest[code] = max(
            [release.get(code, package.release), *(earliest[p] + length[p] for p in before)]
        )
    latest_end: dict[str, int] = {}
    for code in reversed(order):
        end = min(
            [
                deadline.get(code, problem.horizon - 1) + 1,
                *(latest_end[s] - length[s] for s in following[code]),
            ]
        )
        latest_end[code] = end
    return {code: (earliest[code], max(earliest[code], latest_end[code] - 1)) for code in order}


# -- one neighbourhood -------------------------------------------------------------------


@dataclass
class _Context:
    """What the search keeps across neighbourhoods."""

    problem: PlanningProblem
    packages: dict[str, WorkPackage]
    following: dict[str, list[str]]
    serving: dict[str, list[str]]
    workers: int
    seed: int
    wall_end: float
    spent: float = 0.0
    dtime: float = 0.0  # CP-SAT's deterministic time, all sub-solves together
    solves: int = 0
    accepted: int = 0
    cut_by_wall_clock: bool = False
    tries: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _neighbourhood(
    context: _Context, plan: Plan, free: set[str], level: int, dtime: float = SUB_DTIME
) -> tuple[Plan | None, bool]:
    """Re-plan the ``free`` packages, the rest fixed, minimising ``level`` with the
    levels before it held, within ``dtime`` of deterministic time. The better plan if
    one was found, and whether the neighbourhood was solved to optimality."""
    problem = context.problem
    cells = plan.cells
    used: dict[tuple[str, int], int] = defaultdict(int)
    fixed_cost: dict[str, int] = defaultdict(int)
    fixed_staffed: dict[tuple[str, str, int], int] = defaultdict(int)
    rates = {r.code: r.rate for r in problem.resources}
    projects = {context.packages[code].project for code in free}
    for code, placed in cells.items():
        if code in free:
            continue
        project = context.packages[code].project
        for (resource, _, t), units in placed.items():
            used[resource, t] += units
            if project in projects:
                fixed_cost[project] += rates[resource] * units
                fixed_staffed[resource, project, t] += units
    spans = {code: plan.span(code) for code in cells}
    release: dict[str, int] = {}
    deadline: dict[str, int] = {}
    for code in free:
        package = context.packages[code]
        after = [spans[p][1] + 1 for p in package.predecessors if p not in free]
        release[code] = max([package.release, *after])
        before = [spans[s][0] - 1 for s in context.following[code] if s not in free]
        deadline[code] = min([problem.horizon - 1, *before])
    windows = _windows(problem, release, deadline, free)
    if any(not windows[c][0] <= spans[c][0] <= spans[c][1] <= windows[c][1] for c in free):
        return None, True  # cannot happen for a sound plan; never risk an unsound one
    milestones = {m.code: m for m in problem.milestones}
    served = sorted({m for c in free if (m := context.packages[c].milestone) is not None})
    floors = {}
    for code in served:
        ends = [spans[w][1] + 1 for w in context.serving[code] if w not in free]
        floors[code] = max(0, max(ends, default=0) - (milestones[code].due + 1))
    budgets = {b.project: b.amount for b in problem.budgets}
    sub = PlanningProblem(
        periods=problem.periods,
        resources=tuple(
            Resource(
                r.code,
                r.skills,
                tuple(c - used[r.code, t] for t, c in enumerate(r.capacity)),
                r.rate,
            )
            for r in problem.resources
        ),
        work_packages=tuple(
            dataclasses.replace(
                w,
                predecessors=tuple(p for p in w.predecessors if p in free),
                release=release[w.code],
            )
            for w in problem.work_packages
            if w.code in free
        ),
        milestones=tuple(milestones[code] for code in served),
        budgets=tuple(
            Budget(p, max(0, budgets[p] - fixed_cost[p])) for p in sorted(projects) if p in budgets
        ),
        current=tuple(
            Assignment(
                c.resource,
                c.project,
                c.period,
                max(0, c.units - fixed_staffed[c.resource, c.project, c.period]),
            )
            for c in problem.current
            if c.project in projects
        ),
        granularity=problem.granularity,
    )
    held = _levels(sub, {code: cells[code] for code in free}, floors)
    model = build(sub, windows=windows, kept=False)
    cp = model.cp
    for code, floor in floors.items():
        if floor:
            cp.add(model.lateness[code] >= floor)
    objectives = [model.objectives[name] for name in LEVELS]
    for kept, value in zip(objectives[:level], held[:level], strict=True):
        if not isinstance(kept, int):
            cp.add(kept <= value)
    objective = objectives[level]
    if isinstance(objective, int):
        return None, True
    cp.add(objective <= held[level])
    cp.minimize(objective)
    for (resource, code, skill, t), var in model.x.items():
        cp.add_hint(var, cells[code].get((resource, skill, t), 0))
    for code in free:
        cp.add_hint(model.start[code], spans[code][0])
        cp.add_hint(model.finish[code], spans[code][1])
    solver = cpsat.solver(3 * dtime, seed=context.seed + context.solves,
                          workers=context.workers, interleaved=True)  # fmt: skip
    # The wall clock bounds the search as a whole, not one sub-solve (a loaded machine
    # slows them all): only the search's own end cuts a sub-solve short.
    solver.parameters.max_time_in_seconds = max(0.5, context.wall_end - time.perf_counter())
    status = solver.solve(model.cp)
    context.solves += 1
    context.spent += SOLVE_CHARGE + DTIME_CHARGE * solver.deterministic_time
    context.dtime += solver.deterministic_time
    context.spent += VARIABLE_CHARGE * len(cp.proto.variables)
    if time.perf_counter() >= context.wall_end:
        context.cut_by_wall_clock = True  # the safety net, not the deterministic limit
    proven = status == cp_model.OPTIMAL
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, proven
    if round(solver.objective_value) >= held[level]:
        return None, proven
    changed: dict[str, dict[Cell, int]] = {code: {} for code in free}
    for (resource, code, skill, t), var in model.x.items():
        units = int(solver.value(var))
        if units:
            changed[code][resource, skill, t] = units
    candidate = {**cells, **changed}
    values = _levels(problem, candidate)
    if values[: level + 1] >= plan.values[: level + 1]:
        return None, proven
    context.accepted += 1
    return Plan(candidate, values), proven


# -- choosing neighbourhoods -------------------------------------------------------------


def _grow(
    context: _Context, plan: Plan, core: Iterable[str], size: int, rng: random.Random
) -> set[str]:
    """``core`` and, up to ``size`` packages, others working on the same resources in
    the same periods (the capacity a re-plan of the core can trade)."""
    free = set(core)
    if len(free) >= size:
        return set(sorted(free)[:size]) if len(free) > size else free
    cells = {(r, t) for code in free for (r, _, t) in plan.cells[code]}
    first = min(plan.span(code)[0] for code in free)
    last = max(plan.span(code)[1] for code in free)
    skills = {s for code in free for s in context.packages[code].effort}
    able = {r.code for r in context.problem.resources if r.skills & skills}
    near, around = [], []
    for code, placed in sorted(plan.cells.items()):
        if code in free:
            continue
        if any(key in cells for key in ((r, t) for r, _, t in placed)):
            near.append(code)
        elif any(r in able and first <= t <= last for r, _, t in placed):
            around.append(code)
    rng.shuffle(near)
    rng.shuffle(around)
    for code in near + around:
        if len(free) >= size:
            break
        free.add(code)
    return free


def _around_late(context: _Context, plan: Plan, size: int, rng: random.Random) -> set[str]:
    """A late milestone (drawn by weighted lateness, less often when already tried), its
    work and what it waits for in its project, grown."""
    problem = context.problem
    spans = {code: plan.span(code) for code in plan.cells}
    late = []
    for milestone in problem.milestones:
        end = max((spans[c][1] + 1 for c in context.serving[milestone.code]), default=0)
        weight = milestone.priority * max(0, end - (milestone.due + 1))
        if weight:
            late.append((milestone.code, weight / (1 + context.tries[milestone.code])))
    if not late:
        return _window(context, plan, size, rng)
    code = rng.choices([c for c, _ in late], weights=[w for _, w in late])[0]
    context.tries[code] += 1
    core: set[str] = set()
    stack = list(context.serving[code])
    while stack and len(core) < size // 2:
        item = stack.pop()
        if item not in core:
            core.add(item)
            stack.extend(context.packages[item].predecessors)
    return _grow(context, plan, core, size, rng)


def _around_projects(
    context: _Context, plan: Plan, size: int, rng: random.Random, level: int
) -> set[str]:
    """A project drawn by what it adds to ``level`` (overrun, moves; cost for the last
    level), its packages, grown."""
    problem = context.problem
    by_project: dict[str, list[str]] = defaultdict(list)
    for code in sorted(plan.cells):
        by_project[context.packages[code].project].append(code)
    weights = _project_weights(problem, plan, level)
    names = sorted(p for p in by_project if weights.get(p, 0) > 0)
    if not names:
        return _window(context, plan, size, rng)
    project = rng.choices(names, weights=[weights[p] for p in names])[0]
    return _grow(context, plan, by_project[project][: size // 2], size, rng)


def _project_weights(problem: PlanningProblem, plan: Plan, level: int) -> dict[str, float]:
    """Each project's share of ``level``'s value (overrun, moves, cost)."""
    project_of = {w.code: w.project for w in problem.work_packages}
    rates = {r.code: r.rate for r in problem.resources}
    spent: dict[str, int] = defaultdict(int)
    staffed: dict[tuple[str, str, int], int] = defaultdict(int)
    for code, placed in plan.cells.items():
        for (resource, _, t), units in placed.items():
            spent[project_of[code]] += rates[resource] * units
            staffed[resource, project_of[code], t] += units
    if level == 1:
        return {b.project: max(0, spent[b.project] - b.amount) for b in problem.budgets}
    if level == 2:
        current = {(c.resource, c.project, c.period): c.units for c in problem.current}
        moved: dict[str, float] = defaultdict(float)
        for key in set(staffed) | set(current):
            moved[key[1]] += abs(staffed.get(key, 0) - current.get(key, 0))
        return moved
    return {p: float(v) for p, v in spent.items()}


def _window(context: _Context, plan: Plan, size: int, rng: random.Random) -> set[str]:
    """The packages with work in a skill (drawn by effort) in a few periods."""
    problem = context.problem
    effort: dict[str, int] = defaultdict(int)
    for package in problem.work_packages:
        for skill, units in package.effort.items():
            effort[skill] += units
    skills = sorted(effort)
    skill = rng.choices(skills, weights=[effort[s] for s in skills])[0]
    start = rng.randrange(problem.horizon)
    width = rng.randint(3, 8)
    core = [
        code
        for code, placed in sorted(plan.cells.items())
        if any(s == skill and start <= t < start + width for _, s, t in placed)
    ]
    rng.shuffle(core)
    if not core:
        core = [rng.choice(sorted(plan.cells))]
    return _grow(context, plan, core[: max(1, size // 2)], size, rng)


def _search(
    context: _Context, plan: Plan, bounds: Values, budget: float, deterministic: bool
) -> Plan:
    """Improve ``plan`` level after level within ``budget`` work units (seconds of the
    wall clock unless ``deterministic``)."""
    rng = random.Random(context.seed)
    clock = time.perf_counter

    def used() -> float:
        return context.spent if deterministic else clock()

    began = used()
    for level in range(len(LEVELS)):
        until = began + sum(LEVEL_SHARES[: level + 1]) * budget  # what a level leaves goes on
        size, stale = FIRST_SIZE, 0
        while used() < until and plan.values[level] > bounds[level] and stale < STALE:
            if time.perf_counter() > context.wall_end:
                context.cut_by_wall_clock = True
                return plan
            roll = rng.random()
            if level == 0 and roll < 0.7:
                free = _around_late(context, plan, size, rng)
            elif level > 0 and roll < 0.6:
                free = _around_projects(context, plan, size, rng, level)
            else:
                free = _window(context, plan, size, rng)
            dtime = min(SUB_DTIME, max(0.05, (until - used()) / DTIME_CHARGE))
            better, proven = _neighbourhood(context, plan, free, level, dtime)
            if better is not None:
                plan, stale = better, 0
            else:
                stale += 1
            size = min(LARGEST, size + 4) if proven else max(SMALLEST, size - 4)
    return plan


# -- the whole run -----------------------------------------------------------------------


def solve_large(
    problem: PlanningProblem,
    *,
    time_limit_s: float,
    workers: int,
    seed: int,
    deterministic: bool = True,
    progress: Progress | None = None,
    explain: bool = True,
) -> PlanResult:
    """A complete greedy plan improved by neighbourhoods (see the module's docstring);
    UNKNOWN with no plan when the greedy construction leaves work out. Without
    ``deterministic``, the same search, its budget and the levels' shares measured on
    the wall clock."""
    began = time.perf_counter()
    share = time_limit_s * (0.8 if explain else 1.0)
    if progress is not None:
        progress("greedy", 0.0)
    plan = _constructed(problem)
    if plan is None:
        note = "the greedy construction left work out of the horizon"
        return PlanResult(
            Status.UNKNOWN, (), time.perf_counter() - began, explanation=Explanation(notes=(note,))
        )
    bounds = _bounds(problem)
    context = _Context(
        problem,
        {w.code: w for w in problem.work_packages},
        _following(problem),
        problem.serving(),
        workers,
        seed,
        wall_end=began + share,
    )
    if progress is not None:
        progress("neighbourhoods", time.perf_counter() - began)
    budget = SEARCH_SHARE * share
    constructed = plan.values
    plan = _search(context, plan, bounds, budget, deterministic)
    result = _result(problem, plan, bounds, time.perf_counter() - began)
    notes = [
        f"large problem: greedy plan improved by {context.accepted} of {context.solves}"
        f" neighbourhood solves ({context.spent:.1f} work units, budget {budget:.1f}"
        f" {'work units' if deterministic else 's of wall clock'};"
        f" deterministic time {context.dtime:.1f})",
        "levels (lateness, overrun, reallocation, cost) on the work alone: greedy plan"
        f" {', '.join(map(str, constructed))}; final {', '.join(map(str, plan.values))};"
        " with the current staffing kept: " + ", ".join(str(lv.value) for lv in result.levels),
    ]
    if context.cut_by_wall_clock and deterministic:
        notes.append("the wall clock cut the search short: this run is not reproducible")
    result = dataclasses.replace(
        result, explanation=dataclasses.replace(result.explanation, notes=tuple(notes))
    )
    if not explain:
        return result
    if progress is not None:
        progress("explanation", time.perf_counter() - began)
    left = time_limit_s - share
    if time_limit_s - (time.perf_counter() - began) < left:
        left = max(0.0, time_limit_s - (time.perf_counter() - began))
        notes.append("the explanation had less time than its share: not reproducible")
    deadline = began + time_limit_s

    def capped(seconds: float) -> cp_model.CpSolver:
        """The explanation's solver, cut by the wall clock at the time limit (its
        deterministic limits hold first unless the machine is slow or loaded)."""
        solver = cpsat.solver(seconds, seed=seed, deterministic=deterministic, workers=workers)
        wall = solver.parameters.max_time_in_seconds
        solver.parameters.max_time_in_seconds = max(0.1, min(wall, deadline - time.perf_counter()))
        return solver

    explanation = explain_plan(problem, result, time_limit_s=left, solver=capped)
    if time.perf_counter() >= deadline and not notes[-1].startswith("the explanation"):
        notes.append("the explanation reached the time limit: it may not be reproducible")
    explanation = dataclasses.replace(explanation, notes=(*notes, *explanation.notes))
    return dataclasses.replace(
        result, explanation=explanation, runtime_s=time.perf_counter() - began
    )


def rescue(problem: PlanningProblem, bound: float, runtime: float) -> PlanResult | None:
    """The best complete greedy plan, FEASIBLE, for a whole-model solve whose first level
    found no plan in its time (``bound``: the lateness bound it proved, if finite); None
    when the greedy construction is not complete (or rigid activities are to place)."""
    if problem.activities:
        return None
    plan = _constructed(problem)
    if plan is None:
        return None
    bounds = _bounds(problem)
    if math.isfinite(bound):
        bounds = (max(bounds[0], min(plan.values[0], round(bound))), *bounds[1:])
    result = _result(problem, plan, bounds, runtime)
    note = "the whole model found no plan in its time: the best greedy plan, not improved"
    return dataclasses.replace(
        result, explanation=dataclasses.replace(result.explanation, notes=(note,))
    )


def _constructed(problem: PlanningProblem) -> Plan | None:
    """The best complete greedy plan of the rules of ``planner.warm`` (None: none is)."""
    best: Plan | None = None
    for rule in RULES:
        start = greedy(problem, rule)
        if not start.complete:
            continue
        cells: dict[str, dict[Cell, int]] = defaultdict(dict)
        for (resource, code, skill, t), units in start.units.items():
            if units:
                cells[code][resource, skill, t] = units
        plan = Plan(dict(cells), _levels(problem, cells))
        if best is None or plan.values < best.values:
            best = plan
    return best


def _following(problem: PlanningProblem) -> dict[str, list[str]]:
    following: dict[str, list[str]] = defaultdict(list)
    for package in problem.work_packages:
        for before in package.predecessors:
            following[before].append(package.code)
    return following


def _result(problem: PlanningProblem, plan: Plan, bounds: Values, runtime: float) -> PlanResult:
    """The plan as a result, each level valued on it with its bound (OPTIMAL where the
    bound is reached)."""
    allocations = tuple(
        Allocation(resource, code, skill, t, units)
        for (resource, code, skill, t), units in sorted(
            ((r, code, s, t), units)
            for code, placed in plan.cells.items()
            for (r, s, t), units in placed.items()
        )
    )
    placements = tuple(Placement(w.code, *plan.span(w.code)) for w in problem.work_packages)
    outcomes = _outcomes(problem, placements)
    levels = tuple(
        Level(name, value, bound, Status.OPTIMAL if value == bound else Status.FEASIBLE)
        for name, value, bound in zip(LEVELS, plan.values, bounds, strict=True)
    )
    status = (
        Status.OPTIMAL if all(lv.status is Status.OPTIMAL for lv in levels) else Status.FEASIBLE
    )
    kept = keep_current(problem, allocations)
    result = PlanResult(
        status=status,
        levels=levels,
        runtime_s=runtime,
        allocations=allocations,
        placements=placements,
        milestones=tuple(outcomes),
        changes=_changes(problem, allocations, kept),
        costs=_costs(problem, allocations, kept),
        explanation=Explanation(late=tuple(o for o in outcomes if not o.holds)),
        kept=kept,
    )
    # The search valued reallocation and cost on the work alone: the levels are valued
    # again with the staffing kept (less reallocation, more cost), optimal only where
    # that value reaches its bound.
    valued = tuple(
        dataclasses.replace(lv, status=Status.OPTIMAL if lv.value == lv.bound else Status.FEASIBLE)
        for lv in _valued(result)
    )
    overall = (
        Status.OPTIMAL if all(lv.status is Status.OPTIMAL for lv in valued) else Status.FEASIBLE
    )
    return dataclasses.replace(result, levels=valued, status=overall)
