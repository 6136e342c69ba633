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
from domain.errors import InvalidInput
from domain.ledger import Ledger
from projections.kpis import KPIS, Request, budget, capacity, compute, compute_together, rag
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


# Every KPI with its default parameters, and the ones a scenario's comparison asks.
REQUESTS: list[Request] = [
    *KPIS,
    ("budget", {"level": "portfolio"}),
    ("budget", {"level": "programme", "fiscal_year": 2025}),
    ("milestones", {"level": "portfolio"}),
    ("risk-exposure", {"level": "portfolio"}),
    ("capacity", {"by": "skill", "months": 3}),
    ("capacity", {"by": "perimeter", "months": 3}),
    ("timesheet-compliance", {"weeks": 2}),
]


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
        together = compute_together(view, REQUESTS, as_of, known_at, scope)
        assert len(together) == len(REQUESTS)
        for request, frame in zip(REQUESTS, together, strict=True):
            name, parameters = (request, {}) if isinstance(request, str) else request
            alone = compute(view, name, as_of, known_at, scope, **parameters)
            assert_frame_equal(frame, alone, obj=f"{request} of {scope}")
            assert not frame.empty or name in ("risk-exposure", "milestone-trend"), request


def test_a_kpi_asked_together_with_an_unknown_parameter_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        compute_together(None, ["rag", ("budget", {"by": "skill"})], TODAY, datetime.now(UTC))  # type: ignore[arg-type]
    assert refused.value.field == "by"


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


def test_scoped_kpis_read_their_sections_once_and_people_once_across_the_portfolio(
    view: PortfolioView, monkeypatch: pytest.MonkeyPatch
) -> None:
    known_at = datetime(2026, 3, 2, 18, tzinfo=UTC)
    scope = _scopes(view)[1]
    asked: list[tuple[Scope, tuple[str, ...]]] = []

    class Noting:
        def state(self, *args: object, **kwargs: object) -> PortfolioState:
            found = view.state(*args, **kwargs)  # type: ignore[arg-type]
            asked.append((found.scope, tuple(found.sections)))
            return found

    months: list[int] = []
    inner = capacity._resource_months

    def counted(state: PortfolioState, first: date, horizon: int) -> object:
        months.append(horizon)
        return inner(state, first, horizon)

    monkeypatch.setattr(capacity, "_resource_months", counted)
    requests: list[Request] = [
        *OVERVIEW,
        ("capacity", {"by": "skill", "months": 3}),
        ("capacity", {"by": "perimeter", "months": 3}),
    ]
    compute_together(Noting(), requests, TODAY, known_at, scope)
    assert [s for s, _ in asked] == [scope, Scope()]
    read, whole = asked[0][1], asked[1][1]
    assert len(read) == len(set(read))  # each section read once
    assert set(whole) == set(rag.WHOLE_SECTIONS) | set(capacity.WHOLE_SECTIONS)
    assert not set(read) & set(whole) - {"staffing", "rates"}  # budget's, read scoped
    assert months == [3]  # the two groupings share the months of load
