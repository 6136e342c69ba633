"""Plan proposals: a planner run recorded, then accepted or rejected by the PMO."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Self

from domain.enums import ProposalStatus
from domain.errors import InvalidTransition
from domain.timeline import LedgerAggregate, LedgerCreated, LedgerEvent, Provenance
from domain.values import Document, StaffingChanges


@dataclass
class ProposalState:
    """A plan proposal as recorded."""

    code: str = ""
    scope: str = ""
    as_of: date | None = None
    known_at: datetime | None = None
    inputs_digest: str = ""
    solver_status: str = ""
    settings: Document = field(default_factory=lambda: Document({}))
    changes: StaffingChanges = field(default_factory=lambda: StaffingChanges(()))
    report: Document = field(default_factory=lambda: Document({}))
    status: ProposalStatus = ProposalStatus.PROPOSED


class Answered(LedgerEvent):
    """The PMO's answer to a proposal: only a proposal still open can be answered."""

    def check(self, state: ProposalState) -> None:
        if state.status is not ProposalStatus.PROPOSED:
            raise InvalidTransition(
                f"plan proposal {state.code} is already {state.status.value}",
                proposal=state.code,
            )


class PlanProposal(LedgerAggregate):
    """A planner run: what it was asked (scope, dates, settings, a digest of its inputs)
    and what it proposed (staffing changes, with a report of milestones, costs and the
    explanation)."""

    kind = "plan"
    State = ProposalState

    class Proposed(LedgerCreated):
        """The planner proposes a reallocation."""

        scope: str
        as_of: date
        known_at: datetime | None
        inputs_digest: str
        solver_status: str
        settings: Document
        changes: StaffingChanges
        report: Document

        def evolve(self, state: ProposalState) -> None:
            state.code, state.scope = self.code, self.scope
            state.as_of, state.known_at = self.as_of, self.known_at
            state.inputs_digest, state.solver_status = self.inputs_digest, self.solver_status
            state.settings, state.changes, state.report = self.settings, self.changes, self.report

    class Accepted(Answered):
        """The PMO accepts the proposal: its staffing changes are recorded with it."""

        noun = "acceptance"

        def evolve(self, state: ProposalState) -> None:
            state.status = ProposalStatus.ACCEPTED

    class Rejected(Answered):
        """The PMO rejects the proposal, with its reason."""

        noun = "rejection"

        def evolve(self, state: ProposalState) -> None:
            state.status = ProposalStatus.REJECTED

    @classmethod
    def propose(
        cls,
        prov: Provenance,
        *,
        code: str,
        scope: str,
        as_of: date,
        known_at: datetime | None,
        inputs_digest: str,
        solver_status: str,
        settings: Document,
        changes: StaffingChanges,
        report: Document,
    ) -> Self:
        """Record a planner run as a proposal."""
        return cls._open(
            cls.Proposed,
            prov,
            key=code,
            code=code,
            scope=scope,
            as_of=as_of,
            known_at=known_at,
            inputs_digest=inputs_digest,
            solver_status=solver_status,
            settings=settings,
            changes=changes,
            report=report,
        )

    def accept(self, prov: Provenance) -> None:
        """Accept the proposal (the caller records its staffing changes)."""
        self._record(self.Accepted, prov)

    def reject(self, prov: Provenance) -> None:
        """Reject the proposal."""
        self._record(self.Rejected, prov)
