"""Search settings by problem shape (planner/search.py): rigid activities only get a
first schedule, a bound and a narrower deterministic portfolio; anything else is left
as planner.solve sets it."""

from __future__ import annotations

from pathlib import Path

from ortools.sat.python import cp_model

from planner import cpsat, psplib, search, sgs
from planner.model import build
from planner.problem import Milestone, PlanningProblem
from planner.result import Status
from planner.solve import solve
from tests.planner.builders import FOUR, package, person

ROOT = Path(__file__).parents[2].parent / "shared" / "benchmarks" / "psplib"


def j30() -> PlanningProblem:
    return psplib.to_problem(psplib.load_instance("j30", "j3029_8", ROOT))


def work_packages() -> PlanningProblem:
    return PlanningProblem(
        FOUR,
        (person("ANA", "dev"),),
        (package("A", {"dev": 5}, milestone="GO"),),
        milestones=(Milestone("GO", due=1),),
    )


def test_only_a_problem_of_rigid_activities_alone_is_rigid_only() -> None:
    assert search.rigid_only(j30())
    assert not search.rigid_only(work_packages())


def test_rigid_activities_start_from_the_first_schedule_and_branch_on_begins() -> None:
    problem = j30()
    model = build(problem)

    search.prepare(model, 10.0)

    first = sgs.first_schedule(problem, schedules=search.schedules(problem, 10.0))
    assert first is not None
    hint = model.cp.proto.solution_hint
    hinted = dict(zip(hint.vars, hint.values, strict=True))
    assert {code: hinted[var.index] for code, var in model.begin.items()} == first
    (strategy,) = model.cp.proto.search_strategy
    begins = [model.begin[a.code].index for a in problem.activities]
    assert [expression.vars[0] for expression in strategy.exprs] == begins
    assert strategy.variable_selection_strategy == cp_model.CHOOSE_LOWEST_MIN


def test_no_plan_worse_than_the_first_schedule_is_left_to_search() -> None:
    problem = j30()
    model = build(problem)
    search.prepare(model, 10.0)
    first = sgs.first_schedule(problem, schedules=search.schedules(problem, 10.0))
    assert first is not None
    objective = model.objectives["lateness"]
    assert not isinstance(objective, int)

    model.cp.add(objective >= sgs.lateness(problem, first) + 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1

    assert solver.solve(model.cp) == cp_model.INFEASIBLE


def test_a_problem_with_work_packages_keeps_its_model_and_parameters() -> None:
    problem = work_packages()
    model, untouched = build(problem), build(problem)

    search.prepare(model, 10.0)
    solver = cpsat.solver(10.0, seed=0, workers=2, interleaved=True)
    before = str(solver.parameters)
    search.tune(solver.parameters, problem, 10.0, True)

    assert str(model.cp.proto) == str(untouched.cp.proto)
    assert str(solver.parameters) == before


def test_rigid_activities_get_a_narrower_deterministic_portfolio_only() -> None:
    problem = j30()
    deterministic = cpsat.solver(10.0, seed=0, workers=2, interleaved=True)
    free = cpsat.solver(10.0, seed=0, workers=2, deterministic=False)
    free_before = str(free.parameters)

    search.tune(deterministic.parameters, problem, 10.0, True)
    search.tune(free.parameters, problem, 10.0, False)

    assert list(deterministic.parameters.ignore_subsolvers) == list(search.IGNORED)
    assert deterministic.parameters.interleave_search
    genetic = search.schedules(problem, 10.0) * len(problem.activities) * search.PLACEMENT_SECONDS
    left = 10.0 - genetic
    assert 0 < left < 10.0
    share = search.deterministic_share(problem)
    assert deterministic.parameters.max_deterministic_time == left * share
    assert str(free.parameters) == free_before


def test_a_smaller_instance_gets_more_deterministic_time_per_second_up_to_a_cap() -> None:
    shares = [
        search.deterministic_share(psplib.to_problem(psplib.load_instance(s, n, ROOT)))
        for s, n in (("j30", "j3029_8"), ("j60", "j6029_9"), ("j120", "j12012_2"))
    ]

    assert shares[2] == search.DETERMINISTIC_SHARE  # j120: as measured there
    assert shares[0] == search.MAX_DETERMINISTIC_SHARE
    assert search.DETERMINISTIC_SHARE < shares[1] <= shares[0]


def test_the_genetic_search_gets_fewer_schedules_when_they_would_exceed_its_share() -> None:
    small, large = j30(), psplib.to_problem(psplib.load_instance("j120", "j12012_2", ROOT))

    assert search.schedules(small, 10.0) == search.SCHEDULES
    assert search.schedules(large, 10.0) < search.SCHEDULES
    assert search.schedules(large, 1.0) < search.schedules(large, 10.0)
    seconds = search.schedules(large, 10.0) * len(large.activities) * search.PLACEMENT_SECONDS
    assert seconds <= search.GENETIC_SHARE * 10.0


def test_a_psplib_instance_gets_the_same_plan_on_every_run() -> None:
    problem = psplib.to_problem(psplib.load_instance("j120", "j12012_2", ROOT))

    runs = [solve(problem, time_limit_s=2.0, workers=2, seed=0, explain=False) for _ in "ab"]

    assert runs[0].status is Status.FEASIBLE
    assert runs[0].placements == runs[1].placements
