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
import math
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray
from pandas.arrays import DatetimeArray, NumpyExtensionArray

from projections.columns import Cells, blanked, instant_texts, rows_of


def _column_values(series: pd.Series) -> Cells:
    """The cells of one column as JSON-ready Python values."""
    return _cells(series.array)


def _cells(values: ExtensionArray) -> Cells:
    """An array's cells as JSON-ready values, converted and formatted by numpy a whole
    array at a time (a state answer is many short columns: per-cell Python, and pandas'
    per-column overheads, were most of its cost); odd dtypes go cell by cell."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        assert isinstance(values, pd.Categorical)
        categories = dtype.categories.array
        if isinstance(categories.dtype, pd.StringDtype):  # only the codes used, then
            return _cells(categories.take(values.codes, allow_fill=True))
        every = np.array([*_cells(categories), None], dtype=object)
        cells: Cells = every[values.codes].tolist()  # code -1 (missing): the last, None
        return cells
    if isinstance(dtype, pd.DatetimeTZDtype):
        assert isinstance(values, DatetimeArray)
        instants = values.tz_convert("UTC").tz_localize(None).to_numpy()
        missing = np.isnat(instants)
        return blanked([f"{t}+00:00" for t in instant_texts(instants)], missing)
    if isinstance(dtype, pd.StringDtype):
        texts = values.to_numpy(dtype=object)
        return blanked(texts.tolist(), pd.isna(texts))
    if not isinstance(values, NumpyExtensionArray | DatetimeArray):
        return [_scalar(v) for v in values]  # other extension arrays (nullable numbers…)
    array = values.to_numpy()
    kind = array.dtype.kind
    if kind == "M":
        missing = np.isnat(array)
        present = array[~missing]
        if (present == present.astype("datetime64[D]")).all():
            return blanked(np.datetime_as_string(array, unit="D").tolist(), missing)
        return blanked(instant_texts(array), missing)
    if kind in "biu":
        return list(array.tolist())
    if kind == "f":  # JSON has no infinity: a load over no capacity at all is null
        return blanked(array.tolist(), ~np.isfinite(array))
    return [_scalar(v) for v in array]


def _scalar(value: Any) -> Any:
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dictionaries of JSON-ready values, in column order."""
    return rows_of([str(c) for c in frame.columns], [_column_values(s) for _, s in frame.items()])


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
