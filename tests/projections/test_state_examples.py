"""The two time axes on examples computed by hand.

The test portfolio (tests/builders.py) is recorded on Monday 2 March 2026 at 09:00 UTC,
everything effective on 1 January 2026. ARCH-JEANNE costs 900 a day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from domain import commands as c
from domain.clock import SimulatedClock
from domain.ledger import Ledger
from projections.state import Scope
from projections.view import PortfolioView
from tests.conftest import Record

MARCH_2 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


def _actuals(view: PortfolioView, as_of: date, known_at: datetime) -> list[tuple[str, float]]:
    frame = view.state(as_of, known_at, sections=["actuals"])["actuals"]
    return [(str(r.week.date()), r.days) for r in frame.itertuples()]


def test_a_late_timesheet_counts_from_the_day_it_was_recorded_on_its_own_week(
    portfolio: Ledger, record: Record, clock: SimulatedClock
) -> None:
    view = PortfolioView(portfolio, persist=False)
    clock.set(_at(10))  # week 5 (26 January) is logged six weeks late
    record(c.SubmitTimesheet(resource="ARCH-JEANNE", week="2026-W05", lines={"PAY-CHECKOUT": "4"}))
    end_of_january = date(2026, 1, 31)
    assert _actuals(view, end_of_january, _at(9)) == []  # not known on 9 March
    assert _actuals(view, end_of_january, _at(10)) == [("2026-01-26", 4.0)]
    assert _actuals(view, date(2026, 1, 25), _at(11)) == []  # not yet in force before its week
    frame = view.state(end_of_january, _at(11), sections=["actuals"])["actuals"]
    assert frame["cost"].tolist() == [3600.0]  # 4 days at 900


def test_a_back_dated_arbitration_changes_the_past_only_as_known_after_it(
    portfolio: Ledger, record: Record, clock: SimulatedClock
) -> None:
    view = PortfolioView(portfolio, persist=False)
    clock.set(_at(16))
    record(
        c.TransferBudget(
            fiscal_year=2026,
            nature="capex",
            amount="10000",
            from_project="PAY-CHECKOUT",
            to_project="PAY-WALLET",
            effective_date="2026-02-01",
            rationale="steering committee of 30 January, minutes filed late",
        )
    )

    def capex(as_of: date, known_at: datetime) -> dict[str, float]:
        frame = view.state(as_of, known_at, sections=["envelopes"])["envelopes"]
        frame = frame[(frame["nature"] == "capex") & frame["project"].notna()]
        return dict(zip(frame["project"], frame["current"], strict=True))

    mid_february = date(2026, 2, 15)
    assert capex(mid_february, _at(13)) == {"PAY-CHECKOUT": 100000.0, "PAY-WALLET": 50000.0}
    assert capex(mid_february, _at(16)) == {"PAY-CHECKOUT": 90000.0, "PAY-WALLET": 60000.0}
    assert capex(date(2026, 1, 31), _at(16)) == {"PAY-CHECKOUT": 100000.0, "PAY-WALLET": 50000.0}
    moved = view.state(mid_february, _at(16), sections=["envelopes"])["envelopes"]
    checkout = moved[(moved["project"] == "PAY-CHECKOUT") & (moved["nature"] == "capex")]
    assert checkout[["initial", "moved_out", "current"]].values.tolist() == [
        [100000.0, 10000.0, 90000.0]
    ]


def test_a_correction_shows_as_known_after_it_and_the_first_figures_before(
    portfolio: Ledger, record: Record, clock: SimulatedClock
) -> None:
    view = PortfolioView(portfolio, persist=False)
    week = "2026-W09"  # Monday 23 February
    record(c.SubmitTimesheet(resource="ARCH-JEANNE", week=week, lines={"PAY-CHECKOUT": "4"}))
    clock.set(_at(3))
    record(c.ApproveTimesheet(resource="ARCH-JEANNE", week=week))
    clock.set(_at(20))
    record(
        c.CorrectTimesheet(
            resource="ARCH-JEANNE", week=week, lines={"PAY-CHECKOUT": "3", "PAY-WALLET": "1"}
        )
    )
    as_of = date(2026, 2, 27)

    def seen(known_at: datetime) -> tuple[list[tuple[str, float]], list[tuple[str, int]]]:
        state = view.state(as_of, known_at, sections=["actuals", "timesheets"])
        actuals = [(r.project, r.days) for r in state["actuals"].itertuples()]
        sheets = [(r.status, r.corrections) for r in state["timesheets"].itertuples()]
        return actuals, sheets

    assert seen(MARCH_2) == ([("PAY-CHECKOUT", 4.0)], [("submitted", 0)])
    assert seen(_at(19)) == ([("PAY-CHECKOUT", 4.0)], [("approved", 0)])
    assert seen(_at(20)) == ([("PAY-CHECKOUT", 3.0), ("PAY-WALLET", 1.0)], [("corrected", 1)])
    assert seen(MARCH_2 - timedelta(seconds=1)) == ([], [])


def test_a_milestone_shift_recorded_later_leaves_the_earlier_forecast_as_known_then(
    portfolio: Ledger, record: Record, clock: SimulatedClock
) -> None:
    view = PortfolioView(portfolio, persist=False)
    clock.set(_at(9))
    record(
        c.ShiftMilestone(
            project="PAY-CHECKOUT",
            milestone="GO-LIVE",
            forecast="2026-07-31",
            effective_date="2026-03-05",
            rationale="3-D Secure certification slips",
        )
    )

    def go_live(as_of: date, known_at: datetime) -> tuple[pd.Timestamp, int, int]:
        frame = view.state(as_of, known_at, Scope("project", "PAY-CHECKOUT"))["milestones"]
        row = frame.iloc[0]
        return row["forecast"], row["shifts"], row["slip_days"]

    assert go_live(date(2026, 3, 6), _at(8)) == (pd.Timestamp("2026-06-30"), 0, 0)
    assert go_live(date(2026, 3, 6), _at(9)) == (pd.Timestamp("2026-07-31"), 1, 31)
    assert go_live(date(2026, 3, 4), _at(9)) == (pd.Timestamp("2026-06-30"), 0, 0)


def test_a_timesheet_of_the_week_a_person_joined_names_them_before_their_arrival_day(
    portfolio: Ledger, record: Record, clock: SimulatedClock
) -> None:
    # Found by the property test (tests/projections/test_view_matches_the_log.py): a
    # timesheet takes effect on its week's Monday, the person only on their first day.
    clock.set(_at(5))
    record(
        c.RegisterResource(
            code="DEV-LUC",
            name="Luc Martin",
            skills=["developer"],
            daily_rate="500",
            home_perimeter="CTO",
            available_from="2026-W10",
            effective_date="2026-03-05",  # Thursday of week 10
        )
    )
    clock.set(_at(6, 17))
    record(c.SubmitTimesheet(resource="DEV-LUC", week="2026-W10", lines={"PAY-CHECKOUT": "2"}))
    view = PortfolioView(portfolio, persist=False)
    tuesday = date(2026, 3, 3)
    state = view.state(tuesday, _at(7), sections=["resources", "timesheets", "actuals"])
    assert "DEV-LUC" not in set(state["resources"]["resource"])  # not yet arrived
    assert [(r.resource, str(r.week.date())) for r in state["timesheets"].itertuples()] == [
        ("DEV-LUC", "2026-03-02")
    ]
    assert [(r.resource, r.project, r.days) for r in state["actuals"].itertuples()] == [
        ("DEV-LUC", "PAY-CHECKOUT", 2.0)
    ]
