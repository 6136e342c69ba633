"""The planner explains itself: what extra capacity would hold a late milestone, what
binds, and why no plan exists. Each claim is checked by re-solving with the capacity
it names added, or against a hand computation."""

from __future__ import annotations

import dataclasses

from planner.problem import (
    Budget,
    Milestone,
    PlanningProblem,
    Resource,
    RigidActivity,
)
from planner.result import ExtraCapacity, Status
from planner.solve import solve
from tests.planner.builders import FOUR, package, person, planned


def with_extra(problem: PlanningProblem, extra: tuple[ExtraCapacity, ...]) -> PlanningProblem:
    """The problem with one more resource per (skill) giving exactly the extra units."""
    added = []
    for skill in sorted({e.skill for e in extra}):
        capacity = [0] * problem.horizon
        for e in extra:
            if e.skill == skill:
                capacity[e.period] += e.units
        added.append(Resource(f"HIRED-{skill}", frozenset({skill}), tuple(capacity)))
    return dataclasses.replace(problem, resources=(*problem.resources, *added))


def late_then_held() -> PlanningProblem:
    """ANA alone cannot finish A (12 dev) in one period, so B (qa) and M1 slip by two."""
    return PlanningProblem(
        FOUR,
        (person("ANA", "dev"), person("BOB", "qa")),
        (
            package("A", {"dev": 12}, milestone="M1"),
            package("B", {"qa": 3}, predecessors=("A",), milestone="M1"),
            package("C", {"dev": 6}, project="P2", milestone="M2"),
        ),
        milestones=(Milestone("M1", 1, priority=3), Milestone("M2", 3)),
    )


def test_a_late_milestone_is_explained_by_the_smallest_extra_capacity_that_holds_it() -> None:
    problem = late_then_held()

    result = planned(problem)

    assert [(o.code, o.lateness) for o in result.explanation.late] == [("M1", 2)]
    # A in W1 needs 12 dev: ANA gives 5 of them, 7 more must come from outside.
    assert result.explanation.extra_capacity == (ExtraCapacity("M1", "dev", 0, 7),)
    assert result.explanation.notes == (
        "M1: holds with the extra capacity listed (1 skill-period(s))",
    )


def test_adding_the_extra_capacity_named_makes_the_milestone_hold() -> None:
    problem = late_then_held()
    extra = planned(problem).explanation.extra_capacity

    again = planned(with_extra(problem, extra))

    assert all(o.holds for o in again.milestones)


def test_less_than_the_extra_capacity_named_does_not_hold_the_milestone() -> None:
    problem = late_then_held()
    (extra,) = planned(problem).explanation.extra_capacity

    again = planned(with_extra(problem, (dataclasses.replace(extra, units=extra.units - 1),)))

    assert not next(o for o in again.milestones if o.code == "M1").holds


def test_a_milestone_no_capacity_can_hold_says_how_late_it_stays() -> None:
    chain = (
        package("A", {"dev": 2}),
        package("B", {"dev": 2}, predecessors=("A",)),
        package("C", {"dev": 2}, predecessors=("B",), milestone="GO"),
    )
    problem = PlanningProblem(FOUR, (person("ANA", "dev"),), chain,
                              milestones=(Milestone("GO", 0),))  # fmt: skip

    result = planned(problem)

    assert result.explanation.extra_capacity == ()
    (note,) = result.explanation.notes
    assert note.startswith("GO: even with unlimited extra capacity it stays 2 period(s) late")


def test_milestones_that_hold_need_no_extra_capacity() -> None:
    problem = PlanningProblem(FOUR, (person("ANA", "dev"),),
                              (package("A", {"dev": 8}, milestone="M"),),
                              milestones=(Milestone("M", 3),))  # fmt: skip

    result = planned(problem)

    assert result.explanation.late == ()
    assert result.explanation.extra_capacity == ()
    assert result.explanation.notes == ()


def test_the_constraints_that_bind_are_named() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev", rate=10),),
        (
            package("A", {"dev": 5}, max_per_period=5),
            package("B", {"dev": 5}, predecessors=("A",), milestone="M"),
        ),
        milestones=(Milestone("M", 0),),
        budgets=(Budget("P1", 100),),
    )

    result = planned(problem)

    found = {(b.kind, b.subject, b.period) for b in result.explanation.binding}
    assert ("capacity", "ANA", 0) in found
    assert ("capacity", "ANA", 1) in found
    assert ("precedence", "A -> B", 1) in found
    assert ("intensity", "A", 0) in found
    assert ("budget", "P1", None) in found
    assert ("capacity", "ANA", 2) not in found


def test_a_problem_without_a_plan_is_diagnosed_by_skill_and_by_chain() -> None:
    problem = PlanningProblem(
        FOUR,
        (person("ANA", "dev"),),
        (
            package("A", {"dev": 25}),
            package("B", {"dev": 1}, predecessors=("A",), max_per_period=1),
        ),
        activities=(RigidActivity("R", "P1", 4, {"ANA": 1}, predecessors=("B",)),),
    )

    result = planned(problem)

    assert result.status is Status.INFEASIBLE
    notes = result.explanation.notes
    assert notes[0] == (
        "dev: 26 units of work for 20 units of capacity over the horizon"
        " (all resources with the skill)"
    )
    assert notes[1] == "the chain of work ending with R needs at least 6 periods; the horizon has 4"


def test_the_explanation_can_be_left_out() -> None:
    problem = late_then_held()

    result = solve(problem, time_limit_s=5, workers=2, seed=1, explain=False)

    assert [o.code for o in result.explanation.late] == ["M1"]
    assert result.explanation.extra_capacity == ()
    assert result.explanation.binding == ()
