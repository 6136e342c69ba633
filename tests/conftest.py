"""Shared fixtures: a ledger on each store, a simulated clock, a small portfolio.

Every test that takes ``ledger`` runs twice, on SQLite and on PostgreSQL. PostgreSQL
is the server named by ``PMO_TEST_POSTGRES_URL`` (default: the local one); each test
gets its own schema. When the server cannot be reached the PostgreSQL leg is skipped,
unless ``PMO_REQUIRE_POSTGRES=1`` (set by the project's test command and CI), where it
fails instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from domain.clock import SimulatedClock
from domain.commands import Command
from domain.ledger import Ledger, Receipt
from tests.builders import build_portfolio

# pytest-xdist's workers inherit COLUMNS=80; the `pmo` command's consoles (rich) would
# fix their width from it when first imported, and the tests' wide terminal (COLUMNS=200
# per invocation, tests/api/cli.py) would not be seen.
os.environ.pop("COLUMNS", None)

POSTGRES_URL = os.environ.get("PMO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("PMO_REQUIRE_POSTGRES", "0") == "1"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(_conninfo(), connect_timeout=3):
            return None
    except psycopg.Error as problem:
        return str(problem).strip().splitlines()[0]


def _conninfo() -> str:
    return POSTGRES_URL.split("?", 1)[0]


@pytest.fixture(scope="session")
def postgres_reason() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    return _postgres_available()


class Stores:
    """Creates throw-away stores: a SQLite file or a PostgreSQL schema."""

    def __init__(self, tmp_path: Path, postgres_reason: str | None) -> None:
        self._tmp = tmp_path
        self._reason = postgres_reason
        self._schemas: list[str] = []

    def url(self, kind: str) -> str:
        """A new, empty store of ``kind``."""
        if kind == "sqlite":
            return str(self._tmp / f"ledger-{uuid.uuid4().hex[:8]}.db")
        if self._reason is not None:
            message = f"PostgreSQL at {_conninfo()} unreachable: {self._reason}"
            if REQUIRE_POSTGRES:
                pytest.fail(message)
            pytest.skip(message)
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        self._schemas.append(schema)
        return f"{_conninfo()}?schema={schema}"

    def drop(self) -> None:
        """Remove the PostgreSQL schemas created."""
        if not self._schemas:
            return
        with psycopg.connect(_conninfo(), autocommit=True) as conn:
            for schema in self._schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def stores(tmp_path: Path, postgres_reason: str | None) -> Iterator[Stores]:
    """A factory of empty stores, cleaned up after the test."""
    factory = Stores(tmp_path, postgres_reason)
    yield factory
    factory.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, stores: Stores) -> str:
    """An empty store, once per kind of store."""
    return stores.url(request.param)


@pytest.fixture
def clock() -> SimulatedClock:
    """The ledger's clock, on Monday 2 March 2026 at 09:00 UTC."""
    return SimulatedClock(START)


@pytest.fixture
def ledger(store_url: str, clock: SimulatedClock) -> Iterator[Ledger]:
    """An empty ledger on each store."""
    counter = iter(range(1, 1_000_000))
    with Ledger(store_url, clock=clock, new_id=lambda: f"{next(counter):06d}") as opened:
        yield opened


Record = Callable[..., Receipt]


@pytest.fixture
def record(ledger: Ledger) -> Record:
    """Execute a command as the PMO ``claire.dubois``."""

    def run(command: Command, author: str = "claire.dubois") -> Receipt:
        return ledger.execute(command, author=author)

    return run


@pytest.fixture
def portfolio(ledger: Ledger, record: Record) -> Ledger:
    """The small portfolio of ``tests.builders`` recorded in the ledger."""
    build_portfolio(record)
    return ledger


def positions(ledger: Ledger) -> int:
    """How many events the ledger holds."""
    return ledger.recorder.max_notification_id() or 0
