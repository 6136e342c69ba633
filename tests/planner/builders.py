"""Small planning problems' parts, shared by the planner's tests."""

from __future__ import annotations

from collections.abc import Mapping

from planner.problem import PlanningProblem, Resource, WorkPackage
from planner.result import PlanResult
from planner.solve import solve
from planner.validation import check

FOUR = ("W1", "W2", "W3", "W4")


def person(
    code: str, skills: str, capacity: tuple[int, ...] = (5, 5, 5, 5), rate: int = 0
) -> Resource:
    return Resource(code, frozenset(skills.split(",")), capacity, rate)


def package(code: str, effort: Mapping[str, int], **options: object) -> WorkPackage:
    return WorkPackage(code, str(options.pop("project", "P1")), dict(effort), **options)  # type: ignore[arg-type]


def planned(problem: PlanningProblem, **options: object) -> PlanResult:
    """Solve, then check the plan without the solver."""
    result = solve(problem, time_limit_s=5, workers=2, seed=1, **options)  # type: ignore[arg-type]
    check(problem, result)
    return result
