"""Every command the ledger accepts, and the handler that carries each one out."""

from domain.commands.backlog import (
    AddBacklogItem,
    ChangeBacklogMaturity,
    CompleteBacklogItem,
    DropBacklogItem,
    LinkBacklogMilestone,
    ReestimateBacklogItem,
    ReprioritiseBacklogItem,
)
from domain.commands.base import HANDLERS, Command
from domain.commands.budget import CutBudget, OpenEnvelope, RaiseBudget, TransferBudget
from domain.commands.decisions import TakeDecision
from domain.commands.demands import AcceptDemand, DeclineDemand, RaiseDemand, WithdrawDemand
from domain.commands.dependencies import (
    CancelDependency,
    ChangeNeededBy,
    DeclareDependency,
    MeetDependency,
)
from domain.commands.milestones import (
    CancelMilestone,
    PlanMilestone,
    ReachMilestone,
    ShiftMilestone,
)
from domain.commands.plans import AcceptProposal, RecordProposal, RejectProposal
from domain.commands.portfolio import (
    CloseProject,
    OpenPerimeter,
    OpenProgramme,
    OpenProject,
    RescheduleProject,
)
from domain.commands.resources import (
    ChangeCapacity,
    ChangeRate,
    ChangeSkills,
    RecordAbsence,
    RecordDeparture,
    RegisterResource,
)
from domain.commands.risks import (
    CloseRisk,
    DeescalateRisk,
    EscalateRisk,
    RaiseRisk,
    ReassessRisk,
    UpdateRiskResponse,
)
from domain.commands.staffing import MoveResource, ReleaseResource, StaffResource
from domain.commands.timesheets import ApproveTimesheet, CorrectTimesheet, SubmitTimesheet

ALL_COMMANDS: tuple[type[Command], ...] = tuple(c for c in HANDLERS if c.recordable)

__all__ = [
    "ALL_COMMANDS",
    "HANDLERS",
    "AcceptDemand",
    "AcceptProposal",
    "AddBacklogItem",
    "ApproveTimesheet",
    "CancelDependency",
    "CancelMilestone",
    "ChangeBacklogMaturity",
    "ChangeCapacity",
    "ChangeNeededBy",
    "ChangeRate",
    "ChangeSkills",
    "CloseProject",
    "CloseRisk",
    "Command",
    "CompleteBacklogItem",
    "CorrectTimesheet",
    "CutBudget",
    "DeclareDependency",
    "DeclineDemand",
    "DeescalateRisk",
    "DropBacklogItem",
    "EscalateRisk",
    "LinkBacklogMilestone",
    "MeetDependency",
    "MoveResource",
    "OpenEnvelope",
    "OpenPerimeter",
    "OpenProgramme",
    "OpenProject",
    "PlanMilestone",
    "RaiseBudget",
    "RaiseDemand",
    "RaiseRisk",
    "ReachMilestone",
    "ReassessRisk",
    "RecordAbsence",
    "RecordDeparture",
    "RecordProposal",
    "ReestimateBacklogItem",
    "RegisterResource",
    "RejectProposal",
    "ReleaseResource",
    "ReprioritiseBacklogItem",
    "RescheduleProject",
    "ShiftMilestone",
    "StaffResource",
    "SubmitTimesheet",
    "TakeDecision",
    "TransferBudget",
    "UpdateRiskResponse",
    "WithdrawDemand",
]
