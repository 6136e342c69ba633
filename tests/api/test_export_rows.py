"""Frames as JSON rows: the column-at-a-time conversion reads every cell as the plain
cell-by-cell reading does, on hand-built frames and on every section of a demo state; a
state read as rows without frames (what an answer encodes) reads as its frames do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pytest

from api.demo.simulation import run_demo
from api.export import frame_rows
from domain.ledger import Ledger
from projections.codec import EPOCH
from projections.columns import (
    Categories,
    Dates,
    Instants,
    Section,
    SectionColumns,
    Strings,
    Texts,
    rows_of,
)
from projections.state import SECTIONS, Scope, portfolio_state, state_rows
from projections.tables import NONE
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


def _day(year: int, month: int, day: int) -> int:
    return date(year, month, day).toordinal()


def test_every_kind_of_section_column_reads_as_rows_as_its_frame_does() -> None:
    texts = np.array(["PAY", "CRM", "", "b", "a", None], dtype=object)  # last: NONE
    section = Section(
        {
            "code": Categories(["alpha", "beta"]).labels(np.array([1, -1, 0, 1])),
            "text": Texts(texts, np.array([0, NONE, 2, 1])),
            "on": Strings(np.array(["x", None, "", "y"], dtype=object)),
            "day": Dates(np.array([EPOCH, NONE, EPOCH + 365, EPOCH + 59])),
            "due": Dates(np.array([_day(2026, 3, 2), NONE, _day(2099, 12, 31), _day(1990, 1, 1)])),
            "far": Dates(np.array([_day(2200, 1, 1), NONE, _day(1989, 12, 31), _day(2026, 1, 5)])),
            "recorded": Instants(np.array([1_772_443_800_123_456, 0, -1, 1_772_443_800_000_000])),
            "count": np.array([3, 0, -2, 7], dtype=np.int64),
            "amount": np.array([1250.5, np.nan, np.inf, 0.1]),
            "skills": Strings(np.array(["dev,ops", "", "qa", "dev"], dtype=object)),
        }
    )
    rows = section.rows()
    assert rows == frame_rows(section.frame())
    assert orjson.dumps(rows) == orjson.dumps(frame_rows(section.frame()))  # ints stay ints
    assert rows[1] == {
        "code": None,
        "text": None,
        "on": None,
        "day": None,
        "due": None,
        "far": None,
        "recorded": "1970-01-01T00:00:00+00:00",
        "count": 0,
        "amount": None,
        "skills": "",
    }
    assert rows[0]["day"] == "1970-01-01"
    assert [row["due"] for row in rows] == ["2026-03-02", None, "2099-12-31", "1990-01-01"]
    assert [row["far"] for row in rows] == ["2200-01-01", None, "1989-12-31", "2026-01-05"]
    assert rows[0]["recorded"].endswith(".123456+00:00")


def test_columns_become_rows_in_column_order_and_must_be_as_long_as_each_other() -> None:
    rows = rows_of(["b", "a", "c"], [[1, 2], ["x", None], [0.5, 1.5]])
    assert rows == [{"b": 1, "a": "x", "c": 0.5}, {"b": 2, "a": None, "c": 1.5}]
    assert [list(row) for row in rows] == [["b", "a", "c"], ["b", "a", "c"]]
    assert rows_of([], []) == []
    assert rows_of(["a"], [[]]) == []
    with pytest.raises(ValueError, match="different lengths"):
        rows_of(["a", "b"], [[1, 2], [3]])


def test_a_section_sorted_by_its_columns_is_in_the_order_pandas_sorts_them() -> None:
    texts = np.array(["b", "a", "c", None], dtype=object)
    columns: SectionColumns = {
        "envelope": Texts(texts, np.array([0, 1, NONE, 0, 2, 1])),
        "nature": Categories(["capex", "opex"]).labels(np.array([1, 1, 0, 0, -1, 0])),
        "seen": np.arange(6),
    }
    frame = Section(dict(columns)).frame()
    expected = frame.sort_values(["envelope", "nature"], ignore_index=True, kind="stable")
    section = Section(dict(columns), sort_by=["envelope", "nature"])
    assert section.frame().equals(expected)
    assert section.rows() == frame_rows(expected)
    assert [row["seen"] for row in section.rows()] == [5, 1, 3, 0, 4, 2]
    with pytest.raises(TypeError, match="codes or texts"):
        Section(dict(columns), sort_by=["seen"])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    database = str(tmp_path_factory.mktemp("rows") / "demo.db")
    run_demo(database, today=date(2025, 1, 1) + timedelta(days=200), seed=11)
    return database


@pytest.mark.slow
def test_a_state_read_as_rows_is_its_frames_read_as_rows(demo: str) -> None:
    with Ledger(demo) as ledger:
        view = PortfolioView(ledger, persist=False)
        view.catch_up()
        projector = view.projector
        programme = str(view.state(date(2025, 6, 1), datetime.now(UTC)).sections["programmes"]
                        ["programme"].iloc[0])  # fmt: skip
        project = str(view.state(date(2025, 6, 1), datetime.now(UTC)).sections["projects"]
                      ["project"].iloc[-1])  # fmt: skip
        scopes = (Scope(), Scope("perimeter", "B2C"), Scope("programme", programme),
                  Scope("project", project))  # fmt: skip
        moments = ((date(2025, 6, 1), datetime(2025, 7, 1, tzinfo=UTC)),
                   (date(2025, 3, 3), datetime(2025, 4, 1, tzinfo=UTC)),
                   (date(2025, 7, 19), datetime.now(UTC)))  # fmt: skip
        for scope in scopes:
            for as_of, known_at in moments:
                frames = portfolio_state(projector, as_of, known_at, scope).sections
                rows = state_rows(projector, as_of, known_at, scope)
                assert list(rows) == list(SECTIONS)
                for name, frame in frames.items():
                    assert rows[name] == frame_rows(frame), (scope, as_of, name)
                    assert orjson.dumps(rows[name]) == orjson.dumps(frame_rows(frame))
        assert sum(len(r) for r in state_rows(projector, *moments[0]).values()) > 1000


@pytest.mark.slow
def test_every_section_of_a_demo_state_reads_as_its_cells_do(demo: str) -> None:
    with Ledger(demo) as ledger:
        view = PortfolioView(ledger, persist=False)
        known = datetime(2025, 7, 1, tzinfo=UTC)
        for scope in (Scope(), Scope("perimeter", "B2C")):
            state = view.state(date(2025, 6, 1), known, scope, SECTIONS)
            for name, frame in state.sections.items():
                assert len(frame) or name in {"demands", "absences"}, name
                assert frame_rows(frame) == _rows_cell_by_cell(frame), name
