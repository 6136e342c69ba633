"""A forked projector (a scenario's read models over the plan of record's) answers exactly
what a copy of the plan of record's read models would, costs only its own events, and
leaves the plan of record as it was — even when the plan of record moves on afterwards.

The oracle is the copy the scenarios used before the fork (``Projector.snapshot`` and
``restored``, then the same events applied): every table's rows, in the same order with
the same ends, and every section of the state at random dates, on demo ledgers of random
seeds, with the fork made at a random point of the log, from a view followed event by
event or restored from its snapshot.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.demo.simulation import run_demo
from domain.ledger import Ledger
from projections.overlay import OverlayTable
from projections.projector import Projector
from projections.state import SECTIONS, Scope, portfolio_state

Row = tuple[int, str, str, bytes]


def _log(database: Path) -> list[Row]:
    with Ledger(str(database)) as ledger:
        found = ledger.recorder.select_notifications(start=1, limit=10**6)
        return [(n.id, n.topic, UUID(str(n.originator_id)).hex, n.state) for n in found]


def _projected(rows: list[Row], bulk: bool = True) -> Projector:
    projector = Projector()
    if bulk:
        projector.start_bulk()
    for row in rows:
        projector.apply(*row)
    projector.finish_bulk()
    for table in projector.tables.values():
        table.prepare()
    return projector


def _apply(projector: Projector, rows: list[Row]) -> None:
    for row in rows:
        projector.apply(*row)
    for table in projector.tables.values():
        table.prepare()


def _rows_of(projector: Projector) -> dict[str, list[np.ndarray[Any, Any]]]:
    return {
        name: [table.column(field) for field in table.fields]
        for name, table in projector.tables.items()
    }


def _assert_same_rows(seen: Projector, expected: Projector) -> None:
    for name, columns in _rows_of(expected).items():
        for field, theirs, ours in zip(
            expected.tables[name].fields, columns, _rows_of(seen)[name], strict=True
        ):
            assert np.array_equal(ours, theirs), f"{name}.{field} differs"


def _assert_same_state(
    seen: Projector, expected: Projector, as_of: date, known_at: datetime
) -> None:
    scopes = [Scope()]
    programmes = portfolio_state(expected, as_of, known_at, Scope(), ["programmes"])["programmes"]
    if len(programmes):
        scopes.append(Scope("programme", str(programmes["programme"].iloc[0])))
    for scope in scopes:
        ours = portfolio_state(seen, as_of, known_at, scope)
        theirs = portfolio_state(expected, as_of, known_at, scope)
        for section in SECTIONS:
            pd.testing.assert_frame_equal(ours[section], theirs[section], obj=section)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> list[Row]:
    """The log of a small demo ledger (about 7,000 events)."""
    database = tmp_path_factory.mktemp("fork") / "ledger.db"
    run_demo(str(database), today=date(2026, 6, 1), seed=3)
    return _log(database)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    at=st.floats(0.05, 0.95),
    branch=st.integers(1, 400),
    restored=st.booleans(),
    points=st.lists(st.tuples(st.integers(-30, 500), st.integers(0, 500)), min_size=2, max_size=4),
)
def test_a_fork_answers_what_a_copy_answers_and_the_base_stays_as_it_was(
    demo: list[Row], at: float, branch: int, restored: bool, points: list[tuple[int, int]]
) -> None:
    split = int(at * len(demo))
    before, after = demo[:split], demo[split:]
    main, untouched = _projected(before), _projected(before)
    if restored:  # a server's view: restored from its snapshot, its keys unpacked lazily
        main, untouched = Projector.restored(main.snapshot()), Projector.restored(main.snapshot())
    copy = Projector.restored(main.snapshot())
    fork = main.fork()
    # The branch's events: any events recorded after the fork point will do.
    _apply(copy, after[:branch])
    _apply(fork, after[:branch])

    _assert_same_rows(fork, copy)
    _assert_same_rows(main, untouched)  # the base never saw the fork's events
    # The base moves on (its view catches up) while the fork lives: the fork's answers
    # stay those of the copy, and the base's those of a view that never forked.
    _apply(main, after)
    _apply(untouched, after)
    _assert_same_rows(fork, copy)
    _assert_same_rows(main, untouched)
    for as_of_offset, known_offset in points:
        as_of = date(2025, 1, 1) + timedelta(days=as_of_offset)
        known_at = datetime(2025, 1, 2, 12, tzinfo=UTC) + timedelta(days=known_offset)
        _assert_same_state(fork, copy, as_of, known_at)


def test_a_fork_refuses_events_once_its_base_has_moved_on(demo: list[Row]) -> None:
    main = _projected(demo[:1000])
    fork = main.fork()
    _apply(main, demo[1000:1200])

    with pytest.raises(RuntimeError, match="moved on"):
        _apply(fork, demo[1000:1200])


def test_a_fork_holds_only_its_own_rows(demo: list[Row]) -> None:
    main = _projected(demo[:-50])
    fork = main.fork()
    _apply(fork, demo[-50:])

    own = sum(len(t.delta) for t in fork.tables.values() if isinstance(t, OverlayTable))
    assert 0 < own < 50 * 30  # the rows the fork's events wrote, not the base's
    assert (
        sum(len(t) for t in fork.tables.values()) == sum(len(t) for t in main.tables.values()) + own
    )
    assert len(fork.labels) >= len(main.labels)
    assert fork.labels.texts[: len(main.labels)] == main.labels.texts
