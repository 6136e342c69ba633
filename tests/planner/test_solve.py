"""The planner on small problems, one constraint family at a time: a feasible case, a
case forced infeasible (or late), and a case where the solver must find the alternative.
Every plan is checked by ``planner.validation`` without the solver."""

from __future__ import annotations

import dataclasses

import pytest

from planner.problem import (
    Assignment,
    Budget,
    Milestone,
    PlanningProblem,
    ProblemError,
    RigidActivity,
)
from planner.result import PlanResult, Status
from planner.validation import violations
from tests.planner.builders import FOUR, package, person, planned


def units_by(result: PlanResult, resource: str) -> int:
    return sum(a.units for a in result.allocations if a.resource == resource)


# -- capacity ---------------------------------------------------------------------------


def test_effort_that_fits_the_capacity_is_planned_within_it() -> None:
    problem = PlanningProblem(FOUR, (person("ANA", "dev"),), (package("A", {"dev": 18}),))

    result = planned(problem)

    assert result.status is Status.OPTIMAL
    assert sum(a.units for a in result.allocations) == 18
    assert all(a.units <= 5 for a in result.allocations)


def test_effort_beyond_every_capacity_of_the_horizon_is_infeasible() -> None:
    problem = PlanningProblem(FOUR, (person("ANA", "dev"),), (package("A", {"dev": 21}),))

    result = planned(problem)

    assert result.status is Status.INFEASIBLE
    assert not result.has_plan


def test_the_only_resource_with_the_skill_does_the_work_when_the_other_has_none() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"), person("BOB", "dev,arch")),
        (package("A", {"arch": 12}),),
    )

    result = planned(problem)

    assert units_by(result, "BOB") == 12
    assert units_by(result, "ANA") == 0


def test_a_rigid_activity_takes_capacity_the_work_packages_cannot_use() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"),),
        (package("A", {"dev": 14}),),
        (RigidActivity("MIGRATION", "P2", 2, {"ANA": 3}),),
    )

    result = planned(problem)

    migration = result.placement("MIGRATION")
    for period in range(migration.start, migration.finish + 1):
        assert sum(a.units for a in result.allocations if a.period == period) <= 2


def test_work_and_a_rigid_activity_beyond_the_capacity_together_are_infeasible() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"),),
        (package("A", {"dev": 15}),),
        (RigidActivity("MIGRATION", "P2", 2, {"ANA": 3}),),
    )

    assert planned(problem).status is Status.INFEASIBLE


def test_intensity_caps_the_units_a_work_package_takes_in_a_period() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"), person("BOB", "dev")),
        (package("A", {"dev": 12}, max_per_period=3),),
    )

    result = planned(problem)

    assert result.placement("A").finish - result.placement("A").start + 1 == 4


# -- precedence and milestones ----------------------------------------------------------


def test_a_successor_starts_after_its_predecessor_is_over() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"), person("BOB", "dev")),
        (package("A", {"dev": 4}), package("B", {"dev": 4}, predecessors=("A",))),
        milestones=(Milestone("GO", due=1),),
    )

    result = planned(problem)

    assert result.placement("B").start > result.placement("A").finish


def test_a_chain_longer_than_the_time_left_makes_its_milestone_late_by_the_difference() -> None:
    chain = (
        package("A", {"dev": 5}),
        package("B", {"dev": 5}, predecessors=("A",)),
        package("C", {"dev": 5}, predecessors=("B",), milestone="GO"),
    )
    problem = PlanningProblem(
        FOUR, (person("ANA", "dev"),), chain, milestones=(Milestone("GO", 0),)
    )

    result = planned(problem)

    (go,) = result.milestones
    assert (go.finish, go.lateness) == (2, 2)
    assert result.explanation.late == (go,)
    assert result.level("lateness") is not None


def test_the_milestone_of_higher_priority_holds_when_both_cannot() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"),),
        (
            package("LOW", {"dev": 5}, milestone="MINOR"),
            package("HIGH", {"dev": 5}, milestone="MAJOR"),
        ),
        milestones=(Milestone("MINOR", due=0, priority=1), Milestone("MAJOR", due=0, priority=5)),
    )

    result = planned(problem)

    late = {m.code: m.lateness for m in result.milestones}
    assert late == {"MAJOR": 0, "MINOR": 1}


# -- budgets, reallocation, cost --------------------------------------------------------


def test_the_cheaper_resource_is_chosen_to_stay_within_budget() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("SENIOR", "dev", rate=900), person("JUNIOR", "dev", rate=400)),
        (package("A", {"dev": 10}),),
        budgets=(Budget("P1", 4000),),
    )

    result = planned(problem)

    assert units_by(result, "JUNIOR") == 10
    assert result.costs[0].overrun == 0


def test_a_budget_too_small_is_overrun_by_the_least_possible() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("SENIOR", "dev", rate=900), person("JUNIOR", "dev", rate=400)),
        (package("A", {"dev": 10}),),
        budgets=(Budget("P1", 3000),),
    )

    result = planned(problem)

    assert result.costs[0].overrun == 1000
    assert result.level("overrun") is not None


def test_the_current_staffing_is_kept_when_it_holds_the_milestones() -> None:
    current = tuple(Assignment("BOB", "P1", t, 3) for t in range(4))
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"), person("BOB", "dev")),
        (package("A", {"dev": 12}),),
        current=current,
    )

    result = planned(problem)

    assert result.changes == ()
    assert units_by(result, "BOB") == 12


def test_lateness_comes_before_keeping_the_current_staffing() -> None:
    current = (Assignment("BOB", "P1", 0, 2),)
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"), person("BOB", "dev")),
        (package("A", {"dev": 10}, milestone="GO"),),
        milestones=(Milestone("GO", due=0),),
        current=current,
    )

    result = planned(problem)

    assert result.milestones[0].holds
    assert {(c.resource, c.period, c.after) for c in result.changes} == {
        ("ANA", 0, 5),
        ("BOB", 0, 5),
    }


def test_the_same_seed_and_workers_give_the_same_plan() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"), person("BOB", "dev"), person("CLEO", "dev")),
        (package("A", {"dev": 9}), package("B", {"dev": 9})),
    )

    first, second = planned(problem), planned(problem)

    assert first.allocations == second.allocations


# -- validation and bad problems --------------------------------------------------------


def test_validation_names_a_plan_that_breaks_capacity_or_misreports_its_cost() -> None:
    problem = PlanningProblem(FOUR, (person("ANA", "dev", rate=100),), (package("A", {"dev": 8}),))
    result = planned(problem)
    first = result.allocations[0]
    crowded = dataclasses.replace(
        result,
        allocations=(dataclasses.replace(first, units=first.units + 4), *result.allocations[1:]),
    )

    found = violations(problem, crowded)

    assert any("over its 5" in v for v in found)
    assert any("gets 12 of 8 units of dev" in v for v in found)
    assert any("project P1 costs 1200" in v for v in found)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: (
                package("A", {"dev": 1}, predecessors=("B",)),
                package("B", {"dev": 1}, predecessors=("A",)),
            ),
            "precedence cycle",
        ),
        (lambda: (package("A", {"dev": 1}, predecessors=("Z",)),), "A follows unknown work Z"),
        (lambda: (package("A", {"ux": 1}),), "A needs ux, which no resource has"),
        (lambda: (package("A", {"dev": 1}, milestone="NOPE"),), "A serves unknown milestone NOPE"),
    ],
)
def test_a_problem_that_cannot_be_stated_is_refused_naming_what_is_wrong(
    build: object, message: str
) -> None:
    with pytest.raises(ProblemError, match=message):
        PlanningProblem(FOUR, (person("ANA", "dev"),), build())  # type: ignore[operator]


def test_a_capacity_per_period_must_cover_the_horizon() -> None:
    with pytest.raises(ProblemError, match="ANA has 3 capacities for 4 periods"):
        PlanningProblem(FOUR, (person("ANA", "dev", (5, 5, 5)),))
