"""What-if scenarios: branches of the ledger validated by its own rules, invisible to the
plan of record, promoted atomically or refused on conflict — on both stores."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain import commands as c
from domain.clock import SimulatedClock
from domain.enums import EnvelopeOwner, Nature
from domain.errors import InsufficientFunds, InvalidTransition, ScenarioConflict
from domain.ledger import Ledger
from domain.model import Envelope, Project
from domain.scenarios import ScenarioBook
from tests.conftest import positions


def transfer(amount: str, rationale: str = "what if") -> dict[str, Any]:
    """A hypothesis: capex from PAY-CHECKOUT to PAY-WALLET."""
    fields = {
        "fiscal_year": "2026",
        "nature": "capex",
        "amount": amount,
        "from_project": "PAY-CHECKOUT",
        "to_project": "PAY-WALLET",
        "rationale": rationale,
    }
    return {"area": "budget", "action": "transfer", "fields": fields}


def capex(ledger: Ledger, project: str) -> Decimal:
    key = Envelope.key(EnvelopeOwner.PROJECT, Project.id_for(project), 2026)
    held: Decimal = ledger.load(Envelope, key).state().balance(Nature.CAPEX)
    return held


@pytest.fixture
def book(portfolio: Ledger) -> ScenarioBook:
    return ScenarioBook(portfolio)


def test_hypotheses_are_held_to_the_ledgers_rules_on_the_branch(
    portfolio: Ledger, book: ScenarioBook
) -> None:
    book.create("Wallet first", author="claire")
    book.add("Wallet first", transfer("60000"), author="claire")

    with pytest.raises(InsufficientFunds):  # 100,000 - 60,000 leaves 40,000
        book.add("Wallet first", transfer("50000"), author="claire")

    scenario = book.get("wallet FIRST")
    assert len(scenario.hypotheses) == 1
    world, _ = book.branch(scenario)
    assert capex(world, "PAY-CHECKOUT") == Decimal("40000")
    assert capex(world, "PAY-WALLET") == Decimal("110000")


def test_the_plan_of_record_never_sees_a_scenario(portfolio: Ledger, book: ScenarioBook) -> None:
    log = positions(portfolio)
    book.create("Wallet first", author="claire")
    book.add("Wallet first", transfer("60000"), author="claire")
    book.abandon("Wallet first", author="claire", reason="not now")

    assert positions(portfolio) == log
    assert capex(portfolio, "PAY-CHECKOUT") == Decimal("100000")
    topics = {n.topic for n in portfolio.recorder.select_notifications(None, 10_000)}
    assert not any("Scenario" in topic for topic in topics)


def test_a_branch_costs_the_aggregates_it_touches_not_the_ledgers_size(
    portfolio: Ledger, book: ScenarioBook
) -> None:
    scenario = book.create("Small", author="claire")
    book.add("Small", transfer("1000"), author="claire")
    small, _ = book.branch(book.get("Small"))
    for number in range(40):  # history elsewhere in the portfolio
        portfolio.execute(
            c.OpenProject(code=f"OTHER-{number}", name="Other", programme="PAY",
                          start="2026-01-05", end="2026-12-18"),
            author="pmo",
        )  # fmt: skip
    book.create("Later", author="claire")
    book.add("Later", transfer("1000"), author="claire")

    large, _ = book.branch(book.get("Later"))

    assert scenario.position < book.get("Later").position
    assert large.branch_recorder.reads_from_main == small.branch_recorder.reads_from_main
    assert len(large.branch_recorder.own_events()) == 3  # a decision and two envelopes


def test_promotion_records_every_hypothesis_under_one_decision(
    portfolio: Ledger, book: ScenarioBook
) -> None:
    book.create("Wallet first", author="claire")
    book.add("Wallet first", transfer("10000", "sales"), author="claire")
    book.add("Wallet first", transfer("5000", "more sales"), author="claire")
    log = positions(portfolio)

    decision = book.promote("Wallet first", author="claire", rationale="committee agreed")

    assert capex(portfolio, "PAY-CHECKOUT") == Decimal("85000")
    new = portfolio.recorder.select_notifications(log + 1, 100)
    decisions = {portfolio.mapper.to_domain_event(n).decision_id for n in new}  # type: ignore[attr-defined]
    assert len(decisions) == 1
    assert book.get("Wallet first").status == "promoted"
    assert decision.startswith("D-")
    with pytest.raises(InvalidTransition):
        book.add("Wallet first", transfer("1"), author="claire")


def test_a_decision_tried_in_a_scenario_is_promoted_as_a_decision_of_its_own(
    portfolio: Ledger, book: ScenarioBook
) -> None:
    taken = {"title": "Wallets before cards", "forum": "steering-committee", "rationale": "Q3"}
    book.create("Wallet first", author="claire")
    book.add("Wallet first", {"area": "decision", "action": "take", "fields": taken},
             author="claire")  # fmt: skip
    book.add("Wallet first", transfer("10000", "sales"), author="claire")
    log = positions(portfolio)

    promotion = book.promote("Wallet first", author="claire", rationale="committee agreed")

    new = [portfolio.mapper.to_domain_event(n) for n in
           portfolio.recorder.select_notifications(log + 1, 100)]  # fmt: skip
    titles = [getattr(e, "title", None) for e in new if type(e).__name__ == "Taken"]
    assert titles == ["Promote scenario Wallet first", "Wallets before cards"]
    moved = [e for e in new if type(e).__name__ != "Taken"]
    assert {e.decision_id for e in moved} == {new[0].originator_id}  # type: ignore[attr-defined]
    assert capex(portfolio, "PAY-CHECKOUT") == Decimal("90000")
    assert promotion.startswith("D-")


def test_promotion_is_refused_when_the_ledger_changed_the_same_aggregates(
    portfolio: Ledger, book: ScenarioBook, clock: SimulatedClock
) -> None:
    book.create("Wallet first", author="claire")
    book.add("Wallet first", transfer("10000"), author="claire")
    clock.advance(timedelta(hours=1))
    portfolio.execute(
        c.CutBudget(project="PAY-CHECKOUT", fiscal_year=2026, nature="capex", amount="95000",
                    rationale="savings plan"),
        author="cfo",
    )  # fmt: skip
    log = positions(portfolio)

    with pytest.raises(ScenarioConflict) as refused:
        book.promote("Wallet first", author="claire", rationale="go")

    assert positions(portfolio) == log
    assert any("PAY-CHECKOUT/FY2026" in line for line in refused.value.conflicts)
    refusals = book.rebase("Wallet first", author="claire")  # 5,000 left: 10,000 no longer fits
    assert len(refusals) == 1
    assert "hypothesis 1" in refusals[0]


def test_a_rebased_scenario_sees_todays_ledger_and_can_be_promoted(
    portfolio: Ledger, book: ScenarioBook, clock: SimulatedClock
) -> None:
    book.create("Wallet first", author="claire")
    book.add("Wallet first", transfer("10000"), author="claire")
    clock.advance(timedelta(hours=1))
    portfolio.execute(
        c.RaiseBudget(project="PAY-CHECKOUT", fiscal_year=2026, nature="capex", amount="1000",
                      rationale="late approval"),
        author="cfo",
    )  # fmt: skip

    assert book.rebase("Wallet first", author="claire") == []
    book.promote("Wallet first", author="claire", rationale="go")

    assert capex(portfolio, "PAY-CHECKOUT") == Decimal("91000")


def test_a_scenario_can_branch_from_a_past_instant(
    portfolio: Ledger, book: ScenarioBook, clock: SimulatedClock
) -> None:
    then = clock.now()
    clock.advance(timedelta(days=1))
    portfolio.execute(
        c.TransferBudget(fiscal_year=2026, nature="capex", amount="70000",
                         from_project="PAY-CHECKOUT", to_project="PAY-WALLET", rationale="real"),
        author="cfo",
    )  # fmt: skip

    scenario = book.create("Before the transfer", author="claire", known_at=then)
    book.add("Before the transfer", transfer("90000"), author="claire")  # fits only before

    world, _ = book.branch(book.get("Before the transfer"))
    assert scenario.position < positions(portfolio)
    assert capex(world, "PAY-CHECKOUT") == Decimal("10000")
    with pytest.raises(ScenarioConflict):
        book.promote("Before the transfer", author="claire", rationale="go")


def test_two_scenarios_cannot_share_a_name(book: ScenarioBook) -> None:
    book.create("Plan B", author="claire")

    with pytest.raises(Exception, match="already a scenario"):
        book.create("plan b", author="marc")
