"""The two time axes: when a fact applies (as_of) and when the ledger learned it (known_at)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain import commands as c
from domain.clock import SimulatedClock
from domain.enums import EnvelopeOwner, Nature
from domain.errors import InvalidTransition, NotInForce, RetroactiveConflict
from domain.ledger import Ledger
from domain.model import Envelope, Project, Resource, Timesheet
from domain.values import Week
from tests.conftest import Record, positions

CHECKOUT = "PAY-CHECKOUT"


def _checkout_envelope(ledger: Ledger) -> Envelope:
    project = ledger.load(Project, CHECKOUT)
    return ledger.load(Envelope, Envelope.key(EnvelopeOwner.PROJECT, project.id, 2026))


def test_recorded_time_comes_from_the_ledger_clock_not_the_command(
    portfolio: Ledger, record: Record, clock: SimulatedClock
) -> None:
    clock.set(datetime(2026, 3, 10, 16, 30, tzinfo=UTC))
    receipt = record(c.ReachMilestone(project=CHECKOUT, milestone="GO-LIVE"))
    assert receipt.recorded_at == datetime(2026, 3, 10, 16, 30, tzinfo=UTC)
    assert receipt.effective_date == date(2026, 3, 10)  # defaults to the day it is recorded
    event = portfolio.load(Project, CHECKOUT).history[-1]
    assert event.timestamp == receipt.recorded_at
    assert event.author == "claire.dubois"


def test_a_late_timesheet_correction_changes_what_is_known_now_but_not_what_was_known(
    portfolio: Ledger, record: Record, clock: SimulatedClock
) -> None:
    record(c.SubmitTimesheet(resource="ARCH-JEANNE", week="2026-W09", lines={CHECKOUT: "3"}))
    submitted_at = clock.now()
    clock.advance(timedelta(weeks=6))
    record(
        c.CorrectTimesheet(
            resource="ARCH-JEANNE",
            week="2026-W09",
            lines={CHECKOUT: "4.5"},
            rationale="Forgot the migration weekend",
        )
    )
    sheet = portfolio.load(
        Timesheet, Timesheet.key(Resource.id_for("ARCH-JEANNE"), Week.parse("2026-W09"))
    )
    project_id = Project.id_for(CHECKOUT)
    march = date(2026, 3, 31)
    assert sheet.history[-1].effective_date == date(2026, 2, 23)  # the Monday of week 9
    assert sheet.state(as_of=march).lines.by_project[project_id] == Decimal("4.50")
    known_then = sheet.state(as_of=march, known_at=submitted_at + timedelta(days=1))
    assert known_then.lines.by_project[project_id] == Decimal("3.00")


def test_a_back_dated_arbitration_changes_the_past_as_known_today_only(
    portfolio: Ledger, record: Record, clock: SimulatedClock
) -> None:
    before_it_was_recorded = clock.now()
    clock.advance(timedelta(days=1))
    record(
        c.TransferBudget(
            fiscal_year=2026,
            nature="capex",
            amount="10000",
            from_reserve="B2C",
            to_project=CHECKOUT,
            rationale="Regularisation of January's overrun",
            effective_date="2026-01-15",
        )
    )
    envelope = _checkout_envelope(portfolio)
    february = date(2026, 2, 1)
    assert envelope.state(as_of=february).balance(Nature.CAPEX) == Decimal("110000.00")
    assert envelope.state(as_of=february, known_at=before_it_was_recorded).balance(
        Nature.CAPEX
    ) == Decimal("100000.00")
    assert envelope.state(as_of=date(2026, 1, 10)).balance(Nature.CAPEX) == Decimal("100000.00")


def test_a_retroactive_cut_is_refused_when_it_would_overdraw_a_later_transfer(
    portfolio: Ledger, record: Record
) -> None:
    record(
        c.TransferBudget(
            fiscal_year=2026,
            nature="capex",
            amount="60000",
            from_project=CHECKOUT,
            to_project="PAY-WALLET",
            rationale="Wallet first",
            effective_date="2026-03-01",
        )
    )
    before = positions(portfolio)
    with pytest.raises(RetroactiveConflict) as conflict:
        record(
            c.CutBudget(
                project=CHECKOUT,
                fiscal_year=2026,
                nature="capex",
                amount="50000",
                rationale="Savings plan, back-dated",
                effective_date="2026-02-01",
            )
        )
    assert conflict.value.conflicting["kind"] == "FundsTransferredOut"
    assert conflict.value.conflicting["effective_date"] == "2026-03-01"
    assert conflict.value.conflicting["author"] == "claire.dubois"
    assert positions(portfolio) == before


def test_a_retroactive_staffing_is_refused_when_a_later_one_would_exceed_capacity(
    portfolio: Ledger, record: Record
) -> None:
    record(
        c.StaffResource(
            resource="ARCH-JEANNE",
            project="PAY-WALLET",
            first_week="2026-W14",
            last_week="2026-W20",
            days="3",
            rationale="Wallet design",
            effective_date="2026-03-02",
        )
    )
    with pytest.raises(RetroactiveConflict) as conflict:
        record(
            c.StaffResource(
                resource="ARCH-JEANNE",
                project=CHECKOUT,
                first_week="2026-W10",
                last_week="2026-W16",
                days="3",
                rationale="Checkout design, decided in February",
                effective_date="2026-02-15",
            )
        )
    assert conflict.value.conflicting["kind"] == "StaffingSet"
    assert "capacity" in str(conflict.value)


def test_a_retroactive_milestone_cancellation_is_refused_when_a_later_shift_depends_on_it(
    portfolio: Ledger, record: Record
) -> None:
    record(
        c.ShiftMilestone(
            project=CHECKOUT,
            milestone="GO-LIVE",
            forecast="2026-08-31",
            rationale="Acquirer late",
            effective_date="2026-03-01",
        )
    )
    with pytest.raises(RetroactiveConflict) as conflict:
        record(
            c.CancelMilestone(
                project=CHECKOUT,
                milestone="GO-LIVE",
                rationale="Cancelled in February",
                effective_date="2026-02-20",
            )
        )
    assert conflict.value.conflicting["kind"] == "MilestoneShifted"


def test_nothing_applies_before_the_thing_it_changes_was_in_force(
    portfolio: Ledger, record: Record
) -> None:
    with pytest.raises(NotInForce):
        record(
            c.ShiftMilestone(
                project=CHECKOUT,
                milestone="GO-LIVE",
                forecast="2026-08-31",
                rationale="Too early",
                effective_date="2025-12-15",
            )
        )


def test_future_effective_decisions_are_in_force_only_from_their_date(
    portfolio: Ledger, record: Record
) -> None:
    record(
        c.ShiftMilestone(
            project=CHECKOUT,
            milestone="GO-LIVE",
            forecast="2026-09-15",
            rationale="Decided now, applies from April",
            effective_date="2026-04-01",
        )
    )
    project = portfolio.load(Project, CHECKOUT)
    assert project.state(as_of=date(2026, 3, 15)).milestone("GO-LIVE").forecast == date(2026, 6, 30)
    assert project.state(as_of=date(2026, 4, 1)).milestone("GO-LIVE").forecast == date(2026, 9, 15)


@pytest.mark.parametrize(
    "fact",
    [
        c.RecordAbsence(
            resource="ARCH-JEANNE",
            first_week="2026-W20",
            last_week="2026-W20",
            days="2",
            effective_date="2026-02-02",
        ),
        c.RecordDeparture(
            resource="ARCH-JEANNE", last_week="2026-W18", effective_date="2026-02-02"
        ),
        c.ChangeCapacity(
            resource="ARCH-JEANNE", from_week="2026-W19", days="3", effective_date="2026-02-02"
        ),
    ],
    ids=["absence", "departure", "capacity"],
)
def test_a_back_dated_capacity_fact_is_recorded_even_if_it_over_allocates_later_staffing(
    portfolio: Ledger, record: Record, fact: c.Command
) -> None:
    record(
        c.StaffResource(
            resource="ARCH-JEANNE",
            project=CHECKOUT,
            first_week="2026-W20",
            last_week="2026-W20",
            days="5",
            rationale="Full week of design",
        )
    )
    receipt = record(fact)
    assert receipt.effective_date == date(2026, 2, 2)
    resource = portfolio.load(Resource, "ARCH-JEANNE").state()
    week = Week.parse("2026-W20")
    assert resource.load[week] == Decimal("5.00")
    assert resource.capacity(week) < resource.load[week]  # over-allocated, and visible


def test_back_dating_a_shift_that_a_later_one_already_made_is_accepted(
    portfolio: Ledger, record: Record
) -> None:
    record(
        c.ShiftMilestone(
            project=CHECKOUT,
            milestone="GO-LIVE",
            forecast="2026-07-15",
            rationale="Acquirer late",
            effective_date="2026-03-02",
        )
    )
    record(
        c.ShiftMilestone(
            project=CHECKOUT,
            milestone="GO-LIVE",
            forecast="2026-07-15",
            rationale="It was in fact decided in February",
            effective_date="2026-02-15",
        )
    )
    project = portfolio.load(Project, CHECKOUT)
    assert project.state(as_of=date(2026, 2, 20)).milestone("GO-LIVE").forecast == date(2026, 7, 15)
    assert project.state().milestone("GO-LIVE").shifts == 2


def test_a_project_closed_later_can_still_be_staffed_until_then(
    portfolio: Ledger, record: Record
) -> None:
    record(c.CloseProject(project="PAY-WALLET", effective_date="2026-12-18"))
    record(
        c.StaffResource(
            resource="ARCH-JEANNE",
            project="PAY-WALLET",
            first_week="2026-W12",
            last_week="2026-W14",
            days="2",
            rationale="Wallet design",
        )
    )
    with pytest.raises(InvalidTransition, match="PAY-WALLET is closed on 2026-12-21"):
        record(
            c.StaffResource(
                resource="ARCH-JEANNE",
                project="PAY-WALLET",
                first_week="2027-W01",
                last_week="2027-W02",
                days="2",
                rationale="After the closure",
                effective_date="2026-12-21",
            )
        )
