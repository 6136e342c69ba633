"""Frames as JSON rows: the column-at-a-time conversion reads every cell as the plain
cell-by-cell reading does, on hand-built frames and on every section of a demo state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from api.demo.simulation import run_demo
from api.export import frame_rows
from domain.ledger import Ledger
from projections.state import SECTIONS, Scope
from projections.view import PortfolioView


def _cell(value: Any) -> Any:
    """One cell as JSON sees it, read the slow, obvious way."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            return value.tz_convert("UTC").isoformat()
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _rows_cell_by_cell(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for _, row in frame.astype(object).iterrows():
        cells = {str(name): _cell(value) for name, value in row.items()}
        for name, series in frame.items():  # a date column of whole days: dates only
            if series.dtype.kind == "M" and series.dtype == "datetime64[s]":
                whole = (series.dropna() == series.dropna().dt.normalize()).all()
                if whole and cells[str(name)] is not None:
                    cells[str(name)] = cells[str(name)][:10]
        rows.append(cells)
    return rows


def test_every_kind_of_column_reads_as_its_cells_do() -> None:
    status = pd.CategoricalDtype(pd.Index(["open", "closed"], dtype=str))
    frame = pd.DataFrame(
        {
            "code": pd.Series(["PAY-A", None, "PAY-C"], dtype=str),
            "status": pd.Categorical.from_codes([1, -1, 0], dtype=status),
            "year": pd.Categorical([2026, None, 2027]),
            "day": np.array(["2026-03-02", "NaT", "2026-12-31"], dtype="datetime64[s]"),
            "moment": np.array(["2026-03-02T09:30", "NaT", "2026-03-02"], dtype="datetime64[s]"),
            "recorded": pd.to_datetime(
                [1_772_443_800_123_456, None, 1_772_443_800_000_000], unit="us", utc=True
            ).tz_convert("Europe/Paris"),
            "count": np.array([3, 0, -2], dtype=np.int64),
            "amount": [1250.5, float("nan"), 0.0],
            "flag": [True, False, True],
            "maybe": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    rows = frame_rows(frame)
    assert rows[0]["recorded"] == "2026-03-02T09:30:00.123456+00:00"
    assert rows[2]["recorded"] == "2026-03-02T09:30:00+00:00"
    assert rows[1] == dict.fromkeys(frame.columns, None) | {"count": 0, "flag": False}
    assert rows[0]["moment"] == "2026-03-02T09:30:00"
    assert rows[2]["day"] == "2026-12-31"
    assert rows[0]["year"] == 2026
    assert rows == _rows_cell_by_cell(frame)


@pytest.mark.slow
def test_every_section_of_a_demo_state_reads_as_its_cells_do(tmp_path: Path) -> None:
    database = str(tmp_path / "demo.db")
    run_demo(database, today=date(2025, 1, 1) + timedelta(days=200), seed=11)
    with Ledger(database) as ledger:
        view = PortfolioView(ledger, persist=False)
        known = datetime(2025, 7, 1, tzinfo=UTC)
        for scope in (Scope(), Scope("perimeter", "B2C")):
            state = view.state(date(2025, 6, 1), known, scope, SECTIONS)
            for name, frame in state.sections.items():
                assert len(frame) or name in {"demands", "absences"}, name
                assert frame_rows(frame) == _rows_cell_by_cell(frame), name
