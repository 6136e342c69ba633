"""The ledger's hash chain, kept as events are recorded, and its append-only tables.

Each stored event has a *link*: SHA-256 over the previous link and the canonical form
of the event as stored — its position in the log (the notification id), aggregate id,
version, topic and stored bytes. The first link follows 32 zero bytes. The links live in
a table beside the events (``<events table>_chain``), written in the same transaction
as the events they cover, so a crash never leaves one without the other; PostgreSQL's
recorder already serialises the transactions that record events (an EXCLUSIVE lock on
the events table), so the previous link read in that transaction is the last one.

The two tables refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) with triggers:
a mistake cannot rewrite history. Someone with the rights to drop a trigger can, which
is what the chain and the signed checkpoints of ``domain.integrity`` detect.

The recorders are the library's own, extended; ``domain.persistence`` names them in the
store's settings (``APPLICATION_RECORDER_TOPIC``). A ledger created before the chain
existed gets its links computed when it is next opened (``backfill``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import PersistenceError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

GENESIS = bytes(32)
BATCH = 10_000
REFUSAL = "the ledger is append-only"


class ChainBroken(PersistenceError):
    """The links table holds a link at or after the positions being recorded: someone
    wrote into it behind the ledger's back. Nothing more is recorded until it is
    examined (``pmo audit verify`` names the position)."""


def _check_after(last: int, positions: Sequence[int]) -> None:
    if positions and last >= min(positions):
        raise ChainBroken(
            f"the hash chain already has a link at position {last}, at or after the"
            f" events being recorded ({min(positions)}): run pmo audit verify"
        )


def link(
    previous: bytes,
    position: int,
    aggregate: UUID | str,
    version: int,
    topic: str,
    state: bytes | str,
) -> bytes:
    """The link of one stored event: SHA-256 over the previous link and the event's
    canonical form (fixed-width integers, length-prefixed text and bytes). A state read
    back as text (a row rewritten by hand can hold one) is taken as its UTF-8 bytes."""
    state = state.encode() if isinstance(state, str) else bytes(state)
    topic_bytes = topic.encode()
    digest = hashlib.sha256(previous)
    digest.update(position.to_bytes(8, "big", signed=True))
    digest.update(_aggregate_bytes(aggregate))
    digest.update(version.to_bytes(8, "big", signed=True))
    digest.update(len(topic_bytes).to_bytes(4, "big"))
    digest.update(topic_bytes)
    digest.update(len(state).to_bytes(8, "big"))
    digest.update(state)
    return digest.digest()


def _aggregate_bytes(aggregate: UUID | str) -> bytes:
    """An aggregate id's 16 bytes; an id that is no UUID (a forged row) as its text."""
    if isinstance(aggregate, UUID):
        return aggregate.bytes
    try:
        return UUID(str(aggregate)).bytes
    except ValueError:
        return b"?" + str(aggregate).encode()


def links(
    previous: bytes, events: Iterable[tuple[int, UUID | str, int, str, bytes]]
) -> Iterator[tuple[int, bytes]]:
    """The links of events in log order, after ``previous``: (position, link)."""
    for position, aggregate, version, topic, state in events:
        previous = link(previous, position, aggregate, version, topic, state)
        yield position, previous


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite's recorder, with the chain and the append-only triggers."""

    @property
    def chain_table(self) -> str:
        """The table of links."""
        return f"{self.events_table_name}_chain"

    def construct_create_table_statements(self) -> list[str]:
        """The library's tables, the chain, and triggers refusing UPDATE and DELETE."""
        statements = super().construct_create_table_statements()
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {self.chain_table} "
            "(position INTEGER PRIMARY KEY, link BLOB NOT NULL)"
        )
        for table in (self.events_table_name, self.chain_table):
            for operation in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} "
                    f"BEFORE {operation} ON {table} BEGIN SELECT RAISE(ABORT, "
                    f"'{REFUSAL}: {operation} of {table} refused'); END"
                )
        return statements

    def create_table(self) -> None:
        """Create the tables; when the links table is new, link the events recorded
        before the chain existed (once: an event added later by hand stays unlinked,
        which is what verification reports)."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                (self.chain_table,),
            )
            existed = bool(cursor.fetchone()[0])
        super().create_table()
        if not existed:
            with self.datastore.transaction(commit=True) as cursor:
                self._link_after(cursor, self._last(cursor))

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        if positions:
            last, previous = self._last(c)
            _check_after(last, positions)
            rows = [
                (p, e.originator_id, e.originator_version, e.topic, e.state)
                for p, e in zip(positions, stored_events, strict=True)
            ]
            c.executemany(
                f"INSERT INTO {self.chain_table} (position, link) VALUES (?, ?)",
                list(links(previous, rows)),
            )
        return positions

    def _last(self, cursor: SQLiteCursor) -> tuple[int, bytes]:
        cursor.execute(
            f"SELECT position, link FROM {self.chain_table} ORDER BY position DESC LIMIT 1"
        )
        row = cursor.fetchone()
        return (0, GENESIS) if row is None else (int(row[0]), bytes(row[1]))

    def _link_after(self, cursor: SQLiteCursor, last: tuple[int, bytes]) -> None:
        position, previous = last
        while True:
            cursor.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {self.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (position, BATCH),
            )
            rows = [(int(r[0]), r[1], int(r[2]), str(r[3]), bytes(r[4])) for r in cursor.fetchall()]
            if not rows:
                return
            linked = list(links(previous, rows))
            cursor.executemany(
                f"INSERT INTO {self.chain_table} (position, link) VALUES (?, ?)", linked
            )
            position, previous = linked[-1]

    def select_events_upto(self, aggregate: UUID, position: int) -> list[StoredEvent]:
        """One aggregate's events recorded at or before a position, by version (what a
        branch of the ledger at that position sees of it)."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT originator_id, originator_version, topic, state "
                f"FROM {self.events_table_name} WHERE originator_id = ? AND rowid <= ? "
                "ORDER BY originator_version",
                (aggregate.hex, position),
            )
            return [
                StoredEvent(aggregate, int(r[1]), str(r[2]), bytes(r[3])) for r in cursor.fetchall()
            ]

    def select_links(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        """Stored links after a position, in order."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT position, link FROM {self.chain_table} "
                "WHERE position > ? ORDER BY position LIMIT ?",
                (after, limit),
            )
            return [(int(r[0]), bytes(r[1])) for r in cursor.fetchall()]


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """PostgreSQL's recorder, with the chain and the append-only triggers."""

    @property
    def chain_table(self) -> str:
        """The table of links."""
        return f"{self.events_table_name}_chain"

    def tables_exist(self) -> tuple[bool, bool]:
        """Whether the events table and the links table exist."""
        schema = self.datastore.schema or "public"
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT to_regclass(%s) IS NOT NULL AS events,"
                " to_regclass(%s) IS NOT NULL AS chain",
                (f'"{schema}"."{self.events_table_name}"', f'"{schema}"."{self.chain_table}"'),
            )
            row = curs.fetchone()
        assert row is not None
        return bool(row["events"]), bool(row["chain"])

    def create_table(self) -> None:
        """Create the tables and triggers unless they exist (an application role without
        the right to create anything can then open the ledger); when the links table is
        new, link the events recorded before the chain existed (the caller holds the
        ledger's DDL lock)."""
        events_exist, chain_exists = self.tables_exist()
        if events_exist and chain_exists:
            return
        super().create_table()
        schema = Identifier(self.datastore.schema)
        events, chain = Identifier(self.events_table_name), Identifier(self.chain_table)
        function = Identifier(f"{self.events_table_name}_append_only")
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {0}.{1} "
                    "(position bigint PRIMARY KEY, link bytea NOT NULL)"
                ).format(schema, chain)
            )
            curs.execute(
                SQL(
                    "CREATE OR REPLACE FUNCTION {0}.{1}() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION '" + REFUSAL + ": % of % refused', TG_OP, "
                    "TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$"
                ).format(schema, function)
            )
            for table in (events, chain):
                curs.execute(
                    SQL(
                        "CREATE OR REPLACE TRIGGER append_only BEFORE UPDATE OR DELETE "
                        "ON {0}.{1} FOR EACH ROW EXECUTE FUNCTION {0}.{2}()"
                    ).format(schema, table, function)
                )
                curs.execute(
                    SQL(
                        "CREATE OR REPLACE TRIGGER append_only_truncate BEFORE TRUNCATE "
                        "ON {0}.{1} FOR EACH STATEMENT EXECUTE FUNCTION {0}.{2}()"
                    ).format(schema, table, function)
                )
        if chain_exists:
            return
        with self.datastore.transaction(commit=True) as curs:
            for statement in self.lock_table_statements:
                curs.execute(statement)
            self._link_after(curs, self._last(curs))

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if positions:
            last, previous = self._last(curs)
            _check_after(last, positions)
            rows = [
                (p, e.originator_id, e.originator_version, e.topic, e.state)
                for p, e in zip(positions, stored_events, strict=True)
            ]
            curs.executemany(self._insert_link(), list(links(previous, rows)))
        return positions

    def _insert_link(self) -> Any:
        return SQL("INSERT INTO {0}.{1} (position, link) VALUES (%s, %s)").format(
            Identifier(self.datastore.schema), Identifier(self.chain_table)
        )

    def _last(self, curs: Cursor[DictRow]) -> tuple[int, bytes]:
        curs.execute(
            SQL("SELECT position, link FROM {0}.{1} ORDER BY position DESC LIMIT 1").format(
                Identifier(self.datastore.schema), Identifier(self.chain_table)
            )
        )
        row = curs.fetchone()
        return (0, GENESIS) if row is None else (int(row["position"]), bytes(row["link"]))

    def _link_after(self, curs: Cursor[DictRow], last: tuple[int, bytes]) -> None:
        position, previous = last
        schema, events = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        while True:
            curs.execute(
                SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    "FROM {0}.{1} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
                ).format(schema, events),
                (position, BATCH),
            )
            rows = [
                (
                    int(r["notification_id"]),
                    r["originator_id"],
                    int(r["originator_version"]),
                    str(r["topic"]),
                    bytes(r["state"]),
                )
                for r in curs.fetchall()
            ]
            if not rows:
                return
            linked = list(links(previous, rows))
            curs.executemany(self._insert_link(), linked)
            position, previous = linked[-1]

    def select_events_upto(self, aggregate: UUID, position: int) -> list[StoredEvent]:
        """One aggregate's events recorded at or before a position, by version."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT originator_version, topic, state FROM {0}.{1} "
                    "WHERE originator_id = %s AND notification_id <= %s "
                    "ORDER BY originator_version"
                ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                (aggregate, position),
            )
            rows = curs.fetchall()
        return [
            StoredEvent(aggregate, int(r["originator_version"]), str(r["topic"]), bytes(r["state"]))
            for r in rows
        ]

    def select_links(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        """Stored links after a position, in order."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT position, link FROM {0}.{1} WHERE position > %s "
                    "ORDER BY position LIMIT %s"
                ).format(Identifier(self.datastore.schema), Identifier(self.chain_table)),
                (after, limit),
            )
            return [(int(r["position"]), bytes(r["link"])) for r in curs.fetchall()]
