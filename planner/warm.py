"""A greedy plan to start the search from.

Work packages are taken in precedence order, the one serving the most urgent milestone
first (due period, then priority); each is placed as early as its release and
predecessors allow, period after period, on the resources with the skill, those
already staffed on its project first, within what is left of their capacity and the
package's intensity. Rigid activities are not placed (the solver places them).

The greedy plan is only a hint: it is complete when every package fits in the horizon,
and then the solver starts from a whole feasible plan of work packages instead of
searching for a first one; when it is not, the solver ignores what does not fit.

When a pass leaves packages out (urgent work took the capacity a late-released chain
needed before the horizon's end), the pass is repeated with those packages and all they
wait for placed first among what is ready, up to ``RETRIES`` times, and the first
complete pass is kept (the first pass when none is). A complete first pass is returned
as it is.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field

from planner.problem import PlanningProblem, WorkPackage, least_duration

Key = tuple[str, str, str, int]  # resource, work package, skill, period
RETRIES = 8  # passes after the first, each placing first what the previous one left out
RULES = ("due", "slack", "release")


@dataclass
class Greedy:
    """Units per (resource, package, skill, period), and each package's first and last
    period; ``complete`` when every package found room within the horizon."""

    units: dict[Key, int] = field(default_factory=dict)
    start: dict[str, int] = field(default_factory=dict)
    finish: dict[str, int] = field(default_factory=dict)
    complete: bool = True


def greedy(
    problem: PlanningProblem, rule: str = "due", *, open_periods: tuple[int, ...] | None = None
) -> Greedy:
    """Place the work packages greedily (see the module's docstring). ``rule`` says
    which ready package goes first: ``"due"`` the one leading to the earliest due
    milestone (then the highest priority); ``"slack"`` the one that must end the
    earliest for the milestones it leads to to hold, its successors' least durations
    counted (then the highest priority); ``"release"`` the earliest released.

    With ``open_periods``, nobody moves: in every period but those listed, a resource works on a
    project at most the units it is staffed there now (the status quo)."""
    if rule not in RULES:
        raise ValueError(f"unknown greedy rule {rule!r}: one of {', '.join(RULES)}")
    first = plan = _pass(problem, set(), rule, open_periods)
    boosted: set[str] = set()
    packages = {w.code: w for w in problem.work_packages}
    for _ in range(RETRIES):
        if plan.complete:
            return plan
        left_out = {code for code in packages if code not in plan.finish}
        if not left_out or problem.activities:
            break  # incomplete for the activities' sake: no pass places them
        stack = list(left_out)
        while stack:  # they and everything they wait for go first
            code = stack.pop()
            if code in packages and code not in boosted:
                boosted.add(code)
                stack.extend(packages[code].predecessors)
        plan = _pass(problem, boosted, rule, open_periods)
    return plan if plan.complete else first


def _pass(
    problem: PlanningProblem, boosted: set[str], rule: str, open_periods: tuple[int, ...] | None
) -> Greedy:
    """One greedy pass, the ``boosted`` packages first among those ready."""
    plan = Greedy()
    left = {r.code: list(r.capacity) for r in problem.resources}
    limits: dict[tuple[str, str, int], int] | None = None
    if open_periods is not None:
        limits = defaultdict(int)
        for line in problem.current:
            if line.period not in open_periods:
                limits[line.resource, line.project, line.period] += line.units
        for resource in problem.resources:
            for t in open_periods:
                for project in problem.projects():
                    limits[resource.code, project, t] = resource.capacity[t]
    for activity in problem.activities:
        if activity.demand:
            plan.complete = False  # the activities' room is the solver's business
    staffed: dict[tuple[str, int], set[str]] = defaultdict(set)
    for line in problem.current:
        if line.units:
            staffed[line.project, line.period].add(line.resource)
    for package in _order(problem, boosted, rule):
        if any(p not in plan.finish for p in package.predecessors):
            plan.complete = False  # a predecessor found no room, or is an activity
            continue
        earliest = max([package.release, *(plan.finish[p] + 1 for p in package.predecessors)])
        if not _place(problem, package, earliest, left, staffed, plan, limits):
            plan.complete = False
    return plan


def _order(problem: PlanningProblem, boosted: set[str], rule: str) -> list[WorkPackage]:
    """Precedence order, the most urgent by ``rule`` first among what is ready (boosted
    ones before any other)."""
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
        last, priority = urgency.get(code, (0, 0))
        if rule == "slack":  # it must end before its successor's least duration
            last -= least_duration(packages[code]) if code in packages else 0
        for p in waiting.get(code, ()):
            urgency[p] = min(urgency[p], (last, priority))
    if rule == "release":
        urgency = {code: (w.release, 0) for code, w in packages.items()}
    for code in boosted:
        urgency[code] = (-1, urgency[code][1])
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
