"""The view follows its ledger: snapshots beside the events, resume, rebuild, read-your-writes."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from eventsourcing.persistence import StoredEvent

from api.demo.simulation import run_demo
from domain import commands as c
from domain.ledger import Ledger
from projections import view as view_module
from projections.view import PortfolioView
from projections.view_store import ViewStore
from tests.conftest import Record, positions


def test_a_view_sees_a_command_as_soon_as_it_is_recorded(portfolio: Ledger, record: Record) -> None:
    view = PortfolioView(portfolio)
    assert view.state()["milestones"]["forecast"].tolist() == [pd.Timestamp("2026-06-30")]
    record(
        c.ShiftMilestone(
            project="PAY-CHECKOUT", milestone="GO-LIVE", forecast="2026-07-15", rationale="late"
        )
    )
    milestones = view.state()["milestones"]
    assert milestones["forecast"].tolist() == [pd.Timestamp("2026-07-15")]
    assert milestones["shifts"].tolist() == [1]


def test_a_view_resumes_from_its_snapshot_and_catches_up_only_what_followed(
    portfolio: Ledger, record: Record
) -> None:
    first = PortfolioView(portfolio)
    first.catch_up()
    assert first.save()
    saved_at = first.position
    record(
        c.RaiseBudget(
            project="PAY-WALLET",
            fiscal_year=2026,
            nature="opex",
            amount="5000",
            rationale="wallet pilot",
        )
    )
    resumed = PortfolioView(portfolio)
    assert resumed.restored_from == saved_at
    caught = resumed.catch_up()
    assert caught.events == positions(portfolio) - saved_at
    assert not caught.rebuilt
    rebuilt = PortfolioView(portfolio, persist=False)
    assert rebuilt.catch_up().rebuilt
    assert resumed.digest() == rebuilt.digest()
    envelopes = resumed.state()["envelopes"]
    wallet = envelopes[(envelopes["project"] == "PAY-WALLET") & (envelopes["nature"] == "opex")]
    assert wallet["raised"].tolist() == [5000.0]


def test_the_digest_tells_two_different_views_apart(portfolio: Ledger, record: Record) -> None:
    before = PortfolioView(portfolio, persist=False)
    before.catch_up()
    digest = before.digest()
    record(
        c.CutBudget(
            project="PAY-WALLET", fiscal_year=2026, nature="capex", amount="1", rationale="rounding"
        )
    )
    after = PortfolioView(portfolio, persist=False)
    after.catch_up()
    assert after.digest() != digest
    before.catch_up()
    assert before.digest() == after.digest()


def test_a_further_snapshot_is_never_replaced_by_an_older_one(
    portfolio: Ledger, record: Record
) -> None:
    behind = PortfolioView(portfolio)
    behind.catch_up()
    record(
        c.RaiseBudget(
            project="PAY-WALLET", fiscal_year=2026, nature="capex", amount="10", rationale="more"
        )
    )
    ahead = PortfolioView(portfolio)
    ahead.catch_up()
    assert ahead.save()
    assert not behind.save()  # behind is at an older position
    assert ViewStore(portfolio).position() == ahead.position


def test_a_snapshot_of_another_view_version_is_ignored_and_the_view_rebuilt(
    portfolio: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = PortfolioView(portfolio)
    old.catch_up()
    old.save()
    monkeypatch.setattr(view_module, "HANDLERS_VERSION", view_module.HANDLERS_VERSION + 1)
    new = PortfolioView(portfolio)
    assert new.restored_from is None
    assert new.catch_up().rebuilt
    assert new.digest() == old.digest()


def test_a_view_saves_a_snapshot_once_enough_was_caught_up(
    portfolio: Ledger, record: Record
) -> None:
    view = PortfolioView(portfolio, save_every=5)
    assert view.catch_up().saved
    assert ViewStore(portfolio).position() == positions(portfolio)
    record(
        c.RaiseBudget(
            project="PAY-WALLET", fiscal_year=2026, nature="capex", amount="10", rationale="more"
        )
    )
    assert not view.catch_up().saved  # fewer than five events since


@pytest.mark.slow
def test_a_view_resumed_many_times_equals_the_view_rebuilt_from_zero(tmp_path: Path) -> None:
    """A demo portfolio's log copied slice by slice into a new store, followed by views
    that each restore the last snapshot, catch up one slice and save: in the end, the
    same digest as one rebuild from zero."""
    database = str(tmp_path / "demo.db")
    run_demo(database, today=date(2025, 1, 1) + timedelta(days=150), seed=7)
    with Ledger(database) as ledger:
        total = positions(ledger)
        whole = PortfolioView(ledger, persist=False)
        whole.catch_up()
        stored = [
            StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
            for n in ledger.recorder.select_notifications(start=1, limit=total)
        ]
    slices = [0, 1, 50, total // 3, total // 2, total - 7, total]
    with Ledger(str(tmp_path / "copy.db")) as copy:
        for start, end in itertools.pairwise(slices):
            copy.recorder.insert_events(stored[start:end])
            follower = PortfolioView(copy, save_every=1)
            assert follower.restored_from == (start or None)
            follower.catch_up()
            assert follower.position == end
        assert follower.digest() == whole.digest()
