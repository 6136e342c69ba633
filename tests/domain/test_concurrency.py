"""Concurrent writers on one aggregate lose nothing and duplicate nothing, on both stores."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from itertools import count

import pytest

from domain import commands as c
from domain.clock import SimulatedClock
from domain.enums import EnvelopeOwner, Nature
from domain.errors import ConcurrencyConflict
from domain.ledger import Ledger
from domain.model import Envelope, Project

WRITERS = 8
COMMANDS_EACH = 6
_codes = count(1)
_lock = threading.Lock()


def _new_id() -> str:
    with _lock:
        return f"{next(_codes):08d}"


def _envelope_key() -> str:
    return Envelope.key(EnvelopeOwner.PROJECT, Project.id_for("PAY-CHECKOUT"), 2026)


def _in_parallel(work: Callable[[int], object]) -> list[object]:
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        return list(pool.map(work, range(WRITERS)))


def test_concurrent_writers_without_expected_version_lose_and_duplicate_nothing(
    portfolio: Ledger, store_url: str, clock: SimulatedClock
) -> None:
    start_version = portfolio.version_of(Envelope, _envelope_key())

    def writer(number: int) -> int:
        with Ledger(store_url, clock=clock, new_id=_new_id) as ledger:
            for i in range(COMMANDS_EACH):
                ledger.execute(
                    c.RaiseBudget(
                        project="PAY-CHECKOUT",
                        fiscal_year=2026,
                        nature="capex",
                        amount=f"{number + 1}",
                        rationale=f"writer {number} raise {i}",
                    ),
                    author=f"writer-{number}",
                )
        return number

    _in_parallel(writer)
    envelope = portfolio.load(Envelope, _envelope_key())
    raises = [e for e in envelope.history if isinstance(e, Envelope.Raised)]
    assert len(raises) == WRITERS * COMMANDS_EACH
    assert [e.originator_version for e in envelope.history] == list(range(1, envelope.version + 1))
    assert envelope.version == start_version + WRITERS * COMMANDS_EACH
    assert len({e.rationale for e in raises}) == WRITERS * COMMANDS_EACH  # none twice
    extra = sum(Decimal(n + 1) * COMMANDS_EACH for n in range(WRITERS))
    assert envelope.state().balance(Nature.CAPEX) == Decimal("100000.00") + extra


def test_concurrent_writers_with_the_same_expected_version_leave_one_winner(
    portfolio: Ledger, store_url: str, clock: SimulatedClock
) -> None:
    version = portfolio.version_of(Project, "PAY-CHECKOUT")
    barrier = threading.Barrier(WRITERS)

    def writer(number: int) -> str:
        with Ledger(store_url, clock=clock, new_id=_new_id) as ledger:
            barrier.wait()
            try:
                ledger.execute(
                    c.ShiftMilestone(
                        project="PAY-CHECKOUT",
                        milestone="GO-LIVE",
                        forecast=f"2026-07-{number + 1:02d}",
                        rationale=f"proposal {number}",
                        expected_version=version,
                    ),
                    author=f"writer-{number}",
                )
            except ConcurrencyConflict as conflict:
                # Threads report what they saw; the test asserts on the outcomes.
                return f"conflict {conflict.expected}->{conflict.current}"
            return "won"

    outcomes = _in_parallel(writer)
    losers = [f"conflict {version}->{version + 1}"] * (WRITERS - 1)
    assert sorted(outcomes) == [*losers, "won"]
    project = portfolio.load(Project, "PAY-CHECKOUT")
    assert project.version == version + 1
    shifts = [e for e in project.history if isinstance(e, Project.MilestoneShifted)]
    assert len(shifts) == 1


def test_a_stale_expected_version_is_refused_with_the_current_version(
    portfolio: Ledger,
) -> None:
    version = portfolio.version_of(Project, "PAY-CHECKOUT")
    with pytest.raises(ConcurrencyConflict) as refused:
        portfolio.execute(
            c.ShiftMilestone(
                project="PAY-CHECKOUT",
                milestone="GO-LIVE",
                forecast="2026-07-31",
                rationale="stale read",
                expected_version=version - 1,
            ),
            author="claire.dubois",
        )
    assert (refused.value.expected, refused.value.current) == (version - 1, version)
    assert f"version {version}" in str(refused.value)
    assert portfolio.version_of(Project, "PAY-CHECKOUT") == version


def test_ledgers_starting_together_on_an_empty_store_all_come_up(store_url: str) -> None:
    barrier = threading.Barrier(WRITERS)

    def start(number: int) -> int:
        barrier.wait()
        with Ledger(store_url) as ledger:
            return ledger.recorder.max_notification_id() or 0

    assert _in_parallel(start) == [0] * WRITERS
