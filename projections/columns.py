"""A state's section as columns, before it is a DataFrame or a list of rows.

A section query (``projections.state``) gathers its rows as integer arrays, decides their
order, and says how each column reads: codes of a dimension or an enum, label texts,
dates, instants, numbers. From there the section becomes either a pandas DataFrame (what
the KPIs compute on) or JSON-ready rows (what an API answer encodes). The rows are made
straight from the arrays, with no DataFrame on the way: an answer is eighteen short
sections, and building and reading back their frames was most of its cost.

Both readings are the same cells: a code or a text as a string, a missing one as None; a
date as ``YYYY-MM-DD``; an instant as ISO 8601 in UTC (``+00:00``); a whole number as an
integer; an amount as a float, None when not finite (``api.export`` reads a frame the same
way; the tests compare the two on every section of a demo ledger).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from projections.codec import EPOCH
from projections.tables import NONE

Ints = npt.NDArray[np.int64]
Cells = list[Any]


class Column(Protocol):
    """One column of a section, in any order of its rows."""

    def taken(self, order: Ints) -> Column:
        """The column with its rows in ``order``."""
        ...

    def series(self) -> Any:
        """What a DataFrame is built from (an array, a categorical or a series)."""
        ...

    def cells(self) -> Cells:
        """The JSON-ready cells."""
        ...


def blanked(values: Cells, missing: npt.NDArray[np.bool_]) -> Cells:
    """``values`` with None where ``missing``."""
    if missing.any():
        for at in np.flatnonzero(missing).tolist():
            values[at] = None
    return values


def instant_texts(values: npt.NDArray[np.datetime64]) -> list[str]:
    """datetime64 values as ``Timestamp.isoformat`` writes them (no zone): seconds, then
    microseconds or nanoseconds only when there are any."""
    fine: Literal["ns", "us"] = "ns" if np.datetime_data(values.dtype)[0] == "ns" else "us"
    texts: list[str] = np.datetime_as_string(values, unit=fine).tolist()
    if fine == "us":
        return [t[:-7] if t.endswith(".000000") else t for t in texts]
    return [
        t[:-10] if t.endswith(".000000000") else t[:-3] if t.endswith("000") else t for t in texts
    ]


def _ranks(values: npt.NDArray[np.object_]) -> Ints:
    """Strings (None for missing) as integers in their sorted order, missing last."""
    missing = np.array([v is None for v in values.tolist()], dtype=bool)
    ranks = np.full(len(values), 0, dtype=np.int64)
    present = values[~missing]
    if len(present):
        found, inverse = np.unique(present.astype(str), return_inverse=True)
        ranks[~missing] = inverse.reshape(-1)
        ranks[missing] = len(found)
    return ranks


class Categories:
    """The names codes stand for, in their order (an enum's values, a dimension's codes).

    Pandas' categories are built only when a frame asks for them: a section read as rows
    never builds those of every code of the portfolio.
    """

    def __init__(self, names: Sequence[str] | npt.NDArray[np.object_]) -> None:
        self.names: npt.NDArray[np.object_] = np.asarray(names, dtype=object)
        self._dtype: pd.CategoricalDtype | None = None
        self._table: npt.NDArray[np.object_] | None = None

    def labels(self, codes: Ints) -> Labels:
        """``codes`` (-1: missing) as a column of these names."""
        return Labels(codes, self)

    def dtype(self) -> pd.CategoricalDtype:
        if self._dtype is None:
            self._dtype = pd.CategoricalDtype(pd.Index(self.names, dtype=str))
        return self._dtype

    def table(self) -> npt.NDArray[np.object_]:
        """The names and one more slot, None, for code -1."""
        if self._table is None:
            self._table = np.empty(len(self.names) + 1, dtype=object)
            self._table[:-1] = self.names
        return self._table


@dataclass(frozen=True)
class Labels:
    """Codes among named categories (-1: missing): a pandas categorical in a frame."""

    codes: Ints
    categories: Categories

    def taken(self, order: Ints) -> Labels:
        return Labels(self.codes[order], self.categories)

    def series(self) -> pd.Categorical:
        return pd.Categorical.from_codes(self.codes, dtype=self.categories.dtype())

    def cells(self) -> Cells:
        cells: Cells = self.categories.table()[self.codes].tolist()
        return cells

    def sort_key(self) -> Ints:
        """Integers that sort the rows as pandas sorts a categorical (missing last)."""
        return np.where(self.codes < 0, len(self.categories.names), self.codes)


@dataclass(frozen=True)
class Texts:
    """Strings by label id (``NONE``: missing), looked up once the rows are in order."""

    texts: npt.NDArray[np.object_]  # the labels, one more slot (None) for NONE
    ids: Ints

    def taken(self, order: Ints) -> Texts:
        return Texts(self.texts, self.ids[order])

    def _values(self) -> npt.NDArray[np.object_]:
        return self.texts[np.where(self.ids < 0, len(self.texts) - 1, self.ids)]

    def series(self) -> pd.Series:
        return pd.Series(self._values(), dtype=str)

    def cells(self) -> Cells:
        cells: Cells = self._values().tolist()
        return cells

    def sort_key(self) -> Ints:
        """Integers that sort the rows as pandas sorts strings (missing last)."""
        return _ranks(self._values())


@dataclass(frozen=True)
class Strings:
    """Strings already looked up (None: missing)."""

    values: npt.NDArray[np.object_]

    def taken(self, order: Ints) -> Strings:
        return Strings(self.values[order])

    def series(self) -> pd.Series:
        return pd.Series(self.values, dtype=str)

    def cells(self) -> Cells:
        cells: Cells = self.values.tolist()
        return cells


_DAYS: tuple[int, npt.NDArray[np.object_]] | None = None


def _day_texts() -> tuple[int, npt.NDArray[np.object_]]:
    """The ordinal of 1 January 1990, and the text of every day from then to 2099 (one
    more slot: None), written once: an answer's dates are looked up, not formatted."""
    global _DAYS
    if _DAYS is None:
        first = date(1990, 1, 1).toordinal()
        days = np.arange(np.datetime64("1990-01-01"), np.datetime64("2100-01-01"))
        texts = np.empty(len(days) + 1, dtype=object)
        texts[:-1] = np.datetime_as_string(days, unit="D").tolist()
        _DAYS = (first, texts)
    return _DAYS


@dataclass(frozen=True)
class Dates:
    """Day ordinals (``NONE``: missing) as dates."""

    ordinals: Ints

    def taken(self, order: Ints) -> Dates:
        return Dates(self.ordinals[order])

    def _days(self) -> npt.NDArray[np.datetime64]:
        return (self.ordinals - EPOCH).astype("datetime64[D]")

    def series(self) -> npt.NDArray[np.datetime64]:
        days = np.where(self.ordinals == NONE, np.datetime64("NaT"), self._days())
        return days.astype("datetime64[s]")

    def cells(self) -> Cells:
        first, texts = _day_texts()
        at = self.ordinals - first
        present = at[self.ordinals != NONE]
        if len(present) and (present.min() < 0 or present.max() >= len(texts) - 1):
            days: Cells = np.datetime_as_string(self._days(), unit="D").tolist()
            return blanked(days, self.ordinals == NONE)
        cells: Cells = texts[np.where(self.ordinals == NONE, len(texts) - 1, at)].tolist()
        return cells


@dataclass(frozen=True)
class Instants:
    """Microseconds since 1970 as instants in UTC."""

    micros: Ints

    def taken(self, order: Ints) -> Instants:
        return Instants(self.micros[order])

    def series(self) -> pd.DatetimeIndex:
        return pd.to_datetime(self.micros, unit="us", utc=True)

    def cells(self) -> Cells:
        return [f"{t}+00:00" for t in instant_texts(self.micros.astype("datetime64[us]"))]


@dataclass(frozen=True)
class Numbers:
    """Integers or floats (a float that is not finite reads as None)."""

    values: npt.NDArray[Any]

    def taken(self, order: Ints) -> Numbers:
        return Numbers(self.values[order])

    def series(self) -> npt.NDArray[Any]:
        return self.values

    def cells(self) -> Cells:
        cells: Cells = self.values.tolist()
        if self.values.dtype.kind == "f":  # JSON has no infinity
            return blanked(cells, ~np.isfinite(self.values))
        return cells


SectionColumns = dict[str, "Column | npt.NDArray[Any]"]
"""A section's columns by name, as a section query writes them (arrays: numbers)."""


def order_of(keys: list[Ints]) -> Ints:
    """The permutation that sorts rows by integer ``keys`` (most significant first), ties
    in their first order.

    The keys are packed into one integer when their ranges allow (a stable argsort of
    one column is several times faster than ``lexsort`` over three).
    """
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    room = 1
    for key in keys:
        low, high = int(key.min()), int(key.max())
        span = high - low + 1
        room *= span
        if room >= 2**62:
            return np.lexsort(keys[::-1])
        packed = packed * span + (key - low)
    return np.argsort(packed, kind="stable")


class Section:
    """A section's columns, their rows in the section's order.

    ``keys`` (integer arrays, most significant first) or ``sort_by`` (names of its own
    code or text columns, sorted as pandas sorts them) order the rows; ties keep the
    order the rows were gathered in. A plain array is a column of numbers.
    """

    def __init__(
        self,
        columns: SectionColumns,
        keys: list[Ints] | None = None,
        sort_by: Sequence[str] = (),
    ) -> None:
        typed: dict[str, Column] = {
            name: Numbers(column) if isinstance(column, np.ndarray) else column
            for name, column in columns.items()
        }
        if sort_by:
            keys = [_sort_key(typed[name]) for name in sort_by]
        order = order_of(keys) if keys is not None and len(keys[0]) > 1 else None
        if order is not None:
            typed = {name: column.taken(order) for name, column in typed.items()}
        self.columns = typed

    def frame(self) -> pd.DataFrame:
        """The section as a DataFrame (categoricals, strings, datetime64, numbers)."""
        return pd.DataFrame({n: c.series() for n, c in self.columns.items()}, copy=False)

    def rows(self) -> list[dict[str, Any]]:
        """The section as JSON-ready rows, without a DataFrame."""
        return rows_of(list(self.columns), [column.cells() for column in self.columns.values()])


def _sort_key(column: Column) -> Ints:
    if not isinstance(column, Labels | Texts):
        raise TypeError(f"a section is sorted by codes or texts, not {type(column).__name__}")
    return column.sort_key()


def rows_of(names: list[str], cells: list[Cells]) -> list[dict[str, Any]]:
    """Columns of cells as rows (dictionaries in column order).

    Filled a column at a time: about twice as fast as a ``dict(zip(...))`` per row on an
    answer's thousands of rows.
    """
    if not names:
        return []
    if any(len(column) != len(cells[0]) for column in cells):
        raise ValueError("columns of different lengths")
    first = names[0]
    rows = [{first: value} for value in cells[0]]
    for name, column in zip(names[1:], cells[1:], strict=True):
        for row, value in zip(rows, column, strict=True):
            row[name] = value
    return rows
