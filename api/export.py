"""DataFrames out of the faces: as JSON-ready rows, CSV text and XLSX workbooks.

The conversion is the same for every format, so a figure reads the same in a table as in
a file: codes and texts as strings; a date column (all at midnight, no time zone) as
``YYYY-MM-DD``; an instant as ISO 8601 in UTC; a missing value as null (an empty cell);
whole numbers as integers; money and effort as floats (exact to the hundredth).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

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


def frame_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text with a header; nested values written as JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = [str(c) for c in frame.columns]
    writer.writerow(columns)
    for row in frame_rows(frame):
        writer.writerow([_csv_cell(row[c]) for c in columns])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_xlsx(
    sheets: dict[str, pd.DataFrame], about: dict[str, str], path: Path | BinaryIO
) -> None:
    """One sheet per frame, then an "about" sheet saying what was computed, when, as of
    when and as known when. Instants are written in UTC without their zone (Excel has
    none).

    A workbook whose ``about`` names a ``known_at`` is dated by it, not by the moment it
    was written (its properties and every member of the zip): the same report
    regenerated later, as known at the same instant, is the same file, byte for byte."""
    known = about.get("known_at")
    moment = datetime.fromisoformat(known).astimezone(UTC) if known else None
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
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
        if moment is not None:
            writer.book.properties.created = moment.replace(tzinfo=None)
    content = buffer.getvalue() if moment is None else _dated(buffer.getvalue(), moment)
    if isinstance(path, Path):
        path.write_bytes(content)
    else:
        path.write(content)


def _dated(workbook: bytes, moment: datetime) -> bytes:
    """The workbook with every zip member dated ``moment`` (zip keeps local times of
    2-second precision from 1980), and its "modified" property too (openpyxl stamps it
    with the time of saving)."""
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute,
             moment.second - moment.second % 2)  # fmt: skip
    stamp = max((1980, 1, 1, 0, 0, 0), min(stamp, (2107, 12, 31, 23, 59, 58)))  # zip's range
    modified = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    target = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + modified + rb"\g<2>",
                    data,
                )
            dated = zipfile.ZipInfo(info.filename, date_time=stamp)
            dated.compress_type = info.compress_type
            dated.external_attr = info.external_attr
            out.writestr(dated, data)
    return target.getvalue()
