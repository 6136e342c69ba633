"""Risks: probability and impact (1 to 5), owner, response, escalation level, status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self
from uuid import UUID

from domain.enums import EscalationLevel, RiskStatus, RiskStrategy, ScopeKind
from domain.errors import InvalidTransition, RuleViolation
from domain.timeline import LedgerAggregate, LedgerCreated, LedgerEvent, Provenance


@dataclass
class RiskState:
    """A risk as in force at a date."""

    code: str = ""
    scope: ScopeKind = ScopeKind.PROJECT
    scope_id: UUID | None = None
    scope_code: str = ""
    title: str = ""
    probability: int = 1
    impact: int = 1
    owner: str = ""
    response: str = ""
    strategy: RiskStrategy = RiskStrategy.MITIGATE
    level: EscalationLevel = EscalationLevel.TEAM
    status: RiskStatus = RiskStatus.OPEN
    resolution: str = ""

    @property
    def exposure(self) -> int:
        """Probability times impact, 1 to 25."""
        return self.probability * self.impact

    def require_open(self) -> None:
        """A closed risk no longer changes."""
        if self.status is not RiskStatus.OPEN:
            raise InvalidTransition(f"risk {self.code} is closed", risk=self.code)


class OpenRiskEvent(LedgerEvent):
    """A change that only an open risk accepts."""

    def check(self, state: RiskState) -> None:
        state.require_open()


class Risk(LedgerAggregate):
    """A risk on a project, programme or perimeter, escalated up the governance ladder."""

    kind = "risk"
    State = RiskState

    class Raised(LedgerCreated):
        """The risk is identified and assessed."""

        scope: ScopeKind
        scope_id: UUID
        scope_code: str
        title: str
        probability: int
        impact: int
        owner: str
        response: str
        strategy: RiskStrategy
        level: EscalationLevel

        def evolve(self, state: RiskState) -> None:
            state.code, state.title, state.owner = self.code, self.title, self.owner
            state.scope, state.scope_id, state.scope_code = (
                self.scope,
                self.scope_id,
                self.scope_code,
            )
            state.probability, state.impact = self.probability, self.impact
            state.response, state.strategy, state.level = self.response, self.strategy, self.level

    class Reassessed(OpenRiskEvent):
        """Probability and impact are assessed again."""

        noun = "reassessment"

        probability: int
        impact: int

        def check_not_redundant(self, state: RiskState) -> None:
            if (state.probability, state.impact) == (self.probability, self.impact):
                raise RuleViolation(
                    f"risk {state.code} is already assessed {self.probability}x{self.impact}",
                    risk=state.code,
                )

        def evolve(self, state: RiskState) -> None:
            state.probability, state.impact = self.probability, self.impact

    class ResponseUpdated(OpenRiskEvent):
        """The response, its strategy or the owner changes."""

        response: str
        strategy: RiskStrategy
        owner: str

        def evolve(self, state: RiskState) -> None:
            state.response, state.strategy, state.owner = self.response, self.strategy, self.owner

    class Escalated(OpenRiskEvent):
        """The risk goes up to a higher governance level."""

        noun = "escalation"

        level: EscalationLevel

        def check(self, state: RiskState) -> None:
            super().check(state)
            if self.level.rank <= state.level.rank:
                raise RuleViolation(
                    f"risk {state.code} is at {state.level.value}; escalating means going"
                    f" higher than that, not to {self.level.value}",
                    risk=state.code,
                    level=state.level.value,
                )

        def evolve(self, state: RiskState) -> None:
            state.level = self.level

    class Deescalated(OpenRiskEvent):
        """The risk goes back down to a lower governance level."""

        noun = "de-escalation"

        level: EscalationLevel

        def check(self, state: RiskState) -> None:
            super().check(state)
            if self.level.rank >= state.level.rank:
                raise RuleViolation(
                    f"risk {state.code} is at {state.level.value}; de-escalating means going"
                    f" lower than that, not to {self.level.value}",
                    risk=state.code,
                    level=state.level.value,
                )

        def evolve(self, state: RiskState) -> None:
            state.level = self.level

    class Closed(OpenRiskEvent):
        """The risk is closed, with how it ended."""

        noun = "closure"

        resolution: str

        def evolve(self, state: RiskState) -> None:
            state.status, state.resolution = RiskStatus.CLOSED, self.resolution

    @classmethod
    def raise_risk(
        cls,
        prov: Provenance,
        *,
        code: str,
        scope: ScopeKind,
        scope_id: UUID,
        scope_code: str,
        title: str,
        probability: int,
        impact: int,
        owner: str,
        response: str,
        strategy: RiskStrategy,
        level: EscalationLevel,
    ) -> Self:
        """Identify a risk on a project, programme or perimeter."""
        return cls._open(
            cls.Raised,
            prov,
            key=code,
            code=code,
            scope=scope,
            scope_id=scope_id,
            scope_code=scope_code,
            title=title,
            probability=probability,
            impact=impact,
            owner=owner,
            response=response,
            strategy=strategy,
            level=level,
        )

    def reassess(self, prov: Provenance, *, probability: int, impact: int) -> None:
        """Assess probability and impact again."""
        self._record(self.Reassessed, prov, probability=probability, impact=impact)

    def update_response(
        self, prov: Provenance, *, response: str, strategy: RiskStrategy, owner: str
    ) -> None:
        """Change the response, its strategy or the owner."""
        self._record(self.ResponseUpdated, prov, response=response, strategy=strategy, owner=owner)

    def escalate(self, prov: Provenance, *, level: EscalationLevel) -> None:
        """Escalate to a higher governance level."""
        self._record(self.Escalated, prov, level=level)

    def deescalate(self, prov: Provenance, *, level: EscalationLevel) -> None:
        """De-escalate to a lower governance level."""
        self._record(self.Deescalated, prov, level=level)

    def close(self, prov: Provenance, *, resolution: str) -> None:
        """Close the risk."""
        self._record(self.Closed, prov, resolution=resolution)
