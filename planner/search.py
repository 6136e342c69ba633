"""Search settings chosen by the problem's shape.

A problem made of rigid activities only (no work package) is a resource-constrained
project scheduling problem, PSPLIB's: the only level with a variable objective is the
lateness, and the model is intervals, precedences and cumulatives. For it:

- :func:`prepare` hints every activity's begin with a first schedule
  (``planner.sgs``: priority rules, then a genetic search given up to
  ``GENETIC_SHARE`` of the time, counted in schedules so that it is reproducible),
  bounds the lateness objective by that schedule's value (a feasible plan meets the
  bound, so no plan better than it is lost; the bound shrinks the begins' domains
  before the search), and branches on the begins, earliest first, in the subsolvers
  that follow the model's own strategy;
- :func:`tune` narrows the deterministic portfolio. In interleaved search every full
  subsolver runs in chunks of one unit of deterministic time, so with the default eight
  of them and a few units in all, the large neighbourhood search (LNS) never ran. Two
  full subsolvers are kept (``default_lp``, ``no_lp``), to raise the bound and prove
  optimality, and the rest of the time goes to LNS, which improves the makespan fastest
  on the larger instances. The LNS counts less deterministic time for the same work, so
  the deterministic limit of a j120 instance is a quarter of the time limit instead of
  a third, of the time the genetic search leaves (its estimate from its schedules,
  never measured); a smaller instance gets more in proportion to its size, at most a
  half (a unit of deterministic time took about 4 s of a worker's processor time on the
  hardest j120 instances, about 1.6 s on j60's), which gave j30 and j60 back time that
  they left unused.

Any other problem (with work packages) is left exactly as ``planner.solve`` sets it.
"""

from __future__ import annotations

from ortools.sat.python import cp_model, cp_model_helper

from planner import sgs
from planner.model import Model
from planner.problem import PlanningProblem

# The full subsolvers left out for rigid activities in deterministic search.
IGNORED = (
    "fixed",
    "max_lp",
    "pseudo_costs",
    "quick_restart",
    "quick_restart_no_lp",
    "reduced_costs",
)
# The genetic search's schedules for the first schedule, at most; fewer when they would
# take more than GENETIC_SHARE of the time limit at PLACEMENT_SECONDS per activity
# placed (measured: 10,000 schedules of 122 activities in 4.5 s of one core).
SCHEDULES = 10_000
GENETIC_SHARE = 0.35
PLACEMENT_SECONDS = 3.7e-6
# Deterministic time per second of the time limit left to CP-SAT (see ``planner.solve``),
# at SHARE_SIZE activities and above; below, more in proportion (a unit of deterministic
# time takes less of the wall clock on a smaller model), up to MAX_DETERMINISTIC_SHARE.
DETERMINISTIC_SHARE = 1 / 4
SHARE_SIZE = 122
MAX_DETERMINISTIC_SHARE = 1 / 2


def rigid_only(problem: PlanningProblem) -> bool:
    """The problem is rigid activities only: no work package."""
    return bool(problem.activities) and not problem.work_packages


def schedules(problem: PlanningProblem, limit: float) -> int:
    """The genetic search's schedules for a solve of ``limit`` seconds: ``SCHEDULES``,
    fewer when they would take more than ``GENETIC_SHARE`` of it."""
    placements = max(len(problem.activities), 1) * PLACEMENT_SECONDS
    return min(SCHEDULES, int(GENETIC_SHARE * limit / placements))


def deterministic_share(problem: PlanningProblem) -> float:
    """Deterministic time per second of the time limit left to CP-SAT: the
    ``DETERMINISTIC_SHARE`` of a j120 instance, more for a smaller one, at most
    ``MAX_DETERMINISTIC_SHARE``."""
    scaled = DETERMINISTIC_SHARE * SHARE_SIZE / max(len(problem.activities), 1)
    return min(MAX_DETERMINISTIC_SHARE, max(DETERMINISTIC_SHARE, scaled))


def prepare(model: Model, limit: float) -> None:
    """Hint, bound and search strategy for a problem of rigid activities only, solved in
    ``limit`` seconds (see the module's docstring); nothing otherwise."""
    problem = model.problem
    if not rigid_only(problem):
        return
    begins = [model.begin[a.code] for a in problem.activities]
    model.cp.add_decision_strategy(begins, cp_model.CHOOSE_LOWEST_MIN, cp_model.SELECT_MIN_VALUE)
    first = sgs.first_schedule(problem, schedules=schedules(problem, limit))
    if first is None:
        return
    for code, var in model.begin.items():
        model.cp.add_hint(var, first[code])
    serving = problem.serving()
    duration = {a.code: a.duration for a in problem.activities}
    for milestone in problem.milestones:
        ends = [first[code] + duration[code] for code in serving[milestone.code]]
        late = max(0, max(ends, default=0) - (milestone.due + 1))
        model.cp.add_hint(model.lateness[milestone.code], late)
    objective = model.objectives["lateness"]
    if not isinstance(objective, int):
        model.cp.add(objective <= sgs.lateness(problem, first))


def tune(
    parameters: cp_model_helper.SatParameters,
    problem: PlanningProblem,
    limit: float,
    deterministic: bool,
) -> None:
    """Narrow the deterministic portfolio for rigid activities only; nothing otherwise.

    ``limit`` is the time of the whole solve, which for rigid activities is the
    lateness level's alone (the other levels are constants). The deterministic limit
    follows from it, not from the time left after the first schedule, so that a loaded
    machine, slower to find that schedule, still runs the same search."""
    if not (deterministic and rigid_only(problem)):
        return
    parameters.ignore_subsolvers.extend(IGNORED)
    # The genetic search's time, estimated from its schedules (never measured), is
    # taken off the limit: CP-SAT gets the rest.
    genetic = schedules(problem, limit) * len(problem.activities) * PLACEMENT_SECONDS
    share = deterministic_share(problem)
    parameters.max_deterministic_time = max(limit - genetic, 0.05) * share
    parameters.max_time_in_seconds = 1.5 * limit + 1  # the safety net, as planner.solve
