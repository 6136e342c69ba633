"""The CP-SAT model of a planning problem, one function per constraint family.

Variables (named after their entities):

- ``x[r, w, s, t]``: units resource ``r`` gives to skill ``s`` of work package ``w`` in
  period ``t`` (only where ``r`` has ``s`` and ``t`` is at or after ``w``'s release);
- ``start[w]``, ``finish[w]`` (inclusive periods) and ``active[w, t]`` for work packages:
  a package works only in periods where it is active, and is active only between its
  start and finish;
- ``begin[a]`` for rigid activities, with an interval of their duration.

Precedence is at period granularity: a successor starts at the earliest in the period
after its predecessor's last. Objectives (see ``planner.solve``): milestone lateness
weighted by priority, budget overrun, reallocation against the current staffing, cost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.problem import PlanningProblem, RigidActivity, WorkPackage

Expr = cp_model.LinearExprT
Key = tuple[str, str, str, int]  # resource, work package, skill, period


@dataclass
class Model:
    """The CP-SAT model and the variables the result is read from."""

    problem: PlanningProblem
    cp: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: dict[Key, cp_model.IntVar] = field(default_factory=dict)
    start: dict[str, cp_model.IntVar] = field(default_factory=dict)
    finish: dict[str, cp_model.IntVar] = field(default_factory=dict)
    begin: dict[str, cp_model.IntVar] = field(default_factory=dict)
    occupies: dict[str, dict[int, cp_model.IntVar]] = field(default_factory=dict)
    duration: dict[str, int] = field(default_factory=dict)
    lateness: dict[str, cp_model.IntVar] = field(default_factory=dict)
    staffing: dict[tuple[str, str, int], list[cp_model.IntVar]] = field(default_factory=dict)
    objectives: dict[str, Expr] = field(default_factory=dict)

    def first(self, code: str) -> Expr:
        """The first period of a work package or activity."""
        return self.start[code] if code in self.start else self.begin[code]

    def end(self, code: str) -> Expr:
        """The period after the last one of a work package or activity."""
        if code in self.finish:
            return self.finish[code] + 1
        return self.begin[code] + self.duration[code]


def build(problem: PlanningProblem) -> Model:
    """The whole model of ``problem``."""
    model = Model(problem)
    for package in problem.work_packages:
        _work_package(model, package)
    for activity in problem.activities:
        _activity(model, activity)
    _capacity(model)
    _precedence(model)
    _milestones(model)
    _objectives(model)
    return model


def _work_package(model: Model, package: WorkPackage) -> None:
    """Effort placed per skill by eligible resources, between start and finish."""
    problem, cp = model.problem, model.cp
    horizon, code = problem.horizon, package.code
    start = cp.new_int_var(package.release, horizon - 1, f"start[{code}]")
    finish = cp.new_int_var(package.release, horizon - 1, f"finish[{code}]")
    cp.add(start <= finish)
    model.start[code], model.finish[code] = start, finish
    ceiling = package.max_per_period or sum(package.effort.values())
    placed: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for t in range(package.release, horizon):
        active = cp.new_bool_var(f"active[{code},{t}]")
        cp.add(start <= t).only_enforce_if(active)
        cp.add(finish >= t).only_enforce_if(active)
        in_period: list[cp_model.IntVar] = []
        for skill, units in package.effort.items():
            if not units:
                continue
            for resource in problem.resources:
                if skill not in resource.skills or resource.capacity[t] == 0:
                    continue
                most = min(resource.capacity[t], units, ceiling)
                var = cp.new_int_var(0, most, f"x[{resource.code},{code},{skill},{t}]")
                model.x[resource.code, code, skill, t] = var
                in_period.append(var)
                placed[skill].append(var)
        cp.add(sum(in_period) <= ceiling * active)
    for skill, units in package.effort.items():
        cp.add(sum(placed[skill]) == units)


def _activity(model: Model, activity: RigidActivity) -> None:
    """A fixed-length block: its start, and where it uses capacity shared with work
    packages, one boolean per period it may occupy."""
    cp, horizon, code = model.cp, model.problem.horizon, activity.code
    latest = horizon - activity.duration
    if latest < activity.release:
        latest = activity.release  # it cannot fit: the capacity will refuse it
    model.begin[code] = cp.new_int_var(activity.release, latest, f"begin[{code}]")
    model.duration[code] = activity.duration


def _capacity(model: Model) -> None:
    """Per resource and period: work packages' units plus rigid demands within capacity."""
    problem, cp = model.problem, model.cp
    by_period: dict[tuple[str, int], list[Expr]] = defaultdict(list)
    for (code, _, _, t), var in model.x.items():
        by_period[code, t].append(var)
    shared = {code for code, _ in by_period}
    for resource in problem.resources:
        code = resource.code
        users = [a for a in problem.activities if a.demand.get(code, 0) and a.duration]
        if users:
            _cumulative(model, code, resource.capacity, users)
        if code in shared:
            for activity in users:
                for t, occupied in _occupation(model, activity).items():
                    by_period[code, t].append(activity.demand[code] * occupied)
    capacities = {r.code: r.capacity for r in problem.resources}
    for (code, t), terms in by_period.items():
        cp.add(sum(terms) <= capacities[code][t])


def _cumulative(
    model: Model, resource: str, capacity: tuple[int, ...], users: list[RigidActivity]
) -> None:
    """The rigid activities on one resource never exceed its capacity (a cumulative
    constraint; periods of lower capacity are filled by fixed blocks)."""
    cp, top = model.cp, max(capacity)
    intervals, demands = [], []
    for activity in users:
        intervals.append(
            cp.new_fixed_size_interval_var(
                model.begin[activity.code], activity.duration, f"on[{activity.code},{resource}]"
            )
        )
        demands.append(activity.demand[resource])
    for t, units in enumerate(capacity):
        if units < top:
            intervals.append(cp.new_fixed_size_interval_var(t, 1, f"closed[{resource},{t}]"))
            demands.append(top - units)
    cp.add_cumulative(intervals, demands, top)


def _occupation(model: Model, activity: RigidActivity) -> dict[int, cp_model.IntVar]:
    """Booleans: the activity occupies period t (made once, shared by resources)."""
    cp, horizon, code = model.cp, model.problem.horizon, activity.code
    if code in model.occupies:
        return model.occupies[code]
    begin = model.begin[code]
    starts = []
    for t0 in range(activity.release, max(activity.release, horizon - activity.duration) + 1):
        at = cp.new_bool_var(f"begins[{code},{t0}]")
        cp.add(begin == t0).only_enforce_if(at)
        starts.append((t0, at))
    cp.add_exactly_one(at for _, at in starts)
    occupied: dict[int, cp_model.IntVar] = {}
    for t in range(horizon):
        covering = [at for t0, at in starts if t0 <= t < t0 + activity.duration]
        if covering:
            occupied[t] = cp.new_bool_var(f"occupies[{code},{t}]")
            cp.add(occupied[t] == sum(covering))
    model.occupies[code] = occupied
    return occupied


def _precedence(model: Model) -> None:
    """A successor starts after its predecessors' last period."""
    problem = model.problem
    for item in problem.work():
        for before in item.predecessors:
            model.cp.add(model.first(item.code) >= model.end(before))


def _milestones(model: Model) -> None:
    """Lateness of each milestone: periods its work ends after the end of its due one."""
    problem, cp = model.problem, model.cp
    serving = problem.serving()
    for milestone in problem.milestones:
        late = cp.new_int_var(0, problem.horizon + 1, f"lateness[{milestone.code}]")
        for code in serving[milestone.code]:
            cp.add(late >= model.end(code) - (milestone.due + 1))
        model.lateness[milestone.code] = late


def _objectives(model: Model) -> None:
    """The four levels: lateness, budget overrun, reallocation, cost."""
    problem, cp = model.problem, model.cp
    rates = {r.code: r.rate for r in problem.resources}
    project_of = {w.code: w.project for w in problem.work_packages}
    cost: dict[str, list[Expr]] = defaultdict(list)
    for (resource, package, _, t), var in model.x.items():
        cost[project_of[package]].append(rates[resource] * var)
        model.staffing.setdefault((resource, project_of[package], t), []).append(var)
    for activity in problem.activities:
        fixed = sum(rates[r] * units * activity.duration for r, units in activity.demand.items())
        cost[activity.project].append(fixed)
    overruns: list[Expr] = []
    for budget in problem.budgets:
        spend = sum(cost.get(budget.project, []))
        over = cp.new_int_var(0, _bound(problem), f"overrun[{budget.project}]")
        cp.add(over >= spend - budget.amount)
        overruns.append(over)
    moves: list[Expr] = []
    current = {(c.resource, c.project, c.period): c.units for c in problem.current}
    for key in sorted(set(model.staffing) | set(current)):
        before = current.get(key, 0)
        if key not in model.staffing:
            moves.append(before)  # staffing the plan cannot keep (no work there)
            continue
        planned = sum(model.staffing[key])
        gap = cp.new_int_var(0, _bound(problem), f"moved[{key[0]},{key[1]},{key[2]}]")
        cp.add(gap >= planned - before)
        cp.add(gap >= before - planned)
        moves.append(gap)
    weights = {m.code: m.priority for m in problem.milestones}
    model.objectives = {
        "lateness": sum(weights[code] * late for code, late in model.lateness.items()),
        "overrun": sum(overruns),
        "reallocation": sum(moves),
        "cost": sum(sum(terms) for terms in cost.values()),
    }


def _bound(problem: PlanningProblem) -> int:
    """A safe upper bound for money and unit sums."""
    units = sum(sum(r.capacity) for r in problem.resources)
    rate = max((r.rate for r in problem.resources), default=0)
    fixed = sum(sum(a.demand.values()) * a.duration for a in problem.activities)
    return max(1, (units + fixed) * max(rate, 1) + sum(b.amount for b in problem.budgets))
