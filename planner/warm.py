"""A greedy plan to start the search from.

Work packages are taken in precedence order, the one serving the most urgent milestone
first (due period, then priority); each is placed as early as its release and
predecessors allow, period after period, on the resources with the skill, those
already staffed on its project first, within what is left of their capacity and the
package's intensity. Rigid activities are not placed (the solver places them).

The greedy plan is only a hint: it is complete when every package fits in the horizon,
and then the solver starts from a whole feasible plan of work packages instead of
searching for a first one; when it is not, the solver ignores what does not fit.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field

from planner.problem import PlanningProblem, WorkPackage

Key = tuple[str, str, str, int]  # resource, work package, skill, period


@dataclass
class Greedy:
    """Units per (resource, package, skill, period), and each package's first and last
    period; ``complete`` when every package found room within the horizon."""

    units: dict[Key, int] = field(default_factory=dict)
    start: dict[str, int] = field(default_factory=dict)
    finish: dict[str, int] = field(default_factory=dict)
    complete: bool = True


def greedy(problem: PlanningProblem, *, held: tuple[int, ...] | None = None) -> Greedy:
    """Place the work packages greedily (see the module's docstring).

    With ``held``, nobody moves: in every period but those listed, a resource works on a
    project at most the units it is staffed there now (the status quo)."""
    plan = Greedy()
    left = {r.code: list(r.capacity) for r in problem.resources}
    limits: dict[tuple[str, str, int], int] | None = None
    if held is not None:
        limits = defaultdict(int)
        for line in problem.current:
            if line.period not in held:
                limits[line.resource, line.project, line.period] += line.units
        for resource in problem.resources:
            for t in held:
                for project in problem.projects():
                    limits[resource.code, project, t] = resource.capacity[t]
    for activity in problem.activities:
        if activity.demand:
            plan.complete = False  # the activities' room is the solver's business
    staffed: dict[tuple[str, int], set[str]] = defaultdict(set)
    for line in problem.current:
        if line.units:
            staffed[line.project, line.period].add(line.resource)
    for package in _order(problem):
        if any(p not in plan.finish for p in package.predecessors):
            plan.complete = False  # a predecessor found no room, or is an activity
            continue
        earliest = max([package.release, *(plan.finish[p] + 1 for p in package.predecessors)])
        if not _place(problem, package, earliest, left, staffed, plan, limits):
            plan.complete = False
    return plan


def _order(problem: PlanningProblem) -> list[WorkPackage]:
    """Precedence order, the most urgent first among what is ready."""
    due = {m.code: (m.due, -m.priority) for m in problem.milestones}
    packages = {w.code: w for w in problem.work_packages}
    waiting = {code: {p for p in w.predecessors if p in packages} for code, w in packages.items()}
    followers: dict[str, list[str]] = defaultdict(list)
    for code, before in waiting.items():
        for p in before:
            followers[p].append(code)
    # A package inherits the urgency of the most urgent milestone it leads to.
    urgency = {
        code: due.get(w.milestone, (problem.horizon, 0)) if w.milestone else (problem.horizon, 0)
        for code, w in packages.items()
    }
    for code in reversed(problem.in_precedence_order()):
        for p in waiting.get(code, ()):
            urgency[p] = min(urgency[p], urgency[code])
    ready = [(urgency[c], c) for c, before in waiting.items() if not before]
    heapq.heapify(ready)
    ordered = []
    blocking = {c: len(before) for c, before in waiting.items()}
    while ready:
        _, code = heapq.heappop(ready)
        ordered.append(packages[code])
        for nxt in followers[code]:
            blocking[nxt] -= 1
            if blocking[nxt] == 0:
                heapq.heappush(ready, (urgency[nxt], nxt))
    return ordered


def _place(
    problem: PlanningProblem,
    package: WorkPackage,
    earliest: int,
    left: dict[str, list[int]],
    staffed: dict[tuple[str, int], set[str]],
    plan: Greedy,
    limits: dict[tuple[str, str, int], int] | None = None,
) -> bool:
    remaining = {s: u for s, u in package.effort.items() if u}
    first = last = None
    for t in range(earliest, problem.horizon):
        room = package.max_per_period or sum(remaining.values())
        for skill in sorted(remaining):
            able = [r for r in problem.resources if skill in r.skills and left[r.code][t] > 0]
            on_project = staffed.get((package.project, t), set())
            able.sort(key=lambda r: (r.code not in on_project, -left[r.code][t], r.code))
            for resource in able:
                take = min(remaining[skill], left[resource.code][t], room)
                if limits is not None:
                    take = min(take, limits[resource.code, package.project, t])
                if take <= 0:
                    continue
                if limits is not None:
                    limits[resource.code, package.project, t] -= take
                key = (resource.code, package.code, skill, t)
                plan.units[key] = plan.units.get(key, 0) + take
                left[resource.code][t] -= take
                remaining[skill] -= take
                room -= take
                first = t if first is None else first
                last = t
        remaining = {s: u for s, u in remaining.items() if u}
        if not remaining:
            break
    if first is None or last is None or remaining:
        return False
    plan.start[package.code], plan.finish[package.code] = first, last
    return True
