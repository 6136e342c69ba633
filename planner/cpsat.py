"""How the planner runs CP-SAT: reproducible searches, a small portfolio of them.

**Deterministic runs** (the default) are limited in deterministic time, so that the same
problem, seed and worker count give the same plan whatever the load of the machine.
CP-SAT's own way to use several workers deterministically, the interleaved search, cut
its subsolvers into chunks so small on the planner's work-package models that it barely
improved the first plan: on the demo portfolio's reallocation level, 4 units of
deterministic time took the greedy plan's 261,015 units moved to 256,276 interleaved,
and to 137,067 with one worker searching alone (the lateness level: 32 proved optimal in
2 units alone, unproven after 6 interleaved). So each worker here is one single-threaded
search of its own, all run side by side on the same model: worker 0 with the seed
given and CP-SAT's defaults, the others with the next seeds and, every other one, a
stronger linear relaxation. The best objective wins, the lowest worker on a tie; any
proof of optimality and the best bound are shared. Each search is deterministic and the
choice among them too, so the run is.

Problems of rigid activities only (PSPLIB-like scheduling) keep CP-SAT's interleaved
portfolio, whose scheduling subsolvers suit them.

**Wall-clock runs** (``deterministic=False``) give CP-SAT its usual parallel portfolio,
limited by the wall clock only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model, cp_model_helper

# CP-SAT's deterministic time ran about 3x slower than the wall clock here: a third of
# the share keeps a run near its limit on an idle machine. The wall-clock limit (three
# times the share and 5 s) is a safety net for a loaded one; a run it cuts is no longer
# reproducible.
DETERMINISTIC_PER_SECOND = 1 / 3


@dataclass(frozen=True)
class Outcome:
    """What a run found: CP-SAT's status code, and with a solution its objective value,
    the best bound proved and the value of every variable (by proto index)."""

    code: cp_model.CpSolverStatus
    objective: int = 0
    bound: float = -math.inf
    solution: tuple[int, ...] = ()
    seconds: float = 0.0
    """The run's deterministic time in nominal seconds (``DETERMINISTIC_PER_SECOND``):
    what it used of the budget, the same on every machine and under any load."""
    cut: bool = False
    """Whether the wall clock, not the deterministic limit, ended a search that had not
    finished: the run is then not reproducible."""

    @property
    def found(self) -> bool:
        """Whether the run found a solution."""
        return self.code in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def solver(
    seconds: float,
    *,
    seed: int = 0,
    deterministic: bool = True,
    workers: int = 1,
    variant: int = 0,
    interleaved: bool = False,
) -> cp_model.CpSolver:
    """A solver for one search of ``seconds`` (see the module's docstring)."""
    engine = cp_model.CpSolver()
    parameters = engine.parameters
    # CP-SAT's seed is a 32-bit integer: each variant's stays in range (seed 2**31 - 1,
    # the largest the API admits, plus a variant overflowed it).
    parameters.random_seed = (seed + variant) % 2**31
    if not deterministic:
        parameters.num_workers = workers
        parameters.max_time_in_seconds = seconds
        return engine
    parameters.max_deterministic_time = seconds * DETERMINISTIC_PER_SECOND
    parameters.max_time_in_seconds = 3 * seconds + 5
    if interleaved:
        parameters.num_workers = workers
        parameters.interleave_search = True
    else:
        parameters.num_workers = 1
        if variant % 2:
            parameters.linearization_level = 2
    return engine


def run(
    model: cp_model.CpModel,
    seconds: float,
    *,
    workers: int,
    seed: int,
    deterministic: bool,
    interleaved: bool = False,
    tune: Callable[[Any], None] | None = None,
) -> Outcome:
    """Minimise the model's objective for ``seconds`` (see the module's docstring);
    ``tune`` may adjust each search's parameters (``planner.search``)."""
    if not deterministic or interleaved or workers <= 1:
        engine = solver(seconds, seed=seed, deterministic=deterministic, workers=workers,
                        interleaved=interleaved)  # fmt: skip
        if tune is not None:
            tune(engine.parameters)
        return _outcome(engine, engine.solve(model))
    engines = [solver(seconds, seed=seed, deterministic=True, variant=v) for v in range(workers)]
    if tune is not None:
        for engine in engines:
            tune(engine.parameters)
    with ThreadPoolExecutor(max_workers=workers) as pool:  # CP-SAT releases the GIL
        codes = list(pool.map(lambda engine: engine.solve(model), engines))
    outcomes = [_outcome(engine, code) for engine, code in zip(engines, codes, strict=True)]
    used = max(o.seconds for o in outcomes)  # side by side: the longest
    cut = any(o.cut for o in outcomes)
    found = [o for o in outcomes if o.found]
    if not found:
        infeasible = any(o.code == cp_model.INFEASIBLE for o in outcomes)
        code = cp_model.INFEASIBLE if infeasible else cp_model.UNKNOWN
        return Outcome(code, seconds=used, cut=cut)
    best = min(found, key=lambda o: o.objective)  # the first of the best on a tie
    bound = max(o.bound for o in found)
    proved = any(o.code == cp_model.OPTIMAL for o in found) or bound >= best.objective
    code = cp_model.OPTIMAL if proved else cp_model.FEASIBLE
    return Outcome(code, best.objective, min(bound, best.objective), best.solution, used, cut)


def _outcome(engine: cp_model.CpSolver, code: cp_model.CpSolverStatus) -> Outcome:
    response = engine.response_proto
    seconds = response.deterministic_time / DETERMINISTIC_PER_SECOND
    limit = engine.parameters.max_deterministic_time
    finished = code in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID)
    # CP-SAT overshoots its deterministic limit rather than stopping short of it: a
    # search that stopped well short, unfinished, was stopped by the wall clock.
    cut = not finished and limit < math.inf and response.deterministic_time < 0.95 * limit
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Outcome(code, bound=engine.best_objective_bound, seconds=seconds, cut=cut)
    return Outcome(
        code,
        round(engine.objective_value),
        engine.best_objective_bound,
        tuple(response.solution),
        seconds,
        cut,
    )


def evaluate(expression: cp_model.LinearExprT, solution: list[int] | tuple[int, ...]) -> int:
    """The value of a linear expression in a solution (values by proto index)."""
    if not isinstance(expression, cp_model.LinearExpr):
        return int(expression)
    flat = cp_model_helper.FlatIntExpr(expression)
    total = int(flat.offset)
    for var, coefficient in zip(flat.vars, flat.coeffs, strict=True):
        total += int(coefficient) * solution[var.index]
    return total
