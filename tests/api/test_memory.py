"""A big ledger's read models are frozen out of the garbage collector's sight while the
application serves, and given back when it stops (``api.memory``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import memory
from api.app import create_app
from api.settings import Settings
from domain import commands as c
from domain.ledger import Ledger


@pytest.fixture(autouse=True)
def nothing_frozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_big_ledgers_objects_are_frozen_until_released() -> None:
    assert memory.settle(memory.SETTLE_FROM)
    assert gc.get_freeze_count() > 0
    memory.release()
    assert gc.get_freeze_count() == 0


def test_a_small_ledger_is_left_to_the_collector() -> None:
    assert not memory.settle(memory.SETTLE_FROM - 1)
    assert gc.get_freeze_count() == 0


def test_the_application_freezes_its_read_models_while_it_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = str(tmp_path / "ledger.db")
    with Ledger(database) as ledger:
        ledger.execute(
            c.OpenPerimeter(code="B2C", name="Business to consumer"), author="claire.dubois"
        )
    monkeypatch.setattr(memory, "SETTLE_FROM", 1)  # this ledger counts as big
    with TestClient(create_app(Settings(database=database))) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_a_small_ledgers_application_freezes_nothing(tmp_path: Path) -> None:
    database = str(tmp_path / "ledger.db")
    with TestClient(create_app(Settings(database=database))) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == 0
