"""A genetic search on activity lists, the heuristic phase of ``planner.sgs``.

An individual is an activity list: a precedence-feasible order of the activities,
decoded into a schedule by the serial scheme and improved by a forward-backward pass
(justification, Valls, Ballestín & Quintanilla 2005), whose order then replaces the
list (Hartmann 1998 for the activity-list encoding and two-point crossover).

- The population (``SIZE``) starts from the priority rules' schedules and biased random
  samples; a schedule already in it is not added again, so it cannot fill with copies
  of one good schedule (the former search, without that, hardly improved from 1,000 to
  5,000 schedules: 174 to 173 on j12011_2, 153 to 153 on j12053_4).
- Parents are drawn by binary tournament; a child is a two-point crossover of them,
  then swaps of neighbours (one chance in twenty each) and, one time in two, one
  activity shifted to a random place between its predecessors and successors.
- The population keeps its best ``SIZE``. The search stops after about ``schedules``
  decoded schedules, or at once when a schedule meets the lower bound given.

Deterministic: every choice comes from the random generator given.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

Score = tuple[int, int]
# Decode an activity list: the score and the schedule (first period per activity).
Member = tuple[Score, list[int], list[int]]  # score, activity list, schedule
Decode = Callable[[list[int]], tuple[Score, list[int]] | None]

SIZE = 48
SHIFT = 0.5  # the chance that a child has one activity shifted
SWAP = 0.05  # the chance of each swap of neighbours
COST = 3  # decoded schedules per child: forward, backward, forward


def evolve(
    seeds: Sequence[tuple[Score, list[int]]],
    decode: Decode,
    sample: Callable[[random.Random], list[int] | None],
    before: Sequence[Sequence[int]],
    after: Sequence[Sequence[int]],
    *,
    schedules: int,
    bound: int,
    rng: random.Random,
) -> tuple[Score, list[int]]:
    """The best (score, schedule) found from the scored seed schedules (see the
    module's docstring); ``sample`` gives a random activity list, ``before`` and ``after`` each
    activity's predecessors and successors; ``bound`` is a lower bound of the first
    component of the score."""
    population: list[Member] = []
    seen: set[tuple[int, ...]] = set()

    def keep(score: Score, begin: list[int]) -> None:
        key = tuple(begin)
        if key not in seen:
            seen.add(key)
            population.append((score, order_of(begin), begin))

    def add(order: list[int] | None) -> None:
        decoded = None if order is None else decode(order)
        if decoded is not None:
            keep(*decoded)

    for score, begin in seeds:
        keep(score, begin)
    spent = COST * len(population)

    def searching() -> bool:
        met = bool(population) and min(population)[0][0] <= bound
        return spent < schedules and not met

    for _ in range(SIZE - len(population)):
        if not searching():
            break
        add(sample(rng))
        spent += COST
    while searching():
        population.sort(key=lambda member: member[0])
        del population[SIZE:]
        mother, father = (_tournament(population, rng) for _ in "mf")
        child = _crossover(mother, father, rng)
        _swap(before, child, rng)
        if rng.random() < SHIFT:
            _shift(before, after, child, rng)
        add(child)
        spent += COST
    best = min(population, key=lambda member: member[0])
    return best[0], best[2]


def order_of(begin: Sequence[int]) -> list[int]:
    """The activity list of a schedule: by first period, precedence order on ties."""
    return sorted(range(len(begin)), key=lambda i: (begin[i], i))


def _tournament(population: list[Member], rng: random.Random) -> list[int]:
    """The better of two members drawn at random (the population is sorted)."""
    return population[min(rng.randrange(len(population)), rng.randrange(len(population)))][1]


def _crossover(mother: list[int], father: list[int], rng: random.Random) -> list[int]:
    """Two-point crossover: the mother's head, the father's middle (in his order, what
    the head lacks), the rest in the mother's order. Precedence-feasible when both are."""
    n = len(mother)
    first, second = sorted((rng.randrange(n + 1), rng.randrange(n + 1)))
    child = mother[:first]
    taken = set(child)
    for i in father:
        if len(child) == second:
            break
        if i not in taken:
            child.append(i)
            taken.add(i)
    child.extend(i for i in mother if i not in taken)
    return child


def _swap(before: Sequence[Sequence[int]], order: list[int], rng: random.Random) -> None:
    """Swap neighbours (``SWAP`` chance each) unless the first precedes the second."""
    for position in range(len(order) - 1):
        a, b = order[position], order[position + 1]
        if rng.random() < SWAP and a not in before[b]:
            order[position], order[position + 1] = b, a


def _shift(
    before: Sequence[Sequence[int]],
    after: Sequence[Sequence[int]],
    order: list[int],
    rng: random.Random,
) -> None:
    """Move one activity to a random place after its predecessors, before its successors."""
    i = order.pop(rng.randrange(len(order)))
    position = {a: p for p, a in enumerate(order)}
    low = max((position[p] + 1 for p in before[i]), default=0)
    high = min((position[s] for s in after[i]), default=len(order))
    order.insert(rng.randint(low, high), i)
