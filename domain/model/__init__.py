"""The aggregates of the ledger, one module per part of the portfolio."""

from domain.model.backlog import BacklogItem
from domain.model.budget import Envelope
from domain.model.decision import Decision
from domain.model.demand import OutsideDemand
from domain.model.dependency import Dependency
from domain.model.plan import PlanProposal
from domain.model.portfolio import Perimeter, Programme
from domain.model.project import Project
from domain.model.resource import Resource
from domain.model.risk import Risk
from domain.model.timesheet import Timesheet

AGGREGATES = (
    Perimeter,
    Programme,
    Project,
    Resource,
    Envelope,
    Timesheet,
    BacklogItem,
    Dependency,
    OutsideDemand,
    Risk,
    Decision,
    PlanProposal,
)

__all__ = [
    "AGGREGATES",
    "BacklogItem",
    "Decision",
    "Dependency",
    "Envelope",
    "OutsideDemand",
    "Perimeter",
    "PlanProposal",
    "Programme",
    "Project",
    "Resource",
    "Risk",
    "Timesheet",
]
