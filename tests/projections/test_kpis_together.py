"""KPIs computed together from one reading of the state equal each computed alone.

The dashboard's overview asks four KPIs of the same scope and dates; computing them
together reads each section once and the project budget (which the RAG derives too)
once. These tests hold it to :func:`projections.kpis.compute` on the demo portfolio.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from api.demo.simulation import run_demo
from domain.ledger import Ledger
from projections.kpis import KPIS, budget, compute, compute_together, rag
from projections.state import PortfolioState, Scope
from projections.view import PortfolioView

TODAY = date(2026, 3, 2)
OVERVIEW = ("rag", "budget", "milestones", "risk-exposure")


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortfolioView]:
    folder: Path = tmp_path_factory.mktemp("together")
    run_demo(str(folder / "ledger.db"), today=TODAY, seed=3)
    with Ledger(str(folder / "ledger.db")) as ledger:
        yield PortfolioView(ledger, persist=False)


def _scopes(view: PortfolioView) -> list[Scope]:
    state = view.state(TODAY, datetime.now(UTC), Scope(), ["perimeters", "programmes"])
    perimeter = str(state["perimeters"]["perimeter"].iloc[0])
    programme = str(state["programmes"]["programme"].iloc[-1])
    return [Scope(), Scope("perimeter", perimeter), Scope("programme", programme)]


@pytest.mark.parametrize(
    ("as_of", "known_at"),
    [
        (TODAY, datetime(2026, 3, 2, 18, tzinfo=UTC)),
        (date(2025, 11, 14), datetime(2025, 11, 20, 9, tzinfo=UTC)),  # known later
        (date(2026, 6, 30), datetime(2026, 1, 5, 12, tzinfo=UTC)),  # the plan, as then
    ],
)
def test_kpis_computed_together_equal_each_computed_alone(
    view: PortfolioView, as_of: date, known_at: datetime
) -> None:
    for scope in _scopes(view):
        together = compute_together(view, list(KPIS), as_of, known_at, scope)
        assert list(together) == list(KPIS)
        for name, frame in together.items():
            alone = compute(view, name, as_of, known_at, scope)
            assert_frame_equal(frame, alone, obj=f"{name} of {scope}")
        assert not together["rag"].empty, scope
        assert not together["budget"].empty, scope


def test_the_overview_kpis_together_compute_the_project_budget_once(
    view: PortfolioView, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed: list[tuple[str, int]] = []
    inner = budget._budget

    def counted(state: PortfolioState, level: str, year: int) -> object:
        computed.append((level, year))
        return inner(state, level, year)

    monkeypatch.setattr(budget, "_budget", counted)
    known_at = datetime(2026, 3, 2, 18, tzinfo=UTC)
    compute_together(view, OVERVIEW, TODAY, known_at, Scope())
    assert computed == [("project", TODAY.year)]
    computed.clear()
    for name in OVERVIEW:  # alone, the RAG and the budget KPI each compute it
        compute(view, name, TODAY, known_at, Scope())
    assert computed == [("project", TODAY.year)] * 2


def test_a_derived_figure_is_kept_per_state_level_and_year(view: PortfolioView) -> None:
    known_at = datetime(2026, 3, 2, 18, tzinfo=UTC)
    state = view.state(TODAY, known_at, Scope(), budget.SECTIONS)
    first = budget.budget(state, "project")
    assert budget.budget(state, "project") is first
    assert budget.budget(state, "project", TODAY.year - 1) is not first
    assert budget.budget(state, "programme") is not first
    other = view.state(TODAY, known_at, Scope(), budget.SECTIONS)
    again = budget.budget(other, "project")
    assert again is not first
    assert_frame_equal(again, first)


def test_a_scoped_rag_still_reads_people_across_the_whole_portfolio(
    view: PortfolioView,
) -> None:
    known_at = datetime(2026, 3, 2, 18, tzinfo=UTC)
    scope = _scopes(view)[1]
    asked: list[tuple[Scope, tuple[str, ...]]] = []

    class Noting:
        def state(self, *args: object, **kwargs: object) -> PortfolioState:
            found = view.state(*args, **kwargs)  # type: ignore[arg-type]
            asked.append((found.scope, tuple(found.sections)))
            return found

    compute_together(Noting(), OVERVIEW, TODAY, known_at, scope)
    assert asked[0][0] == scope
    assert asked[1:] == [(Scope(), rag.WHOLE_SECTIONS)]
    read = asked[0][1]
    assert len(read) == len(set(read))  # each section read once
