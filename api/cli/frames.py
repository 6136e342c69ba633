"""DataFrames out of the `pmo` command: as rows, terminal tables, JSON, CSV and XLSX.

The conversion is the same for every format, so a figure reads the same in a table as in
a file: codes and texts as strings; a date column (all at midnight, no time zone) as
``YYYY-MM-DD``; an instant as ISO 8601 in UTC; a missing value as null (an empty cell);
whole numbers as integers; money and effort as floats (exact to the hundredth).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from api.export import frame_rows

__all__ = ["frame_rows", "frame_table", "print_table"]


def _number(value: float | int, decimals: int) -> str:
    # Floats (money, effort, ratios) with thousands separators; integers (years, counts,
    # days, log positions) as they are.
    return f"{value:,.{decimals}f}" if isinstance(value, float) else str(value)


def _number_or_text(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return "YYYY-MM-DD" if value == value.normalize() else "YYYY-MM-DDTHH:MM:SS+00:00"
    if isinstance(value, float | np.floating):
        return f"{value:,.2f}"
    return str(value)


def frame_table(frame: pd.DataFrame, title: str, limit: int | None = None) -> Table:
    """A terminal table of the frame: numbers right-aligned with thousands separators,
    floats with two decimals unless the whole column holds whole numbers."""
    shown = frame if limit is None or len(frame) <= limit else frame.head(limit)
    rows = frame_rows(shown)
    caption = None
    if len(shown) < len(frame):
        caption = f"first {len(shown):,} of {len(frame):,} rows (--limit, or another format)"
    table = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    for column in shown.columns:
        dtype = shown[column].dtype
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        header = str(column).replace("_", " ")
        if numeric or pd.api.types.is_datetime64_any_dtype(dtype):
            # Figures and dates are never cut: the text columns fold around them.
            widest = max([len(_number_or_text(v)) for v in shown[column]] + [1])
            table.add_column(header, justify="right" if numeric else "left", no_wrap=True,
                             min_width=min(widest, 25))  # fmt: skip
        else:
            widest = max([len(_number_or_text(v)) for v in shown[column]] + [len(header), 1])
            table.add_column(header, overflow="fold", min_width=min(widest, 14))
    decimals = {}
    for column in shown.columns:
        series = shown[column]
        if pd.api.types.is_float_dtype(series.dtype):
            present = series.dropna()
            decimals[str(column)] = 0 if bool((present == present.round()).all()) else 2
    for row in rows:
        cells = []
        for column, value in row.items():
            if value is None:
                cells.append(Text(""))
            elif isinstance(value, float | int) and not isinstance(value, bool):
                cells.append(Text(_number(value, decimals.get(column, 2))))
            else:
                cells.append(Text(str(value)))  # data, never markup
        table.add_row(*cells)
    return table


def print_table(console: Console, table: Table) -> None:
    """Print a table; piped into a file or another program, at its natural width rather
    than the 80 columns of a terminal that is not there."""
    if console.is_terminal:
        console.print(table)
    else:
        natural = Measurement.get(console, console.options.update(width=10_000), table).maximum
        width = console.width
        console.width = max(natural, width)
        try:
            console.print(table)
        finally:
            console.width = width
