"""PSPLIB instances and reference tables read from ../shared, and the planner on them.

The files are the published ones, never copied into the repository; every expected
figure below was read off them (j301_1.sm, j30opt.sm, j60hrs.sm, j120lb.sm …).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from planner import psplib
from planner.psplib import Instance, PsplibError
from planner.result import PlanResult, Status
from planner.solve import solve

ROOT = Path(__file__).parents[2].parent / "shared" / "benchmarks" / "psplib"


@pytest.fixture(scope="module", autouse=True)
def _benchmark_files() -> None:
    if not (ROOT / "j30.sm.zip").is_file():
        pytest.fail(f"the PSPLIB files are expected in {ROOT} (../shared beside the repository)")


@pytest.fixture(scope="module")
def j301_1() -> Instance:
    """The first j30 instance: optimum 43, capacities 12, 13, 4, 12."""
    return psplib.load_instance("j30", "j301_1", ROOT)


def test_a_j30_instance_has_thirty_jobs_between_two_dummies(j301_1: Instance) -> None:
    assert j301_1.name == "j301_1"
    assert len(j301_1.jobs) == 32
    for dummy in (j301_1.job(1), j301_1.job(32)):
        assert dummy.duration == 0
        assert dummy.demand == (0, 0, 0, 0)
    assert j301_1.job(32).successors == ()


def test_capacities_durations_and_successors_are_those_of_the_file(j301_1: Instance) -> None:
    assert j301_1.capacities == (12, 13, 4, 12)
    assert j301_1.resources == ("R1", "R2", "R3", "R4")
    assert j301_1.horizon == 158
    assert j301_1.job(1).successors == (2, 3, 4)
    assert j301_1.job(2) == psplib.Job(2, duration=8, successors=(6, 11, 15), demand=(4, 0, 0, 0))
    assert j301_1.job(16).duration == 10
    assert j301_1.job(20).demand == (0, 10, 0, 0)


def test_predecessors_are_the_successor_lists_turned_around(j301_1: Instance) -> None:
    predecessors = j301_1.predecessors()

    assert predecessors[1] == ()
    assert predecessors[20] == (5, 11, 18)
    assert predecessors[32] == (29, 30, 31)
    for job in j301_1.jobs:
        for successor in job.successors:
            assert job.number in predecessors[successor]


def test_the_planning_problem_has_one_rigid_activity_per_job(j301_1: Instance) -> None:
    problem = psplib.to_problem(j301_1)

    assert problem.horizon == sum(job.duration for job in j301_1.jobs) == 158
    assert [r.code for r in problem.resources] == ["R1", "R2", "R3", "R4"]
    assert {r.capacity for r in problem.resources} == {(c,) * 158 for c in (12, 13, 4, 12)}
    assert all(not r.skills and r.rate == 0 for r in problem.resources)
    assert [a.code for a in problem.activities] == [str(n) for n in range(1, 33)]
    second = problem.activities[1]
    assert (second.project, second.duration, dict(second.demand)) == ("psplib", 8, {"R1": 4})
    assert problem.activities[19].predecessors == ("5", "11", "18")
    assert [(m.code, m.due, m.priority) for m in problem.milestones] == [("makespan", -1, 1)]
    assert {a.milestone for a in problem.activities} == {"makespan"}


def test_every_set_lists_its_instances_by_parameter_then_number() -> None:
    names = psplib.instance_names("j30", ROOT)

    assert len(names) == 480
    assert names[:2] == ["j301_1", "j301_2"]
    assert names.index("j3010_1") == names.index("j309_10") + 1
    assert names[-1] == "j3048_10"
    assert len(psplib.instance_names("j120", ROOT)) == 600


def test_an_instance_is_read_through_its_archive_or_as_a_file(
    j301_1: Instance, tmp_path: Path
) -> None:
    assert psplib.read_instance(ROOT / "j30.sm.zip" / "j301_1.sm") == j301_1
    assert psplib.read_instance(ROOT / "j30.sm.zip" / "j301_1") == j301_1
    extracted = tmp_path / "j301_1.sm"
    with zipfile.ZipFile(ROOT / "j30.sm.zip") as archive:
        extracted.write_bytes(archive.read("j301_1.sm"))
    assert psplib.read_instance(extracted) == j301_1


def test_a_missing_instance_or_file_is_reported_as_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="j3099_1"):
        psplib.load_instance("j30", "j3099_1", ROOT)
    with pytest.raises(FileNotFoundError):
        psplib.read_instance(tmp_path / "nowhere.sm")
    with pytest.raises(PsplibError, match="name one inside it"):
        psplib.read_instance(ROOT / "j30.sm.zip")


def test_a_file_that_is_not_a_single_mode_instance_is_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(ROOT / "j30.sm.zip") as archive:
        text = archive.read("j301_1.sm").decode("latin-1")
    two_modes = text.replace("   2        1          3", "   2        2          3", 1)
    truncated = text[: text.index("RESOURCEAVAILABILITIES")]
    lost_successor = text.replace("   6  11  15", "   6  11", 1)

    with pytest.raises(PsplibError, match="job 2 has 2 modes"):
        psplib.parse_instance(two_modes, "two modes")
    with pytest.raises(PsplibError, match="no RESOURCEAVAILABILITIES"):
        psplib.parse_instance(truncated, "truncated")
    with pytest.raises(PsplibError, match="malformed precedence row"):
        psplib.parse_instance(lost_successor, "lost successor")
    (tmp_path / "j30.sm.zip").write_text("not a zip")
    with pytest.raises(PsplibError, match="not a readable zip"):
        psplib.load_instance("j30", "j301_1", tmp_path)


def test_the_j30_optimum_table_has_every_instance() -> None:
    optimum = psplib.optimum("j30", ROOT)

    assert len(optimum) == 480
    assert optimum["j301_1"] == 43
    assert optimum["j3010_1"] == 42
    assert optimum["j3048_10"] == 54
    assert psplib.reference("j30", ROOT) == optimum
    # Every j30 instance is solved: the best known is the optimum.
    assert psplib.best_known("j30", ROOT) == optimum


def test_best_known_tables_have_every_instance() -> None:
    j60, j120 = psplib.best_known("j60", ROOT), psplib.best_known("j120", ROOT)

    assert (len(j60), len(j120)) == (480, 600)
    assert j60["j601_8"] == 75
    assert j120["j1201_2"] == 109
    assert j120["j12060_10"] == 89
    assert psplib.reference("j60", ROOT) == j60


def test_lower_bounds_are_known_for_some_instances_and_never_exceed_the_best_known() -> None:
    j60, j120 = psplib.lower_bounds("j60", ROOT), psplib.lower_bounds("j120", ROOT)

    assert (len(j60), len(j120)) == (410, 184)
    assert j120["j1201_1"] == 104  # best known 105
    assert j120["j12018_3"] == 100  # a row whose author's name is Latin-1
    for set_name, bounds in (("j60", j60), ("j120", j120)):
        best = psplib.best_known(set_name, ROOT)
        assert all(bounds[name] <= best[name] for name in bounds)


# The solver on a few instances it proves within a second; the time limit is a margin.
SOLVED = ("j301_1", "j3037_2", "j3046_4")


def makespan_of(result: PlanResult) -> int:
    """When the last activity ends (end exclusive)."""
    return max(placement.finish + 1 for placement in result.placements)


def assert_schedule_is_feasible(instance: Instance, result: PlanResult) -> None:
    """Every job placed for its duration, after its predecessors, within capacity."""
    start = {int(p.code): p.start for p in result.placements}
    assert sorted(start) == [job.number for job in instance.jobs]
    for placement in result.placements:
        job = instance.job(int(placement.code))
        assert placement.start >= 0
        assert placement.finish == placement.start + job.duration - 1
        for successor in job.successors:
            assert start[successor] >= start[job.number] + job.duration, (job, successor)
    for period in range(makespan_of(result)):
        running = [j for j in instance.jobs if 0 <= period - start[j.number] < j.duration]
        for k, capacity in enumerate(instance.capacities):
            assert sum(j.demand[k] for j in running) <= capacity, (period, k)


@pytest.mark.parametrize("name", SOLVED)
def test_the_planner_finds_and_proves_the_optimum_of_j30_instances(name: str) -> None:
    instance = psplib.load_instance("j30", name, ROOT)

    result = solve(psplib.to_problem(instance), time_limit_s=10.0, workers=2, seed=0, explain=False)

    optimum = psplib.optimum("j30", ROOT)[name]
    assert result.status is Status.OPTIMAL
    assert makespan_of(result) == optimum
    lateness = result.levels[0]
    assert (lateness.name, lateness.value, lateness.bound) == ("lateness", optimum, optimum)
    assert_schedule_is_feasible(instance, result)
