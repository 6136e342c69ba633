"""The CP-SAT model of a planning problem, one function per constraint family.

Variables (named after their entities):

- ``x[r, w, s, t]``: units resource ``r`` gives to skill ``s`` of work package ``w`` in
  period ``t`` (only where ``r`` has ``s`` and capacity in ``t``, and ``t`` lies in
  ``w``'s window, see below);
- ``start[w]``, ``finish[w]`` (inclusive periods) and ``active[w, t]`` for work packages:
  a package works only in periods where it is active, and is active only between its
  start and finish;
- ``begin[a]`` for rigid activities, with an interval of their duration;
- ``kept[r, p, t]``: units of the current staffing of ``r`` on project ``p`` in period
  ``t`` that the plan keeps beyond the work it models (at most what is staffed now).
  A project's staffing is rarely all milestone work: run activities, support, work not
  broken down yet. Kept units use capacity and cost money like any other; without them
  every unit staffed now that the plan's work packages do not need would count as a
  reallocation, and the plan would propose to free people from work it does not see.

Precedence is at period granularity: a successor starts at the earliest in the period
after its predecessor's last. Objectives (see ``planner.solve``): milestone lateness
weighted by priority, budget overrun, reallocation against the current staffing, cost.

A work package's *window* is the periods any feasible plan can give it work in: from
its earliest start (its release, after its predecessors' earliest ends) to its latest
finish (the horizon's end, before its successors' latest starts), where every work
package lasts at least one period and at least ``ceil(effort / max_per_period)``, and a
rigid activity its duration. Both bounds follow from constraints of the model itself
(horizon, releases, precedence, intensity), so the window removes no feasible plan; it
only spares the variables (``x``, ``active``) of periods no plan can use, which is most
of the model of a large portfolio. A problem with an empty window is infeasible, and
that package keeps its whole horizon (the precedence constraints refuse it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.problem import PlanningProblem, RigidActivity, WorkPackage, least_duration

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
    kept: dict[tuple[str, str, int], cp_model.IntVar] = field(default_factory=dict)
    moved: dict[tuple[str, str, int], cp_model.IntVar] = field(default_factory=dict)
    active: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)
    overrun: dict[str, cp_model.IntVar] = field(default_factory=dict)
    staffing: dict[tuple[str, str, int], list[cp_model.IntVar]] = field(default_factory=dict)
    objectives: dict[str, Expr] = field(default_factory=dict)
    window: dict[str, tuple[int, int]] = field(default_factory=dict)

    def first(self, code: str) -> Expr:
        """The first period of a work package or activity."""
        return self.start[code] if code in self.start else self.begin[code]

    def end(self, code: str) -> Expr:
        """The period after the last one of a work package or activity."""
        if code in self.finish:
            return self.finish[code] + 1
        return self.begin[code] + self.duration[code]


def build(
    problem: PlanningProblem,
    *,
    windows: Mapping[str, tuple[int, int]] | None = None,
    kept: bool = True,
) -> Model:
    """The whole model of ``problem``; ``windows`` (every work package's, each within
    the one the module's docstring describes) narrows where packages may work; without
    ``kept``, no kept staffing (``planner.large``'s neighbourhoods value reallocation on
    the work alone and keep the current staffing once the plan is final)."""
    model = Model(problem)
    if windows is not None:  # a caller knowing more (planner.large: its neighbours fixed)
        model.window = dict(windows)
    for package in problem.work_packages:
        _work_package(model, package)
    for activity in problem.activities:
        _activity(model, activity)
    if kept:
        _kept(model)
    _capacity(model)
    _precedence(model)
    _milestones(model)
    _objectives(model)
    return model


def _work_package(model: Model, package: WorkPackage) -> None:
    """Effort placed per skill by eligible resources, between start and finish, within
    the package's window."""
    problem, cp = model.problem, model.cp
    if not model.window:
        model.window = _windows(problem)
    code = package.code
    first, last = model.window[code]
    start = cp.new_int_var(first, last, f"start[{code}]")
    finish = cp.new_int_var(first, last, f"finish[{code}]")
    cp.add(start <= finish)
    model.start[code], model.finish[code] = start, finish
    ceiling = package.max_per_period or sum(package.effort.values())
    needed = [(skill, units) for skill, units in package.effort.items() if units]
    holders = {s: [r for r in problem.resources if s in r.skills] for s, _ in needed}
    placed: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for t in range(first, last + 1):
        in_period: list[cp_model.IntVar] = []
        for skill, units in needed:
            for resource in holders[skill]:
                if resource.capacity[t] == 0:
                    continue
                most = min(resource.capacity[t], units, ceiling)
                var = cp.new_int_var(0, most, f"x[{resource.code},{code},{skill},{t}]")
                model.x[resource.code, code, skill, t] = var
                in_period.append(var)
                placed[skill].append(var)
        if not in_period:
            continue  # nobody can work on it then: no need to say when it is active
        active = cp.new_bool_var(f"active[{code},{t}]")
        model.active[code, t] = active
        cp.add(start <= t).only_enforce_if(active)
        cp.add(finish >= t).only_enforce_if(active)
        cp.add(cp_model.LinearExpr.sum(in_period) <= ceiling * active)
    for skill, units in needed:
        cp.add(cp_model.LinearExpr.sum(placed[skill]) == units)  # no variable: infeasible


def _windows(problem: PlanningProblem) -> dict[str, tuple[int, int]]:
    """Each work package's window: its earliest start and latest finish in any feasible
    plan (see the module's docstring); the whole horizon from its release if empty."""
    horizon = problem.horizon
    items = {item.code: item for item in problem.work()}
    length = {item.code: least_duration(item) for item in problem.work()}
    following: dict[str, set[str]] = defaultdict(set)
    for item in problem.work():
        for before in item.predecessors:
            following[before].add(item.code)
    order = problem.in_precedence_order()
    earliest: dict[str, int] = {}  # first period
    for code in order:
        ends = [earliest[p] + length[p] for p in items[code].predecessors]
        earliest[code] = max([items[code].release, *ends])
    latest_end: dict[str, int] = {}  # the period after the last one
    latest_first: dict[str, int] = {}
    for code in reversed(order):
        item = items[code]
        if isinstance(item, WorkPackage):
            end = horizon
        else:  # the model's own domain of its begin
            end = max(item.release, horizon - item.duration) + item.duration
        end = min([end, *(latest_first[after] for after in following[code])])
        latest_end[code] = end
        latest_first[code] = end - length[code]
    windows = {}
    for package in problem.work_packages:
        first, last = earliest[package.code], latest_end[package.code] - 1
        if first + length[package.code] - 1 > last:
            first, last = package.release, horizon - 1  # infeasible anyway
        windows[package.code] = (first, last)
    return windows


def _activity(model: Model, activity: RigidActivity) -> None:
    """A fixed-length block: its start, and where it uses capacity shared with work
    packages, one boolean per period it may occupy."""
    cp, horizon, code = model.cp, model.problem.horizon, activity.code
    latest = horizon - activity.duration
    if latest < activity.release:
        latest = activity.release  # it cannot fit: the capacity will refuse it
    model.begin[code] = cp.new_int_var(activity.release, latest, f"begin[{code}]")
    model.duration[code] = activity.duration


def _kept(model: Model) -> None:
    """One variable per line of the current staffing: the units the plan keeps there
    beyond its modelled work (at most those staffed now, at most the capacity)."""
    capacities = {r.code: r.capacity for r in model.problem.resources}
    for line in model.problem.current:
        most = min(line.units, capacities[line.resource][line.period])
        key = (line.resource, line.project, line.period)
        if most > 0 and key not in model.kept:
            name = f"kept[{line.resource},{line.project},{line.period}]"
            model.kept[key] = model.cp.new_int_var(0, most, name)


def _capacity(model: Model) -> None:
    """Per resource and period: work packages' units, kept staffing and rigid demands
    within capacity."""
    problem, cp = model.problem, model.cp
    by_period: dict[tuple[str, int], list[Expr]] = defaultdict(list)
    for (code, _, _, t), var in model.x.items():
        by_period[code, t].append(var)
    for (code, _, t), var in model.kept.items():
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
        cp.add(cp_model.LinearExpr.sum(terms) <= capacities[code][t])


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
    capacities = {r.code: r.capacity for r in problem.resources}
    project_of = {w.code: w.project for w in problem.work_packages}
    bound = _bound(problem)
    paid: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    paid_at: dict[str, list[int]] = defaultdict(list)  # the rate of each
    for (resource, package, _, t), var in model.x.items():
        project = project_of[package]
        paid[project].append(var)
        paid_at[project].append(rates[resource])
        model.staffing.setdefault((resource, project, t), []).append(var)
    for (resource, project, t), var in model.kept.items():
        paid[project].append(var)
        paid_at[project].append(rates[resource])
        model.staffing.setdefault((resource, project, t), []).append(var)
    fixed: dict[str, int] = defaultdict(int)
    for activity in problem.activities:
        fixed[activity.project] += sum(
            rates[r] * units * activity.duration for r, units in activity.demand.items()
        )

    def cost(projects: list[str]) -> Expr:
        terms = [var for p in projects for var in paid.get(p, [])]
        constant = sum(fixed.get(p, 0) for p in projects)
        if not terms:
            return constant
        coefficients = [rate for p in projects for rate in paid_at.get(p, [])]
        return cp_model.LinearExpr.weighted_sum(terms, coefficients) + constant

    # A project spends at most its effort at the dearest rate of each skill: a budget
    # above that cannot be overrun (no variable, no constraint).
    dearest: dict[str, int] = defaultdict(int)
    for work in problem.work_packages:
        for skill, units in work.effort.items():
            top = max((r.rate for r in problem.resources if skill in r.skills), default=0)
            dearest[work.project] += units * top
    for (resource, project, _), var in model.kept.items():
        dearest[project] += rates[resource] * upper(var)
    overruns: list[Expr] = []
    for budget in problem.budgets:
        most = dearest[budget.project] + fixed.get(budget.project, 0) - budget.amount
        if most <= 0:
            continue
        over = cp.new_int_var(0, min(most, bound), f"overrun[{budget.project}]")
        cp.add(over >= cost([budget.project]) - budget.amount)
        overruns.append(over)
        model.overrun[budget.project] = over
    # Reallocation: |planned - current| per resource, project and period. Where nothing
    # is staffed now it is the planned units themselves: no variable, no constraint.
    moved: list[cp_model.IntVar] = []
    lost = 0
    current = {(c.resource, c.project, c.period): c.units for c in problem.current}
    for key in sorted(set(model.staffing) | set(current)):
        before = current.get(key, 0)
        if key not in model.staffing:
            lost += before  # staffing the plan cannot keep (no work there)
        elif before == 0:
            moved.extend(model.staffing[key])
        else:
            planned = cp_model.LinearExpr.sum(model.staffing[key])
            most = max(before, capacities[key[0]][key[2]])  # planned <= capacity
            gap = cp.new_int_var(0, most, f"moved[{key[0]},{key[1]},{key[2]}]")
            cp.add(gap >= planned - before)
            cp.add(gap >= before - planned)
            moved.append(gap)
            model.moved[key] = gap
    weights = {m.code: m.priority for m in problem.milestones}
    model.objectives = {
        "lateness": sum(weights[code] * late for code, late in model.lateness.items()),
        "overrun": sum(overruns),
        "reallocation": cp_model.LinearExpr.sum(moved) + lost if moved else lost,
        "cost": cost(sorted(set(paid) | set(fixed))),
    }


def upper(var: cp_model.IntVar) -> int:
    """A variable's upper bound (the proto's repeated field takes no negative index)."""
    domain = var.proto.domain
    return int(domain[len(domain) - 1])


def _bound(problem: PlanningProblem) -> int:
    """A safe upper bound for money and unit sums."""
    units = sum(sum(r.capacity) for r in problem.resources)
    rate = max((r.rate for r in problem.resources), default=0)
    fixed = sum(sum(a.demand.values()) * a.duration for a in problem.activities)
    return max(1, (units + fixed) * max(rate, 1) + sum(b.amount for b in problem.budgets))
