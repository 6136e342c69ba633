"""The closed vocabularies of the domain, as enums (never bare strings)."""

from __future__ import annotations

from enum import Enum


class Forum(Enum):
    """Where a decision was taken, from the team up to the IT steering committee."""

    TEAM = "team"
    WEEKLY = "weekly"
    BUDGET_REVIEW = "budget-review"
    PROGRAMME_BOARD = "programme-board"
    PLATFORM_REVIEW = "platform-review"
    STEERING_COMMITTEE = "steering-committee"


class EscalationLevel(Enum):
    """The governance level a risk is escalated to, in increasing order."""

    TEAM = "team"
    PROGRAMME = "programme"
    PLATFORM_REVIEW = "platform-review"
    STEERING_COMMITTEE = "steering-committee"

    @property
    def rank(self) -> int:
        """Position in the escalation ladder (team = 0)."""
        return list(EscalationLevel).index(self)


class Skill(Enum):
    """Skills a resource offers and a backlog item needs."""

    ARCHITECT = "architect"
    DEVELOPER = "developer"
    DATA = "data"
    OPS = "ops"
    QA = "qa"
    SECURITY = "security"
    PRODUCT = "product"
    UX = "ux"
    PMO_DEPLOY = "pmo-deploy"


class ResourceKind(Enum):
    """A named person, or a team pool whose capacity is the sum of its members."""

    PERSON = "person"
    TEAM = "team"


class Sourcing(Enum):
    """Whether a resource is on the payroll or bought from a supplier."""

    INTERNAL = "internal"
    EXTERNAL = "external"


class Nature(Enum):
    """The accounting nature of money in an envelope."""

    CAPEX = "capex"
    OPEX = "opex"


class EnvelopeOwner(Enum):
    """An envelope belongs to a project, or is the reserve of a perimeter."""

    PROJECT = "project"
    RESERVE = "reserve"


class MilestoneStatus(Enum):
    """Life cycle of a milestone (jalon)."""

    PLANNED = "planned"
    REACHED = "reached"
    CANCELLED = "cancelled"


class ProjectStatus(Enum):
    """Life cycle of a project."""

    ACTIVE = "active"
    CLOSED = "closed"


class TimesheetStatus(Enum):
    """Life cycle of a weekly timesheet."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    CORRECTED = "corrected"


class Maturity(Enum):
    """How ready a backlog item is to be built, in increasing order."""

    IDEA = "idea"
    REFINED = "refined"
    READY = "ready"


class BacklogStatus(Enum):
    """Life cycle of a backlog item."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class EndpointKind(Enum):
    """What a dependency links: a milestone, a backlog item, or something outside."""

    MILESTONE = "milestone"
    BACKLOG_ITEM = "backlog-item"
    PLATFORM = "platform"
    COMPONENT = "component"


class DependencyStatus(Enum):
    """Life cycle of a dependency."""

    OPEN = "open"
    MET = "met"
    CANCELLED = "cancelled"


class DemandStatus(Enum):
    """Life cycle of a demand from outside the perimeter."""

    RAISED = "raised"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class RiskStatus(Enum):
    """Life cycle of a risk."""

    OPEN = "open"
    CLOSED = "closed"


class RiskStrategy(Enum):
    """The response strategy chosen for a risk."""

    AVOID = "avoid"
    MITIGATE = "mitigate"
    TRANSFER = "transfer"
    ACCEPT = "accept"


class ScopeKind(Enum):
    """The level of the portfolio tree a risk is attached to."""

    PERIMETER = "perimeter"
    PROGRAMME = "programme"
    PROJECT = "project"


class ProposalStatus(Enum):
    """Life cycle of a plan proposal."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


ALL_ENUMS: tuple[type[Enum], ...] = (
    Forum,
    EscalationLevel,
    Skill,
    ResourceKind,
    Sourcing,
    Nature,
    EnvelopeOwner,
    MilestoneStatus,
    ProjectStatus,
    TimesheetStatus,
    Maturity,
    BacklogStatus,
    EndpointKind,
    DependencyStatus,
    DemandStatus,
    RiskStatus,
    RiskStrategy,
    ScopeKind,
    ProposalStatus,
)
