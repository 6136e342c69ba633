"""The summary `pmo demo` prints: events by area, budgets by perimeter, slips, forums, lateness.

Runs on the test portfolio (B2C: PAY-CHECKOUT 100,000 capex + 20,000 opex, PAY-WALLET
50,000 capex, reserve 30,000) plus a few commands, on both stores.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain import commands as c
from domain.clock import SimulatedClock
from domain.ledger import Ledger
from projections.summary import BudgetLine, summarise
from tests.conftest import Record

CHECKOUT, WALLET = "PAY-CHECKOUT", "PAY-WALLET"
VOTED_B2C = Decimal(100_000 + 20_000 + 50_000)


def _b2c(ledger: Ledger) -> BudgetLine:
    return summarise(ledger, fiscal_year=2026).budgets["B2C"]


def _transfer(amount: str, **ends: Any) -> c.TransferBudget:
    return c.TransferBudget(
        fiscal_year=2026,
        nature="capex",
        amount=amount,
        rationale="Arbitration of the monthly budget review",
        **ends,
    )


def _timesheet(week: str) -> c.SubmitTimesheet:
    return c.SubmitTimesheet(resource="ARCH-JEANNE", week=week, lines={CHECKOUT: "3"})


def test_events_are_counted_by_area_and_by_kind(portfolio: Ledger, record: Record) -> None:
    record(
        c.ShiftMilestone(
            project=CHECKOUT, milestone="GO-LIVE", forecast="2026-08-31", rationale="PSP late"
        )
    )

    summary = summarise(portfolio, fiscal_year=2026)

    assert summary.events == 17
    assert dict(summary.by_area) == {
        "perimeter": 2,
        "programme": 1,
        "project": 2,
        "decision": 4,  # three envelopes opened and the shift
        "budget": 3,
        "milestone": 2,
        "resource": 2,
        "backlog": 1,
    }
    assert dict(summary.by_kind["milestone"]) == {"MilestonePlanned": 1, "MilestoneShifted": 1}


def test_the_voted_budget_is_what_the_perimeters_project_envelopes_opened_with(
    portfolio: Ledger,
) -> None:
    summary = summarise(portfolio, fiscal_year=2026)

    line = summary.budgets["B2C"]
    assert line.voted == VOTED_B2C == Decimal(170_000)
    assert line.current == VOTED_B2C
    assert line.reserve == Decimal(30_000)
    assert "CTO" not in summary.budgets  # no envelope there
    assert summary.funded == {"B2C": [CHECKOUT, WALLET]}


def test_envelopes_of_another_fiscal_year_are_left_out(portfolio: Ledger, record: Record) -> None:
    record(c.OpenEnvelope(project=CHECKOUT, fiscal_year=2027, capex="999000"))

    assert _b2c(portfolio).voted == VOTED_B2C
    assert summarise(portfolio, fiscal_year=2027).budgets["B2C"].voted == Decimal(999_000)


def test_a_transfer_between_two_projects_of_the_perimeter_moves_money_without_changing_it(
    portfolio: Ledger, record: Record
) -> None:
    record(_transfer("15000", from_project=CHECKOUT, to_project=WALLET))

    line = _b2c(portfolio)

    assert line.moved_out == line.moved_in == Decimal(15_000)
    assert line.current == VOTED_B2C
    assert line.reserve == Decimal(30_000)


def test_a_transfer_from_the_reserve_raises_current_and_lowers_the_reserve(
    portfolio: Ledger, record: Record
) -> None:
    record(_transfer("10000", from_reserve="B2C", to_project=CHECKOUT))

    line = _b2c(portfolio)

    assert line.moved_in == Decimal(10_000)
    assert line.moved_out == 0
    assert line.current == Decimal(180_000)
    assert line.reserve == Decimal(20_000)


def test_a_cut_lowers_current_and_a_raise_adds_to_it(portfolio: Ledger, record: Record) -> None:
    reason = "Savings plan"
    record(
        c.CutBudget(
            project=WALLET, fiscal_year=2026, nature="capex", amount="8000", rationale=reason
        )
    )
    cut = _b2c(portfolio)
    record(
        c.RaiseBudget(
            project=CHECKOUT, fiscal_year=2026, nature="opex", amount="3000", rationale=reason
        )
    )
    raised = _b2c(portfolio)

    assert (cut.cut, cut.current) == (Decimal(8_000), Decimal(162_000))
    assert (raised.raised, raised.current) == (Decimal(3_000), Decimal(165_000))
    assert raised.reserve == Decimal(30_000)


def test_a_shifted_milestone_is_listed_with_its_slip_in_days(
    portfolio: Ledger, record: Record
) -> None:
    assert summarise(portfolio, fiscal_year=2026).slipped_most() == []  # planned, never moved

    record(
        c.ShiftMilestone(
            project=CHECKOUT,
            milestone="GO-LIVE",
            forecast="2026-08-31",
            rationale="3-D Secure certification late",
        )
    )
    slipped = summarise(portfolio, fiscal_year=2026).slipped_most()

    assert [(m.project, m.milestone) for m in slipped] == [(CHECKOUT, "GO-LIVE")]
    go_live = slipped[0]
    assert (go_live.baseline, go_live.forecast) == (date(2026, 6, 30), date(2026, 8, 31))
    assert go_live.slip_days == 62
    assert go_live.shifts == 1
    assert go_live.status == "planned"


def test_decisions_are_counted_by_forum(portfolio: Ledger, record: Record) -> None:
    record(_transfer("5000", from_project=CHECKOUT, to_project=WALLET, forum="steering-committee"))
    record(
        c.ShiftMilestone(
            project=CHECKOUT, milestone="GO-LIVE", forecast="2026-07-15", rationale="x"
        )
    )
    record(c.TakeDecision(title="Freeze B2C capex", rationale="Q1 review", forum="budget-review"))

    summary = summarise(portfolio, fiscal_year=2026)

    assert dict(summary.decisions_by_forum) == {
        "weekly": 3 + 1,  # the three envelopes opened, then the shift
        "steering-committee": 1,
        "budget-review": 1,
    }


def test_a_timesheet_recorded_two_weeks_after_its_week_counts_as_late(
    portfolio: Ledger, record: Record
) -> None:
    before = summarise(portfolio, fiscal_year=2026).recorded_late

    record(_timesheet("2026-W09"))  # Monday 23 February, recorded 2 March: 7 days
    on_time = summarise(portfolio, fiscal_year=2026).recorded_late
    record(_timesheet("2026-W08"))  # Monday 16 February: exactly 14 days
    late = summarise(portfolio, fiscal_year=2026).recorded_late

    assert on_time == before
    assert late == before + 1


def test_a_back_dated_arbitration_counts_as_late_with_its_decision(
    portfolio: Ledger, record: Record
) -> None:
    before = summarise(portfolio, fiscal_year=2026).recorded_late

    record(_transfer("10000", from_reserve="B2C", to_project=CHECKOUT, effective_date="2026-01-15"))
    record(_transfer("1000", from_reserve="B2C", to_project=WALLET))  # effective today

    assert summarise(portfolio, fiscal_year=2026).recorded_late == before + 3


def test_a_milestone_reached_after_its_baseline_counts_as_slipped_without_a_shift(
    portfolio: Ledger, record: Record, clock: SimulatedClock
) -> None:
    clock.set(datetime(2026, 9, 15, 10, tzinfo=UTC))
    record(c.ReachMilestone(project="PAY-CHECKOUT", milestone="GO-LIVE"))
    slipped = summarise(portfolio, fiscal_year=2026).slipped_most()
    assert [(m.milestone, m.slip_days, m.shifts, m.status) for m in slipped] == [
        ("GO-LIVE", 77, 0, "reached")
    ]
