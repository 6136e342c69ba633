"""Raw input is checked before anything is recorded: money, person-days, weeks, codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import commands as c
from domain.enums import Skill
from domain.errors import InvalidInput, MissingRationale
from domain.ledger import Ledger
from domain.model import Resource
from domain.values import (
    EARLIEST_DATE,
    LATEST_DATE,
    Effort,
    StaffingChange,
    StaffingChanges,
    Week,
    code,
    days,
    money,
)
from tests.conftest import Record, positions


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1.234", "more than 2 decimals"),
        ("NaN", "not a finite number"),
        ("Infinity", "not a finite number"),
        (1.5, "not a float"),
        ("12 000", "not a number"),
        ("0", "greater than zero"),
        ("-50", "greater than zero"),
        ("1000000000000.01", "supported maximum"),
        (True, "not a float"),
    ],
)
def test_money_that_is_not_a_finite_positive_amount_with_two_decimals_is_refused(
    raw: object, reason: str
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        money(raw, "amount")
    assert reason in str(refusal.value)
    assert refusal.value.field == "amount"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("50000", "50000.00"),
        ("1.5", "1.50"),
        (Decimal("7.10"), "7.10"),
        (12, "12.00"),
        (" 3 ", "3.00"),
    ],
)
def test_money_is_kept_as_a_decimal_with_two_places(raw: object, expected: str) -> None:
    assert money(raw) == Decimal(expected)
    assert str(money(raw)) == expected


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_any_two_decimal_amount_round_trips(amount: Decimal) -> None:
    assert money(amount, positive=False) == amount


def test_negative_effort_is_refused_naming_the_skill() -> None:
    with pytest.raises(InvalidInput) as refusal:
        Effort.of({"developer": "10", "architect": "-2"})
    assert refusal.value.field == "effort.architect"


def test_effort_names_known_skills_only() -> None:
    with pytest.raises(InvalidInput) as refusal:
        Effort.of({"wizard": "3"})
    assert "known: architect" in str(refusal.value)
    assert Effort.of({"Developer": "3", "pmo-deploy": 1}).by_skill == {
        Skill.DEVELOPER: Decimal("3.00"),
        Skill.PMO_DEPLOY: Decimal("1.00"),
    }


def test_person_days_may_be_half_days_but_not_negative() -> None:
    assert days("0.5") == Decimal("0.50")
    with pytest.raises(InvalidInput):
        days("-0.5")


def test_weeks_read_iso_week_or_a_day_within_it() -> None:
    assert Week.parse("2026-W12") == Week(date(2026, 3, 16))
    assert Week.parse("2026w12") == Week(date(2026, 3, 16))
    assert Week.parse("2026-03-19") == Week(date(2026, 3, 16))
    assert str(Week.parse("2026-01-01")) == "2026-W01"
    assert Week.parse("2026-W12") + 2 == Week.parse("2026-W14")
    assert Week.parse("2026-W14") - Week.parse("2026-W12") == 2
    with pytest.raises(InvalidInput):
        Week.parse("2026-W54")


def test_the_weeks_at_both_ends_of_the_calendar_read_back_as_written() -> None:
    first, last = Week.of(EARLIEST_DATE), Week.of(LATEST_DATE)
    assert (str(first), str(last)) == ("1999-W52", "2100-W52")
    assert Week.parse(str(first)) == first  # its Monday is before the calendar's first day
    assert Week.parse(str(last)) == last
    for outside in ("1999-W51", "2101-W01"):
        with pytest.raises(InvalidInput, match="outside the weeks"):
            Week.parse(outside)


def test_a_week_before_the_calendar_reads_back_from_the_store(
    ledger: Ledger, record: Record, store_url: str
) -> None:
    record(c.OpenPerimeter(code="CTO", name="CTO office", effective_date=EARLIEST_DATE))
    record(
        c.RegisterResource(
            code="ARCH-FIRST",
            name="First architect",
            skills=["architect"],
            daily_rate="900",
            home_perimeter="CTO",
            available_from=EARLIEST_DATE,
            effective_date=EARLIEST_DATE,
        )
    )
    with Ledger(store_url) as reopened:
        found = reopened.load(Resource, "ARCH-FIRST")
    assert found.version == 1


def test_a_plan_cannot_propose_a_week_beyond_the_calendar() -> None:
    beyond = Week.of(LATEST_DATE) + 1
    change = StaffingChange("ARCH-JEANNE", "PAY-CHECKOUT", beyond, Decimal(0), Decimal(5))
    with pytest.raises(InvalidInput, match="2101-01-03") as refusal:
        StaffingChanges.of([change])
    assert refusal.value.field == "changes.week"


def test_codes_are_short_identifiers() -> None:
    assert code(" PAY-CHECKOUT ") == "PAY-CHECKOUT"
    for bad in ("", "pay checkout", "-PAY", "x" * 65, 42):
        with pytest.raises(InvalidInput):
            code(bad)


def test_a_command_cannot_exist_with_invalid_input() -> None:
    with pytest.raises(InvalidInput) as refusal:
        c.TransferBudget(
            fiscal_year=2026,
            nature="capex",
            amount="10000",
            from_project="PAY-A",
            from_reserve="B2C",
            to_project="PAY-B",
        )
    assert "exactly one of from_project, from_reserve" in str(refusal.value)
    with pytest.raises(InvalidInput, match="nature"):
        c.TransferBudget(
            fiscal_year=2026, nature="gold", amount="1", from_project="A", to_project="B"
        )
    with pytest.raises(InvalidInput, match="end"):
        c.OpenProject(code="P", name="P", programme="G", start="2026-05-01", end="2026-04-01")
    with pytest.raises(InvalidInput, match="either a decision"):
        c.ShiftMilestone(
            project="P", milestone="M", forecast="2026-05-01", decision="D-1", forum="weekly"
        )


def test_commands_normalise_their_input() -> None:
    command = c.StaffResource(
        resource="ARCH-1",
        project="PAY",
        first_week="2026-03-18",
        last_week="2026-W20",
        days=3,
        forum="Steering-Committee",
        rationale="  design  ",
    )
    assert command.first_week == Week(date(2026, 3, 16))
    assert command.days == Decimal("3.00")
    assert command.forum is not None
    assert command.forum.value == "steering-committee"
    assert command.rationale == "design"


def test_a_blank_rationale_does_not_count_as_one(portfolio: Ledger, record: Record) -> None:
    before = positions(portfolio)
    with pytest.raises(MissingRationale, match="rationale is required to record milestone shift"):
        record(
            c.ShiftMilestone(
                project="PAY-CHECKOUT", milestone="GO-LIVE", forecast="2026-08-31", rationale="  "
            )
        )
    assert positions(portfolio) == before


def test_a_timesheet_is_effective_on_the_monday_of_its_week_only() -> None:
    assert c.SubmitTimesheet(
        resource="R", week="2026-W46", lines={"P": "1"}, effective_date="2026-11-09"
    ).effective_date == date(2026, 11, 9)
    with pytest.raises(InvalidInput, match="effective on its Monday"):
        c.SubmitTimesheet(
            resource="R", week="2026-W46", lines={"P": "1"}, effective_date="2026-11-13"
        )


def test_a_command_that_creates_something_cannot_expect_a_version() -> None:
    with pytest.raises(InvalidInput, match="creates something new"):
        c.OpenPerimeter(code="ZZ", name="Z", expected_version=42)
    assert (
        c.ShiftMilestone(
            project="P", milestone="M", forecast="2026-05-01", expected_version=3
        ).expected_version
        == 3
    )
