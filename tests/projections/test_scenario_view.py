"""A scenario's world read with the projections: its hypotheses show, the plan of record's
later facts do not, and the comparison names what differs — on both stores."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pandas as pd

from domain import commands as c
from domain.clock import SimulatedClock
from domain.ledger import Ledger
from domain.scenarios import ScenarioBook
from projections.projector import Projector
from projections.scenario import ScenarioView, World, compare, projected_upto
from projections.state import SECTIONS, Scope, portfolio_state
from projections.view import PortfolioView

AS_OF = date(2026, 3, 2)


def shift(forecast: str) -> dict[str, Any]:
    fields = {"project": "PAY-CHECKOUT", "milestone": "GO-LIVE", "forecast": forecast,
              "rationale": "what if"}  # fmt: skip
    return {"area": "milestone", "action": "shift", "fields": fields}


def forecast(source: Any, known_at: Any) -> str:
    milestones = source.state(AS_OF, known_at, Scope(), ["milestones"])["milestones"]
    row = milestones[milestones["milestone"].astype(str) == "GO-LIVE"].iloc[0]
    return str(row["forecast"].date())


def test_the_scenario_shows_its_hypotheses_and_not_what_the_ledger_recorded_after(
    portfolio: Ledger, clock: SimulatedClock
) -> None:
    book = ScenarioBook(portfolio)
    view = PortfolioView(portfolio, persist=False)
    book.create("Late", author="claire")
    book.add("Late", shift("2026-09-30"), author="claire")
    clock.advance(timedelta(hours=2))
    portfolio.execute(
        c.ShiftMilestone(project="PAY-CHECKOUT", milestone="GO-LIVE", forecast="2026-07-15",
                         rationale="real slip"),
        author="pmo",
    )  # fmt: skip
    world, _ = book.branch(book.get("Late"))

    scenario = ScenarioView(view, world)

    assert forecast(scenario, None) == "2026-09-30"
    assert forecast(view, clock.now()) == "2026-07-15"  # the plan of record, untouched


def test_the_comparison_names_the_milestone_that_differs(portfolio: Ledger) -> None:
    book = ScenarioBook(portfolio)
    view = PortfolioView(portfolio, persist=False)
    book.create("Late", author="claire")
    book.add("Late", shift("2026-09-30"), author="claire")
    world, _ = book.branch(book.get("Late"))
    scenario = ScenarioView(view, world)

    found = compare(
        World("record", view, portfolio.clock.now()),
        World("Late", scenario, scenario.known_at),
        AS_OF,
        Scope("programme", "PAY"),
    )

    assert [
        (m["milestone"], m["forecast (record)"], m["forecast (Late)"]) for m in found.milestones
    ] == [("GO-LIVE", "2026-06-30", "2026-09-30")]
    slip = next(f for f in found.figures if f["measure"] == "total_slip_days")
    assert slip["delta"] == 92
    assert found.budgets == []


def test_the_comparison_shows_the_capacity_load_a_staffing_hypothesis_adds(
    portfolio: Ledger,
) -> None:
    book = ScenarioBook(portfolio)
    view = PortfolioView(portfolio, persist=False)
    book.create("Architect", author="claire")
    staffing = {"resource": "ARCH-JEANNE", "project": "PAY-WALLET", "first_week": "2026-W10",
                "last_week": "2026-W22", "days": "4", "rationale": "design authority"}  # fmt: skip
    book.add("Architect", {"area": "staffing", "action": "set", "fields": staffing},
             author="claire")  # fmt: skip
    world, _ = book.branch(book.get("Architect"))
    scenario = ScenarioView(view, world)

    found = compare(
        World("record", view, portfolio.clock.now()),
        World("Architect", scenario, scenario.known_at),
        AS_OF,
        Scope(),
        months=3,
    )

    load = {(row["by"], row["group"]): row for row in found.capacity}
    architect = load["skill", "architect"]
    assert architect["demand_days (record)"] == 0
    assert architect["demand_days (Architect)"] > 40  # 4 days a week over March to May
    assert architect["load_pct (Architect)"] == 80.0  # 4 of its 5 days
    assert architect["load_pct (record)"] == 0.0
    assert architect["load_pct (change)"] == 80.0
    assert load["perimeter", "CTO"]["demand_days (change)"] == architect["demand_days (change)"]
    assert load["skill", "developer"]["demand_days (change)"] == 0
    assert found.months == 3


def _hypotheses(book: ScenarioBook, name: str) -> None:
    """A milestone shift, a staffing, a budget transfer and a risk: several tables each."""
    book.add(name, shift("2026-09-30"), author="claire")
    staffing = {"resource": "ARCH-JEANNE", "project": "PAY-WALLET", "first_week": "2026-W10",
                "last_week": "2026-W22", "days": "2", "rationale": "design authority"}  # fmt: skip
    book.add(name, {"area": "staffing", "action": "set", "fields": staffing}, author="claire")
    transfer = {"fiscal_year": "2026", "nature": "capex", "amount": "1000",
                "from_project": "PAY-CHECKOUT", "to_project": "PAY-WALLET",
                "rationale": "what if"}  # fmt: skip
    book.add(name, {"area": "budget", "action": "transfer", "fields": transfer}, author="claire")


def _rebuilt(ledger: Ledger, world: Any) -> Projector:
    """The branch's read models built from the first event: the log up to the branch
    position, then the branch's own events."""
    projector = projected_upto(ledger, world.position)
    for number, event in enumerate(world.branch_recorder.own_events(), start=1):
        aggregate = UUID(str(event.originator_id)).hex
        projector.apply(world.position + number, event.topic, aggregate, event.state)
    return projector


def _assert_same_state(scenario: ScenarioView, expected: Projector) -> None:
    for as_of in (date(2026, 1, 1), AS_OF, date(2026, 4, 15), date(2026, 10, 1)):
        for scope in (Scope(), Scope("programme", "PAY")):
            ours = scenario.state(as_of, None, scope)
            theirs = portfolio_state(expected, as_of, scenario.known_at, scope)
            for section in SECTIONS:
                pd.testing.assert_frame_equal(ours[section], theirs[section], obj=section)


def test_the_scenario_equals_a_rebuild_of_the_log_and_its_hypotheses_at_several_dates(
    portfolio: Ledger,
) -> None:
    book = ScenarioBook(portfolio)
    view = PortfolioView(portfolio, persist=False)
    book.create("Mixed", author="claire")
    _hypotheses(book, "Mixed")
    world, _ = book.branch(book.get("Mixed"))

    scenario = ScenarioView(view, world)

    assert forecast(scenario, None) == "2026-09-30"
    _assert_same_state(scenario, _rebuilt(portfolio, world))


def test_the_plan_of_record_is_unchanged_by_a_scenario_and_a_scenario_by_the_plan_moving_on(
    portfolio: Ledger, clock: SimulatedClock
) -> None:
    book = ScenarioBook(portfolio)
    view = PortfolioView(portfolio, persist=False)
    book.create("Mixed", author="claire")
    _hypotheses(book, "Mixed")
    world, _ = book.branch(book.get("Mixed"))
    view.catch_up()
    before = view.digest()

    scenario = ScenarioView(view, world)

    assert view.digest() == before  # the scenario's events stayed in the scenario
    clock.advance(timedelta(hours=2))
    portfolio.execute(
        c.ShiftMilestone(project="PAY-CHECKOUT", milestone="GO-LIVE", forecast="2026-07-15",
                         rationale="real slip"),
        author="pmo",
    )  # fmt: skip
    view.catch_up()  # the plan of record moves on while the scenario is read

    assert forecast(view, clock.now()) == "2026-07-15"
    fresh = PortfolioView(portfolio, persist=False)
    fresh.catch_up()
    assert view.digest() == fresh.digest()  # as if no scenario had ever been read
    assert forecast(scenario, None) == "2026-09-30"
    _assert_same_state(scenario, _rebuilt(portfolio, world))


def test_a_scenario_the_ledger_has_moved_past_is_read_as_at_its_branch(
    portfolio: Ledger, clock: SimulatedClock
) -> None:
    book = ScenarioBook(portfolio)
    view = PortfolioView(portfolio, persist=False)
    book.create("Mixed", author="claire")
    _hypotheses(book, "Mixed")
    clock.advance(timedelta(hours=2))
    portfolio.execute(
        c.ShiftMilestone(project="PAY-CHECKOUT", milestone="GO-LIVE", forecast="2026-07-15",
                         rationale="real slip"),
        author="pmo",
    )  # fmt: skip
    world, _ = book.branch(book.get("Mixed"))

    scenario = ScenarioView(view, world)  # rebuilt up to the branch: no fork possible

    _assert_same_state(scenario, _rebuilt(portfolio, world))


def test_a_comparison_computes_each_section_once_per_world_and_equals_one_that_does_not(
    portfolio: Ledger, monkeypatch: Any
) -> None:
    book = ScenarioBook(portfolio)
    view = PortfolioView(portfolio, persist=False)
    book.create("Several", author="claire")
    _hypotheses(book, "Several")
    world, _ = book.branch(book.get("Several"))
    scenario = ScenarioView(view, world)
    asked: list[tuple[Any, ...]] = []

    class Counted:
        def __init__(self, source: Any, name: str) -> None:
            self.source, self.name = source, name

        def state(self, as_of: Any = None, known_at: Any = None, scope: Any = None,
                  sections: Any = SECTIONS) -> Any:  # fmt: skip
            wanted = list(sections)
            asked.extend((self.name, as_of, known_at, scope, s) for s in wanted)
            return self.source.state(as_of, known_at, scope, wanted)

    def both() -> Any:
        return compare(
            World("record", Counted(view, "record"), portfolio.clock.now()),
            World("Several", Counted(scenario, "Several"), scenario.known_at),
            AS_OF,
            Scope("programme", "PAY"),
        )

    remembered = both()
    assert len(asked) == len(set(asked))  # each section of each question computed once
    assert ("record", AS_OF, portfolio.clock.now(), Scope(), "staffing") in asked
    monkeypatch.setattr("projections.scenario._Remembered", lambda source: source)
    asked.clear()
    assert both() == remembered
    assert len(asked) > len(set(asked))  # without it, the same sections again
