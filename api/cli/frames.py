"""DataFrames out of the `pmo` command: as rows, terminal tables, JSON, CSV and XLSX.

The conversion is the same for every format, so a figure reads the same in a table as in
a file: codes and texts as strings; a date column (all at midnight, no time zone) as
``YYYY-MM-DD``; an instant as ISO 8601 in UTC; a missing value as null (an empty cell);
whole numbers as integers; money and effort as floats (exact to the hundredth).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

Cells = list[Any]


def _column_values(series: pd.Series) -> Cells:
    """The cells of one column as JSON-ready Python values."""
    missing = series.isna().to_numpy()
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        utc = series.dt.tz_convert("UTC")
        values: Cells = [
            None if gone else t.isoformat() for t, gone in zip(utc, missing, strict=True)
        ]
        return values
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        present = series[~missing]
        whole_days = bool((present == present.dt.normalize()).all())
        fmt: Callable[[pd.Timestamp], str] = (
            (lambda t: t.date().isoformat()) if whole_days else (lambda t: t.isoformat())
        )
        return [None if gone else fmt(t) for t, gone in zip(series, missing, strict=True)]
    if pd.api.types.is_bool_dtype(series.dtype):
        return [None if gone else bool(v) for v, gone in zip(series, missing, strict=True)]
    if pd.api.types.is_integer_dtype(series.dtype):
        return [None if gone else int(v) for v, gone in zip(series, missing, strict=True)]
    if pd.api.types.is_float_dtype(series.dtype):
        return [None if gone else float(v) for v, gone in zip(series, missing, strict=True)]
    return [None if gone else _scalar(v) for v, gone in zip(series, missing, strict=True)]


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dictionaries of JSON-ready values, in column order."""
    columns = [str(c) for c in frame.columns]
    cells = [_column_values(frame.iloc[:, i]) for i in range(frame.shape[1])]
    return [dict(zip(columns, row, strict=True)) for row in zip(*cells, strict=True)]


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


def write_xlsx(sheets: dict[str, pd.DataFrame], about: dict[str, str], path: Path) -> None:
    """One sheet per frame, then an "about" sheet saying what was computed, when, as of
    when and as known when. Instants are written in UTC without their zone (Excel has
    none).

    The workbook is dated by its ``known_at`` (its properties and every member of the
    zip), not by the moment it was written: the same report regenerated later, as known
    at the same instant, is the same file, byte for byte."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            plain = frame.copy()
            for column in plain.columns:
                if isinstance(plain[column].dtype, pd.DatetimeTZDtype):
                    plain[column] = plain[column].dt.tz_convert("UTC").dt.tz_localize(None)
                elif isinstance(plain[column].dtype, pd.CategoricalDtype):
                    plain[column] = plain[column].astype(object)
            plain.to_excel(writer, sheet_name=name[:31], index=False)
        pd.DataFrame({"": list(about), "value": list(about.values())}).to_excel(
            writer, sheet_name="about", index=False
        )
        known = about.get("known_at")
        if known:
            moment = datetime.fromisoformat(known).astimezone(UTC).replace(tzinfo=None)
            writer.book.properties.created = moment  # "modified" is stamped at save
    if about.get("known_at"):
        _date_members(path, datetime.fromisoformat(about["known_at"]).astimezone(UTC))


def _date_members(path: Path, moment: datetime) -> None:
    """Rewrite the zip with every member dated ``moment`` (zip keeps local times of
    2-second precision from 1980), and the workbook's "modified" property too (openpyxl
    stamps it with the time of saving)."""
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute,
             moment.second - moment.second % 2)  # fmt: skip
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    data,
                )
            dated = zipfile.ZipInfo(info.filename, date_time=stamp)
            dated.compress_type = info.compress_type
            dated.external_attr = info.external_attr
            target.writestr(dated, data)
