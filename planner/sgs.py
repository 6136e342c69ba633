"""A first schedule of rigid activities: the serial schedule generation scheme.

Activities are taken one at a time in a precedence-feasible order chosen by a priority
rule, each placed at the first period where it fits: after its release and its
predecessors' ends, within what the activities already placed leave of each resource's
capacity in every period it covers. Every order gives a feasible schedule when one fits
in the horizon.

Rules: latest finish (the time it can end at the latest without delaying the horizon,
from durations and precedence alone), then most successors (all those that wait for it,
directly or not), then least slack. Each schedule is then improved by forward-backward
passes (justification): the activities are placed again, latest first, each as late as
possible, then in the order of that backward schedule as early as possible, which
closes holes the first pass left; repeated while it helps. Then, with ``schedules``, a
genetic search on activity lists (``planner.genetic``), stopped early at a lower bound.

Pure Python and deterministic: the same problem gives the same schedule. It serves the
solver as a hint and as a bound (``planner.search``); it is no substitute for it.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from planner import genetic
from planner.problem import PlanningProblem

# Forward-backward passes per rule; each stops early when a pass brings nothing.
_PASSES = 6


@dataclass(frozen=True)
class _Network:
    """The activities by index in precedence order, and the resources by index."""

    codes: tuple[str, ...]
    duration: tuple[int, ...]
    release: tuple[int, ...]
    demand: tuple[tuple[tuple[int, int], ...], ...]  # (resource index, units)
    before: tuple[tuple[int, ...], ...]
    after: tuple[tuple[int, ...], ...]
    capacity: tuple[tuple[int, ...], ...]  # per resource, per period
    horizon: int


def first_schedule(
    problem: PlanningProblem, *, schedules: int = 0, seed: int = 0
) -> dict[str, int] | None:
    """The first period of each activity in the best schedule found (least weighted
    milestone lateness, then least makespan): the rules', then a genetic search of
    about ``schedules`` more (``planner.genetic``). None when the problem has work
    packages or an activity finds no room in the horizon."""
    if problem.work_packages or not problem.activities:
        return None
    network = _network(problem)

    def score(begin: list[int]) -> tuple[int, int]:
        return (_lateness(problem, network, begin), _makespan(network, begin))

    found: list[list[int]] = []
    for priority in _rules(network):
        begin = _serial(network, priority)
        if begin is None:
            return None  # an order-independent failure: the horizon is too short
        found.append(_improve(network, begin))
    best: list[int] = min(found, key=score)
    if schedules > 0:
        best = _evolve(problem, network, [(score(b), b) for b in found], score, schedules, seed)
    return dict(zip(network.codes, best, strict=True))


def _evolve(
    problem: PlanningProblem,
    network: _Network,
    seeds: list[tuple[tuple[int, int], list[int]]],
    score: Callable[[list[int]], tuple[int, int]],
    schedules: int,
    seed: int,
) -> list[int]:
    """The genetic search (``planner.genetic``) from the rules' schedules, each list
    decoded by the serial scheme and justified by one forward-backward pass."""
    n = len(network.codes)
    latest_finish = [key[0] for key in _rules(network)[0]]

    def decode(order: list[int]) -> tuple[tuple[int, int], list[int]] | None:
        rank = [0] * n
        for position, i in enumerate(order):
            rank[i] = position
        begin = _serial(network, [(r,) for r in rank])
        if begin is None:
            return None
        improved = _justify(network, begin)
        return score(improved), improved

    def sample(rng: random.Random) -> list[int] | None:
        """An activity list by random sampling biased towards latest finish first."""
        noise = [(f + rng.random() * f / 4, i) for i, f in enumerate(latest_finish)]
        begin = _serial(network, noise)
        return None if begin is None else genetic.order_of(begin)

    bound = _lateness_bound(problem, network)
    found = genetic.evolve(seeds, decode, sample, network.before, network.after,
                           schedules=schedules, bound=bound, rng=random.Random(seed))  # fmt: skip
    return found[1]


def lateness(problem: PlanningProblem, begin: dict[str, int]) -> int:
    """The lateness objective (weighted by priority) of a schedule of the activities."""
    network = _network(problem)
    return _lateness(problem, network, [begin[code] for code in network.codes])


def _network(problem: PlanningProblem) -> _Network:
    order = problem.in_precedence_order()
    activities = {a.code: a for a in problem.activities}
    codes = tuple(code for code in order if code in activities)
    index = {code: i for i, code in enumerate(codes)}
    resources = {r.code: k for k, r in enumerate(problem.resources)}
    after: list[list[int]] = [[] for _ in codes]
    before = []
    for i, code in enumerate(codes):
        preceding = tuple(index[p] for p in activities[code].predecessors)
        before.append(preceding)
        for p in preceding:
            after[p].append(i)
    return _Network(
        codes=codes,
        duration=tuple(activities[c].duration for c in codes),
        release=tuple(activities[c].release for c in codes),
        demand=tuple(
            tuple((resources[r], u) for r, u in sorted(activities[c].demand.items()) if u)
            for c in codes
        ),
        before=tuple(before),
        after=tuple(tuple(a) for a in after),
        capacity=tuple(r.capacity for r in problem.resources),
        horizon=problem.horizon,
    )


def _rules(network: _Network) -> list[list[tuple[int, ...]]]:
    """Priorities (smallest first) per activity, one list per rule."""
    n, horizon = len(network.codes), network.horizon
    latest_finish = [horizon] * n
    for i in reversed(range(n)):
        for s in network.after[i]:
            latest_finish[i] = min(latest_finish[i], latest_finish[s] - network.duration[s])
    earliest_start = [0] * n
    for i in range(n):
        ends = [earliest_start[p] + network.duration[p] for p in network.before[i]]
        earliest_start[i] = max([network.release[i], *ends])
    descendants: list[set[int]] = [set() for _ in range(n)]
    for i in reversed(range(n)):
        for s in network.after[i]:
            descendants[i] |= descendants[s] | {s}
    slack = [latest_finish[i] - network.duration[i] - earliest_start[i] for i in range(n)]
    return [
        [(latest_finish[i], i) for i in range(n)],
        [(-len(descendants[i]), latest_finish[i], i) for i in range(n)],
        [(slack[i], latest_finish[i], i) for i in range(n)],
    ]


def _serial(
    network: _Network, priority: Sequence[tuple[float, ...]], *, backward: bool = False
) -> list[int] | None:
    """Place the activities one by one, the eligible one of least priority first, each
    as early as it fits (``backward``: as late as it fits, releases ignored)."""
    n, horizon = len(network.codes), network.horizon
    # Backward, time runs from the horizon's end: period t is period horizon - 1 - t.
    waits_for = network.after if backward else network.before
    leads_to = network.before if backward else network.after
    left = [list(reversed(c)) if backward else list(c) for c in network.capacity]
    begin = [0] * n  # in the pass's own time
    blocking = [len(waits_for[i]) for i in range(n)]
    ready = [(priority[i], i) for i in range(n) if not blocking[i]]
    heapq.heapify(ready)
    while ready:
        _, i = heapq.heappop(ready)
        duration, demand = network.duration[i], network.demand[i]
        earliest = max(
            [0 if backward else network.release[i], *(begin[p] + network.duration[p]
                                                      for p in waits_for[i])]
        )  # fmt: skip
        at = _first_fit(left, demand, duration, earliest, horizon)
        if at is None:
            return None
        begin[i] = at
        for k, units in demand:
            for t in range(at, at + duration):
                left[k][t] -= units
        for s in leads_to[i]:
            blocking[s] -= 1
            if not blocking[s]:
                heapq.heappush(ready, (priority[s], s))
    if backward:
        return [horizon - begin[i] - network.duration[i] for i in range(n)]
    return begin


def _first_fit(
    left: list[list[int]],
    demand: tuple[tuple[int, int], ...],
    duration: int,
    earliest: int,
    horizon: int,
) -> int | None:
    """The first period from ``earliest`` where the activity fits for its duration:
    one look at each period, counting the periods in a row with room enough."""
    if duration == 0:
        return earliest if earliest <= horizon else None
    rows = [(left[k], units) for k, units in demand]
    run = 0
    for t in range(earliest, horizon):
        for row, units in rows:
            if row[t] < units:
                run = 0
                break
        else:
            run += 1
            if run == duration:
                return t - duration + 1
    return None


def _improve(network: _Network, begin: list[int]) -> list[int]:
    """Forward-backward passes while the makespan shrinks."""
    best = begin
    for _ in range(_PASSES):
        ends = [b + d for b, d in zip(best, network.duration, strict=True)]
        # Backward: the latest ending first (in backward time: smallest key first).
        late = _serial(network, [(-ends[i], -i) for i in range(len(ends))], backward=True)
        if late is None:
            return best
        forward = _serial(network, [(late[i], i) for i in range(len(late))])
        if forward is None or _makespan(network, forward) >= _makespan(network, best):
            return best
        best = forward
    return best


def _lateness_bound(problem: PlanningProblem, network: _Network) -> int:
    """A lower bound of the lateness objective: per milestone, the latest earliest end
    of its work (releases and precedence), or the first period by which a resource
    can have done the work of all its users when they all serve the milestone."""
    n = len(network.codes)
    finish = [0] * n
    for i in range(n):
        start = max([network.release[i], *(finish[p] for p in network.before[i])])
        finish[i] = start + network.duration[i]
    index = {code: i for i, code in enumerate(network.codes)}
    serving = problem.serving()
    users: list[list[int]] = [[] for _ in network.capacity]
    for i, demand in enumerate(network.demand):
        for k, _ in demand:
            users[k].append(i)
    total = 0
    for milestone in problem.milestones:
        mine = {index[c] for c in serving[milestone.code]}
        end = max((finish[i] for i in mine), default=0)
        for k, used in enumerate(users):
            if used and mine.issuperset(used):
                work = sum(network.duration[i] * dict(network.demand[i])[k] for i in used)
                end = max(end, _done_by(network.capacity[k], work))
        total += milestone.priority * max(0, end - (milestone.due + 1))
    return total


def _done_by(capacity: tuple[int, ...], work: int) -> int:
    """The fewest periods from the start whose capacity holds ``work`` units."""
    if work <= 0:
        return 0
    for t, units in enumerate(capacity):
        work -= units
        if work <= 0:
            return t + 1
    return len(capacity) + 1


def _makespan(network: _Network, begin: list[int]) -> int:
    return max(b + d for b, d in zip(begin, network.duration, strict=True))


def _lateness(problem: PlanningProblem, network: _Network, begin: list[int]) -> int:
    index = {code: i for i, code in enumerate(network.codes)}
    serving = problem.serving()
    total = 0
    for milestone in problem.milestones:
        ends = [begin[index[c]] + network.duration[index[c]] for c in serving[milestone.code]]
        total += milestone.priority * max(0, max(ends, default=0) - (milestone.due + 1))
    return total


def _justify(network: _Network, begin: list[int]) -> list[int]:
    """One forward-backward pass; the schedule given when it does not help."""
    ends = [b + d for b, d in zip(begin, network.duration, strict=True)]
    late = _serial(network, [(-ends[i], -i) for i in range(len(ends))], backward=True)
    if late is None:
        return begin
    forward = _serial(network, [(late[i], i) for i in range(len(late))])
    if forward is None or _makespan(network, forward) > _makespan(network, begin):
        return begin
    return forward
