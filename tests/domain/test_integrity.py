"""The log proves itself unaltered: every kind of tampering is caught, at its position,
on both stores; clean ledgers never raise an alarm; the tables refuse rewrites."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import commands as c
from domain.chain import GENESIS, REFUSAL, ChainBroken, links
from domain.clock import SimulatedClock
from domain.integrity import Checkpoint, checkpoint, public_hex, verify
from domain.ledger import Ledger
from tests.builders import build_portfolio
from tests.conftest import START

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


class Tamperer:
    """Raw access to a ledger's tables, its triggers dropped: what an intruder with the
    database's rights can do."""

    def __init__(self, ledger: Ledger) -> None:
        recorder: Any = ledger.recorder
        self.events: str = recorder.events_table_name
        self.chain: str = recorder.chain_table
        self.postgres = ledger.store.is_postgres
        self.position = "notification_id" if self.postgres else "rowid"
        self.mark = "%s" if self.postgres else "?"
        if self.postgres:
            self.schema = ledger.store.env["POSTGRES_SCHEMA"]
            self.conninfo = ledger.store.display.split("?")[0]
        else:
            self.file = ledger.store.display

    @contextmanager
    def sql(self) -> Iterator[Callable[..., list[Any]]]:
        """Run statements in one transaction, triggers off."""
        if self.postgres:
            with psycopg.connect(self.conninfo) as conn:
                conn.execute(f'SET search_path TO "{self.schema}"')
                for table in (self.events, self.chain):
                    conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")

                def run_pg(statement: str, *params: Any) -> list[Any]:
                    cursor = conn.execute(statement.replace("?", "%s"), params)
                    return cursor.fetchall() if cursor.description else []

                yield run_pg
        else:
            conn = sqlite3.connect(self.file)
            with conn:
                for table in (self.events, self.chain):
                    for operation in ("update", "delete"):
                        conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")

                def run_sqlite(statement: str, *params: Any) -> list[Any]:
                    return conn.execute(statement, params).fetchall()

                yield run_sqlite
            conn.close()

    def rows(self, run: Callable[..., list[Any]]) -> list[tuple[Any, ...]]:
        return [
            tuple(row)
            for row in run(
                f"SELECT {self.position}, originator_id, originator_version, topic, state "
                f"FROM {self.events} ORDER BY {self.position}"
            )
        ]

    def rechain(self, run: Callable[..., list[Any]]) -> None:
        """Recompute every link, as a careful intruder would."""
        run(f"DELETE FROM {self.chain}")
        for position, value in links(GENESIS, self.rows(run)):
            run(f"INSERT INTO {self.chain} (position, link) VALUES (?, ?)", position, value)


@pytest.fixture
def tamper(portfolio: Ledger) -> Tamperer:
    return Tamperer(portfolio)


def forged(state: bytes, at: int = 10) -> bytes:
    """The stored bytes with one bit flipped."""
    data = bytes(state)
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def verified(ledger: Ledger, *points: Checkpoint) -> Any:
    named = [(f"cp{i}", point) for i, point in enumerate(points)]
    return verify(ledger.recorder, named, public_key=public_hex(KEY))  # type: ignore[arg-type]


def signed(ledger: Ledger) -> Checkpoint:
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    return checkpoint(ledger.recorder, KEY, ledger="test", now=now)  # type: ignore[arg-type]


def test_a_clean_ledger_verifies_with_its_checkpoint(portfolio: Ledger) -> None:
    point = signed(portfolio)

    found = verified(portfolio, point)

    assert found.intact, found.problems
    assert found.size == point.size
    assert found.position == point.position == portfolio.recorder.max_notification_id()


def test_the_ledger_tables_refuse_update_and_delete(portfolio: Ledger, tamper: Tamperer) -> None:
    if tamper.postgres:
        with psycopg.connect(tamper.conninfo) as conn:
            conn.execute(f'SET search_path TO "{tamper.schema}"')
            with pytest.raises(psycopg.Error, match=REFUSAL):
                conn.execute(f"UPDATE {tamper.events} SET topic = 'x'")
        with psycopg.connect(tamper.conninfo) as conn:
            conn.execute(f'SET search_path TO "{tamper.schema}"')
            with pytest.raises(psycopg.Error, match=REFUSAL):
                conn.execute(f"TRUNCATE {tamper.chain}")
    else:
        conn = sqlite3.connect(tamper.file)
        with pytest.raises(sqlite3.DatabaseError, match=REFUSAL):
            conn.execute(f"DELETE FROM {tamper.events}")
        with pytest.raises(sqlite3.DatabaseError, match=REFUSAL):
            conn.execute(f"UPDATE {tamper.chain} SET link = x''")
        conn.close()
    assert verified(portfolio).intact


def test_a_modified_event_is_named_at_its_position(portfolio: Ledger, tamper: Tamperer) -> None:
    with tamper.sql() as run:
        position, *_, state = tamper.rows(run)[4]
        run(f"UPDATE {tamper.events} SET state = ? WHERE {tamper.position} = ?", forged(state),
            position)  # fmt: skip

    found = verified(portfolio)

    assert not found.intact
    assert found.first_bad == position
    assert "does not match its link" in found.problems[0]


def test_a_deleted_event_is_named_at_its_position(portfolio: Ledger, tamper: Tamperer) -> None:
    with tamper.sql() as run:
        position = tamper.rows(run)[3][0]
        run(f"DELETE FROM {tamper.events} WHERE {tamper.position} = ?", position)

    found = verified(portfolio)

    assert (found.first_bad, found.intact) == (position, False)
    assert "deleted" in found.problems[0]


def test_two_events_swapped_are_caught_at_the_first(portfolio: Ledger, tamper: Tamperer) -> None:
    with tamper.sql() as run:
        rows = tamper.rows(run)
        (p, *first), (q, *second) = rows[2], rows[5]
        assign = (
            f"UPDATE {tamper.events} SET originator_id = ?, originator_version = ?, "
            f"topic = ?, state = ? WHERE {tamper.position} = ?"
        )
        run(assign, first[0], -1, first[2], first[3], p)  # out of the key's way
        run(assign, *first, q)
        run(assign, *second, p)

    found = verified(portfolio)

    assert found.first_bad == p
    assert not found.intact


def test_an_event_added_behind_the_ledgers_back_is_caught(
    portfolio: Ledger, tamper: Tamperer
) -> None:
    with tamper.sql() as run:
        *_, (position, aggregate, version, topic, state) = tamper.rows(run)
        run(
            f"INSERT INTO {tamper.events} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            aggregate, version + 1, topic, state,
        )  # fmt: skip

    found = verified(portfolio)

    assert found.first_bad is not None
    assert found.first_bad > position
    assert "without a link" in found.problems[0]


def test_a_log_truncated_after_a_checkpoint_is_caught_by_it(
    portfolio: Ledger, tamper: Tamperer
) -> None:
    point = signed(portfolio)
    with tamper.sql() as run:
        last = tamper.rows(run)[-3][0]
        run(f"DELETE FROM {tamper.events} WHERE {tamper.position} >= ?", last)
        run(f"DELETE FROM {tamper.chain} WHERE position >= ?", last)

    assert verified(portfolio).intact  # the chain alone cannot tell
    found = verified(portfolio, point)

    assert not found.intact
    assert "truncated" in found.problems[0]


def test_a_log_rewritten_and_rechained_after_a_checkpoint_is_caught_by_it(
    portfolio: Ledger, tamper: Tamperer
) -> None:
    point = signed(portfolio)
    with tamper.sql() as run:
        position, *_, state = tamper.rows(run)[1]
        run(f"UPDATE {tamper.events} SET state = ? WHERE {tamper.position} = ?", forged(state),
            position)  # fmt: skip
        tamper.rechain(run)

    assert verified(portfolio).intact  # the chain alone cannot tell
    found = verified(portfolio, point)

    assert not found.intact
    assert "rewritten and re-chained" in found.problems[0]


def test_a_checkpoint_altered_or_signed_by_another_key_is_refused(portfolio: Ledger) -> None:
    point = signed(portfolio)
    inflated = Checkpoint(**{**point.__dict__, "size": point.size + 1})
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    stranger = checkpoint(portfolio.recorder, Ed25519PrivateKey.generate(), ledger="t", now=now)  # type: ignore[arg-type]

    found = verified(portfolio, inflated, stranger)

    assert any("signature does not match" in p for p in found.problems)
    assert any("another key" in p for p in found.problems)


def test_concurrent_writers_leave_an_intact_chain(
    portfolio: Ledger, store_url: str, clock: SimulatedClock
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def writer(number: int) -> None:
        serial = iter(range(1, 1000))
        with Ledger(store_url, clock=clock, new_id=lambda: f"W{number}-{next(serial)}") as ledger:
            for i in range(4):
                ledger.execute(
                    c.RaiseBudget(project="PAY-CHECKOUT", fiscal_year=2026, nature="capex",
                                  amount="1", rationale=f"writer {number} raise {i}"),
                    author=f"writer-{number}",
                )  # fmt: skip

    before = verified(portfolio).size
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(writer, range(6)))

    found = verified(portfolio)
    assert found.intact, found.problems
    assert found.size == before + 6 * 4 * 2  # each raise: an envelope event and a decision
    assert found.position == portfolio.recorder.max_notification_id()  # PostgreSQL: gaps


@pytest.fixture(scope="module")
def clean_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite ledger with the test portfolio, copied by each example."""
    file = tmp_path_factory.mktemp("clean") / "ledger.db"
    with Ledger(str(file), clock=SimulatedClock(START)) as ledger:
        build_portfolio(lambda command: ledger.execute(command, author="claire.dubois"))
    return file


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raises=st.lists(st.integers(1, 900), max_size=6), data=st.data())
def test_clean_ledgers_never_raise_a_false_alarm_and_any_flipped_byte_is_found(
    clean_sqlite: Path, tmp_path: Path, raises: list[int], data: st.DataObject
) -> None:
    file = tmp_path / f"copy-{uuid.uuid4().hex}.db"  # one per example: no stale WAL
    shutil.copy(clean_sqlite, file)
    with Ledger(str(file), clock=SimulatedClock(START)) as ledger:
        for amount in raises:
            ledger.execute(
                c.RaiseBudget(project="PAY-WALLET", fiscal_year=2026, nature="capex",
                              amount=str(amount), rationale="more"),
                author="claire.dubois",
            )  # fmt: skip
        point = signed(ledger)
        assert verified(ledger, point).intact
        tamper = Tamperer(ledger)
        with tamper.sql() as run:
            rows = tamper.rows(run)
            position, *_, state = rows[data.draw(st.integers(0, len(rows) - 1), "event")]
            at = data.draw(st.integers(0, len(state) - 1), "byte")
            run(f"UPDATE {tamper.events} SET state = ? WHERE rowid = ?", forged(state, at),
                position)  # fmt: skip
        found = verified(ledger, point)
    assert found.first_bad == position


def test_an_event_added_by_hand_is_caught_by_a_ledger_opened_afterwards(
    portfolio: Ledger, tamper: Tamperer, store_url: str, clock: SimulatedClock
) -> None:
    with tamper.sql() as run:
        *_, (_, aggregate, version, topic, state) = tamper.rows(run)
        run(
            f"INSERT INTO {tamper.events} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            aggregate, version + 1, topic, state,
        )  # fmt: skip

    with Ledger(store_url, clock=clock) as reopened:  # opening must not link it
        found = verified(reopened)

    assert not found.intact
    assert "without a link" in found.problems[0]


def test_a_stray_link_stops_recording_with_a_clear_error(
    portfolio: Ledger, tamper: Tamperer
) -> None:
    with tamper.sql() as run:
        last = tamper.rows(run)[-1][0]
        run(f"INSERT INTO {tamper.chain} (position, link) VALUES (?, ?)", last + 50, bytes(32))

    with pytest.raises(ChainBroken, match="run pmo audit verify"):
        portfolio.execute(
            c.RaiseBudget(project="PAY-CHECKOUT", fiscal_year=2026, nature="capex", amount="1",
                          rationale="after the stray link"),
            author="claire",
        )  # fmt: skip


def test_what_is_recorded_while_verifying_is_not_an_alarm(portfolio: Ledger) -> None:
    recorder: Any = portfolio.recorder
    original = recorder.select_links
    wrote: list[bool] = []

    def links_then_a_write(after: int, limit: int) -> list[tuple[int, bytes]]:
        page = original(after, limit)
        if not wrote:  # a writer commits between reading the links and the events
            wrote.append(True)
            portfolio.execute(
                c.RaiseBudget(project="PAY-CHECKOUT", fiscal_year=2026, nature="capex",
                              amount="1", rationale="meanwhile"),
                author="claire",
            )  # fmt: skip
        return page  # type: ignore[no-any-return]

    recorder.select_links = links_then_a_write
    try:
        found = verified(portfolio)
    finally:
        recorder.select_links = original

    assert wrote
    assert found.intact, found.problems


def test_an_empty_log_gets_no_checkpoint(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="nothing to checkpoint"):
        signed(ledger)


def test_the_documented_postgresql_roles_let_the_application_append_and_nothing_else(
    stores: Any, clock: SimulatedClock
) -> None:
    url = stores.url("postgresql")
    schema = url.split("schema=")[1]
    with Ledger(url, clock=clock) as owner:  # the owner creates the tables
        build_portfolio(lambda command: owner.execute(command, author="claire"))
    role = f"app_{uuid.uuid4().hex[:10]}"
    conninfo = url.split("?")[0]
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
        admin.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
        admin.execute(
            f'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'
        )
        admin.execute(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"')
    try:
        app_url = conninfo.replace("postgres@", f"{role}@") + f"?schema={schema}"
        with Ledger(app_url, clock=clock) as app:
            app.execute(
                c.RaiseBudget(project="PAY-CHECKOUT", fiscal_year=2026, nature="capex",
                              amount="10", rationale="as the application"),
                author="claire",
            )  # fmt: skip
            assert verified(app).intact
            events = app.recorder.events_table_name  # type: ignore[attr-defined]
        with psycopg.connect(app_url.split("?")[0]) as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            with pytest.raises(psycopg.Error, match="permission denied"):
                conn.execute(f"DELETE FROM {events}")
        with psycopg.connect(app_url.split("?")[0]) as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            with pytest.raises(psycopg.Error, match=REFUSAL):
                conn.execute(f"UPDATE {events} SET topic = 'x'")
        with psycopg.connect(app_url.split("?")[0]) as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            with pytest.raises(psycopg.Error, match="must be owner"):
                conn.execute(f"DROP TRIGGER append_only ON {events}")
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f'DROP OWNED BY "{role}"')
            admin.execute(f'DROP ROLE "{role}"')
