"""One setting chooses the store: a SQLite path or a postgresql:// URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.ledger import Ledger
from domain.persistence import (
    DEFAULT_DATABASE,
    StoreConfigurationError,
    database_setting,
    resolve_store,
)


def test_the_default_store_is_a_sqlite_file_in_the_current_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PMO_DATABASE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert database_setting(None) == DEFAULT_DATABASE == "./pmo-ledger.db"
    store = resolve_store(database_setting(None))
    assert store.kind == "sqlite"
    assert store.display == str(tmp_path / "pmo-ledger.db")


def test_the_option_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_DATABASE", "/from/env.db")
    assert database_setting(None) == "/from/env.db"
    assert database_setting("/from/option.db") == "/from/option.db"


def test_a_postgresql_url_is_split_into_settings_without_showing_the_password() -> None:
    store = resolve_store("postgresql://pmo:s3cret@db.example:6543/portfolio?schema=ledger")
    assert store.is_postgres
    assert store.env["POSTGRES_HOST"] == "db.example"
    assert store.env["POSTGRES_PORT"] == "6543"
    assert store.env["POSTGRES_DBNAME"] == "portfolio"
    assert store.env["POSTGRES_USER"] == "pmo"
    assert store.env["POSTGRES_PASSWORD"] == "s3cret"
    assert store.env["POSTGRES_SCHEMA"] == "ledger"
    assert "s3cret" not in store.display


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("mysql://root@localhost/pmo", "unsupported store 'mysql'"),
        ("postgresql://localhost", "needs a host and a database name"),
        ("postgresql://h/db?sslmode=require", "unsupported PostgreSQL URL options"),
        ("/no/such/folder/ledger.db", "does not exist"),
    ],
)
def test_a_store_setting_that_cannot_work_is_refused_clearly(setting: str, message: str) -> None:
    with pytest.raises(StoreConfigurationError, match=message):
        resolve_store(setting)


def test_the_process_environment_cannot_redirect_the_ledger(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.popo")
    monkeypatch.setenv("SQLITE_DBNAME", str(tmp_path / "elsewhere.db"))
    with Ledger(str(tmp_path / "chosen.db")) as ledger:
        assert ledger.store.display == str(tmp_path / "chosen.db")
    assert (tmp_path / "chosen.db").exists()
    assert not (tmp_path / "elsewhere.db").exists()
