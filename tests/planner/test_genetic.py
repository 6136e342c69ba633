"""The genetic search on activity lists (planner/genetic.py): children keep precedence,
the same seed gives the same search, and the search stops at the bound."""

from __future__ import annotations

import random

from planner import genetic

# A small network: 0 before 2, 1 before 2 and 3, 2 before 4.
BEFORE: tuple[tuple[int, ...], ...] = ((), (), (0, 1), (1,), (2,))
AFTER: tuple[tuple[int, ...], ...] = ((2,), (2, 3), (4,), (), ())


def precedes_all(order: list[int]) -> bool:
    position = {a: p for p, a in enumerate(order)}
    return sorted(order) == list(range(5)) and all(
        position[p] < position[i] for i in range(5) for p in BEFORE[i]
    )


def decode_as_positions(order: list[int]) -> tuple[genetic.Score, list[int]]:
    """A stand-in for the serial scheme: each activity begins at its place in the list,
    the score favours activity 3 early."""
    begin = [0] * len(order)
    for place, i in enumerate(order):
        begin[i] = place
    return (begin[3], 0), begin


def a_random_list(rng: random.Random) -> list[int]:
    left, order = set(range(5)), []
    while left:
        ready = sorted(i for i in left if all(p in order for p in BEFORE[i]))
        order.append(rng.choice(ready))
        left.remove(order[-1])
    return order


def test_crossover_swaps_and_shifts_keep_every_predecessor_first() -> None:
    rng = random.Random(3)
    for _ in range(200):
        child = genetic._crossover(a_random_list(rng), a_random_list(rng), rng)
        genetic._swap(BEFORE, child, rng)
        genetic._shift(BEFORE, AFTER, child, rng)
        assert precedes_all(child)


def test_the_same_seed_gives_the_same_search_and_the_best_schedule_found() -> None:
    seed = decode_as_positions([0, 1, 2, 4, 3])

    def run(seed_number: int) -> tuple[genetic.Score, list[int]]:
        return genetic.evolve([seed], decode_as_positions, a_random_list, BEFORE, AFTER,
                              schedules=300, bound=0, rng=random.Random(seed_number))  # fmt: skip

    found = run(7)
    assert found == run(7)
    assert found[0] == (1, 0)  # activity 3 right after 1, its only predecessor
    assert precedes_all(genetic.order_of(found[1]))


def test_the_search_stops_as_soon_as_a_schedule_meets_the_bound() -> None:
    decoded: list[list[int]] = []

    def counting(order: list[int]) -> tuple[genetic.Score, list[int]]:
        decoded.append(order)
        return decode_as_positions(order)

    seed = decode_as_positions([0, 1, 2, 4, 3])
    genetic.evolve([seed], counting, a_random_list, BEFORE, AFTER, schedules=3000,
                   bound=seed[0][0], rng=random.Random(0))  # fmt: skip

    assert decoded == []
