"""Risk commands: raise, reassess, update the response, escalate, de-escalate, close."""

from __future__ import annotations

from dataclasses import dataclass

from domain.commands import parse
from domain.commands.base import Command, arg, exactly_one, handles
from domain.enums import EscalationLevel, RiskStrategy, ScopeKind
from domain.model.portfolio import Perimeter, Programme
from domain.model.project import Project
from domain.model.risk import Risk
from domain.timeline import LedgerAggregate, Provenance
from domain.unit_of_work import UnitOfWork

_SCALE = parse.int_between(1, 5)


@dataclass(frozen=True, kw_only=True)
class RaiseRisk(Command):
    """Identify a risk on a project, a programme or a perimeter."""

    area, action = "risk", "raise"
    creates = True
    code: str | None = arg(
        "risk code (default: generated)", parse.optional(parse.code), default=None
    )
    project: str | None = arg("project at risk", parse.optional(parse.code), default=None)
    programme: str | None = arg("programme at risk", parse.optional(parse.code), default=None)
    perimeter: str | None = arg("perimeter at risk", parse.optional(parse.code), default=None)
    title: str = arg("the risk", parse.text())
    probability: int = arg("probability, 1 (rare) to 5 (almost certain)", _SCALE)
    impact: int = arg("impact, 1 (minor) to 5 (severe)", _SCALE)
    owner: str = arg("who owns the response", parse.text(120))
    response: str = arg("the response planned", parse.text(1000, required=False), default="")
    strategy: RiskStrategy = arg(
        "avoid, mitigate, transfer or accept", parse.choice(RiskStrategy), default="mitigate"
    )
    level: EscalationLevel = arg(
        "governance level it is handled at", parse.choice(EscalationLevel), default="team"
    )

    def validate(self) -> None:
        exactly_one(project=self.project, programme=self.programme, perimeter=self.perimeter)

    def summary(self) -> str:
        return f"Risk on {self.project or self.programme or self.perimeter}: {self.title}"


@handles(RaiseRisk)
def raise_risk(uow: UnitOfWork, cmd: RaiseRisk, prov: Provenance) -> None:
    scope: tuple[ScopeKind, LedgerAggregate]
    if cmd.project:
        scope = (ScopeKind.PROJECT, uow.get(Project, cmd.project))
    elif cmd.programme:
        scope = (ScopeKind.PROGRAMME, uow.get(Programme, cmd.programme))
    else:
        scope = (ScopeKind.PERIMETER, uow.get(Perimeter, cmd.perimeter or ""))
    code = cmd.code or uow.new_code("RSK")
    uow.require_absent(Risk, code)
    uow.add(
        Risk.raise_risk(
            prov,
            code=code,
            scope=scope[0],
            scope_id=scope[1].id,
            scope_code=scope[1].code,
            title=cmd.title,
            probability=cmd.probability,
            impact=cmd.impact,
            owner=cmd.owner,
            response=cmd.response,
            strategy=cmd.strategy,
            level=cmd.level,
        )
    )


@dataclass(frozen=True, kw_only=True)
class RiskCommand(Command):
    """A command on one risk."""

    risk: str = arg("risk code", parse.code)


def _risk(uow: UnitOfWork, cmd: RiskCommand) -> Risk:
    return uow.get(Risk, cmd.risk, expected_version=cmd.expected_version)


@dataclass(frozen=True, kw_only=True)
class ReassessRisk(RiskCommand):
    """Assess a risk's probability and impact again."""

    area, action = "risk", "reassess"
    probability: int = arg("probability, 1 to 5", _SCALE)
    impact: int = arg("impact, 1 to 5", _SCALE)

    def summary(self) -> str:
        return f"Reassess {self.risk}: {self.probability}x{self.impact}"


@handles(ReassessRisk)
def reassess(uow: UnitOfWork, cmd: ReassessRisk, prov: Provenance) -> None:
    _risk(uow, cmd).reassess(prov, probability=cmd.probability, impact=cmd.impact)


@dataclass(frozen=True, kw_only=True)
class UpdateRiskResponse(RiskCommand):
    """Change a risk's response, strategy or owner."""

    area, action = "risk", "respond"
    response: str = arg("the response planned", parse.text(1000))
    strategy: RiskStrategy = arg("avoid, mitigate, transfer or accept", parse.choice(RiskStrategy))
    owner: str = arg("who owns the response", parse.text(120))

    def summary(self) -> str:
        return f"Response to {self.risk}"


@handles(UpdateRiskResponse)
def respond(uow: UnitOfWork, cmd: UpdateRiskResponse, prov: Provenance) -> None:
    _risk(uow, cmd).update_response(
        prov, response=cmd.response, strategy=cmd.strategy, owner=cmd.owner
    )


@dataclass(frozen=True, kw_only=True)
class EscalateRisk(RiskCommand):
    """Escalate a risk to a higher governance level."""

    area, action = "risk", "escalate"
    opens_decision = True
    level: EscalationLevel = arg("the higher level", parse.choice(EscalationLevel))

    def summary(self) -> str:
        return f"Escalate {self.risk} to {self.level.value}"


@handles(EscalateRisk)
def escalate(uow: UnitOfWork, cmd: EscalateRisk, prov: Provenance) -> None:
    _risk(uow, cmd).escalate(prov, level=cmd.level)


@dataclass(frozen=True, kw_only=True)
class DeescalateRisk(RiskCommand):
    """Bring a risk back down to a lower governance level."""

    area, action = "risk", "deescalate"
    opens_decision = True
    level: EscalationLevel = arg("the lower level", parse.choice(EscalationLevel))

    def summary(self) -> str:
        return f"De-escalate {self.risk} to {self.level.value}"


@handles(DeescalateRisk)
def deescalate(uow: UnitOfWork, cmd: DeescalateRisk, prov: Provenance) -> None:
    _risk(uow, cmd).deescalate(prov, level=cmd.level)


@dataclass(frozen=True, kw_only=True)
class CloseRisk(RiskCommand):
    """Close a risk, saying how it ended."""

    area, action = "risk", "close"
    resolution: str = arg("how it ended (mitigated, occurred, accepted…)", parse.text(500))

    def summary(self) -> str:
        return f"Close {self.risk}"


@handles(CloseRisk)
def close(uow: UnitOfWork, cmd: CloseRisk, prov: Provenance) -> None:
    _risk(uow, cmd).close(prov, resolution=cmd.resolution)
