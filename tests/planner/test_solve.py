"""The planner on small problems, one constraint family at a time: a feasible case, a
case forced infeasible (or late), and a case where the solver must find the alternative.
Every plan is checked by ``planner.validation`` without the solver."""

from __future__ import annotations

import dataclasses
import random

import pytest
from ortools.sat.python import cp_model

from planner.model import build
from planner.problem import (
    Assignment,
    Budget,
    Milestone,
    PlanningProblem,
    ProblemError,
    RigidActivity,
)
from planner.result import Level, PlanResult, Status
from planner.solve import status_quo, top_up
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


# -- staffing beyond the modelled work ---------------------------------------------------


def test_staffing_on_work_the_plan_does_not_model_is_kept_not_freed() -> None:
    current = tuple(Assignment("BOB", "RUN", t, 5) for t in range(4))
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev", rate=10), person("BOB", "dev", rate=10)),
        (package("A", {"dev": 8}),),
        current=current,
    )

    result = planned(problem)

    assert {c.resource for c in result.changes} == {"ANA"}  # ANA takes on A; BOB stays
    assert result.kept == current
    assert {c.project: c.cost for c in result.costs}["RUN"] == 200


def test_kept_staffing_gives_way_when_a_milestone_needs_the_person() -> None:
    current = tuple(Assignment("BOB", "RUN", t, 5) for t in range(4))
    problem = PlanningProblem(
        FOUR,
        (person("BOB", "dev"),),
        (package("A", {"dev": 10}, milestone="GO"),),
        milestones=(Milestone("GO", due=1),),
        current=current,
    )

    result = planned(problem)

    assert result.milestones[0].holds
    assert {(k.period, k.units) for k in result.kept} == {(2, 5), (3, 5)}
    assert {(c.project, c.period, c.before, c.after) for c in result.changes} == {
        ("RUN", 0, 5, 0),
        ("RUN", 1, 5, 0),
        ("P1", 0, 0, 5),
        ("P1", 1, 0, 5),
    }
    assert result.level("reallocation") == Level("reallocation", 20, 20, Status.OPTIMAL)


def test_kept_staffing_costs_money_and_is_shed_before_a_budget_is_overrun() -> None:
    current = tuple(Assignment("BOB", "RUN", t, 3) for t in range(4))
    problem = PlanningProblem(
        FOUR,
        (person("BOB", "dev", rate=100),),
        budgets=(Budget("RUN", 600),),
        current=current,
    )

    result = planned(problem)

    assert sum(k.units for k in result.kept) == 6
    assert {c.project: (c.cost, c.overrun) for c in result.costs}["RUN"] == (600, 0)
    assert result.level("reallocation") == Level("reallocation", 6, 6, Status.OPTIMAL)


def test_staffing_beyond_a_capacity_that_fell_is_reported_as_freed() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("BOB", "dev", capacity=(5, 2, 0, 5)),),
        current=tuple(Assignment("BOB", "RUN", t, 4) for t in range(4)),
    )

    result = planned(problem)

    assert {(c.period, c.before, c.after) for c in result.changes} == {(1, 4, 2), (2, 4, 0)}


def test_validation_names_kept_staffing_beyond_the_capacity_or_the_current() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("BOB", "dev"),),
        (package("A", {"dev": 5}, milestone="GO"),),
        milestones=(Milestone("GO", due=0),),  # A fills BOB's period 0
        current=(Assignment("BOB", "RUN", 0, 2),),
    )
    result = planned(problem)
    inflated = dataclasses.replace(result, kept=(Assignment("BOB", "RUN", 0, 2),))
    beyond = dataclasses.replace(result, kept=(Assignment("BOB", "RUN", 0, 4),))
    elsewhere = dataclasses.replace(result, kept=(Assignment("BOB", "P9", 3, 1),))

    assert result.placement("A").start == 0
    assert result.kept == ()  # no room left to keep RUN in period 0
    assert any("over its 5" in v for v in violations(problem, inflated))
    assert any("staffed 2 there now" in v for v in violations(problem, beyond))
    assert any("staffed 0 there now" in v for v in violations(problem, elsewhere))


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


def test_two_lines_of_current_staffing_for_the_same_cell_are_refused() -> None:
    line = Assignment("ANA", "P1", 0, 2)
    with pytest.raises(ProblemError, match="line of current staffing for ANA on P1 in period 0"):
        PlanningProblem(FOUR, (person("ANA", "dev"),), current=(line, line))


def test_topping_up_keeps_what_capacity_and_budget_leave_of_the_current_staffing() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev", rate=10), person("BOB", "ops", rate=10)),
        (package("A", {"ops": 20}),),
        budgets=(Budget("RUN", 50),),
        current=(
            *(Assignment("ANA", "RUN", t, 2) for t in range(4)),
            *(Assignment("BOB", "P1", t, 5) for t in range(4)),
        ),
    )
    model = build(problem)
    model.cp.minimize(sum(model.kept.values()))  # a plan that keeps nothing it need not
    solver = cp_model.CpSolver()
    assert solver.solve(model.cp) == cp_model.OPTIMAL
    solution = list(solver.response_proto.solution)
    assert all(solution[v.index] == 0 for v in model.kept.values())

    topped = top_up(model, solution)

    kept = {key: topped[var.index] for key, var in model.kept.items()}
    assert sum(units for (r, _, _), units in kept.items() if r == "ANA") == 5  # budget: 50/10
    assert sum(units for (r, _, _), units in kept.items() if r == "BOB") == 0  # busy on A
    current = {(c.resource, c.project, c.period): c.units for c in problem.current}
    for key, gap in model.moved.items():
        staffed = sum(topped[v.index] for v in model.staffing[key])
        assert topped[gap.index] == abs(staffed - current[key])


# -- the status quo ----------------------------------------------------------------------


def test_the_status_quo_holds_everyone_to_their_current_project() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"), person("BOB", "dev")),
        (package("A", {"dev": 10}, milestone="GO"),),
        milestones=(Milestone("GO", due=0),),
        current=(
            *(Assignment("BOB", "P1", t, 5) for t in range(4)),
            *(Assignment("ANA", "RUN", t, 5) for t in range(4)),
        ),
    )

    (before,) = status_quo(problem, time_limit_s=2) or ()
    (after,) = planned(problem).milestones

    assert (before.finish, before.lateness) == (1, 1)  # BOB alone: weeks 0 and 1
    assert after.holds  # ANA leaves RUN for week 0


def test_work_the_status_quo_leaves_no_room_for_ends_after_the_horizon() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"), person("BOB", "dev")),
        (package("A", {"dev": 10}, milestone="GO"),),
        milestones=(Milestone("GO", due=1, priority=2),),
        current=tuple(Assignment("ANA", "RUN", t, 5) for t in range(4)),  # nobody on P1
    )

    (before,) = status_quo(problem, time_limit_s=2) or ()

    assert (before.finish, before.lateness) == (4, 3)  # after the horizon: at least 3 late
    assert status_quo(problem, time_limit_s=2, open_periods=(2, 3)) is not None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_plan_keeps_every_unit_of_current_staffing_it_has_room_for(seed: int) -> None:
    rng = random.Random(seed)
    people = tuple(person(f"P{i}", "dev", rate=rng.choice([0, 10])) for i in range(3))
    work = tuple(
        package(f"W{i}", {"dev": rng.randint(2, 8)}, project=f"PR{i % 2}") for i in range(4)
    )
    current = tuple(
        Assignment(p.code, f"PR{rng.randint(0, 2)}", t, rng.randint(1, 4))
        for p in people
        for t in range(4)
    )
    budgets = (Budget("PR2", rng.randint(0, 100)),)
    problem = PlanningProblem(FOUR, people, work, budgets=budgets, current=current)

    result = planned(problem)

    staffed = result.staffing({w.code: w.project for w in work})
    used = {(r.code, t): 0 for r in people for t in range(4)}
    for (resource, _, t), units in staffed.items():
        used[resource, t] += units
    spent = {c.project: c.cost for c in result.costs}
    for line in current:
        planned_units = staffed.get((line.resource, line.project, line.period), 0)
        room = 5 - used[line.resource, line.period]
        rate = next(p.rate for p in people if p.code == line.resource)
        money = budgets[0].amount - spent["PR2"] if line.project == "PR2" else None
        blocked_by_budget = money is not None and rate > 0 and money < rate
        # No line of current staffing could be raised further: the rule of kept staffing.
        assert planned_units >= line.units or room == 0 or blocked_by_budget, line


def test_a_problem_with_nothing_to_schedule_keeps_the_current_staffing() -> None:
    problem = PlanningProblem(
        FOUR, (person("ANA", "dev"),), current=(Assignment("ANA", "RUN", 0, 3),)
    )

    result = planned(problem)

    assert result.status is Status.OPTIMAL
    assert result.kept == (Assignment("ANA", "RUN", 0, 3),)
    assert result.changes == ()
