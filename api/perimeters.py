"""Perimeter-limited tokens: what a token limited to perimeters may read and change.

A token created with ``--perimeter B2C`` reaches only what lies in B2C: a request about
anything else (or about the whole portfolio) is refused with 403 rather than filtered,
so that an answer never looks complete when it is not. Where a thing belongs is read
off the portfolio tree the process keeps (``LogIndex``): a perimeter is its own, a
programme's is where it was opened, a project's its programme's, a backlog item's,
envelope's or risk's that of the projects (or programme) it concerns, a resource's its
home perimeter. What belongs to no perimeter, or whose perimeter cannot be established
(outside demands, which come from another perimeter by definition; decisions;
planner proposals, which name no programme), is refused to a limited token.

A what-if scenario belongs to no perimeter either: a limited token may create one
(which changes nothing, like taking a decision) and add hypotheses whose commands lie
within its perimeters; it reads the scenario's state, KPIs and comparison for a scope
within them and plans one of its programmes there; it sees, promotes, rebases or
abandons a scenario only while every hypothesis in it lies within its perimeters; the
list of every scenario is refused to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from api.deps import Services
from api.errors import ProblemError
from api.security import Principal
from domain.commands import TakeDecision
from domain.model import (
    BacklogItem,
    Dependency,
    Perimeter,
    Programme,
    Project,
    Resource,
    Risk,
)
from domain.scenarios import COMMANDS, Scenario
from domain.timeline import LedgerAggregate
from projections.state import Scope

# Body fields of commands that name a thing, and what they name. ``decision`` joins a
# change to a decision (which belongs to no perimeter): the change itself is checked.
REFERENCES: dict[str, type[LedgerAggregate]] = {
    "project": Project,
    "from_project": Project,
    "to_project": Project,
    "programme": Programme,
    "perimeter": Perimeter,
    "reserve": Perimeter,
    "from_reserve": Perimeter,
    "to_reserve": Perimeter,
    "home_perimeter": Perimeter,
    "resource": Resource,
    "item": BacklogItem,
    "on_item": BacklogItem,
    "risk": Risk,
    "dependency": Dependency,
}
_UNPLACED = ("demand",)  # outside demands: refused to limited tokens


def _forbidden(principal: Principal, what: str) -> ProblemError:
    limits = ", ".join(principal.perimeters)
    return ProblemError(
        403,
        "outside-perimeter",
        "Outside the token's perimeter",
        f"this token is limited to {limits}; {what} is not within it",
    )


def perimeters_of(services: Services, cls: type[LedgerAggregate], code: str) -> set[str]:
    """The perimeters (codes) a thing belongs to; empty when none can be established."""
    if cls is Perimeter:
        return {code.upper()}
    log = services.log
    log.catch_up()
    tree = log.tree
    aggregate_id = cls.id_for(code)
    if cls is Resource:
        home = services.ledger.load(Resource, code).state().home_perimeter_id
        return {tree.code(home).upper()} if home is not None else set()
    if cls in (Programme, Project):
        owners = {aggregate_id}
    else:
        owners = set(tree.scope.get(aggregate_id, frozenset()))
        owners |= tree.programme_scope.get(aggregate_id, frozenset())
    found = {tree.perimeter_of(owner) for owner in owners}
    return {tree.code(p).upper() for p in found if tree.kind(p) == "perimeter"}


def guard(principal: Principal, services: Services, cls: type[LedgerAggregate], code: str) -> None:
    """Refuse (403) a limited token anything about ``code`` outside its perimeters."""
    if not principal.perimeters:
        return
    within = perimeters_of(services, cls, code)
    if not within or not within <= set(principal.perimeters):
        raise _forbidden(principal, f"{cls.kind} {code}")


def refuse_limited(principal: Principal, what: str) -> None:
    """Refuse a limited token what belongs to no perimeter (or to all)."""
    if principal.perimeters:
        raise _forbidden(principal, what)


def guard_scope(principal: Principal, services: Services, scope: Scope) -> None:
    """A state or KPI scope: the whole portfolio is refused to a limited token."""
    if not principal.perimeters:
        return
    if scope.code is None:
        raise _forbidden(principal, "the whole portfolio (ask for scope=perimeter:CODE)")
    kinds: dict[str, type[LedgerAggregate]] = {
        "perimeter": Perimeter,
        "programme": Programme,
        "project": Project,
    }
    guard(principal, services, kinds[scope.kind], scope.code)


def guard_command(
    principal: Principal, services: Services, values: dict[str, Any], *, unplaced_ok: bool
) -> None:
    """A command of a limited token: everything it names lies within the perimeters;
    one naming nothing placed (opening a perimeter) is refused unless ``unplaced_ok``
    (taking a decision, which changes nothing by itself)."""
    if not principal.perimeters:
        return
    for name in _UNPLACED:
        if name in values:
            refuse_limited(principal, f"{name} {values[name]}")
    named = list(_named(values))
    if not named and not unplaced_ok:
        refuse_limited(principal, "a change outside any perimeter")
    for name, code in named:
        guard(principal, services, REFERENCES[name], code)


def guard_scenario(principal: Principal, services: Services, scenario: Scenario) -> None:
    """A scenario belongs to no perimeter: a limited token reaches it only while every
    hypothesis it holds lies within the token's perimeters (as each command is checked)."""
    if not principal.perimeters:
        return
    for hypothesis in scenario.hypotheses:
        command = COMMANDS.get((hypothesis["area"], hypothesis["action"]))
        guard_command(
            principal, services, hypothesis["fields"], unplaced_ok=command is TakeDecision
        )


def _named(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for name, value in values.items():
        if name in REFERENCES and isinstance(value, str):
            yield name, value
        elif name == "lines" and isinstance(value, dict):  # a timesheet: days per project
            yield from (("project", project) for project in value)
