"""Bitemporal step tables: a key's value over effective dates, as known at each instant.

See docs/read-models.md. Each row says: known from ``rec_from`` until ``rec_to``, the
value on effective dates ``[eff_from, eff_to)`` was this. ``select(D, K)`` is a filter.

Three folds of a key's ops (in effective date, then position, order):

- ``LAST``: the last op's value wins (a forecast, a staffing week, a timesheet line);
- ``SUM``: values are added up (an envelope line's movements);
- ``FOLD``: any function ``fold(state, op) -> state`` (a milestone's life cycle); only
  this mode keeps each key's ops, to refold them when a back-dated op arrives.

Every column is an int64: callers encode dates, times, money and labels as integers.
Writing is the hot path of a rebuild: each key keeps its open segments beside it (so an
op never reads the columns), new rows wait as tuples and become columns in bulk when
read, and an op at or after a key's last segment — the common case — is a fast path.
"""

from __future__ import annotations

import bisect
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

OPEN = 2**62  # the end of an interval that is still open
Key = tuple[int, ...]
Value = tuple[int, ...]
Fold = Callable[[Value | None, Value], Value | None]
Columns = dict[str, npt.NDArray[np.int64]]
Segment = tuple[int, int, int, Value]  # row, eff_from, eff_to, value
Ints = npt.NDArray[np.int64]


class Follower(Protocol):
    """A table read over this one as it is now (``projections.overlay``): told of each of
    its rows that a later op closes."""

    def reopen(self, row: int) -> None: ...


class Mode(Enum):
    """How a key's ops combine."""

    LAST = "last"
    SUM = "sum"
    FOLD = "fold"


def _add(old: Value, delta: Value) -> Value:
    return tuple(a + b for a, b in zip(old, delta, strict=True))


class StepTable:
    """One kind of state, as bitemporal rows kept in int64 columns."""

    def __init__(
        self,
        name: str,
        keys: tuple[str, ...],
        values: tuple[str, ...],
        mode: Mode,
        fold: Fold | None = None,
        partition: str | None = None,
        op_width: int | None = None,
    ) -> None:
        if (mode is Mode.FOLD) != (fold is not None):
            raise ValueError("a fold is given exactly when the mode is FOLD")
        self.name = name
        self.keys, self.values, self.mode, self.fold = keys, values, mode, fold
        self.stored = (*keys, *values, "eff_from", "eff_to", "rec_from")
        self.fields = (*self.stored, "rec_to")
        self.partition = partition
        self.op_width = len(values) if op_width is None else op_width  # fields of an op
        self._columns = {f: array("q") for f in self.stored}
        self._rec_to = array("q")
        self._pending: list[tuple[int, ...]] = []
        self._keys: dict[Key, list[Any]] = {}  # key -> [last recorded, open segments…]
        self._ops: dict[Key, list[tuple[int, int, Value]]] = {}  # FOLD mode only
        self._index: dict[int, array[int]] = {}
        self._indexed = 0
        # Rows loaded in bulk (a rebuild, a restart) get their keys' open segments only
        # when an op first touches the key: the rows (and FOLD ops) of each bulk load are
        # kept sorted by the key's first field, the "head", and unpacked a head at a time.
        self._lazy_rows: list[tuple[Ints, Ints]] = []  # (sorted heads, row ids)
        self._lazy_ops: list[tuple[Ints, Ints]] = []  # (sorted heads, op rows)
        self._unpacked: set[int] = set()  # heads whose rows and ops are unpacked
        self._followers: list[weakref.ref[Follower]] = []
        # Where ops wrote since the table was made (not its bulk loads): the last log
        # position that wrote anything, and that wrote each partition. A reader keeps what
        # it computed from some partitions while none of them is written again
        # (``projections.reads``).
        self.last_written = 0
        self._written: dict[int, int] = {}
        self._writing = 0
        self._part = self.stored.index(partition) if partition is not None else -1

    def __len__(self) -> int:
        return len(self._rec_to)

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
        """Take one op of ``key``: effective ordinal, log position, recorded time (µs).

        ``mark`` is the log position of the event being applied, when the op carries an
        earlier one (a release re-applied to a newly staffed week): what it writes is
        marked as written then (:meth:`written_since`)."""
        self._writing = position if mark is None else mark
        if self._writing > self.last_written:
            self.last_written = self._writing
        entry = self._keys.get(key)
        if entry is None and (self._lazy_rows or self._lazy_ops):
            entry = self._load_entry(key)
        if entry is None:
            if self.mode is Mode.FOLD:
                self._keys[key] = entry = [recorded]
            else:
                row = self._new(key, value, effective, OPEN, recorded)
                self._keys[key] = [recorded, (row, effective, OPEN, value)]
                return
        if recorded < entry[0]:
            recorded = entry[0]  # one aggregate's events are recorded in order
        entry[0] = recorded
        if self.mode is Mode.FOLD:
            self._apply_fold(key, entry, effective, position, recorded, value)
            return
        row, start, _, old = entry[-1]
        if effective >= start:  # at or after the last segment: the common case
            self._close(row, recorded)
            del entry[-1]
            if start < effective:
                entry.append(
                    (self._new(key, old, start, effective, recorded), start, effective, old)
                )
            new = value if self.mode is Mode.LAST else _add(old, value)
            entry.append((self._new(key, new, effective, OPEN, recorded), effective, OPEN, new))
            return
        self._apply_back_dated(key, entry, effective, recorded, value)

    def _apply_back_dated(
        self, key: Key, entry: list[Any], effective: int, recorded: int, value: Value
    ) -> None:
        segments: list[Segment] = entry[1:]
        first = segments[0][1]
        changed: list[tuple[int, int, Value]] = []
        if effective < first:  # before anything known: the op alone, until the first segment
            changed.append((effective, first, value))
        kept: list[Segment] = []
        for row, start, end, old in segments:
            if end <= effective or (self.mode is Mode.LAST and start > effective):
                kept.append((row, start, end, old))
                continue
            self._close(row, recorded)
            if start < effective:  # the part before the op keeps its value
                changed.append((start, effective, old))
                start = effective
            changed.append((start, end, value if self.mode is Mode.LAST else _add(old, value)))
        # Under LAST a segment's start is an op's date, where a later back-dated op must
        # stop: equal neighbours are not merged. Under SUM they can be.
        ordered = sorted(changed) if self.mode is Mode.LAST else _merge(changed)
        created = [(self._new(key, v, s, e, recorded), s, e, v) for s, e, v in ordered]
        entry[1:] = sorted(kept + created, key=lambda segment: segment[1])

    def _apply_fold(
        self,
        key: Key,
        entry: list[Any],
        effective: int,
        position: int,
        recorded: int,
        value: Value,
    ) -> None:
        assert self.fold is not None
        ops = self._ops.setdefault(key, [])
        at_end = not ops or (effective, position) > ops[-1][:2]
        bisect.insort(ops, (effective, position, value))
        kept: list[Segment] = []
        created: list[Segment] = []
        for row, start, end, old in entry[1:]:
            if end <= effective:
                kept.append((row, start, end, old))
                continue
            self._close(row, recorded)
            if start < effective:
                created.append(
                    (self._new(key, old, start, effective, recorded), start, effective, old)
                )
        if at_end:  # fold on from the last state rather than from the first op
            segments = entry[1:]
            last = segments[-1][3] if segments and segments[-1][2] > effective else None
            if last is None and len(ops) > 1:
                last = self._fold_up_to(ops[:-1], effective)
            state = self.fold(last, value)
            if state is not None:
                created.append(
                    (self._new(key, state, effective, OPEN, recorded), effective, OPEN, state)
                )
        else:
            for start, end, state in self._segments_from(ops, effective):
                created.append((self._new(key, state, start, end, recorded), start, end, state))
        entry[1:] = kept + created

    def _fold_up_to(self, ops: list[tuple[int, int, Value]], effective: int) -> Value | None:
        assert self.fold is not None
        state: Value | None = None
        for op_effective, _, op_value in ops:
            if op_effective > effective:
                break
            state = self.fold(state, op_value)
        return state

    def _segments_from(
        self, ops: list[tuple[int, int, Value]], effective: int
    ) -> list[tuple[int, int, Value]]:
        assert self.fold is not None
        state: Value | None = None
        segments: list[tuple[int, int, Value]] = []
        for index, (op_effective, _, op_value) in enumerate(ops):
            state = self.fold(state, op_value)
            following = ops[index + 1][0] if index + 1 < len(ops) else OPEN
            if following != op_effective and op_effective >= effective and state is not None:
                segments.append((op_effective, following, state))
        return _merge(segments)

    def _close(self, row: int, recorded: int) -> None:
        if self._followers:  # a closed row was open when they were made
            for follower in self._followers:
                found = follower()
                if found is not None:
                    found.reopen(row)
        if self._part >= 0:
            materialised = len(self._rec_to) - len(self._pending)
            part = (
                self._columns[self.stored[self._part]][row]
                if row < materialised
                else self._pending[row - materialised][self._part]
            )
            self._written[part] = self._writing
        self._rec_to[row] = recorded

    def _new(self, key: Key, value: Value, start: int, end: int, recorded: int) -> int:
        row = (*key, *value, start, end, recorded)
        if self._part >= 0:
            self._written[row[self._part]] = self._writing
        self._pending.append(row)
        self._rec_to.append(OPEN)
        return len(self._rec_to) - 1

    def written_since(self, position: int, partitions: Iterable[int] | None = None) -> bool:
        """Whether an op applied after log ``position`` wrote a row of the table, or of
        one of ``partitions`` (values of its partition column)."""
        if self.last_written <= position:
            return False
        if partitions is None or self._part < 0:
            return True
        written = self._written
        return any(written.get(part, 0) > position for part in partitions)

    def prepare(self) -> None:
        """Make the table ready to be read: pending rows moved into the columns and
        indexed (reading does it anyway; a writer calls this after catching up)."""
        self._materialise()

    def _materialise(self) -> None:
        """Move pending rows into the columns (in bulk), and index them."""
        if self._pending:
            for column, values in zip(
                self._columns.values(), zip(*self._pending, strict=True), strict=True
            ):
                column.extend(values)
            self._pending = []
        if self.partition is not None and self._indexed < len(self):
            parts = np.frombuffer(self._columns[self.partition], dtype=np.int64)[self._indexed :]
            order = np.argsort(parts, kind="stable")
            unique = np.unique(parts[order], return_index=True)
            values, starts = np.asarray(unique[0]).tolist(), np.asarray(unique[1]).tolist()
            ends = [*starts[1:], len(order)]
            rows = (order + self._indexed).tolist()
            for part, first, last in zip(values, starts, ends, strict=True):
                self._index.setdefault(part, array("q")).extend(rows[first:last])
            self._indexed = len(self)

    # -- forks (``projections.overlay``) -------------------------------------------

    def follow(self, follower: Follower) -> int:
        """Tell ``follower`` (held weakly) of every row a later op closes; the number of
        rows now, every one of them in the columns."""
        self._materialise()
        self._followers = [f for f in self._followers if f() is not None]
        self._followers.append(weakref.ref(follower))
        return len(self)

    def entry_of(self, key: Key) -> tuple[list[Any], list[tuple[int, int, Value]] | None] | None:
        """Copies of what an op of ``key`` starts from now: its last recorded instant and
        open segments, and its ops (FOLD tables); None for a key never written."""
        entry = self._keys.get(key)
        if entry is None and (self._lazy_rows or self._lazy_ops):
            entry = self._load_entry(key)
        if entry is None:
            return None
        ops = self._ops.get(key)
        return list(entry), None if ops is None else list(ops)

    def partition_rows(self, partition: int) -> Ints:
        """The rows of one value of the partition column, in row order."""
        self._materialise()
        found = self._index.get(partition)
        if found is None:
            return np.zeros(0, dtype=np.int64)
        return np.frombuffer(found, dtype=np.int64).copy()  # a copy: the index grows

    # -- reading ------------------------------------------------------------------

    def column(self, field: str) -> Ints:
        """A column as a numpy array (a view: valid until the next write)."""
        self._materialise()
        data = self._rec_to if field == "rec_to" else self._columns[field]
        if not data:
            return np.zeros(0, dtype=np.int64)
        return np.frombuffer(data, dtype=np.int64)

    def select(
        self,
        as_of: int,
        known_at: int,
        where: dict[str, Iterable[int]] | None = None,
        partitions: Iterable[int] | None = None,
        intervals: bool = False,
    ) -> Columns:
        """The rows in force on ``as_of`` as known at ``known_at``, optionally filtered.

        ``partitions`` restricts the rows to those values of the table's partition column
        without scanning the others (a programme's projects, say); ``intervals`` adds
        each row's ``eff_from`` and ``rec_from`` (when it took effect, when it was known).
        """
        rows: Ints | None = None
        if partitions is not None:
            self._materialise()
            assert self.partition is not None, f"{self.name} has no partition"
            found = [self._index[p] for p in partitions if p in self._index]
            rows = (
                np.concatenate([np.frombuffer(a, dtype=np.int64) for a in found])
                if found
                else np.zeros(0, dtype=np.int64)
            )

        def take(field: str) -> Ints:
            column = self.column(field)
            return column if rows is None else column[rows]

        mask = (take("eff_from") <= as_of) & (take("eff_to") > as_of)
        mask &= (take("rec_from") <= known_at) & (take("rec_to") > known_at)
        for field, accepted in (where or {}).items():
            mask &= np.isin(take(field), np.fromiter(accepted, dtype=np.int64))
        fields = (*self.keys, *self.values, *(("eff_from", "rec_from") if intervals else ()))
        # Row numbers once, then a gather per field: cheaper than scanning the mask again
        # for every field when few rows are in force.
        rows = np.flatnonzero(mask) if rows is None else rows[mask]
        return {f: self.column(f)[rows] for f in fields}

    def history(self, where: dict[str, Iterable[int]] | None = None) -> Columns:
        """Every row, with its intervals (for series over time such as milestone trends)."""
        mask = np.ones(len(self), dtype=bool)
        for field, accepted in (where or {}).items():
            mask &= np.isin(self.column(field), np.fromiter(accepted, dtype=np.int64))
        return {f: self.column(f)[mask] for f in self.fields}

    # -- bulk ---------------------------------------------------------------------

    def bulk_load(self, columns: dict[str, Ints]) -> None:
        """Append many rows at once (fields of ``fields``); their keys become lazy.

        For a table being built or restored: a key already touched since must not get
        rows this way.
        """
        self._materialise()
        first = len(self)
        for name in self.stored:
            self._columns[name].frombytes(np.ascontiguousarray(columns[name], np.int64).tobytes())
        self._rec_to.frombytes(np.ascontiguousarray(columns["rec_to"], np.int64).tobytes())
        heads = np.asarray(columns[self.keys[0]], dtype=np.int64)
        order = np.argsort(heads, kind="stable")
        self._lazy_rows.append((heads[order], order + first))

    def bulk_ops(self, ops: Ints) -> None:
        """Keep a FOLD table's ops (rows of keys, effective, position, recorded, values),
        to be unpacked when an op first touches their key."""
        order = np.argsort(ops[:, 0], kind="stable")
        self._lazy_ops.append((ops[order, 0], ops[order]))

    def _load_entry(self, key: Key) -> list[Any] | None:
        """The open segments (and FOLD ops) of a bulk-loaded key, None for a new key."""
        head = key[0]
        if head in self._unpacked:
            return None
        self._unpacked.add(head)
        rows = _of_head(self._lazy_rows, head)
        ops = _of_head(self._lazy_ops, head)
        entries: dict[Key, list[Any]] = {}
        if len(rows):
            key_columns = [self.column(f)[rows].tolist() for f in self.keys]
            rec_from = self.column("rec_from")[rows].tolist()
            for row_key, recorded in zip(zip(*key_columns, strict=True), rec_from, strict=True):
                entry = entries.get(row_key)
                if entry is None:
                    entries[row_key] = [recorded]
                elif recorded > entry[0]:
                    entry[0] = recorded
            open_rows = rows[self.column("rec_to")[rows] == OPEN]
            open_keys = zip(*(self.column(f)[open_rows].tolist() for f in self.keys), strict=True)
            values = zip(*(self.column(f)[open_rows].tolist() for f in self.values), strict=True)
            starts = self.column("eff_from")[open_rows].tolist()
            ends = self.column("eff_to")[open_rows].tolist()
            for row, row_key, start, end, value in zip(
                open_rows.tolist(), open_keys, starts, ends, values, strict=True
            ):
                entries[row_key].append((row, start, end, value))
        if len(ops):
            width = len(self.keys)
            for op in ops.tolist():
                op_key = tuple(op[:width])
                entry = entries.setdefault(op_key, [op[width + 2]])
                entry[0] = max(entry[0], op[width + 2])
                kept = self._ops.setdefault(op_key, [])
                kept.append((op[width], op[width + 1], tuple(op[width + 3 :])))
            for op_key in {tuple(op) for op in ops[:, :width].tolist()}:
                self._ops[op_key].sort()
        for row_key, entry in entries.items():
            entry[1:] = sorted(entry[1:], key=lambda segment: segment[1])
            self._keys.setdefault(row_key, entry)
        return self._keys.get(key)

    def build(self, ops: Ints) -> None:
        """Bulk-build an empty LAST or FOLD table from ops, one per row: the key's fields,
        effective, position, recorded, then the op's value (``op_width`` fields).

        The rows are exactly those applying the ops one by one would give: vectorised
        for the keys whose ops never go back in effective date (nearly all of them), one
        by one for the others.
        """
        if self.mode is Mode.SUM:
            raise ValueError(f"{self.name} sums: apply its ops one by one")
        if len(self) or self._keys:
            raise ValueError(f"{self.name} is not empty: build it from zero only")
        width = len(self.keys)
        if ops.shape[1] != width + 3 + self.op_width:
            raise ValueError(f"{self.name}: ops of {ops.shape[1]} fields")
        if not len(ops):
            return
        order = np.lexsort([ops[:, width + 1], *(ops[:, i] for i in reversed(range(width)))])
        ops = np.array(ops[order], dtype=np.int64)
        keyed = {name: ops[:, i] for i, name in enumerate(self.keys)}
        same_key = _same_key(keyed, self.keys)
        group = np.cumsum(~same_key) - 1
        # One key's ops are recorded in order: a later position never goes back in time.
        recorded = pd.Series(ops[:, width + 2]).groupby(group).cummax()
        ops[:, width + 2] = recorded.to_numpy(np.int64)
        effective = ops[:, width]
        went_back = same_key[1:] & (effective[1:] < effective[:-1])
        irregular = np.isin(group, np.unique(group[1:][went_back]))
        if self.mode is Mode.FOLD:
            self.bulk_ops(ops)
            states, undefined = self._fold_states(ops[:, width + 3 :], same_key, irregular)
            irregular |= np.isin(group, np.unique(group[undefined]))
        else:
            states = ops[:, width + 3 :]
        steady = {name: ops[~irregular, i] for i, name in enumerate(self.keys)}
        steady |= {name: states[~irregular, i] for i, name in enumerate(self.values)}
        steady |= {"effective": effective[~irregular], "recorded": ops[~irregular, width + 2]}
        self._bulk_steady(steady)
        if irregular.any():
            self._bulk_one_by_one(ops[irregular])

    def _fold_states(
        self, values: Ints, same_key: npt.NDArray[np.bool_], skip: npt.NDArray[np.bool_]
    ) -> tuple[Ints, npt.NDArray[np.bool_]]:
        """The state after each op of the keys not skipped, and where it is undefined."""
        assert self.fold is not None
        fold = self.fold
        states: list[Value] = []
        undefined = np.zeros(len(skip), dtype=bool)
        state: Value | None = None
        blank = (0,) * len(self.values)
        for index, (same, skipped, value) in enumerate(
            zip(same_key.tolist(), skip.tolist(), map(tuple, values.tolist()), strict=True)
        ):
            if skipped:
                states.append(blank)
                continue
            state = fold(state if same else None, value)
            if state is None:
                undefined[index] = True
                states.append(blank)
            else:
                states.append(state)
        matrix = np.array(states, dtype=np.int64).reshape(len(states), len(self.values))
        return matrix, undefined

    def _bulk_one_by_one(self, ops: Ints) -> None:
        """Rows for keys whose ops go back in date: applied one by one on a scratch table."""
        scratch = StepTable(
            self.name, self.keys, self.values, self.mode, self.fold, op_width=self.op_width
        )
        width = len(self.keys)
        by_position = np.argsort(ops[:, width + 1], kind="stable")
        for op in ops[by_position].tolist():
            scratch.apply(
                tuple(op[:width]), op[width], op[width + 1], op[width + 2], tuple(op[width + 3 :])
            )
        scratch._materialise()
        self.bulk_load({f: scratch.column(f) for f in self.fields})

    def _bulk_steady(self, ops: dict[str, Ints]) -> None:
        """Keys whose effective dates never go back (ops sorted by key, then position):
        a tail row per op, and where the date moves on, the previous value reopened up
        to the new date."""
        if not len(ops["effective"]):
            return
        same_key = _same_key(ops, self.keys)
        effective, recorded = ops["effective"], ops["recorded"]
        following = np.append(same_key[1:], False)
        tails = {f: ops[f] for f in (*self.keys, *self.values)}
        tails |= {
            "eff_from": effective,
            "eff_to": np.full(len(effective), OPEN, dtype=np.int64),
            "rec_from": recorded,
            "rec_to": np.where(following, np.append(recorded[1:], OPEN), OPEN),
        }
        moved = same_key & (np.append(0, effective[:-1]) < effective)
        previous = np.flatnonzero(moved) - 1
        reopened = {f: tails[f][previous] for f in (*self.keys, *self.values)}
        reopened |= {
            "eff_from": effective[previous],
            "eff_to": effective[moved],
            "rec_from": recorded[moved],
            "rec_to": np.full(int(moved.sum()), OPEN, dtype=np.int64),
        }
        self.bulk_load({f: np.concatenate([tails[f], reopened[f]]) for f in self.fields})

    # -- persistence ----------------------------------------------------------------

    def snapshot(self) -> dict[str, Ints]:
        """Everything needed to restore the table: its columns (``fields``) and, for a
        FOLD table, its ops as rows under ``"ops"`` (keys, effective, position,
        recorded, value)."""
        self._materialise()
        saved = {f: self.column(f).copy() for f in self.fields}
        if self.mode is Mode.FOLD:
            width = len(self.keys) + 3 + self.op_width
            parts = [np.zeros((0, width), dtype=np.int64)]
            unpacked = np.fromiter(self._unpacked, dtype=np.int64)
            parts += [ops[~np.isin(heads, unpacked)] for heads, ops in self._lazy_ops]
            kept = [
                (*key, effective, position, self._keys[key][0], *value)
                for key, key_ops in self._ops.items()
                for effective, position, value in key_ops
            ]
            if kept:
                parts.append(np.array(kept, dtype=np.int64).reshape(len(kept), width))
            saved["ops"] = np.concatenate(parts)
        return saved

    def restore(self, saved: dict[str, Ints]) -> None:
        """Load a snapshot into this empty table (keys unpacked when first touched)."""
        if len(self) or self._keys:
            raise ValueError(f"{self.name} is not empty: restore into a new table")
        self.bulk_load(saved)
        if self.mode is Mode.FOLD:
            self.bulk_ops(saved["ops"])

    def fold_ops(self) -> dict[Key, list[tuple[int, int, Value]]]:
        """The ops kept for FOLD keys (all unpacked: for tests and checks)."""
        for heads, _ in self._lazy_ops:
            for head in np.unique(heads).tolist():
                self._load_entry((head,))
        return self._ops

    def digest_rows(self) -> Iterator[tuple[int, ...]]:
        """Every row, fields in ``fields`` order."""
        self._materialise()
        columns = [*self._columns.values(), self._rec_to]
        return zip(*columns, strict=True)


def _same_key(columns: dict[str, Ints], keys: tuple[str, ...]) -> npt.NDArray[np.bool_]:
    """For rows sorted by key: whether each row has the same key as the row before."""
    same = np.ones(len(columns[keys[0]]), dtype=bool)
    for name in keys:
        column = columns[name]
        same[1:] &= column[1:] == column[:-1]
    if len(same):
        same[0] = False
    return same


def _of_head(parts: list[tuple[Ints, Ints]], head: int) -> Ints:
    """The entries of ``head`` in lazily kept parts (sorted heads beside their entries)."""
    found = []
    for heads, entries in parts:
        start, end = np.searchsorted(heads, [head, head + 1])
        if end > start:
            found.append(entries[start:end])
    if not found:
        return np.zeros((0, *parts[0][1].shape[1:]) if parts else 0, dtype=np.int64)
    return found[0] if len(found) == 1 else np.concatenate(found)


def _merge(segments: list[tuple[int, int, Value]]) -> list[tuple[int, int, Value]]:
    """Adjacent segments with the same value become one."""
    merged: list[tuple[int, int, Value]] = []
    for start, end, value in sorted(segments):
        if merged and merged[-1][1] == start and merged[-1][2] == value:
            merged[-1] = (merged[-1][0], end, value)
        else:
            merged.append((start, end, value))
    return merged
