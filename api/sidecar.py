"""Tables the HTTP API keeps beside the ledger's events, in the same database.

API tokens and idempotency records live where the events live, so every worker of a
deployment (several ``pmo serve`` processes on one PostgreSQL database, or on one
SQLite file) sees the same ones. The tables are created on first use, one process at
a time on PostgreSQL (advisory lock), as the read models' snapshots are
(projections/view_store.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from domain.ledger import Ledger

_DDL_LOCK = 0x504D4F41504921  # "PMOAPI!": creating the API's tables, one process at a time


class SideTables:
    """SQL on tables in the ledger's own database, whichever store it is."""

    def __init__(self, ledger: Ledger) -> None:
        recorder = ledger.recorder
        self._datastore: SQLiteDatastore | PostgresDatastore
        if isinstance(recorder, SQLiteApplicationRecorder):
            self._datastore = recorder.datastore
            self.postgres = False
            self._prefix = ""
            self.mark = "?"
        elif isinstance(recorder, PostgresApplicationRecorder):
            self._datastore = recorder.datastore
            self.postgres = True
            self._prefix = f'"{recorder.datastore.schema}".'
            self.mark = "%s"
        else:  # pragma: no cover - the ledger only runs on these two stores
            raise TypeError(f"no side tables for {type(recorder).__name__}")

    def name(self, table: str) -> str:
        """The table's name, qualified by the PostgreSQL schema when there is one."""
        return f"{self._prefix}{table}"

    def create(self, statements: Sequence[str]) -> None:
        """Run ``CREATE … IF NOT EXISTS`` statements, one process at a time."""
        with self.transaction() as cursor:
            if self.postgres:  # concurrent CREATE … IF NOT EXISTS is not safe there
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_DDL_LOCK,))
            for statement in statements:
                cursor.execute(statement)

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Any]:
        """A cursor in one transaction (committed unless ``commit`` is False)."""
        with self._datastore.transaction(commit=commit) as cursor:
            yield cursor

    def one(self, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        """The first row of a query, as a tuple (None when there is none)."""
        with self.transaction(commit=False) as cursor:
            cursor.execute(sql, tuple(params))
            row = cursor.fetchone()
        return _as_tuple(row)

    def blob(self) -> str:
        """The column type of raw bytes."""
        return "BYTEA" if self.postgres else "BLOB"


def rowcount(cursor: Any) -> int:
    """How many rows the last statement changed (the SQLite datastore wraps its cursor)."""
    return int(getattr(cursor, "sqlite_cursor", cursor).rowcount)


def _as_tuple(row: Any) -> tuple[Any, ...] | None:
    if row is None:
        return None
    if isinstance(row, dict):
        return tuple(row.values())
    return tuple(row)
