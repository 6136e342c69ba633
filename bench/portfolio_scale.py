"""The planner on a generated PMO portfolio at scale (issue 4, scope item 6).

    python bench/portfolio_scale.py [--seed 0] [--projects 200] [--resources 60]
                                    [--periods 36] [--work-packages 1500]
                                    [--time-limit 60] [--workers 2] [--build-only]
                                    [--wall-clock] [--no-explain]

A seeded portfolio in months (``Granularity.MONTH``), quantities in hundredths of a
person-day (a person works 1,800-2,000 units a month), money in cents, so a rate per
unit in cents is the daily rate in euros:

- **resources**: about two thirds people (18-20 days a month), one third team pools of
  3-8 people; 1-3 skills out of eight (a primary skill drawn by demand, every skill held
  by at least one resource); August and December reduced (holidays), a month of leave a
  year for people, some contractors who join or leave during the horizon; daily rates by
  primary skill (650-1,400 EUR a person, team pools 10-45 % cheaper);
- **projects**: 5-10 work packages each (exactly ``--work-packages`` in all), released
  over the first 55 % of the horizon (a third already running), but early enough to
  leave 3-8 months after their critical path (intensity caps, a month a package at
  least; caps are relaxed where a chain cannot fit at all); packages follow the
  phases of a project (product/architecture/UX, then development/data, then QA/security/
  ops), 1-3 skills each, 10-120 person-days in all; precedence mostly a chain with a few
  parallel streams joined by a final go-live package, a few links across projects; an
  intensity cap (``max_per_period``) on most packages, later releases on a few;
- **feasibility**: each skill's demand is held below 80 % of the capacity of the
  resources holding it (a resource's capacity shared evenly between its skills), then a
  greedy serial schedule (packages in precedence order, each as early as the capacity
  left allows) must place every package within the horizon; efforts shrink by 5 %
  until it does. That schedule is the witness: a feasible plan exists;
- **milestones**: 1-3 per project (go-live on the last package, intermediate ones on
  others), priority 1-3; three quarters due a little after the greedy schedule finishes
  them (achievable), a quarter tighter (at least their critical-path bound);
- **budgets**: the greedy schedule's cost per project, three quarters with 2-25 % margin,
  a quarter 1-15 % short (overrun matters);
- **current staffing**: the same greedy schedule run on the efforts as first estimated
  (±15 %), by resource, project and month, rounded to half-days: a sensible baseline
  for reallocation, close to but not exactly the work.

Then the whole model is built once, in a child process, to measure it (variables and
constraints of the CP-SAT proto, build time, the child's peak memory), the problem
solved with ``--time-limit`` and ``--workers`` (``planner.solve.solve``: deterministic
unless ``--wall-clock``, with its explanation unless ``--no-explain``), the plan checked
by ``planner.validation`` (what ``check`` raises on), and the figures printed and
written to ``bench/results/portfolio-scale-<time>.json``: problem size, status, each
level's value, bound and gap, the solve's notes, when each step started and the memory
by then, build/solve/validation/total times, the solve's CPU time and peak resident
memory (``ru_maxrss``). The target: a plan that passes validation, the solve within
60 s and the process under 4 GB.

Measured on the shared 2-core machine (November 2026, OR-Tools 9.15), while other jobs
loaded it (load average 9-16, this process got a third to a half of the CPU):

- *before* ``planner/large.py`` (the whole model): seeds 0 and 1 give 0.80 and 0.93
  million variables (0.76 and 0.89 million allocations) and about 105,000 constraints,
  built in 7.6 and 9.5 s; **no plan within 60 s**: the first level stopped in CP-SAT's
  presolve (status unknown after 34.4 and 39.9 s; its capped presolve steps charge
  about 9 units of deterministic time, more than the third of the level's share the
  solver gets), peak 1,759 and 2,008 MB (with wall-clock limits, 750 packages gave a
  plan in 51 s at 2.6 GB, 1,500 none);
- *after* (``solve`` takes the large path above 25,000 estimated allocations): seed 0
  feasible in 54.2 s wall and 17.1 s CPU (run again: the same plan in 33.6 s wall,
  18.1 s CPU), weighted lateness 1 (bound 0; best greedy plan 2), overrun 100,837,484
  (greedy 122,604,200; bound 0), reallocation 7,476,298 (bound 134,100), cost
  4,859,924,444 (bound 3,631,845,150, gap 25.3 %), 7 of 14 sub-solves improving, 8.3
  units of deterministic time, peak 342 MB; seed 1 feasible in 36.9 s wall, 19.1 s CPU,
  lateness 0 (optimal), overrun 81,220,623 (greedy 123,846,650), reallocation 7,189,560
  (bound 157,100), cost 4,558,038,917 (bound 2,866,219,350, gap 37.1 %), 6 of 6
  sub-solves improving, 11.1 units, peak 222 MB. Both pass validation. Building the
  whole model to measure it (in a child process) took 18-34 s on the loaded machine and
  peaks at 706 and 790 MB.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import random
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planner.model import build
from planner.problem import (
    Assignment,
    Budget,
    Granularity,
    Milestone,
    PlanningProblem,
    Resource,
    WorkPackage,
)
from planner.result import PlanResult
from planner.solve import solve
from planner.validation import violations

DAY = 100  # units per person-day
SKILLS = ("architect", "developer", "data", "ops", "qa", "security", "product", "ux")
DEMAND = {  # share of the portfolio's effort by skill (also how primary skills are drawn)
    "architect": 0.09,
    "developer": 0.32,
    "data": 0.12,
    "ops": 0.09,
    "qa": 0.13,
    "security": 0.05,
    "product": 0.10,
    "ux": 0.10,
}
PHASES = (  # skill weights of a package by its position in its project
    {"product": 4, "architect": 4, "ux": 2, "security": 1},
    {"developer": 6, "data": 3, "ux": 2, "architect": 1},
    {"developer": 4, "data": 2, "qa": 3, "ops": 1},
    {"qa": 4, "security": 2, "ops": 3, "developer": 1},
)
DAILY_RATE = {  # EUR per day for a person, by primary skill
    "architect": (1100, 1400),
    "developer": (750, 1050),
    "data": (850, 1150),
    "ops": (750, 1000),
    "qa": (650, 900),
    "security": (1100, 1400),
    "product": (900, 1200),
    "ux": (700, 1000),
}
UTILISATION = 0.80  # the most of a skill's capacity its demand may take


@dataclass
class Draft:
    """A work package being generated."""

    code: str
    project: str
    effort: dict[str, int]
    max_per_period: int | None
    predecessors: list[str]
    release: int
    milestone: str | None = None


# -- generation ---------------------------------------------------------------------------


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    names = sorted(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def _round(units: float, step: int = 50) -> int:
    return max(0, round(units / step) * step)


def make_resources(rng: random.Random, count: int, horizon: int) -> list[Resource]:
    """People and team pools with 1-3 skills, holidays, leave and contractors."""
    made = []
    for i in range(count):
        team = rng.random() < 0.35
        primary = SKILLS[i] if i < len(SKILLS) else _pick(rng, DEMAND)
        skills = {primary}
        extra = rng.choice((1, 1, 2)) if team else rng.choice((0, 0, 1, 1, 2))
        while len(skills) < 1 + extra:
            skills.add(_pick(rng, DEMAND))
        size = rng.randint(3, 8) if team else 1
        monthly = size * rng.randrange(1800, 2001, 50)
        leave = {rng.randrange(12) for _ in range(1 if not team else 0)}
        joins, leaves = 0, horizon
        if not team and rng.random() < 0.10:
            if rng.random() < 0.5:
                joins = rng.randint(2, horizon // 3)
            else:
                leaves = rng.randint(2 * horizon // 3, horizon - 1)
        capacity = []
        for t in range(horizon):
            factor = 1.0
            if t % 12 == 7:
                factor = 0.6  # August
            elif t % 12 == 11:
                factor = 0.75  # December
            if t % 12 in leave:
                factor *= 0.5
            capacity.append(_round(monthly * factor) if joins <= t < leaves else 0)
        low, high = DAILY_RATE[primary]
        rate = rng.randint(low, high)
        if team:
            rate = int(rate * (rng.uniform(0.55, 0.7) if rng.random() < 0.3 else 0.9))
        code = f"{'TEAM' if team else 'RES'}-{i:03d}"
        made.append(Resource(code, frozenset(skills), tuple(capacity), rate))
    return made


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` positive shares, the first the biggest."""
    weights = sorted((rng.uniform(0.3, 1.0) for _ in range(parts)), reverse=True)
    return [max(DAY, _round(total * w / sum(weights), DAY // 2)) for w in weights]


def package_counts(rng: random.Random, projects: int, packages: int) -> list[int]:
    """5-10 packages per project, ``packages`` in all."""
    if not 5 * projects <= packages <= 10 * projects:
        sys.exit(f"{packages} work packages cannot make {projects} projects of 5-10")
    counts = [rng.randint(5, 10) for _ in range(projects)]
    while sum(counts) != packages:
        i = rng.randrange(projects)
        if sum(counts) < packages and counts[i] < 10:
            counts[i] += 1
        elif sum(counts) > packages and counts[i] > 5:
            counts[i] -= 1
    return counts


def _project(rng: random.Random, count: int) -> list[Draft]:
    """One project's packages (codes and releases relative: ``#i``, from 0)."""
    codes = [f"#{i:02d}" for i in range(count)]
    has_successor: set[str] = set()
    drafts = []
    for i, code in enumerate(codes):
        phase = PHASES[min(3, int(4 * i / count))]
        skills = {_pick(rng, phase)}
        for _ in range(rng.choice((0, 1, 1, 2))):
            skills.add(_pick(rng, phase if rng.random() < 0.6 else DEMAND))
        days = min(120.0, max(10.0, rng.lognormvariate(math.log(38), 0.6)))
        shares = _split(rng, _round(days * DAY), len(skills))
        effort = dict(zip(rng.sample(sorted(skills), len(skills)), shares, strict=True))
        total = sum(effort.values())
        ceiling = None
        if rng.random() < 0.8:
            months = rng.choice((1, 2, 2, 3, 3, 4))
            ceiling = min(total, max(10 * DAY, math.ceil(total / months / DAY) * DAY))
        preds: list[str] = []
        if i == count - 1 and i > 0:  # go-live: after every open stream
            preds = [c for c in codes[:i] if c not in has_successor]
        elif i > 0:
            roll = rng.random()
            if roll < 0.75:
                preds = [codes[i - 1]]
            elif roll < 0.92:
                preds = [codes[rng.randrange(i)]]
            if rng.random() < 0.15 and i > 1:
                preds.append(codes[rng.randrange(i - 1)])
        preds = sorted(set(preds))
        has_successor.update(preds)
        release = rng.randint(1, 4) if i and rng.random() < 0.1 else 0
        drafts.append(Draft(code, "", effort, ceiling, preds, release))
    return drafts


def make_work(
    rng: random.Random, projects: int, packages: int, horizon: int
) -> tuple[list[str], list[Draft]]:
    """Projects, named in release order, with their packages, precedence and releases.
    A project is released no later than leaves its critical path (intensity caps, one
    period a package at least) 3-8 months of slack before the horizon's end."""
    counts = package_counts(rng, projects, packages)
    made: list[tuple[int, list[Draft]]] = []
    for count in counts:
        drafts = _project(rng, count)
        while (length := max(minimal_finish(drafts).values()) + 1) > horizon - 8:
            for d in drafts:  # too long for the horizon: allow more intensity
                if d.max_per_period is not None:
                    d.max_per_period = min(sum(d.effort.values()), 2 * d.max_per_period)
            if all(d.max_per_period is None for d in drafts):
                break
        wished = 0 if rng.random() < 0.33 else rng.randint(1, int(0.55 * horizon))
        release = max(0, min(wished, horizon - length - rng.randint(3, 8)))
        made.append((release, drafts))
    made.sort(key=lambda pair: pair[0])
    names = [f"PRJ-{p:03d}" for p in range(projects)]
    every: list[Draft] = []
    for project, (release, drafts) in zip(names, made, strict=True):
        for d in drafts:
            d.code, d.project = f"{project}-WP{d.code[1:]}", project
            d.predecessors = [f"{project}-WP{c[1:]}" for c in d.predecessors]
            d.release = min(horizon - 1, release + d.release)
        every.extend(drafts)
    # A few links across projects: a package of a later project waits for one of an
    # earlier one (earlier in release order, so no cycle), if the chains still fit.
    by_project: dict[str, list[Draft]] = defaultdict(list)
    for d in every:
        by_project[d.project].append(d)
    for _ in range(max(1, projects // 20)):
        a, b = sorted(rng.sample(range(projects), 2))
        before = rng.choice(by_project[names[a]][:-1])
        after = rng.choice(by_project[names[b]])
        if before.code in after.predecessors:
            continue
        after.predecessors.append(before.code)
        if max(minimal_finish(every).values()) > horizon - 3:
            after.predecessors.remove(before.code)
    return names, every


def capacity_by_skill(resources: list[Resource]) -> dict[str, float]:
    """Each skill's capacity over the horizon, a resource's shared evenly between its skills."""
    held: dict[str, float] = defaultdict(float)
    for r in resources:
        for skill in sorted(r.skills):
            held[skill] += sum(r.capacity) / len(r.skills)
    return held


def demand_by_skill(drafts: list[Draft]) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for d in drafts:
        for skill, units in d.effort.items():
            found[skill] += units
    return found


def scale_efforts(drafts: list[Draft], factor: dict[str, float]) -> None:
    for d in drafts:
        d.effort = {s: max(DAY // 2, _round(u * factor.get(s, 1.0))) for s, u in d.effort.items()}
        if d.max_per_period is not None:
            d.max_per_period = min(d.max_per_period, sum(d.effort.values()))


# -- the greedy schedule (witness, milestones, budgets, current staffing) -----------------


@dataclass
class Greedy:
    """A serial schedule: units by (resource, package, skill, period), finish by package."""

    units: dict[tuple[str, str, str, int], int]
    finish: dict[str, int]
    unplaced: list[str]


def greedy(resources: list[Resource], drafts: list[Draft], horizon: int, seed: int) -> Greedy:
    """Each package, in precedence order, as early as the capacity left allows; a project
    draws on its own (seeded) order of the resources, so its staffing stays steady."""
    left = {r.code: list(r.capacity) for r in resources}
    holders = {s: [r.code for r in resources if s in r.skills] for s in SKILLS}
    preferred: dict[str, dict[str, list[str]]] = {}
    units: dict[tuple[str, str, str, int], int] = {}
    finish: dict[str, int] = {}
    unplaced: list[str] = []
    for d in drafts:  # projects in release order, packages after their predecessors
        if d.project not in preferred:
            rng = random.Random(f"{seed}/{d.project}")
            preferred[d.project] = {s: rng.sample(h, len(h)) for s, h in holders.items()}
        t = max([d.release] + [finish[p] + 1 for p in d.predecessors if p in finish])
        if any(p not in finish for p in d.predecessors):
            unplaced.append(d.code)
            continue
        todo = dict(d.effort)
        last = None
        while any(todo.values()) and t < horizon:
            room = d.max_per_period or sum(todo.values())
            for skill in sorted(todo, key=lambda s: -todo[s]):
                for code in preferred[d.project][skill]:
                    take = min(todo[skill], room, left[code][t])
                    if take <= 0:
                        continue
                    left[code][t] -= take
                    todo[skill] -= take
                    room -= take
                    units[code, d.code, skill, t] = take
                    last = t
                    if not todo[skill] or not room:
                        break
            t += 1
        if any(todo.values()) or last is None:
            unplaced.append(d.code)
        else:
            finish[d.code] = last
    return Greedy(units, finish, unplaced)


def minimal_finish(drafts: list[Draft]) -> dict[str, int]:
    """The earliest each package can finish: release, predecessors, one period at least,
    no more than its intensity a period (a bound, capacity ignored)."""
    done: dict[str, int] = {}
    for d in drafts:
        start = max([d.release] + [done[p] + 1 for p in d.predecessors])
        length = 1
        if d.max_per_period:
            length = math.ceil(sum(d.effort.values()) / d.max_per_period)
        done[d.code] = start + length - 1
    return done


# -- the portfolio ------------------------------------------------------------------------


def generate(args: argparse.Namespace) -> tuple[PlanningProblem, dict[str, Any]]:
    """The seeded portfolio and what was learnt making it (utilisation, the witness)."""
    rng = random.Random(args.seed)
    horizon = args.periods
    resources = make_resources(rng, args.resources, horizon)
    names, drafts = make_work(rng, args.projects, args.work_packages, horizon)
    held = capacity_by_skill(resources)
    wanted = demand_by_skill(drafts)
    scale_efforts(drafts, {s: min(1.0, UTILISATION * held[s] / u) for s, u in wanted.items()})
    shrunk = 0
    while True:
        witness = greedy(resources, drafts, horizon, args.seed)
        if not witness.unplaced:
            break
        shrunk += 1
        if shrunk > 20:
            sys.exit("no greedy schedule fits the horizon: fewer packages or more resources")
        scale_efforts(drafts, dict.fromkeys(SKILLS, 0.95))
    earliest = minimal_finish(drafts)
    rates = {r.code: r.rate for r in resources}

    milestones: list[Milestone] = []
    by_project: dict[str, list[Draft]] = defaultdict(list)
    for d in drafts:
        by_project[d.project].append(d)
    tight_milestones = 0
    for project in names:
        packages = by_project[project]
        count = rng.choice((1, 2, 2, 3))
        served: list[list[Draft]] = [[packages[-1]]]  # go-live
        inner = packages[1:-1]
        for _ in range(count - 1):
            if inner:
                served.append(rng.sample(inner, min(len(inner), rng.randint(1, 2))))
        for k, group in enumerate(served):
            group = [d for d in group if d.milestone is None]
            if not group:
                continue
            code = f"{project}-M{k}"
            found = max(witness.finish[d.code] for d in group)
            bound = max(earliest[d.code] for d in group)
            if rng.random() < 0.75:
                due = min(horizon - 1, found + rng.randint(0, 3))
            else:
                due = max(bound, found - rng.randint(1, 5))
                tight_milestones += due < found
            for d in group:
                d.milestone = code
            milestones.append(Milestone(code, due, rng.choices((1, 2, 3), (5, 3, 2))[0]))

    spent: dict[str, int] = defaultdict(int)
    project_of = {d.code: d.project for d in drafts}
    for (r, w, _, _), u in witness.units.items():
        spent[project_of[w]] += rates[r] * u
    budgets = []
    tight_budgets = 0
    for project in names:
        if rng.random() < 0.75:
            factor = rng.uniform(1.02, 1.25)
        else:
            factor = rng.uniform(0.85, 0.99)
            tight_budgets += 1
        budgets.append(Budget(project, _round(spent[project] * factor, 100_00)))

    # The current staffing: the same schedule on the first estimates.
    estimates = [
        Draft(
            d.code,
            d.project,
            {s: _round(u * rng.uniform(0.85, 1.15)) or 50 for s, u in d.effort.items()},
            d.max_per_period,
            d.predecessors,
            d.release,
        )
        for d in drafts
    ]
    staffed = greedy(resources, estimates, horizon, args.seed + 1)
    lines: dict[tuple[str, str, int], int] = defaultdict(int)
    for (r, w, _, t), u in staffed.units.items():
        lines[r, project_of[w], t] += u
    current = tuple(
        Assignment(r, p, t, _round(u)) for (r, p, t), u in sorted(lines.items()) if _round(u)
    )

    start = datetime(2026, 1, 1)
    periods = tuple(
        f"{start.year + (start.month - 1 + t) // 12}-{(start.month - 1 + t) % 12 + 1:02d}"
        for t in range(horizon)
    )
    problem = PlanningProblem(
        periods=periods,
        resources=tuple(resources),
        work_packages=tuple(
            WorkPackage(
                d.code,
                d.project,
                d.effort,
                d.max_per_period,
                tuple(d.predecessors),
                d.milestone,
                d.release,
            )
            for d in drafts
        ),
        milestones=tuple(milestones),
        budgets=tuple(budgets),
        current=current,
        granularity=Granularity.MONTH,
    )
    held = capacity_by_skill(resources)
    demand = demand_by_skill(drafts)
    info = {
        "effort_person_days": sum(demand.values()) / DAY,
        "capacity_person_days": sum(sum(r.capacity) for r in resources) / DAY,
        "utilisation_by_skill": {s: round(demand[s] / held[s], 3) for s in SKILLS},
        "efforts_shrunk_5pct_times": shrunk,
        "precedence_links": sum(len(d.predecessors) for d in drafts),
        "milestones": len(milestones),
        "milestones_tighter_than_greedy": tight_milestones,
        "budgets_short_of_greedy": tight_budgets,
        "current_assignments": len(current),
        "greedy_finish_max": max(witness.finish.values()),
        "greedy_lateness": _greedy_lateness(milestones, witness.finish, problem),
    }
    return problem, info


def _greedy_lateness(
    milestones: list[Milestone], finish: dict[str, int], problem: PlanningProblem
) -> int:
    """The weighted lateness of the witness schedule (an upper bound of level 1)."""
    serving = problem.serving()
    total = 0
    for m in milestones:
        end = max(finish[c] for c in serving[m.code]) + 1
        total += m.priority * max(0, end - (m.due + 1))
    return total


# -- the run ------------------------------------------------------------------------------


def cpu_s() -> float:
    """The process's CPU time so far (user and system, every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_model(problem: PlanningProblem) -> dict[str, Any]:
    """Build the whole model once, in a child process (so that the peak memory of the
    solve is its own), for its size, build time and the child's peak memory."""
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        return dict(pool.apply(_measure, (problem,)))


def _measure(problem: PlanningProblem) -> dict[str, Any]:
    began = time.perf_counter()
    model = build(problem)
    seconds = time.perf_counter() - began
    proto = model.cp.proto
    return {
        "build_s": round(seconds, 2),
        "variables": len(proto.variables),
        "constraints": len(proto.constraints),
        "x_variables": len(model.x),
        "build_peak_rss_mb": round(peak_rss_mb(), 1),
    }


def levels_of(result: PlanResult) -> list[dict[str, Any]]:
    rows = []
    for level in result.levels:
        gap = None
        if level.value >= 0 and level.bound >= 0:
            gap = (
                0.0
                if level.value == level.bound
                else (level.value - level.bound) / max(abs(level.value), 1)
            )
        rows.append(
            {
                "name": level.name,
                "status": level.status.value,
                "value": level.value,
                "bound": level.bound,
                "gap_pct": None if gap is None else round(100 * gap, 3),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="generator and solver seed")
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--resources", type=int, default=60)
    parser.add_argument("--periods", type=int, default=36)
    parser.add_argument("--work-packages", type=int, default=1500)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds for the solve")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--build-only", action="store_true", help="generate and build only")
    parser.add_argument(
        "--wall-clock", action="store_true", help="solve(deterministic=False): wall-clock limits"
    )
    parser.add_argument(
        "--no-explain", action="store_true", help="solve(explain=False): no explanation step"
    )
    args = parser.parse_args()
    started = datetime.now(UTC)
    wall = time.perf_counter()

    began = time.perf_counter()
    problem, info = generate(args)
    generate_s = time.perf_counter() - began
    print(
        f"portfolio: {args.projects} projects, {len(problem.resources)} resources,"
        f" {problem.horizon} months, {len(problem.work_packages)} work packages,"
        f" {info['precedence_links']} precedence links, {info['milestones']} milestones,"
        f" {info['current_assignments']} current assignments ({generate_s:.1f} s)"
    )
    print(
        f"effort {info['effort_person_days']:,.0f} of {info['capacity_person_days']:,.0f}"
        f" person-days; by skill {info['utilisation_by_skill']}; greedy witness ends in"
        f" month {info['greedy_finish_max']}, weighted lateness {info['greedy_lateness']}"
    )
    size = measure_model(problem)
    print(
        f"model: {size['variables']:,} variables ({size['x_variables']:,} allocations),"
        f" {size['constraints']:,} constraints, built in {size['build_s']:.1f} s"
        f" (a child process, peak {size['build_peak_rss_mb']:,.0f} MB)"
    )
    report: dict[str, Any] = {
        "started": started.isoformat(),
        "options": vars(args),
        "portfolio": info,
        "generate_s": round(generate_s, 2),
        "model": size,
    }
    if not args.build_only:
        marks: dict[str, dict[str, float]] = {}

        def progress(name: str, at: float) -> None:  # when each step starts, memory so far
            marks[name] = {"at_s": round(at, 2), "peak_rss_mb": round(peak_rss_mb(), 1)}

        options: dict[str, Any] = {"deterministic": not args.wall_clock}
        if args.no_explain:
            options["explain"] = False
        began = time.perf_counter()
        cpu = cpu_s()
        result = solve(
            problem,
            time_limit_s=args.time_limit,
            workers=args.workers,
            seed=args.seed,
            progress=progress,
            **options,
        )
        solve_s = time.perf_counter() - began
        solve_cpu_s = cpu_s() - cpu
        began = time.perf_counter()
        found = violations(problem, result)
        validate_s = time.perf_counter() - began
        rows = levels_of(result)
        print(
            f"status {result.status.value}, solve {solve_s:.1f} s wall, {solve_cpu_s:.1f} s CPU"
            f" (limit {args.time_limit:g})"
        )
        for note in result.explanation.notes[:6]:
            print(f"  note: {note}")
        for row in rows:
            gap = "–" if row["gap_pct"] is None else f"{row['gap_pct']:.2f} %"
            print(
                f"  {row['name']:13} {row['status']:9} value {row['value']:>16,}"
                f"  bound {row['bound']:>16,}  gap {gap}"
            )
        late = sum(1 for m in result.milestones if not m.holds)
        steps = ", ".join(
            f"{name} at {m['at_s']:.1f} s ({m['peak_rss_mb']:,.0f} MB)" for name, m in marks.items()
        )
        print(f"steps started: {steps}")
        if not result.has_plan:
            print("validation: no plan to validate")
        else:
            verdict = "passed" if not found else f"{len(found)} violations"
            print(
                f"validation: {verdict} ({validate_s:.1f} s);"
                f" {late} of {len(result.milestones)} milestones late"
            )
        for line in found[:10]:
            print(f"  {line}")
        report |= {
            "status": result.status.value,
            "levels": rows,
            "steps_started": marks,
            "solve_s": round(solve_s, 2),
            "solve_cpu_s": round(solve_cpu_s, 2),
            "notes": list(result.explanation.notes),
            "validation": ("passed" if not found else found[:50]) if result.has_plan else None,
            "validate_s": round(validate_s, 2),
            "milestones_late": late,
            "allocations": len(result.allocations),
        }
    report["total_s"] = round(time.perf_counter() - wall, 2)
    report["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(f"total {report['total_s']:.1f} s, peak RSS {report['peak_rss_mb']:,.0f} MB")
    folder = Path(__file__).parent / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"portfolio-scale-{started:%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=1, default=str))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
