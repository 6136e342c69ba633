"""Idempotency keys expire: within their time a retry replays, after it the key is new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.idempotency import TABLE, IdempotencyStore, Stored
from api.settings import Settings
from api.sidecar import SideTables
from domain.ledger import Ledger


class Moment:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_key_replays_within_its_time_and_is_new_after_it(ledger: Ledger) -> None:
    clock = Moment()
    store = IdempotencyStore(ledger, timedelta(hours=24), now=clock)
    assert store.claim("claire.dubois", "K-1", "transfer").fresh
    store.store("claire.dubois", "K-1", Stored(201, b'{"ok": true}', {}))
    clock.now += timedelta(hours=23, minutes=59)
    replay = store.claim("claire.dubois", "K-1", "transfer")
    assert replay.stored == Stored(201, b'{"ok": true}', {})
    assert store.claim("claire.dubois", "K-1", "another body").mismatch
    clock.now += timedelta(minutes=2)  # 24 h and a minute after the first use
    assert store.claim("claire.dubois", "K-1", "another body").fresh


def test_expired_keys_of_others_are_purged_when_a_key_is_claimed(ledger: Ledger) -> None:
    clock = Moment()
    IdempotencyStore(ledger, timedelta(hours=1), now=clock).claim("marc.leroy", "K-9", "plan")
    clock.now += timedelta(hours=2)
    IdempotencyStore(ledger, timedelta(hours=1), now=clock).claim("claire.dubois", "K-1", "x")
    tables = SideTables(ledger)
    kept = tables.one(f"SELECT COUNT(*), MIN(principal) FROM {tables.name(TABLE)}", ())
    assert kept == (1, "claire.dubois")


def test_the_expiry_is_a_setting_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings(database="x.db").idempotency_hours == 24
    monkeypatch.setenv("PMO_API_IDEMPOTENCY_HOURS", "2.5")
    assert Settings.from_environment("x.db").idempotency_hours == 2.5
