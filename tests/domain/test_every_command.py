"""Every command the ledger accepts has an accepted path and a refused path, on both stores.

Each case sets up what it needs on the test portfolio, then builds one command. An
accepted command records exactly the events named; a refused one raises the named
domain error and records nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from domain import commands as c
from domain.commands import ALL_COMMANDS, Command
from domain.errors import (
    AlreadyExists,
    DomainError,
    InsufficientFunds,
    InvalidInput,
    InvalidTransition,
    MissingRationale,
    OutsideFiscalYear,
    OverCapacity,
    RuleViolation,
    UnknownEntity,
)
from domain.ledger import Ledger
from tests.conftest import Record, positions

Build = Callable[[], Command]
Step = Callable[[Record], Build]


@dataclass(frozen=True)
class Case:
    """How to get a command accepted, and how to get it refused."""

    command: type[Command]
    accept: Step
    events: tuple[str, ...]
    refuse: Step
    error: type[DomainError]

    def __str__(self) -> str:
        return self.command.__name__


def given(*setup: Command) -> Callable[[Build], Step]:
    """A step that records ``setup`` first, then builds the command."""

    def step(build: Build) -> Step:
        def run(record: Record) -> Build:
            for command in setup:
                record(command)
            return build

        return run

    return step


now = given()
STAFFED = c.StaffResource(
    resource="ARCH-JEANNE",
    project="PAY-CHECKOUT",
    first_week="2026-W10",
    last_week="2026-W20",
    days="3",
    rationale="Design authority for the checkout",
)
SHEET = c.SubmitTimesheet(resource="ARCH-JEANNE", week="2026-W09", lines={"PAY-CHECKOUT": "3"})
DEPENDENCY = c.DeclareDependency(
    code="DEP-IAM",
    milestone="PAY-CHECKOUT/GO-LIVE",
    on_platform="Group IAM",
    needed_by="2026-05-15",
)
DEMAND = c.RaiseDemand(
    code="DMD-SEC",
    resource="SQUAD-B2C",
    requester="Group Security",
    title="Penetration test campaign",
    first_week="2026-W14",
    last_week="2026-W16",
    days="5",
)
RISK = c.RaiseRisk(
    code="RSK-PSP",
    project="PAY-CHECKOUT",
    title="Payment provider may not certify 3-D Secure 2 in time",
    probability=3,
    impact=4,
    owner="Checkout PO",
)
ESCALATED = c.EscalateRisk(risk="RSK-PSP", level="steering-committee")

CASES = [
    Case(
        c.OpenPerimeter,
        now(lambda: c.OpenPerimeter(code="DATA", name="Data & AI")),
        ("Opened",),
        now(lambda: c.OpenPerimeter(code="b2c", name="Consumers again")),
        AlreadyExists,
    ),
    Case(
        c.OpenProgramme,
        now(lambda: c.OpenProgramme(code="LOY", name="Loyalty", perimeter="B2C")),
        ("Opened",),
        now(lambda: c.OpenProgramme(code="LOY", name="Loyalty", perimeter="RETAIL")),
        UnknownEntity,
    ),
    Case(
        c.OpenProject,
        now(
            lambda: c.OpenProject(
                code="PAY-LINK",
                name="Pay by link",
                programme="PAY",
                start="2026-04-01",
                end="2026-10-30",
            )
        ),
        ("Opened",),
        now(
            lambda: c.OpenProject(
                code="PAY-LINK",
                name="Pay by link",
                programme="PAY",
                start="2026-10-30",
                end="2026-04-01",
            )
        ),
        InvalidInput,
    ),
    Case(
        c.RescheduleProject,
        now(
            lambda: c.RescheduleProject(
                project="PAY-CHECKOUT",
                start="2026-02-02",
                end="2027-03-31",
                rationale="Scope extended to marketplaces",
            )
        ),
        ("Rescheduled",),
        now(
            lambda: c.RescheduleProject(
                project="PAY-CHECKOUT",
                start="2026-07-15",
                end="2027-03-31",
                rationale="Start after the go-live",
            )
        ),
        RuleViolation,
    ),
    Case(
        c.CloseProject,
        now(lambda: c.CloseProject(project="PAY-WALLET")),
        ("Closed",),
        now(lambda: c.CloseProject(project="PAY-CHECKOUT")),
        InvalidTransition,
    ),
    Case(
        c.PlanMilestone,
        now(
            lambda: c.PlanMilestone(
                project="PAY-CHECKOUT", milestone="MVP", name="MVP", baseline="2026-04-15"
            )
        ),
        ("MilestonePlanned",),
        now(
            lambda: c.PlanMilestone(
                project="PAY-CHECKOUT", milestone="MVP", name="MVP", baseline="2025-12-01"
            )
        ),
        RuleViolation,
    ),
    Case(
        c.ShiftMilestone,
        now(
            lambda: c.ShiftMilestone(
                project="PAY-CHECKOUT",
                milestone="GO-LIVE",
                forecast="2026-09-30",
                rationale="Acquirer certification late",
            )
        ),
        ("MilestoneShifted",),
        now(
            lambda: c.ShiftMilestone(
                project="PAY-CHECKOUT", milestone="GO-LIVE", forecast="2026-09-30"
            )
        ),
        MissingRationale,
    ),
    Case(
        c.ReachMilestone,
        now(lambda: c.ReachMilestone(project="PAY-CHECKOUT", milestone="GO-LIVE")),
        ("MilestoneReached",),
        now(lambda: c.ReachMilestone(project="PAY-CHECKOUT", milestone="PILOT")),
        UnknownEntity,
    ),
    Case(
        c.CancelMilestone,
        now(
            lambda: c.CancelMilestone(
                project="PAY-CHECKOUT", milestone="GO-LIVE", rationale="Merged into release 2"
            )
        ),
        ("MilestoneCancelled",),
        given(c.ReachMilestone(project="PAY-CHECKOUT", milestone="GO-LIVE"))(
            lambda: c.CancelMilestone(
                project="PAY-CHECKOUT", milestone="GO-LIVE", rationale="Too late"
            )
        ),
        InvalidTransition,
    ),
    Case(
        c.RegisterResource,
        now(
            lambda: c.RegisterResource(
                code="DEV-KARIM",
                name="Karim Haddad",
                skills=["developer"],
                daily_rate="650",
                home_perimeter="B2C",
            )
        ),
        ("Registered",),
        now(
            lambda: c.RegisterResource(
                code="DEV-KARIM",
                name="Karim Haddad",
                skills=["developer"],
                daily_rate="650",
                home_perimeter="RETAIL",
            )
        ),
        UnknownEntity,
    ),
    Case(
        c.ChangeCapacity,
        now(lambda: c.ChangeCapacity(resource="ARCH-JEANNE", from_week="2026-W20", days="4")),
        ("CapacityChanged",),
        now(lambda: c.ChangeCapacity(resource="ARCH-PAUL", from_week="2026-W20", days="4")),
        UnknownEntity,
    ),
    Case(
        c.RecordAbsence,
        now(
            lambda: c.RecordAbsence(
                resource="ARCH-JEANNE", first_week="2026-W30", last_week="2026-W32", days="5"
            )
        ),
        ("AbsenceRecorded",),
        now(
            lambda: c.RecordAbsence(
                resource="ARCH-JEANNE", first_week="2026-W32", last_week="2026-W30", days="5"
            )
        ),
        InvalidInput,
    ),
    Case(
        c.ChangeRate,
        now(lambda: c.ChangeRate(resource="ARCH-JEANNE", daily_rate="950")),
        ("RateChanged",),
        now(lambda: c.ChangeRate(resource="ARCH-JEANNE", daily_rate="950.005")),
        InvalidInput,
    ),
    Case(
        c.ChangeSkills,
        now(lambda: c.ChangeSkills(resource="ARCH-JEANNE", skills=["architect", "security"])),
        ("SkillsChanged",),
        now(lambda: c.ChangeSkills(resource="ARCH-JEANNE", skills=["juggling"])),
        InvalidInput,
    ),
    Case(
        c.RecordDeparture,
        now(lambda: c.RecordDeparture(resource="ARCH-JEANNE", last_week="2026-W26")),
        ("Left",),
        given(c.RecordDeparture(resource="ARCH-JEANNE", last_week="2026-W26"))(
            lambda: c.RecordDeparture(resource="ARCH-JEANNE", last_week="2026-W30")
        ),
        InvalidTransition,
    ),
    Case(
        c.StaffResource,
        now(lambda: STAFFED),
        ("StaffingSet",),
        now(
            lambda: c.StaffResource(
                resource="ARCH-JEANNE",
                project="PAY-CHECKOUT",
                first_week="2026-W10",
                last_week="2026-W20",
                days="6",
                rationale="Full time and more",
            )
        ),
        OverCapacity,
    ),
    Case(
        c.ReleaseResource,
        given(STAFFED)(
            lambda: c.ReleaseResource(
                resource="ARCH-JEANNE",
                project="PAY-CHECKOUT",
                from_week="2026-W15",
                rationale="Design done",
            )
        ),
        ("StaffingReleased",),
        now(
            lambda: c.ReleaseResource(
                resource="ARCH-JEANNE",
                project="PAY-CHECKOUT",
                from_week="2026-W15",
                rationale="Design done",
            )
        ),
        RuleViolation,
    ),
    Case(
        c.MoveResource,
        given(STAFFED)(
            lambda: c.MoveResource(
                resource="ARCH-JEANNE",
                from_project="PAY-CHECKOUT",
                to_project="PAY-WALLET",
                first_week="2026-W12",
                last_week="2026-W16",
                days="4",
                rationale="Wallet go-live first",
            )
        ),
        ("StaffingReleased", "StaffingSet"),
        given(STAFFED)(
            lambda: c.MoveResource(
                resource="ARCH-JEANNE",
                from_project="PAY-CHECKOUT",
                to_project="PAY-WALLET",
                first_week="2026-W12",
                last_week="2026-W16",
                days="6",
                rationale="Wallet go-live first",
            )
        ),
        OverCapacity,
    ),
    Case(
        c.OpenEnvelope,
        now(lambda: c.OpenEnvelope(project="PAY-CHECKOUT", fiscal_year=2027, capex="80000")),
        ("Opened",),
        now(lambda: c.OpenEnvelope(project="PAY-CHECKOUT", fiscal_year=2026, capex="80000")),
        AlreadyExists,
    ),
    Case(
        c.TransferBudget,
        now(
            lambda: c.TransferBudget(
                fiscal_year=2026,
                nature="capex",
                amount="25000",
                from_project="PAY-CHECKOUT",
                to_project="PAY-WALLET",
                rationale="Wallet launch moved forward",
            )
        ),
        ("FundsTransferredOut", "FundsTransferredIn"),
        now(
            lambda: c.TransferBudget(
                fiscal_year=2026,
                nature="capex",
                amount="250000",
                from_project="PAY-CHECKOUT",
                to_project="PAY-WALLET",
                rationale="Everything to the wallet",
            )
        ),
        InsufficientFunds,
    ),
    Case(
        c.RaiseBudget,
        now(
            lambda: c.RaiseBudget(
                reserve="B2C",
                fiscal_year=2026,
                nature="capex",
                amount="40000",
                rationale="Group grant for PSD3",
            )
        ),
        ("Raised",),
        now(
            lambda: c.RaiseBudget(
                reserve="B2C",
                fiscal_year=2026,
                nature="capex",
                amount="40000",
                rationale="Group grant",
                effective_date="2027-01-15",
            )
        ),
        OutsideFiscalYear,
    ),
    Case(
        c.CutBudget,
        now(
            lambda: c.CutBudget(
                project="PAY-CHECKOUT",
                fiscal_year=2026,
                nature="opex",
                amount="5000",
                rationale="Savings plan",
            )
        ),
        ("Cut",),
        now(
            lambda: c.CutBudget(
                project="PAY-CHECKOUT",
                fiscal_year=2026,
                nature="opex",
                amount="20000.01",
                rationale="Savings plan",
            )
        ),
        InsufficientFunds,
    ),
    Case(
        c.SubmitTimesheet,
        now(lambda: SHEET),
        ("Submitted",),
        now(
            lambda: c.SubmitTimesheet(
                resource="ARCH-JEANNE", week="2026-W09", lines={"PAY-CHECKOUT": "7.5"}
            )
        ),
        InvalidInput,
    ),
    Case(
        c.ApproveTimesheet,
        given(SHEET)(lambda: c.ApproveTimesheet(resource="ARCH-JEANNE", week="2026-W09")),
        ("Approved",),
        given(SHEET, c.ApproveTimesheet(resource="ARCH-JEANNE", week="2026-W09"))(
            lambda: c.ApproveTimesheet(resource="ARCH-JEANNE", week="2026-W09")
        ),
        InvalidTransition,
    ),
    Case(
        c.CorrectTimesheet,
        given(SHEET)(
            lambda: c.CorrectTimesheet(
                resource="ARCH-JEANNE",
                week="2026-W09",
                lines={"PAY-CHECKOUT": "2", "PAY-WALLET": "1"},
            )
        ),
        ("Corrected",),
        now(
            lambda: c.CorrectTimesheet(
                resource="ARCH-JEANNE", week="2026-W09", lines={"PAY-CHECKOUT": "2"}
            )
        ),
        UnknownEntity,
    ),
    Case(
        c.AddBacklogItem,
        now(
            lambda: c.AddBacklogItem(
                code="PAY-2",
                project="PAY-CHECKOUT",
                title="Saved cards",
                effort={"developer": "15", "security": "3"},
                rank=2,
            )
        ),
        ("Added",),
        now(
            lambda: c.AddBacklogItem(
                code="PAY-2",
                project="PAY-CHECKOUT",
                title="Saved cards",
                effort={"developer": "-15"},
                rank=2,
            )
        ),
        InvalidInput,
    ),
    Case(
        c.ReestimateBacklogItem,
        now(lambda: c.ReestimateBacklogItem(item="PAY-1", effort={"developer": "30"})),
        ("Reestimated",),
        now(lambda: c.ReestimateBacklogItem(item="PAY-99", effort={"developer": "30"})),
        UnknownEntity,
    ),
    Case(
        c.ReprioritiseBacklogItem,
        now(lambda: c.ReprioritiseBacklogItem(item="PAY-1", rank=3)),
        ("Reprioritised",),
        now(lambda: c.ReprioritiseBacklogItem(item="PAY-1", rank=1)),
        RuleViolation,
    ),
    Case(
        c.ChangeBacklogMaturity,
        now(lambda: c.ChangeBacklogMaturity(item="PAY-1", maturity="ready")),
        ("MaturityChanged",),
        now(lambda: c.ChangeBacklogMaturity(item="PAY-1", maturity="idea")),
        RuleViolation,
    ),
    Case(
        c.LinkBacklogMilestone,
        now(lambda: c.LinkBacklogMilestone(item="PAY-1")),
        ("MilestoneLinked",),
        now(lambda: c.LinkBacklogMilestone(item="PAY-1", milestone="PILOT")),
        UnknownEntity,
    ),
    Case(
        c.CompleteBacklogItem,
        now(lambda: c.CompleteBacklogItem(item="PAY-1")),
        ("Completed",),
        given(c.DropBacklogItem(item="PAY-1"))(lambda: c.CompleteBacklogItem(item="PAY-1")),
        InvalidTransition,
    ),
    Case(
        c.DropBacklogItem,
        now(lambda: c.DropBacklogItem(item="PAY-1")),
        ("Dropped",),
        now(lambda: c.DropBacklogItem(item="PAY-404")),
        UnknownEntity,
    ),
    Case(
        c.DeclareDependency,
        now(lambda: DEPENDENCY),
        ("Declared",),
        now(lambda: c.DeclareDependency(milestone="PAY-CHECKOUT/GO-LIVE", on_platform="Group IAM")),
        InvalidInput,
    ),
    Case(
        c.ChangeNeededBy,
        given(DEPENDENCY)(lambda: c.ChangeNeededBy(dependency="DEP-IAM", needed_by="2026-06-01")),
        ("NeededByChanged",),
        given(DEPENDENCY)(lambda: c.ChangeNeededBy(dependency="DEP-IAM", needed_by="2026-05-15")),
        RuleViolation,
    ),
    Case(
        c.MeetDependency,
        given(DEPENDENCY)(lambda: c.MeetDependency(dependency="DEP-IAM")),
        ("Met",),
        given(DEPENDENCY, c.MeetDependency(dependency="DEP-IAM"))(
            lambda: c.MeetDependency(dependency="DEP-IAM")
        ),
        InvalidTransition,
    ),
    Case(
        c.CancelDependency,
        given(DEPENDENCY)(lambda: c.CancelDependency(dependency="DEP-IAM")),
        ("Cancelled",),
        now(lambda: c.CancelDependency(dependency="DEP-IAM")),
        UnknownEntity,
    ),
    Case(
        c.RaiseDemand,
        now(lambda: DEMAND),
        ("Raised",),
        now(
            lambda: c.RaiseDemand(
                resource="SQUAD-DATA",
                requester="Group Security",
                title="Pen test",
                first_week="2026-W14",
                last_week="2026-W16",
                days="5",
            )
        ),
        UnknownEntity,
    ),
    Case(
        c.AcceptDemand,
        given(DEMAND)(lambda: c.AcceptDemand(demand="DMD-SEC")),
        ("Accepted",),
        given(DEMAND, c.AcceptDemand(demand="DMD-SEC"))(lambda: c.AcceptDemand(demand="DMD-SEC")),
        InvalidTransition,
    ),
    Case(
        c.DeclineDemand,
        given(DEMAND)(lambda: c.DeclineDemand(demand="DMD-SEC", rationale="Go-live freeze")),
        ("Declined",),
        given(DEMAND)(lambda: c.DeclineDemand(demand="DMD-SEC")),
        MissingRationale,
    ),
    Case(
        c.WithdrawDemand,
        given(DEMAND)(lambda: c.WithdrawDemand(demand="DMD-SEC")),
        ("Withdrawn",),
        given(DEMAND, c.DeclineDemand(demand="DMD-SEC", rationale="Freeze"))(
            lambda: c.WithdrawDemand(demand="DMD-SEC")
        ),
        InvalidTransition,
    ),
    Case(
        c.RaiseRisk,
        now(lambda: RISK),
        ("Raised",),
        now(
            lambda: c.RaiseRisk(
                project="PAY-CHECKOUT",
                title="Provider outage",
                probability=6,
                impact=2,
                owner="Checkout PO",
            )
        ),
        InvalidInput,
    ),
    Case(
        c.ReassessRisk,
        given(RISK)(lambda: c.ReassessRisk(risk="RSK-PSP", probability=4, impact=4)),
        ("Reassessed",),
        given(RISK)(lambda: c.ReassessRisk(risk="RSK-PSP", probability=3, impact=4)),
        RuleViolation,
    ),
    Case(
        c.UpdateRiskResponse,
        given(RISK)(
            lambda: c.UpdateRiskResponse(
                risk="RSK-PSP",
                response="Second provider on standby",
                strategy="mitigate",
                owner="Head of payments",
            )
        ),
        ("ResponseUpdated",),
        now(
            lambda: c.UpdateRiskResponse(
                risk="RSK-404", response="Second provider", strategy="mitigate", owner="PO"
            )
        ),
        UnknownEntity,
    ),
    Case(
        c.EscalateRisk,
        given(RISK)(lambda: ESCALATED),
        ("Escalated",),
        given(RISK)(lambda: c.EscalateRisk(risk="RSK-PSP", level="team")),
        RuleViolation,
    ),
    Case(
        c.DeescalateRisk,
        given(RISK, ESCALATED)(lambda: c.DeescalateRisk(risk="RSK-PSP", level="programme")),
        ("Deescalated",),
        given(RISK)(lambda: c.DeescalateRisk(risk="RSK-PSP", level="team")),
        RuleViolation,
    ),
    Case(
        c.CloseRisk,
        given(RISK)(lambda: c.CloseRisk(risk="RSK-PSP", resolution="Provider certified")),
        ("Closed",),
        given(RISK, c.CloseRisk(risk="RSK-PSP", resolution="Certified"))(
            lambda: c.CloseRisk(risk="RSK-PSP", resolution="Again")
        ),
        InvalidTransition,
    ),
    Case(
        c.TakeDecision,
        now(
            lambda: c.TakeDecision(
                title="Freeze scope of release 2",
                rationale="Go-live first",
                forum="steering-committee",
            )
        ),
        (),
        now(lambda: c.TakeDecision(title="Freeze scope", forum="steering-committee")),
        MissingRationale,
    ),
]


def test_every_command_has_an_accepted_and_a_refused_case() -> None:
    assert {case.command for case in CASES} == set(ALL_COMMANDS)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_accepted_command_records_its_events(case: Case, portfolio: Ledger, record: Record) -> None:
    build = case.accept(record)
    before = positions(portfolio)
    receipt = record(build())
    kinds = tuple(e.kind for e in receipt.events if not e.subject.startswith("decision "))
    assert kinds == case.events
    assert positions(portfolio) == before + len(receipt.events)
    if build().opens_decision:
        assert receipt.decision is not None


@pytest.mark.parametrize("case", CASES, ids=str)
def test_refused_command_records_nothing(case: Case, portfolio: Ledger, record: Record) -> None:
    build = case.refuse(record)
    before = positions(portfolio)
    with pytest.raises(case.error) as refusal:
        record(build())
    assert positions(portfolio) == before
    assert str(refusal.value)  # a readable reason
