"""How the planner runs CP-SAT: reproducible, and more workers never worse."""

from __future__ import annotations

import random
from typing import Any

import pytest
from ortools.sat.python import cp_model

from planner import cpsat


def scheduling_model(seed: int = 3) -> cp_model.CpModel:
    """Jobs on one machine, weighted completion: hard to prove in a split second."""
    rng = random.Random(seed)
    model = cp_model.CpModel()
    lengths = [rng.randint(3, 30) for _ in range(22)]
    horizon = sum(lengths)
    intervals, ends, weights = [], [], []
    for job, length in enumerate(lengths):
        start = model.new_int_var(0, horizon, f"start[{job}]")
        end = model.new_int_var(0, horizon, f"end[{job}]")
        intervals.append(model.new_interval_var(start, length, end, f"job[{job}]"))
        ends.append(end)
        weights.append(rng.randint(1, 9))
    model.add_no_overlap(intervals)
    model.minimize(cp_model.LinearExpr.weighted_sum(ends, weights))
    return model


def test_the_largest_seed_runs_with_several_workers() -> None:
    largest = 2**31 - 1  # what the API admits; each worker's variant adds to it

    outcome = cpsat.run(scheduling_model(), 0.2, workers=2, seed=largest, deterministic=True)

    assert outcome.found


def test_the_same_seed_and_workers_give_the_same_outcome() -> None:
    model = scheduling_model()

    first = cpsat.run(model, 0.3, workers=2, seed=5, deterministic=True)
    second = cpsat.run(model, 0.3, workers=2, seed=5, deterministic=True)

    assert first.found
    assert (first.objective, first.solution) == (second.objective, second.solution)


def test_side_by_side_workers_give_the_best_of_their_searches_alone() -> None:
    model = scheduling_model()
    alone = []
    for variant in (0, 1):
        engine = cpsat.solver(0.3, seed=5, variant=variant)
        engine.solve(model)
        alone.append(round(engine.objective_value))

    paired = cpsat.run(model, 0.3, workers=2, seed=5, deterministic=True)

    assert alone[0] != alone[1]  # the second worker searches differently
    assert paired.objective == min(alone)
    assert paired.bound <= paired.objective


def test_a_search_the_wall_clock_stops_is_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    original = cpsat.solver

    def hurried(*args: Any, **kwargs: Any) -> cp_model.CpSolver:
        engine = original(*args, **kwargs)
        engine.parameters.max_time_in_seconds = 0.01
        return engine

    monkeypatch.setattr(cpsat, "solver", hurried)

    outcome = cpsat.run(scheduling_model(), 5.0, workers=2, seed=5, deterministic=True)

    assert outcome.cut


def test_a_run_reports_the_deterministic_time_it_used_within_its_budget() -> None:
    outcome = cpsat.run(scheduling_model(), 0.3, workers=2, seed=5, deterministic=True)

    assert 0 < outcome.seconds <= 0.3 * 1.2


def test_an_expression_is_valued_on_a_solution() -> None:
    model = cp_model.CpModel()
    a, b = model.new_int_var(0, 9, "a"), model.new_int_var(0, 9, "b")

    assert cpsat.evaluate(3 * a + 2 * b + a + 7, [2, 5]) == 4 * 2 + 2 * 5 + 7
    assert cpsat.evaluate(12, []) == 12
