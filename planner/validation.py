"""Check any plan against its problem, without the solver.

``violations(problem, result)`` recomputes everything a :class:`PlanResult` claims from
its allocations, kept staffing and placements alone: capacity per resource and period
(work packages, kept staffing and rigid activities together), kept staffing within the
current staffing, effort completed per skill, intensity, releases,
precedence, where each piece of work lies, milestone finish and lateness, cost and
overrun per project, the changes against the current staffing, and the value of each
objective level. An empty list means the plan is sound.
"""

from __future__ import annotations

from collections import defaultdict

from planner.problem import PlanningProblem
from planner.result import PlanResult

Totals = dict[tuple[str, ...], int]


class InvalidPlan(AssertionError):
    """A plan that breaks its problem's rules or misreports itself."""


def check(problem: PlanningProblem, result: PlanResult) -> None:
    """Raise :class:`InvalidPlan` listing every violation, if there is one."""
    found = violations(problem, result)
    if found:
        raise InvalidPlan("; ".join(found))


def violations(problem: PlanningProblem, result: PlanResult) -> list[str]:
    """Every way ``result`` breaks ``problem`` or misreports itself."""
    if not result.has_plan:
        listed = result.allocations or result.kept
        return ["a run without a plan lists allocations or kept staffing"] if listed else []
    found = _allocations(problem, result)
    found += _placements(problem, result)
    found += _kept(problem, result)
    found += _capacity(problem, result)
    found += _precedence(problem, result)
    found += _milestones(problem, result)
    found += _money_and_moves(problem, result)
    return found


def _allocations(problem: PlanningProblem, result: PlanResult) -> list[str]:
    resources = {r.code: r for r in problem.resources}
    packages = {w.code: w for w in problem.work_packages}
    found: list[str] = []
    done: Totals = defaultdict(int)
    per_period: Totals = defaultdict(int)
    for a in result.allocations:
        resource, package = resources.get(a.resource), packages.get(a.work_package)
        if resource is None or package is None:
            found.append(f"allocation to unknown {a.resource} or {a.work_package}")
            continue
        if a.skill not in resource.skills:
            found.append(f"{a.resource} lacks {a.skill} for {a.work_package}")
        if not package.release <= a.period < problem.horizon or a.units <= 0:
            found.append(f"{a.work_package}: {a.units} units in period {a.period}")
        done[a.work_package, a.skill] += a.units
        per_period[a.work_package, str(a.period)] += a.units
    for package in problem.work_packages:
        for skill, units in package.effort.items():
            if done[package.code, skill] != units:
                found.append(
                    f"{package.code} gets {done[package.code, skill]} of {units} units of {skill}"
                )
    for (code, period), units in per_period.items():
        ceiling = packages[code].max_per_period
        if ceiling is not None and units > ceiling:
            found.append(f"{code} gets {units} units in period {period}, over {ceiling}")
    return found


def _placements(problem: PlanningProblem, result: PlanResult) -> list[str]:
    found: list[str] = []
    placed = {p.code: p for p in result.placements}
    periods: dict[str, list[int]] = defaultdict(list)
    for a in result.allocations:
        periods[a.work_package].append(a.period)
    for package in problem.work_packages:
        p = placed.get(package.code)
        used = periods[package.code]
        if p is None or not used or (p.start, p.finish) != (min(used), max(used)):
            found.append(f"{package.code} is not placed where its allocations are")
    for activity in problem.activities:
        p = placed.get(activity.code)
        if p is None or p.finish != p.start + activity.duration - 1:
            found.append(f"activity {activity.code} is not placed for its duration")
        elif p.start < activity.release or p.start + activity.duration > problem.horizon:
            found.append(f"activity {activity.code} lies outside its window")
    return found


def _kept(problem: PlanningProblem, result: PlanResult) -> list[str]:
    current: Totals = defaultdict(int)
    for line in problem.current:
        current[line.resource, line.project, str(line.period)] += line.units
    kept: Totals = defaultdict(int)
    found = []
    for k in result.kept:
        kept[k.resource, k.project, str(k.period)] += k.units
        if k.units <= 0:
            found.append(f"{k.resource} keeps {k.units} units on {k.project} in period {k.period}")
    return found + [
        f"{r} keeps {units} units on {p} in period {t}, staffed {current[r, p, t]} there now"
        for (r, p, t), units in sorted(kept.items())
        if units > current[r, p, t]
    ]


def _capacity(problem: PlanningProblem, result: PlanResult) -> list[str]:
    used: Totals = defaultdict(int)
    for a in result.allocations:
        used[a.resource, str(a.period)] += a.units
    for k in result.kept:
        used[k.resource, str(k.period)] += k.units
    placed = {p.code: p for p in result.placements}
    for activity in problem.activities:
        p = placed.get(activity.code)
        if p is None:
            continue
        for resource, units in activity.demand.items():
            for t in range(p.start, p.start + activity.duration):
                used[resource, str(t)] += units
    capacities = {r.code: r.capacity for r in problem.resources}
    return [
        f"{resource} is given {units} units in period {t}, over its {capacities[resource][int(t)]}"
        for (resource, t), units in sorted(used.items())
        if int(t) >= problem.horizon or units > capacities[resource][int(t)]
    ]


def _precedence(problem: PlanningProblem, result: PlanResult) -> list[str]:
    placed = {p.code: p for p in result.placements}
    found = []
    for item in problem.work():
        for before in item.predecessors:
            known = item.code in placed and before in placed
            if known and placed[item.code].start <= placed[before].finish:
                found.append(f"{item.code} starts before {before} is over")
    return found


def _milestones(problem: PlanningProblem, result: PlanResult) -> list[str]:
    ends = {p.code: p.finish + 1 for p in result.placements}
    claimed = {m.code: m for m in result.milestones}
    found = []
    weighted = 0
    serving = problem.serving()
    for milestone in problem.milestones:
        end = max((ends.get(code, 0) for code in serving[milestone.code]), default=0)
        lateness = max(0, end - (milestone.due + 1))
        weighted += milestone.priority * lateness
        told = claimed.get(milestone.code)
        if told is None or (told.finish, told.lateness) != (end - 1, lateness):
            found.append(f"milestone {milestone.code} ends in period {end - 1}, {lateness} late")
    level = result.level("lateness")
    if level is not None and level.value != weighted:
        found.append(f"the lateness level says {level.value}, the plan gives {weighted}")
    return found


def _money_and_moves(problem: PlanningProblem, result: PlanResult) -> list[str]:
    rates = {r.code: r.rate for r in problem.resources}
    project_of = {w.code: w.project for w in problem.work_packages}
    spent: dict[str, int] = defaultdict(int)
    staffed: dict[tuple[str, str, int], int] = defaultdict(int)
    for a in result.allocations:
        spent[project_of.get(a.work_package, "?")] += rates.get(a.resource, 0) * a.units
        staffed[a.resource, project_of.get(a.work_package, "?"), a.period] += a.units
    for k in result.kept:
        spent[k.project] += rates.get(k.resource, 0) * k.units
        staffed[k.resource, k.project, k.period] += k.units
    for activity in problem.activities:
        for resource, units in activity.demand.items():
            spent[activity.project] += rates[resource] * units * activity.duration
    budgets = {b.project: b.amount for b in problem.budgets}
    found = []
    overrun = 0
    for cost in result.costs:
        over = max(0, spent[cost.project] - budgets.get(cost.project, spent[cost.project]))
        overrun += over
        truth = (spent[cost.project], budgets.get(cost.project), over)
        if (cost.cost, cost.budget, cost.overrun) != truth:
            found.append(f"project {cost.project} costs {spent[cost.project]}, overrun {over}")
    before = {(c.resource, c.project, c.period): c.units for c in problem.current}
    moved = sum(abs(staffed[k] - before.get(k, 0)) for k in set(staffed) | set(before))
    changes = {(c.resource, c.project, c.period): (c.before, c.after) for c in result.changes}
    expected = {
        k: (before.get(k, 0), staffed[k])
        for k in set(staffed) | set(before)
        if before.get(k, 0) != staffed[k]
    }
    if changes != expected:
        found.append("the changes listed are not those between the current staffing and the plan")
    for name, value in (("overrun", overrun), ("reallocation", moved),
                        ("cost", sum(spent.values()))):  # fmt: skip
        level = result.level(name)
        if level is not None and level.value != value:
            found.append(f"the {name} level says {level.value}, the plan gives {value}")
    return found
