"""Decisions group the events they produced; bulk loads keep refused commands out."""

from __future__ import annotations

import pytest

from domain import commands as c
from domain.errors import InsufficientFunds, UnknownEntity
from domain.ledger import BatchAborted, Ledger
from domain.model import Decision, Project
from tests.builders import build_portfolio
from tests.conftest import Record, positions


def test_an_arbitration_records_its_decision_and_every_event_refers_to_it(
    portfolio: Ledger, record: Record
) -> None:
    receipt = record(
        c.TransferBudget(
            fiscal_year=2026,
            nature="capex",
            amount="20000",
            from_reserve="B2C",
            to_project="PAY-WALLET",
            rationale="Wallet launch brought forward",
            forum="steering-committee",
        )
    )
    assert receipt.decision is not None
    decision = portfolio.load(Decision, receipt.decision)
    assert decision.state().forum.value == "steering-committee"
    assert (
        decision.state().title
        == "Transfer 20000.00 capex from B2C-RESERVE/FY2026 to PAY-WALLET/FY2026"
    )
    assert [e.kind for e in receipt.events] == [
        "Taken",
        "FundsTransferredOut",
        "FundsTransferredIn",
    ]
    for recorded in receipt.events:
        event = portfolio.repository.get(recorded.aggregate_id).history[recorded.version - 1]
        assert event.decision_id == decision.id
        assert event.rationale == "Wallet launch brought forward"
        assert event.author == "claire.dubois"


def test_later_changes_can_join_a_decision_taken_in_committee(
    portfolio: Ledger, record: Record
) -> None:
    taken = record(
        c.TakeDecision(
            title="Secure the checkout go-live",
            rationale="Priority 1 milestone at risk",
            forum="steering-committee",
        )
    )
    assert taken.decision is not None
    shifted = record(
        c.ShiftMilestone(
            project="PAY-CHECKOUT",
            milestone="GO-LIVE",
            forecast="2026-07-31",
            rationale="One month to absorb the acquirer's delay",
            decision=taken.decision,
        )
    )
    assert shifted.decision == taken.decision
    assert [e.kind for e in shifted.events] == ["MilestoneShifted"]  # no new decision
    event = portfolio.load(Project, "PAY-CHECKOUT").history[-1]
    assert event.decision_id == Decision.id_for(taken.decision)


def test_joining_a_decision_that_does_not_exist_is_refused(
    portfolio: Ledger, record: Record
) -> None:
    before = positions(portfolio)
    with pytest.raises(UnknownEntity, match="decision 'D-NOPE'"):
        record(
            c.ShiftMilestone(
                project="PAY-CHECKOUT",
                milestone="GO-LIVE",
                forecast="2026-07-31",
                rationale="x",
                decision="D-NOPE",
            )
        )
    assert positions(portfolio) == before


def test_facts_carry_no_decision_unless_given_a_forum(portfolio: Ledger, record: Record) -> None:
    reached = record(c.ReachMilestone(project="PAY-CHECKOUT", milestone="GO-LIVE"))
    assert reached.decision is None
    risk = record(
        c.RaiseRisk(
            project="PAY-CHECKOUT",
            title="Acquirer strike",
            probability=2,
            impact=4,
            owner="PO",
            forum="programme-board",
        )
    )
    assert risk.decision is not None


def test_a_batch_saves_in_chunks_and_drops_refused_commands_entirely(ledger: Ledger) -> None:
    with ledger.batch(size=5) as batch:
        build_portfolio(lambda command: batch.execute(command, author="loader"))
        saved_so_far = batch.saved
        with pytest.raises(InsufficientFunds):
            batch.execute(
                c.TransferBudget(
                    fiscal_year=2026,
                    nature="capex",
                    amount="40000",
                    from_reserve="B2C",
                    to_project="PAY-WALLET",
                    rationale="More than the reserve holds",
                ),
                author="loader",
            )
        batch.execute(
            c.TransferBudget(
                fiscal_year=2026,
                nature="capex",
                amount="30000",
                from_reserve="B2C",
                to_project="PAY-WALLET",
                rationale="All the reserve",
            ),
            author="loader",
        )
    assert saved_so_far >= 5  # chunks were saved along the way
    kinds = [
        ledger.mapper.to_domain_event(n).kind
        for n in ledger.recorder.select_notifications(start=1, limit=1000)
    ]
    assert kinds.count("FundsTransferredOut") == 1
    assert positions(ledger) == batch.saved


def _decisions_come_first(ledger: Ledger) -> None:
    seen: set[object] = set()
    for notification in ledger.recorder.select_notifications(start=1, limit=10_000):
        event = ledger.mapper.to_domain_event(notification)
        if isinstance(event, Decision.Taken):
            seen.add(event.originator_id)
        elif getattr(event, "decision_id", None) is not None:
            assert event.decision_id in seen, (
                f"{event.kind} at {notification.id} precedes its decision"
            )


def test_the_log_records_decisions_before_their_effects_in_batches(ledger: Ledger) -> None:
    with ledger.batch(size=100) as batch:  # one chunk: aggregates touched again and again
        build_portfolio(lambda command: batch.execute(command, author="loader"))
        for week in ("2026-W10", "2026-W12", "2026-W14"):
            batch.execute(
                c.StaffResource(
                    resource="ARCH-JEANNE",
                    project="PAY-CHECKOUT",
                    first_week=week,
                    last_week="2026-W20",
                    days="2",
                    rationale="Ramp-up",
                ),
                author="loader",
            )
            batch.execute(
                c.ReprioritiseBacklogItem(item="PAY-1", rank=int(week[-2:])), author="loader"
            )
    _decisions_come_first(ledger)


def test_the_log_records_decisions_before_their_effects_one_by_one(
    portfolio: Ledger, record: Record
) -> None:
    record(
        c.TransferBudget(
            fiscal_year=2026,
            nature="capex",
            amount="5000",
            from_project="PAY-CHECKOUT",
            to_project="PAY-WALLET",
            rationale="Rebalancing",
        )
    )
    _decisions_come_first(portfolio)


def test_a_batch_whose_chunk_cannot_be_saved_stops_and_saves_nothing_of_it(
    ledger: Ledger,
) -> None:
    batch = ledger.batch(size=1000)
    with batch:
        batch.execute(c.OpenPerimeter(code="B2C", name="Consumers"), author="loader")
        ledger.execute(c.OpenPerimeter(code="CTO", name="CTO office"), author="someone.else")
        batch.execute(c.OpenPerimeter(code="CTO", name="CTO office"), author="loader")
        with pytest.raises(BatchAborted, match="could not be saved"):
            batch.flush()
        with pytest.raises(BatchAborted, match="was aborted"):
            batch.execute(c.OpenProgramme(code="PAY", name="Pay", perimeter="B2C"), author="loader")
    kinds = [
        (ledger.mapper.to_domain_event(n).kind, ledger.mapper.to_domain_event(n).author)
        for n in ledger.recorder.select_notifications(start=1, limit=10)
    ]
    assert kinds == [("Opened", "someone.else")]  # nothing of the failed chunk
