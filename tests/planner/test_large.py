"""Planning at portfolio scale (``planner.large``): a complete greedy plan, improved by
re-planning neighbourhoods with the rest fixed. Checked on a generated portfolio of a
medium size: the plan validates, is never later than the best greedy plan, improves
it, and is the same for the same seed; the greedy construction retries until every
package is placed; the whole model's solve falls back to the greedy plan."""

from __future__ import annotations

import random

import pytest

import planner.large as large
import planner.solve as solve_module
from planner.problem import (
    Assignment,
    Budget,
    Milestone,
    PlanningProblem,
    Resource,
    WorkPackage,
)
from planner.result import LEVELS, PlanResult, Status
from planner.solve import solve, status_quo
from planner.validation import check
from planner.warm import RULES, greedy

SKILLS = ("dev", "qa", "ops", "arch")


def portfolio(seed: int, projects: int = 24, horizon: int = 18) -> PlanningProblem:
    """Projects of 4-6 chained packages, 12 resources of 1-2 skills, tight milestones,
    budgets a little short for some, a current staffing close to the work."""
    rng = random.Random(seed)
    resources = []
    for i in range(12):
        skills = {SKILLS[i % len(SKILLS)]} | ({rng.choice(SKILLS)} if rng.random() < 0.4 else set())
        capacity = tuple(rng.choice((16, 20, 20, 20)) for _ in range(horizon))
        resources.append(Resource(f"R{i:02d}", frozenset(skills), capacity, rng.randint(5, 12)))
    packages, milestones, budgets, current = [], [], [], []
    for p in range(projects):
        project = f"P{p:02d}"
        release = rng.randint(0, horizon // 2)
        count = rng.randint(4, 6)
        codes = [f"{project}-W{k}" for k in range(count)]
        due = min(horizon - 1, release + count + rng.randint(0, 3))
        milestones.append(Milestone(f"{project}-M", due, rng.randint(1, 3)))
        for k, code in enumerate(codes):
            effort = {rng.choice(SKILLS): rng.randint(6, 30)}
            if rng.random() < 0.3:
                effort[rng.choice(SKILLS)] = rng.randint(4, 12)
            packages.append(
                WorkPackage(
                    code,
                    project,
                    effort,
                    max_per_period=rng.choice((None, 15, 20)),
                    predecessors=(codes[k - 1],) if k else (),
                    milestone=f"{project}-M" if k == count - 1 else None,
                    release=release,
                )
            )
        budgets.append(Budget(project, rng.randint(900, 1300)))
        for t in range(release, min(horizon, release + count)):
            current.append(Assignment(f"R{rng.randrange(12):02d}", project, t, 10))
    return PlanningProblem(
        periods=tuple(f"M{t}" for t in range(horizon)),
        resources=tuple(resources),
        work_packages=tuple(packages),
        milestones=tuple(milestones),
        budgets=tuple(budgets),
        current=tuple(current),
    )


def greedy_lateness(problem: PlanningProblem) -> int:
    """The least weighted lateness of the complete greedy plans."""
    serving = problem.serving()
    found = []
    for rule in RULES:
        plan = greedy(problem, rule)
        if plan.complete:
            found.append(
                sum(
                    m.priority * max(0, max(plan.finish[c] for c in serving[m.code]) - m.due)
                    for m in problem.milestones
                )
            )
    return min(found)


@pytest.fixture(scope="module")
def medium() -> PlanningProblem:
    return portfolio(seed=5)


def searched(problem: PlanningProblem) -> PlanResult:
    """The large path with a search budget far inside its time limit, so that the
    wall-clock safety net never cuts it (even on a loaded machine)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(large, "SEARCH_SHARE", 0.25)
        return solve(problem, time_limit_s=12, workers=2, seed=5, explain=False, large=True)


@pytest.fixture(scope="module")
def first_run(medium: PlanningProblem) -> PlanResult:
    return searched(medium)


def test_the_large_path_returns_a_plan_that_validates_and_beats_the_greedy_one(
    medium: PlanningProblem, first_run: PlanResult
) -> None:
    check(medium, first_run)
    assert first_run.status is Status.FEASIBLE
    assert [lv.name for lv in first_run.levels] == list(LEVELS)
    lateness = first_run.level("lateness")
    assert lateness is not None
    assert lateness.bound <= lateness.value <= greedy_lateness(medium)
    note = first_run.explanation.notes[0]
    improved = int(note.split(" improved by ")[1].split(" ")[0])
    assert improved > 0  # the neighbourhoods found better plans than the greedy one
    searched_part, kept_part = first_run.explanation.notes[1].split("; with the current ")
    greedy_values, final = (
        tuple(int(v) for v in part.split(", "))
        for part in searched_part.split(": greedy plan ")[1].split("; final ")
    )
    assert final < greedy_values  # lexicographically, on the work alone
    levels = tuple(lv.value for lv in first_run.levels)
    assert kept_part.endswith(", ".join(map(str, levels)))
    assert levels[:2] == final[:2]  # keeping staffing moves no milestone, overruns nothing
    assert levels[2] <= final[2]  # less reallocation
    assert levels[3] >= final[3]  # for the cost of the staffing kept


def test_the_large_path_gives_the_same_plan_for_the_same_seed(
    medium: PlanningProblem, first_run: PlanResult
) -> None:
    again = searched(medium)
    runs = (first_run, again)
    assert not any("wall clock" in note for run in runs for note in run.explanation.notes)
    assert first_run.allocations == again.allocations
    assert first_run.levels == again.levels


def test_the_large_path_on_the_wall_clock_also_returns_a_plan_that_validates(
    medium: PlanningProblem,
) -> None:
    result = solve(medium, time_limit_s=2, workers=2, seed=0, deterministic=False, large=True)
    check(medium, result)
    assert result.has_plan
    assert result.explanation.extra_capacity or result.explanation.notes


def test_the_large_path_holds_a_level_reached_its_bound_as_optimal() -> None:
    problem = PlanningProblem(
        periods=("M0", "M1"),
        resources=(Resource("R", frozenset({"dev"}), (10, 10), 1),),
        work_packages=(WorkPackage("W", "P", {"dev": 10}, milestone="M"),),
        milestones=(Milestone("M", 1),),
    )
    result = solve(problem, time_limit_s=2, workers=1, seed=0, explain=False, large=True)
    check(problem, result)
    assert result.status is Status.OPTIMAL
    assert all(lv.value == lv.bound for lv in result.levels)


def test_the_greedy_construction_retries_until_a_late_chain_finds_room() -> None:
    # The urgent package takes the first period whole; the chain then cannot end in
    # the horizon unless it starts first.
    problem = PlanningProblem(
        periods=("M0", "M1"),
        resources=(Resource("R", frozenset({"dev"}), (10, 10)),),
        work_packages=(
            WorkPackage("A", "P", {"dev": 10}, milestone="URGENT"),
            WorkPackage("B1", "P", {"dev": 5}, milestone=None),
            WorkPackage("B2", "P", {"dev": 5}, predecessors=("B1",), milestone="LATER"),
        ),
        milestones=(Milestone("URGENT", 0), Milestone("LATER", 1)),
    )
    plan = greedy(problem)
    assert plan.complete
    assert (plan.start["B1"], plan.finish["B2"]) == (0, 1)


def test_a_whole_model_without_a_plan_in_time_falls_back_to_the_greedy_one(
    medium: PlanningProblem,
) -> None:
    rescued = large.rescue(medium, 10.0, 1.0)  # the whole model proved 10 at least
    assert rescued is not None
    check(medium, rescued)
    assert rescued.status is Status.FEASIBLE
    lateness = rescued.level("lateness")
    assert lateness is not None
    assert lateness.value == greedy_lateness(medium)
    assert lateness.bound == 10


def test_a_whole_model_solve_without_a_plan_in_its_time_returns_the_greedy_plan(
    medium: PlanningProblem,
) -> None:
    # A twentieth of a second: the first level stops before its first solution.
    result = solve(medium, time_limit_s=0.05, workers=2, seed=0, explain=False, large=False)
    check(medium, result)
    assert result.status is Status.FEASIBLE
    assert result.explanation.notes[0].startswith("the whole model found no plan")
    lateness = result.level("lateness")
    assert lateness is not None
    assert lateness.value == greedy_lateness(medium)


def test_the_size_decides_the_path() -> None:
    small, big = portfolio(seed=5, projects=4), portfolio(seed=5, projects=120, horizon=24)
    assert large.estimated_size(small) < large.THRESHOLD < large.estimated_size(big)
    assert not large.applies(small)
    assert large.applies(big)


def test_the_status_quo_of_a_large_problem_is_the_greedy_one_without_a_model(
    medium: PlanningProblem, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole model was built")

    monkeypatch.setattr(solve_module, "build", no_model)
    monkeypatch.setattr(large, "THRESHOLD", 1)

    outcomes = status_quo(medium, time_limit_s=1, open_periods=(medium.horizon - 1,))

    assert outcomes is not None
    assert {o.code for o in outcomes} == {m.code for m in medium.milestones}
