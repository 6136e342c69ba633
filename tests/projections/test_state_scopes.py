"""A programme's or a project's state, read through the tables' indexes, holds exactly
the portfolio's rows that concern it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from api.demo.simulation import run_demo
from domain.ledger import Ledger
from projections.state import PortfolioState, Scope
from projections.view import PortfolioView


def _rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [tuple(str(v) for v in row) for row in frame.astype(object).itertuples(index=False)]


def _within(whole: PortfolioState, part: PortfolioState, projects: set[str]) -> None:
    """Each section of ``part`` is the rows of ``whole`` that concern ``projects``."""
    resources = set(part["staffing"]["resource"].astype(str))
    items = set(part["backlog"]["item"].astype(str))
    keep = {
        "envelopes": lambda f: f["project"].astype(str).isin(projects),
        "backlog": lambda f: f["project"].astype(str).isin(projects),
        "backlog_effort": lambda f: f["item"].astype(str).isin(items),
        "milestone_moves": lambda f: f["project"].astype(str).isin(projects),
        "resources": lambda f: f["resource"].astype(str).isin(resources),
        "demands": lambda f: f["resource"].astype(str).isin(resources),
        "staffing": lambda f: f["project"].astype(str).isin(projects),
    }
    for section, wanted in keep.items():
        expected = whole[section][wanted(whole[section])]
        assert _rows(part[section]) == _rows(expected), section


@pytest.mark.slow
def test_a_scoped_state_holds_the_portfolio_rows_of_its_projects(tmp_path: Path) -> None:
    database = str(tmp_path / "demo.db")
    run_demo(database, today=date(2025, 1, 1) + timedelta(days=240), seed=5)
    with Ledger(database) as ledger:
        view = PortfolioView(ledger, persist=False)
        for as_of, known in ((date(2025, 6, 2), 300), (date(2025, 3, 3), 90)):
            known_at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=known)
            whole = view.state(as_of, known_at)
            projects = whole["projects"]
            for programme in projects["programme"].astype(str).unique()[:4]:
                part = view.state(as_of, known_at, Scope("programme", programme))
                mine = projects[projects["programme"].astype(str) == programme]
                _within(whole, part, set(mine["project"].astype(str)))
                risks = whole["risks"][whole["risks"]["programme"].astype(str) == programme]
                assert _rows(part["risks"]) == _rows(risks)
            project = str(projects["project"].iloc[0])
            _within(whole, view.state(as_of, known_at, Scope("project", project)), {project})
