"""The first schedule of rigid activities (planner/sgs.py): feasible, reproducible, and
no worse with a genetic search than with the priority rules alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner import psplib, sgs
from planner.problem import Milestone, PlanningProblem, Resource, RigidActivity
from tests.planner.builders import package, person

ROOT = Path(__file__).parents[2].parent / "shared" / "benchmarks" / "psplib"


def activity(code: str, duration: int, demand: dict[str, int], **options: object) -> RigidActivity:
    return RigidActivity(code, "P1", duration, demand, **options)  # type: ignore[arg-type]


def machine(code: str, capacity: tuple[int, ...]) -> Resource:
    return Resource(code, frozenset(), capacity, rate=0)


def assert_feasible(problem: PlanningProblem, begin: dict[str, int]) -> None:
    """Releases, precedence, the horizon and every resource's capacity in every period."""
    activities = {a.code: a for a in problem.activities}
    assert sorted(begin) == sorted(activities)
    for code, first in begin.items():
        a = activities[code]
        assert first >= a.release
        assert first + a.duration <= problem.horizon
        for before in a.predecessors:
            assert first >= begin[before] + activities[before].duration
    for resource in problem.resources:
        for t in range(problem.horizon):
            used = sum(
                a.demand.get(resource.code, 0)
                for a in problem.activities
                if begin[a.code] <= t < begin[a.code] + a.duration
            )
            assert used <= resource.capacity[t], (resource.code, t)


def test_activities_wait_for_their_release_predecessors_and_free_capacity() -> None:
    problem = PlanningProblem(
        tuple("012345"),
        (machine("M", (2, 2, 1, 2, 2, 2)),),
        activities=(
            activity("A", 2, {"M": 2}),
            activity("B", 1, {"M": 2}, release=1),  # period 2 has room for 1 only
            activity("C", 1, {"M": 1}, predecessors=("A",)),
        ),
    )

    begin = sgs.first_schedule(problem)

    assert begin is not None
    assert_feasible(problem, begin)
    assert begin["A"] == 0
    assert begin["B"] == 3  # after A (full machine), not in period 2 (capacity 1)
    assert begin["C"] == 2


def test_no_schedule_when_an_activity_finds_no_room_or_there_is_work_to_spread() -> None:
    too_big = PlanningProblem(
        tuple("01"), (machine("M", (1, 1)),), activities=(activity("A", 1, {"M": 2}),)
    )
    with_work = PlanningProblem(
        tuple("01"),
        (person("ANA", "dev", (5, 5)),),
        (package("W", {"dev": 2}),),
        activities=(activity("A", 1, {}),),
    )

    assert sgs.first_schedule(too_big) is None
    assert sgs.first_schedule(with_work) is None


@pytest.mark.parametrize(("set_name", "name"), [("j30", "j3029_8"), ("j120", "j12012_2")])
def test_a_psplib_schedule_is_feasible_and_the_same_on_every_run(set_name: str, name: str) -> None:
    problem = psplib.to_problem(psplib.load_instance(set_name, name, ROOT))

    begin = sgs.first_schedule(problem, schedules=300)

    assert begin is not None
    assert_feasible(problem, begin)
    assert sgs.first_schedule(problem, schedules=300) == begin
    # The makespan is the lateness of the milestone due before period 0.
    makespan = max(begin[a.code] + a.duration for a in problem.activities)
    assert sgs.lateness(problem, begin) == makespan >= psplib.reference(set_name, ROOT)[name]


def test_the_genetic_search_never_does_worse_than_the_rules_and_here_does_better() -> None:
    problem = psplib.to_problem(psplib.load_instance("j120", "j12012_2", ROOT))

    rules = sgs.first_schedule(problem)
    searched = sgs.first_schedule(problem, schedules=600)

    assert rules is not None
    assert searched is not None
    assert sgs.lateness(problem, searched) < sgs.lateness(problem, rules)


def test_lateness_weighs_each_late_milestone_by_its_priority() -> None:
    problem = PlanningProblem(
        tuple("0123"),
        (machine("M", (1, 1, 1, 1)),),
        activities=(
            activity("A", 2, {"M": 1}, milestone="SOON"),
            activity("B", 2, {"M": 1}, milestone="LATER"),
        ),
        milestones=(Milestone("SOON", due=0, priority=3), Milestone("LATER", due=3)),
    )

    # A in periods 2-3 ends 3 periods after the end of period 0; B holds.
    assert sgs.lateness(problem, {"A": 2, "B": 0}) == 3 * 3
    assert sgs.lateness(problem, {"A": 0, "B": 2}) == 3 * 1
