"""The event log read back: in recorded order, attributed to projects and programmes, filtered.

Runs on the test portfolio (payments in B2C) plus a platforms programme in CTO, on both
stores. What is asserted is what `pmo events` shows a PMO: which events a filter keeps,
who decided, in which forum, and rows that name things by code.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain import commands as c
from domain.clock import SimulatedClock
from domain.ledger import Ledger
from projections.event_log import EventFilter, EventRecord, read_log
from tests.conftest import Record, positions

CHECKOUT, WALLET = "PAY-CHECKOUT", "PAY-WALLET"
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _open_platforms(record: Record) -> None:
    """A second programme, PLAT in CTO, with one project."""
    record(
        c.OpenProgramme(code="PLAT", name="Platforms", perimeter="CTO", effective_date="2026-01-01")
    )
    record(
        c.OpenProject(
            code="PLAT-K8S",
            name="Kubernetes landing zone",
            programme="PLAT",
            start="2026-01-05",
            end="2026-12-18",
            effective_date="2026-01-01",
        )
    )


def _transfer(amount: str = "5000", **options: Any) -> c.TransferBudget:
    return c.TransferBudget(
        fiscal_year=2026,
        nature="capex",
        amount=amount,
        from_project=CHECKOUT,
        to_project=WALLET,
        rationale="Wallets first: Apple Pay is what customers ask for",
        **options,
    )


def _shift(forecast: str = "2026-08-31") -> c.ShiftMilestone:
    return c.ShiftMilestone(
        project=CHECKOUT, milestone="GO-LIVE", forecast=forecast, rationale="PSP certification late"
    )


def _staff(project: str) -> c.StaffResource:
    return c.StaffResource(
        resource="ARCH-JEANNE",
        project=project,
        first_week="2026-W10",
        last_week="2026-W20",
        days="2",
        rationale="Architecture review of the target design",
    )


def _seen(records: list[EventRecord]) -> list[tuple[str, str, str]]:
    return [(r.area, r.kind, r.subject) for r in records]


def _log(ledger: Ledger, **criteria: Any) -> list[EventRecord]:
    return list(read_log(ledger, EventFilter(**criteria)))


def test_events_come_back_in_recorded_order_with_their_positions(
    portfolio: Ledger, record: Record
) -> None:
    receipt = record(_transfer())
    log = list(read_log(portfolio))

    assert _seen(log[:3]) == [
        ("perimeter", "Opened", "B2C"),
        ("perimeter", "Opened", "CTO"),
        ("programme", "Opened", "PAY"),
    ]
    recorded = [r.position for r in log]
    assert recorded == sorted(recorded)
    assert len(set(recorded)) == len(recorded)
    assert recorded[-1] == positions(portfolio)
    assert [(r.kind, r.position) for r in log[-3:]] == [
        (e.kind, e.position) for e in receipt.events
    ]


def test_a_programme_shows_its_projects_budgets_staffing_timesheets_and_risks(
    portfolio: Ledger, record: Record
) -> None:
    _open_platforms(record)
    record(_transfer())
    record(_staff(CHECKOUT))
    record(c.SubmitTimesheet(resource="ARCH-JEANNE", week="2026-W10", lines={CHECKOUT: "2"}))
    record(
        c.RaiseRisk(
            code="RSK-PSP",
            programme="PAY",
            title="Payment provider outage during the sales",
            probability=3,
            impact=4,
            owner="claire.dubois",
        )
    )
    record(_staff("PLAT-K8S"))
    record(
        c.RaiseRisk(
            code="RSK-K8S", programme="PLAT", title="Cluster", probability=2, impact=2, owner="ops"
        )
    )

    seen = _seen(_log(portfolio, programme="PAY"))

    for expected in [
        ("programme", "Opened", "PAY"),
        ("project", "Opened", CHECKOUT),
        ("project", "Opened", WALLET),
        ("milestone", "MilestonePlanned", CHECKOUT),
        ("backlog", "Added", "PAY-1"),
        ("budget", "Opened", "PAY-CHECKOUT/FY2026"),
        ("budget", "FundsTransferredOut", "PAY-CHECKOUT/FY2026"),
        ("budget", "FundsTransferredIn", "PAY-WALLET/FY2026"),
        ("staffing", "StaffingSet", "ARCH-JEANNE"),
        ("timesheet", "Submitted", "ARCH-JEANNE/2026-W10"),
        ("risk", "Raised", "RSK-PSP"),
    ]:
        assert expected in seen
    assert seen.count(("staffing", "StaffingSet", "ARCH-JEANNE")) == 1  # not the PLAT one
    assert not [s for s in seen if s[2].startswith(("PLAT", "RSK-K8S", "CTO"))]


def test_a_timesheet_split_across_two_programmes_shows_in_both(
    portfolio: Ledger, record: Record
) -> None:
    _open_platforms(record)
    record(
        c.SubmitTimesheet(
            resource="ARCH-JEANNE", week="2026-W09", lines={CHECKOUT: "2", "PLAT-K8S": "3"}
        )
    )
    sheet = ("timesheet", "Submitted", "ARCH-JEANNE/2026-W09")
    assert sheet in _seen(_log(portfolio, programme="PAY"))
    assert sheet in _seen(_log(portfolio, programme="plat"))
    assert sheet in _seen(_log(portfolio, project="PLAT-K8S"))
    assert sheet not in _seen(_log(portfolio, project=WALLET))


def test_a_project_filter_keeps_only_that_projects_events_and_their_decisions(
    portfolio: Ledger, record: Record
) -> None:
    transfer = record(_transfer())
    record(_shift())

    opening = _log(portfolio, project="pay-wallet")[1].subject  # the envelope's decision
    assert _seen(_log(portfolio, project="pay-wallet")) == [
        ("project", "Opened", WALLET),
        ("decision", "Taken", opening),
        ("budget", "Opened", "PAY-WALLET/FY2026"),
        ("decision", "Taken", transfer.decision),
        ("budget", "FundsTransferredIn", "PAY-WALLET/FY2026"),
    ]


def test_a_decision_is_shown_right_before_its_first_effect_in_the_scope(
    portfolio: Ledger, record: Record
) -> None:
    receipt = record(_transfer(forum="steering-committee"))
    records = _log(portfolio, programme="PAY", kinds=("budget", "decision"))
    taken = next(i for i, r in enumerate(records) if r.subject == receipt.decision)
    assert records[taken].kind == "Taken"
    assert records[taken + 1].kind == "FundsTransferredOut"
    assert records[taken + 1].decision == receipt.decision
    assert [r.subject for r in records].count(receipt.decision) == 1


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (("budget",), {"Opened", "FundsTransferredOut", "FundsTransferredIn"}),
        (("Milestone",), {"MilestonePlanned", "MilestoneShifted"}),
        (("MilestoneShifted",), {"MilestoneShifted"}),
        (("milestoneshifted",), {"MilestoneShifted"}),
        (("STAFFING",), {"StaffingSet"}),
        (("timesheet",), {"Submitted"}),
        (("staffing", "timesheet"), {"StaffingSet", "Submitted"}),
    ],
)
def test_a_kind_filter_matches_an_area_or_an_event_name_in_any_case(
    portfolio: Ledger, record: Record, kinds: tuple[str, ...], expected: set[str]
) -> None:
    record(_transfer())
    record(_shift())
    record(_staff(CHECKOUT))
    record(c.SubmitTimesheet(resource="ARCH-JEANNE", week="2026-W10", lines={CHECKOUT: "2"}))

    found = _log(portfolio, kinds=kinds)

    assert {r.kind for r in found} == expected
    if kinds == ("budget",):
        assert {r.area for r in found} == {"budget"}
        assert len(found) == 3 + 2  # three envelopes opened, one transfer's two sides


def test_an_author_filter_keeps_what_that_person_recorded(
    portfolio: Ledger, record: Record
) -> None:
    receipt = record(_transfer(), author="marc.lefevre")

    found = _log(portfolio, author="Marc.Lefevre")

    assert [r.position for r in found] == [e.position for e in receipt.events]
    assert {r.author for r in found} == {"marc.lefevre"}
    assert _log(portfolio, author="nobody") == []


def test_recorded_time_bounds_select_what_was_recorded_in_between(
    portfolio: Ledger, record: Record, clock: SimulatedClock
) -> None:
    clock.advance(timedelta(days=7))
    shifted_at = clock.now()  # Monday 9 March, 09:00
    record(_shift())
    clock.set(datetime(2026, 3, 20, 15, 0, tzinfo=UTC))
    record(_transfer())

    from_shift = _log(portfolio, recorded_from=shifted_at)
    up_to_shift = _log(portfolio, recorded_to=shifted_at)
    only_that_day = _log(
        portfolio,
        recorded_from=datetime(2026, 3, 9, tzinfo=UTC),
        recorded_to=datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC),
    )

    assert [r.kind for r in from_shift] == [
        "Taken",
        "MilestoneShifted",
        "Taken",
        "FundsTransferredOut",
        "FundsTransferredIn",
    ]
    assert up_to_shift[-1].kind == "MilestoneShifted"
    assert "FundsTransferredOut" not in {r.kind for r in up_to_shift}
    assert [r.kind for r in only_that_day] == ["Taken", "MilestoneShifted"]
    assert {r.recorded_at for r in only_that_day} == {shifted_at}


def test_effective_date_bounds_select_what_applies_in_between(
    portfolio: Ledger, record: Record
) -> None:
    record(c.SubmitTimesheet(resource="ARCH-JEANNE", week="2026-W07", lines={CHECKOUT: "4"}))
    record(_transfer(effective_date="2026-02-20"))
    record(_shift())  # effective today, 2 March

    february = _log(portfolio, effective_from=date(2026, 2, 1), effective_to=date(2026, 2, 28))
    from_march = _log(portfolio, effective_from=date(2026, 3, 2))

    assert [(r.kind, r.effective_date) for r in february] == [
        ("Submitted", date(2026, 2, 9)),
        ("Taken", date(2026, 2, 20)),
        ("FundsTransferredOut", date(2026, 2, 20)),
        ("FundsTransferredIn", date(2026, 2, 20)),
    ]
    assert {r.kind for r in from_march} == {"Added", "Taken", "MilestoneShifted"}


def test_a_decision_and_its_forum_are_shown_on_every_event_it_decided(
    portfolio: Ledger, record: Record
) -> None:
    receipt = record(_transfer(forum="steering-committee"))
    risk = record(
        c.RaiseRisk(
            code="RSK-PSP", project=CHECKOUT, title="PSP", probability=2, impact=3, owner="x"
        )
    )

    decided = [r for r in read_log(portfolio) if r.position in {e.position for e in receipt.events}]
    raised = [r for r in read_log(portfolio) if r.position == risk.events[0].position]

    assert receipt.decision is not None
    assert [(r.kind, r.decision, r.forum) for r in decided] == [
        ("Taken", receipt.decision, "steering-committee"),
        ("FundsTransferredOut", receipt.decision, "steering-committee"),
        ("FundsTransferredIn", receipt.decision, "steering-committee"),
    ]
    assert [(r.decision, r.forum) for r in raised] == [(None, None)]


def test_a_change_attached_to_an_earlier_decision_shows_that_decisions_forum(
    portfolio: Ledger, record: Record
) -> None:
    review = record(
        c.TakeDecision(
            title="Rebalance B2C capex", rationale="Quarterly review", forum="budget-review"
        )
    )
    receipt = record(_transfer(decision=review.decision))

    moved = [r for r in read_log(portfolio) if r.kind.startswith("FundsTransferred")]

    assert receipt.decision == review.decision
    assert {(r.decision, r.forum) for r in moved} == {(review.decision, "budget-review")}


def test_rows_are_json_and_name_things_by_code_not_by_uuid(
    portfolio: Ledger, record: Record
) -> None:
    _open_platforms(record)
    record(_transfer(forum="steering-committee"))
    record(_staff(CHECKOUT))
    record(c.SubmitTimesheet(resource="ARCH-JEANNE", week="2026-W10", lines={CHECKOUT: "2"}))

    rows = [r.as_row() for r in read_log(portfolio)]
    dumped = json.dumps(rows)
    by_kind = {row["kind"]: row for row in rows}

    assert UUID_TEXT.search(dumped) is None
    assert json.loads(dumped) == rows
    assert by_kind["FundsTransferredOut"]["details"]["counterpart"] == "PAY-WALLET/FY2026"
    assert by_kind["FundsTransferredOut"]["details"]["amount"] == "5000.00"
    assert by_kind["FundsTransferredIn"]["details"]["counterpart"] == "PAY-CHECKOUT/FY2026"
    assert by_kind["FundsTransferredIn"]["forum"] == "steering-committee"
    assert by_kind["StaffingSet"]["details"]["project"] == CHECKOUT
    assert by_kind["Submitted"]["details"]["lines"] == {CHECKOUT: "2.00"}
    assert by_kind["Submitted"]["effective_date"] == "2026-03-02"
    assert by_kind["Submitted"]["recorded_at"] == "2026-03-02T09:00:00+00:00"


def test_linking_a_backlog_item_to_a_milestone_is_backlog_work(
    portfolio: Ledger, record: Record
) -> None:
    record(c.LinkBacklogMilestone(item="PAY-1"))
    linked = _log(portfolio, kinds=("MilestoneLinked",))
    assert [(r.area, r.kind) for r in linked] == [("backlog", "MilestoneLinked")]
    assert _log(portfolio, kinds=("milestone",))[-1].kind != "MilestoneLinked"
