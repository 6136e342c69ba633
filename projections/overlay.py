"""Read models over other read models as they are now, holding only what is added to them.

A scenario's world is the plan of record's read models at the branch position plus a
few hypothetical events. Copying the plan of record's tables, lookups and labels to
apply those events costs what the ledger's size costs (about 1.4 s at a million
events); these overlays cost what the scenario's own events cost:

- :class:`OverlayTable`: the base table's first ``n`` rows (every row it holds when the
  overlay is made), then the overlay's own rows in a small delta table. Rows are numbered
  on from the base's (row ``n`` is the delta's first), so a key's open segments can name
  rows of both. An op of a key the delta has not seen starts from a copy of the base's
  open segments (and ops, for a fold); closing a base row is noted in the delta, never
  written to the base. Reading masks and merges the two at select time.
- :class:`ForkedLookup`: a lookup whose entries are copied from the base's when first
  looked up, then changed only here.
- :class:`ForkedLabels`: the base's labels up to its count when forked, then the
  overlay's own (a text the base learns later is new here too).

The base may move on afterwards (its view catches up) and the overlay still answers
as it would have when made: rows the base appends lie beyond ``n``, and a base row
that a later op closes is reported to the overlay (``StepTable.follow``), which reads
it as open. Two rules the owner keeps (``projections.scenario``): ops are applied to
an overlay only while its base is as it was when the overlay was made, and an overlay
is read while nothing writes its base (the base view's lock: the base's columns are
read in place).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from projections.bitemporal import OPEN, Columns, Ints, Key, StepTable, Value
from projections.codec import Labels
from projections.lookups import LazyDict

_BOUNDS = ("eff_from", "eff_to", "rec_from", "rec_to")
Mask = npt.NDArray[np.bool_]


class _Delta(StepTable):
    """The overlay's own rows, numbered from ``offset``; closures of the rows below it
    (the base's) kept aside."""

    def __init__(self, base: StepTable, offset: int) -> None:
        super().__init__(
            base.name, base.keys, base.values, base.mode, base.fold, base.partition, base.op_width
        )
        self.offset = offset
        self.closed: dict[int, int] = {}  # base row -> when the overlay closed it

    def knows(self, key: Key) -> bool:
        """Whether an op of ``key`` was applied here."""
        return key in self._keys

    def adopt(self, key: Key, entry: list[Any], ops: list[tuple[int, int, Value]] | None) -> None:
        """Start ``key`` from the base's open segments (and fold ops), copied."""
        self._keys[key] = entry
        if ops is not None:
            self._ops[key] = ops

    def _close(self, row: int, recorded: int) -> None:
        if row < self.offset:
            self.closed[row] = recorded
        else:
            super()._close(row - self.offset, recorded)

    def _new(self, key: Key, value: Value, start: int, end: int, recorded: int) -> int:
        return self.offset + super()._new(key, value, start, end, recorded)


class OverlayTable(StepTable):
    """A step table over ``base`` as it is now (see the module's docstring)."""

    def __init__(self, base: StepTable) -> None:
        super().__init__(
            base.name, base.keys, base.values, base.mode, base.fold, base.partition, base.op_width
        )
        self.base = base
        self.n = base.follow(self)
        self.delta = _Delta(base, self.n)
        self.reopened: set[int] = set()  # base rows the base closed after the fork
        self._fixes: tuple[tuple[int, int], Ints, Ints] | None = None

    def __len__(self) -> int:
        return self.n + len(self.delta)

    def reopen(self, row: int) -> None:
        """The base closed ``row``: here it keeps the end it had (open, or the delta's)."""
        if row < self.n:
            self.reopened.add(row)

    # -- writing ------------------------------------------------------------------

    def apply(
        self,
        key: Key,
        effective: int,
        position: int,
        recorded: int,
        value: Value,
        *,
        mark: int | None = None,
    ) -> None:
        """Take one op of ``key``, into the delta (the base is left as it is)."""
        if len(self.base) != self.n:
            raise RuntimeError(f"{self.name}: the base moved on since the overlay was made")
        delta = self.delta
        if not delta.knows(key):
            found = self.base.entry_of(key)
            if found is not None:
                delta.adopt(key, *found)
        delta.apply(key, effective, position, recorded, value, mark=mark)

    def prepare(self) -> None:
        """Make the delta ready to be read."""
        self.delta.prepare()

    # -- reading ------------------------------------------------------------------

    def column(self, field: str) -> Ints:
        """A column: the base's rows (as they were), then the delta's (a copy)."""
        return self._take(field, None)

    def select(
        self,
        as_of: int,
        known_at: int,
        where: dict[str, Iterable[int]] | None = None,
        partitions: Iterable[int] | None = None,
        intervals: bool = False,
    ) -> Columns:
        """As ``StepTable.select``, over the base's rows and the delta's, in the order a
        copy of the base with the delta's rows appended would give."""
        rows = None if partitions is None else self._partition_rows(partitions)
        mask = self._in_force(rows, as_of, known_at)
        for field, accepted in (where or {}).items():
            mask &= np.isin(self._take(field, rows), np.fromiter(accepted, dtype=np.int64))
        chosen = np.flatnonzero(mask) if rows is None else rows[mask]
        fields = (*self.keys, *self.values, *(("eff_from", "rec_from") if intervals else ()))
        return {f: self._take(f, chosen) for f in fields}

    def digest_rows(self) -> Iterator[tuple[int, ...]]:
        """Every row, fields in ``fields`` order."""
        columns = [self.column(f).tolist() for f in self.fields]
        return zip(*columns, strict=True)

    def snapshot(self) -> dict[str, Ints]:
        """Not kept: an overlay lives as long as the scenario read on it."""
        raise TypeError(f"{self.name}: an overlay is not saved")

    def _partition_rows(self, partitions: Iterable[int]) -> Ints:
        """For each partition, its base rows (those of the fork), then its delta rows."""
        assert self.partition is not None, f"{self.name} has no partition"
        parts: list[Ints] = [np.zeros(0, dtype=np.int64)]
        for part in partitions:
            base = self.base.partition_rows(part)
            parts.append(base[base < self.n])
            parts.append(self.delta.partition_rows(part) + self.n)
        return np.concatenate(parts)

    def _in_force(self, rows: Ints | None, as_of: int, known_at: int) -> Mask:
        """Which rows (all when None) are in force on ``as_of`` as known at ``known_at``."""
        if rows is not None:
            eff_from, eff_to, rec_from, rec_to = (self._take(f, rows) for f in _BOUNDS)
            found: Mask = (eff_from <= as_of) & (eff_to > as_of)
            return found & (rec_from <= known_at) & (rec_to > known_at)
        parts = []
        for table, limit in ((self.base, self.n), (self.delta, len(self.delta))):
            eff_from, eff_to, rec_from, rec_to = (table.column(f)[:limit] for f in _BOUNDS)
            ok = (eff_from <= as_of) & (eff_to > as_of) & (rec_from <= known_at)
            ok &= rec_to > known_at
            if table is self.base:
                fixed, ends = self._fixed()
                ok[fixed] = (eff_from[fixed] <= as_of) & (eff_to[fixed] > as_of)
                ok[fixed] &= (rec_from[fixed] <= known_at) & (ends > known_at)
            parts.append(ok)
        return np.concatenate(parts)

    def _take(self, field: str, rows: Ints | None) -> Ints:
        """A field of ``rows`` (virtual row numbers; every row when None), base rows read
        with the ends they had for the overlay."""
        n = self.n
        base_column, delta_column = self.base.column(field), self.delta.column(field)
        if rows is None:
            taken = np.concatenate([base_column[:n], delta_column])
            if field == "rec_to":
                fixed, ends = self._fixed()
                taken[fixed] = ends
            return taken
        in_base = rows < n
        base_rows = rows[in_base]
        values = base_column[base_rows]
        if field == "rec_to":
            fixed, ends = self._fixed()
            if len(fixed):
                at = np.minimum(np.searchsorted(fixed, base_rows), len(fixed) - 1)
                hit = fixed[at] == base_rows
                values[hit] = ends[at[hit]]
        found = np.empty(len(rows), dtype=np.int64)
        found[in_base] = values
        found[~in_base] = delta_column[rows[~in_base] - n]
        return found

    def _fixed(self) -> tuple[Ints, Ints]:
        """The base rows whose end differs here, sorted, and their ends here: those the
        base closed since (open here) and those the delta closed (its instant)."""
        closed = self.delta.closed
        version = (len(self.reopened), len(closed))
        if self._fixes is None or self._fixes[0] != version:
            ends = dict.fromkeys(self.reopened, OPEN) | closed
            rows = np.array(sorted(ends), dtype=np.int64)
            values = np.array([ends[r] for r in rows.tolist()], dtype=np.int64)
            self._fixes = (version, rows, values)
        return self._fixes[1], self._fixes[2]


class ForkedLookup(LazyDict):
    """A projector's lookup over another's as it is now: an entry is copied from the
    base when first looked up, and changed only here. Iterating it sees only the
    entries looked up so far (the query side iterates only small lookups, copied whole)."""

    def __init__(self, base: dict[Any, Any]) -> None:
        super().__init__()
        self._base = base

    def __missing__(self, key: Any) -> Any:
        found = self._base.get(key, _ABSENT)
        if found is _ABSENT:
            raise KeyError(key)
        entry = self[key] = copy.copy(found)  # sets and lists are changed in place
        return entry


_ABSENT = object()


class _ForkIds(dict[str, int]):
    """Text to id: the base's ids below the fork's count, then the fork's own."""

    def __init__(self, labels: ForkedLabels) -> None:
        super().__init__()
        self._labels = labels

    def __missing__(self, text: str) -> int:
        labels = self._labels
        found = labels.base.find(text)
        if found is None or found >= labels.known:
            found = labels.known + len(labels.own)
            labels.own.append(text)
        self[text] = found
        return found


class ForkedLabels(Labels):
    """Labels over another projector's as they are now (see the module's docstring)."""

    def __init__(self, base: Labels) -> None:  # the base's texts are not copied
        self.base = base
        self.known = len(base)
        self.own: list[str] = []
        self._ids = _ForkIds(self)
        self.id = self._ids.__getitem__
        self._texts: list[str] | None = None

    @property
    def texts(self) -> list[str]:
        """Every text by id (the base's part copied on first read, for the queries)."""
        if self._texts is None or len(self._texts) != len(self):
            self._texts = self.base.texts[: self.known] + self.own
        return self._texts

    @texts.setter
    def texts(self, value: list[str]) -> None:
        raise TypeError("a fork's texts are its base's and its own")

    def find(self, text: str) -> int | None:
        """The id of ``text`` if seen (by the base before the fork, or here)."""
        found = self._ids.get(text)
        if found is not None:
            return found
        found = self.base.find(text)
        return found if found is not None and found < self.known else None

    def __len__(self) -> int:
        return self.known + len(self.own)
