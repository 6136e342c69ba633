"""Plan proposals: record a planner run; accept it (its staffing changes are recorded
under one decision) or reject it with a reason.

These commands are issued by the planner's faces (``pmo plan``, the API), not typed
field by field: ``pmo record`` does not offer them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from domain.commands import parse
from domain.commands.base import Command, arg, handles
from domain.commands.staffing import _active_project
from domain.enums import ProposalStatus
from domain.errors import InvalidInput, InvalidTransition, RuleViolation
from domain.model.plan import PlanProposal
from domain.model.project import Project
from domain.model.resource import Resource
from domain.timeline import Provenance
from domain.unit_of_work import UnitOfWork
from domain.values import Document, StaffingChange, StaffingChanges

SOLVER_STATUSES = ("optimal", "feasible", "infeasible", "unknown")


def _instant(value: object, field: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(field, f"{value!r} is not an ISO date-time") from None
    else:
        raise InvalidInput(field, "must be an ISO date-time")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _status(value: object, field: str) -> str:
    if value not in SOLVER_STATUSES:
        raise InvalidInput(field, f"must be one of {', '.join(SOLVER_STATUSES)}")
    return str(value)


def _digest(value: object, field: str) -> str:
    if not isinstance(value, str) or len(value) != 64 or value.strip("0123456789abcdef"):
        raise InvalidInput(field, "must be a SHA-256 in lower-case hexadecimal")
    return value


def _document(value: object, field: str) -> Document:
    return Document.of(value, field)


def _changes(value: object, field: str) -> StaffingChanges:
    if isinstance(value, StaffingChanges):
        return StaffingChanges.of(value.changes, field)
    if not isinstance(value, list | tuple):
        raise InvalidInput(field, "must be a list of staffing changes")
    rows: list[StaffingChange] = []
    for row in value:
        if isinstance(row, StaffingChange):
            rows.append(row)
            continue
        if not isinstance(row, dict):
            raise InvalidInput(field, "each change is {resource, project, week, before, after}")
        rows.append(
            StaffingChange(
                parse.code(row.get("resource"), f"{field}.resource"),
                parse.code(row.get("project"), f"{field}.project"),
                parse.week(row.get("week"), f"{field}.week"),
                parse.days(row.get("before"), f"{field}.before"),
                parse.days(row.get("after"), f"{field}.after"),
            )
        )
    return StaffingChanges.of(rows, field)


@dataclass(frozen=True, kw_only=True)
class RecordProposal(Command):
    """Record a planner run as a proposal the PMO may accept or reject."""

    area, action = "plan", "propose"
    creates = True
    recordable = False
    code: str | None = arg("proposal code (default: generated)", parse.optional(parse.code),
                           default=None)  # fmt: skip
    scope: str = arg("what was planned: portfolio, or programme CODE", parse.text(120))
    as_of: date = arg("the date the plan starts from", parse.a_date)
    known_at: datetime | None = arg("what the ledger knew (default: when run)",
                                    parse.optional(_instant), default=None)  # fmt: skip
    inputs_digest: str = arg("SHA-256 of the planning problem", _digest)
    solver_status: str = arg("the solver's verdict", _status)
    settings: Document = arg("solver settings (JSON)", _document)
    changes: StaffingChanges = arg("staffing changes proposed", _changes)
    report: Document = arg("milestones, costs and explanation (JSON)", _document)

    def summary(self) -> str:
        return f"Plan proposal for {self.scope} from {self.as_of}"


@handles(RecordProposal)
def record_proposal(uow: UnitOfWork, cmd: RecordProposal, prov: Provenance) -> None:
    code = cmd.code or uow.new_code("PLAN")
    uow.require_absent(PlanProposal, code)
    uow.add(
        PlanProposal.propose(
            prov,
            code=code,
            scope=cmd.scope,
            as_of=cmd.as_of,
            known_at=cmd.known_at,
            inputs_digest=cmd.inputs_digest,
            solver_status=cmd.solver_status,
            settings=cmd.settings,
            changes=cmd.changes,
            report=cmd.report,
        )
    )


@dataclass(frozen=True, kw_only=True)
class AcceptProposal(Command):
    """Accept a plan proposal: every staffing change it proposed is recorded, under one
    decision, each naming the proposal in its rationale. Refused, recording nothing,
    when the staffing it started from has changed since (re-run the plan)."""

    area, action = "plan", "accept"
    requires_rationale = True
    opens_decision = True
    recordable = False
    proposal: str = arg("proposal code", parse.code)

    def summary(self) -> str:
        return f"Accept plan proposal {self.proposal}"


@handles(AcceptProposal)
def accept_proposal(uow: UnitOfWork, cmd: AcceptProposal, prov: Provenance) -> None:
    proposal = uow.get(PlanProposal, cmd.proposal, expected_version=cmd.expected_version)
    state = proposal.state()
    if state.status is not ProposalStatus.PROPOSED:
        raise InvalidTransition(
            f"plan proposal {state.code} is already {state.status.value}", proposal=state.code
        )
    _require_fresh(uow, state.code, state.changes)
    staffing = dataclasses.replace(prov, rationale=f"plan {state.code}: {prov.rationale}")
    for resource_code, project_code, first, last, days in state.changes.ranges():
        resource = uow.get(Resource, resource_code)
        project = _active_project(uow, project_code, prov.effective_date)
        resource.staff(
            staffing,
            project_id=project.id,
            project=project.code,
            first_week=first,
            last_week=last,
            days=days,
        )
    proposal.accept(prov)


def _require_fresh(uow: UnitOfWork, code: str, changes: StaffingChanges) -> None:
    """Every change still starts from the staffing the plan saw."""
    states: dict[str, Any] = {}
    for change in changes.changes:
        if change.resource not in states:
            states[change.resource] = uow.get(Resource, change.resource).state()
        now = states[change.resource].staffed(Project.id_for(change.project), change.week)
        if now != change.before:
            raise RuleViolation(
                f"plan proposal {code} is out of date: {change.resource} on {change.project}"
                f" in {change.week} is staffed {now} days, the plan started from"
                f" {change.before}; run the plan again",
                proposal=code,
                resource=change.resource,
                week=str(change.week),
            )


@dataclass(frozen=True, kw_only=True)
class RejectProposal(Command):
    """Reject a plan proposal, with the reason."""

    area, action = "plan", "reject"
    requires_rationale = True
    opens_decision = True
    recordable = False
    proposal: str = arg("proposal code", parse.code)

    def summary(self) -> str:
        return f"Reject plan proposal {self.proposal}"


@handles(RejectProposal)
def reject_proposal(uow: UnitOfWork, cmd: RejectProposal, prov: Provenance) -> None:
    proposal = uow.get(PlanProposal, cmd.proposal, expected_version=cmd.expected_version)
    proposal.reject(prov)


__all__ = ["AcceptProposal", "RecordProposal", "RejectProposal"]
