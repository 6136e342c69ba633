"""A step table answers exactly what a naive fold of the ops would, at any (as_of, known_at)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.bitemporal import OPEN, Fold, Mode, StepTable, Value


def _last(state: Value | None, op: Value) -> Value | None:
    return op


def _add(state: Value | None, op: Value) -> Value | None:
    return op if state is None else tuple(a + b for a, b in zip(state, op, strict=True))


def _counter(state: Value | None, op: Value) -> Value | None:
    """A small state machine: (count, last) ; an op of -1 deletes the key."""
    if op[0] == -1:
        return None
    count = 0 if state is None else state[0]
    return (count + 1, op[0])


FOLDS: dict[Mode, Fold] = {Mode.LAST: _last, Mode.SUM: _add, Mode.FOLD: _counter}

ops_strategy = st.lists(
    st.tuples(
        st.integers(0, 2),  # key
        st.integers(0, 30),  # effective
        st.integers(0, 3),  # recorded time increment
        st.integers(-1, 5),  # value
    ),
    max_size=40,
)
queries = st.lists(st.tuples(st.integers(-1, 32), st.integers(-1, 130)), min_size=1, max_size=15)


def _expected(
    ops: list[tuple[int, int, int, int, Value]], mode: Mode, as_of: int, known_at: int
) -> dict[tuple[int], Value]:
    result: dict[tuple[int], Value] = {}
    for key in {op[0] for op in ops}:
        state: Value | None = None
        known = [op for op in ops if op[0] == key and op[1] <= as_of and op[3] <= known_at]
        for _, _, _, _, value in sorted(known, key=lambda op: (op[1], op[2])):
            state = FOLDS[mode](state, value)
        if state is not None:
            result[(key,)] = state
    return result


def _selected(table: StepTable, as_of: int, known_at: int) -> dict[tuple[int], Value]:
    rows = table.select(as_of, known_at)
    keys = rows["key"].tolist()
    values = list(zip(*(rows[v].tolist() for v in table.values), strict=True))
    assert len(set(keys)) == len(keys), "two rows for one key"
    return {(k,): tuple(v) for k, v in zip(keys, values, strict=True)}


def _build(mode: Mode, raw: list[tuple[int, int, int, int]]) -> tuple[StepTable, list[Any]]:
    values = ("count", "last") if mode is Mode.FOLD else ("value",)
    fold = FOLDS[mode] if mode is Mode.FOLD else None
    table = StepTable("t", ("key",), values, mode, fold, op_width=1)
    ops: list[Any] = []
    recorded = 0
    for position, (key, effective, step, value) in enumerate(raw):
        recorded += step
        op_value: Value = (value,)
        ops.append((key, effective, position, recorded, op_value))
        table.apply((key,), effective, position, recorded, op_value)
    return table, ops


@settings(max_examples=400, deadline=None)
@given(ops_strategy, queries, st.sampled_from(list(Mode)))
def test_a_step_table_equals_the_naive_fold_at_any_date_as_known_at_any_time(
    raw: list[tuple[int, int, int, int]], points: list[tuple[int, int]], mode: Mode
) -> None:
    table, ops = _build(mode, raw)
    for as_of, known_at in points:
        assert _selected(table, as_of, known_at) == _expected(ops, mode, as_of, known_at)


@settings(max_examples=100, deadline=None)
@given(ops_strategy, queries, st.sampled_from(list(Mode)))
def test_a_table_restored_from_its_snapshots_answers_the_same_and_goes_on_the_same(
    raw: list[tuple[int, int, int, int]], points: list[tuple[int, int]], mode: Mode
) -> None:
    original, _ = _build(mode, raw)
    table, _ = _build(mode, [])
    recorded = 0
    cuts = {len(raw) // 3, 2 * len(raw) // 3}  # restored twice: the second time, lazily
    for position, (key, effective, step, value) in enumerate(raw):
        if position in cuts:
            restored = StepTable("t", table.keys, table.values, mode, table.fold, op_width=1)
            restored.restore(table.snapshot())
            table = restored
        recorded += step
        table.apply((key,), effective, position, recorded, (value,))
    assert sorted(table.digest_rows()) == sorted(original.digest_rows())
    assert table.fold_ops() == original.fold_ops()
    for as_of, known_at in points:
        assert _selected(table, as_of, known_at) == _selected(original, as_of, known_at)


def test_a_back_dated_op_closes_only_what_it_changes() -> None:
    table = StepTable("forecast", ("key",), ("value",), Mode.LAST)
    table.apply((1,), 10, 0, 100, (7,))
    table.apply((1,), 20, 1, 200, (8,))
    table.apply((1,), 15, 2, 300, (9,))  # back-dated between the two
    assert _selected(table, 16, 250) == {(1,): (7,)}  # known before the correction
    assert _selected(table, 16, 300) == {(1,): (9,)}
    assert _selected(table, 25, 300) == {(1,): (8,)}  # the later op still wins after its date
    open_rows = [row for row in table.digest_rows() if row[-1] == OPEN]
    assert [(r[2], r[3]) for r in open_rows] == [(20, OPEN), (10, 15), (15, 20)]


@settings(max_examples=400, deadline=None)
@given(ops_strategy, ops_strategy, queries, st.sampled_from([Mode.LAST, Mode.FOLD]))
def test_a_bulk_built_table_has_the_rows_of_one_built_op_by_op_and_goes_on_alike(
    first: list[tuple[int, int, int, int]],
    then: list[tuple[int, int, int, int]],
    points: list[tuple[int, int]],
    mode: Mode,
) -> None:
    sequential, ops = _build(mode, first)
    bulk = StepTable("t", sequential.keys, sequential.values, mode, sequential.fold, op_width=1)
    bulk.build(np.array([(k, e, p, r, *v) for k, e, p, r, v in ops], dtype=np.int64).reshape(-1, 5))
    assert sorted(bulk.digest_rows()) == sorted(sequential.digest_rows())
    recorded = ops[-1][3] if ops else 0
    for position, (key, effective, step, value) in enumerate(then, start=len(first)):
        recorded += step
        for table in (sequential, bulk):
            table.apply((key,), effective, position, recorded, (value,))
    for as_of, known_at in points:
        assert _selected(bulk, as_of, known_at) == _selected(sequential, as_of, known_at)
    assert bulk.fold_ops() == sequential.fold_ops()


def test_an_op_marks_the_partitions_it_writes_by_its_event_position() -> None:
    # A risk-like table: its partition (the programme) is a value, so an op may move a
    # key from one partition to another: both are written.
    table = StepTable("owned", ("item",), ("programme", "level"), Mode.LAST, partition="programme")
    table.apply((1,), 10, 100, 1_000, (7, 1))
    table.apply((2,), 10, 101, 1_001, (8, 1))
    table.prepare()  # the rows closed next are in the columns, not pending
    assert not table.written_since(101)
    assert table.written_since(100, [8])
    assert not table.written_since(100, [7])
    table.apply((1,), 12, 102, 1_002, (9, 2))  # item 1 moves from programme 7 to 9
    assert table.written_since(101, [7])
    assert table.written_since(101, [9])
    assert not table.written_since(101, [8])
    # An op that carries an earlier position (a release re-applied) is marked by the
    # event applying it.
    table.apply((2,), 11, 50, 1_003, (8, 3), mark=103)
    assert table.written_since(102, [8])
    assert not table.written_since(103)


def test_a_table_without_partitions_is_written_whole() -> None:
    table = StepTable("links", ("link",), ("state",), Mode.LAST)
    table.apply((1,), 10, 5, 1_000, (1,))
    assert table.written_since(4, [123])
    assert not table.written_since(5, [123])
