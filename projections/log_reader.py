"""Reading the ledger's notification log fast: positions, topics, ids and stored bytes.

The library's ``select_notifications`` builds a frozen dataclass and a ``UUID`` per
event; a read model wants the raw row. This reader runs the equivalent query on the
store the ledger itself uses (its SQLite file or PostgreSQL schema), in the same order
(the notification id), and hands out ``(position, topic, aggregate id hex, state)``.
"""

from __future__ import annotations

from collections.abc import Iterator

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from domain.ledger import Ledger

Row = tuple[int, str, str, bytes]


class LogReader:
    """Pages of raw notifications after a position."""

    def __init__(self, ledger: Ledger, page: int = 5000) -> None:
        self._recorder = ledger.recorder
        self.page = page
        if isinstance(self._recorder, SQLiteApplicationRecorder):
            table = self._recorder.events_table_name
            self._query = (
                f"SELECT rowid, topic, originator_id, state FROM {table}"
                " WHERE rowid > ? ORDER BY rowid LIMIT ?"
            )
        elif isinstance(self._recorder, PostgresApplicationRecorder):
            schema = self._recorder.datastore.schema
            table = self._recorder.events_table_name
            self._query = (
                f"SELECT notification_id, topic, replace(originator_id::text, '-', ''), state"
                f' FROM "{schema}"."{table}" WHERE notification_id > %s'
                " ORDER BY notification_id LIMIT %s"
            )
        else:  # pragma: no cover - the ledger only runs on these two stores
            raise TypeError(f"no raw reader for {type(self._recorder).__name__}")

    def pages(self, after: int) -> Iterator[list[Row]]:
        """Every notification after position ``after``, page by page."""
        while True:
            rows = self._select(after)
            if not rows:
                return
            yield rows
            after = rows[-1][0]

    def _select(self, after: int) -> list[Row]:
        recorder = self._recorder
        if isinstance(recorder, SQLiteApplicationRecorder):
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(self._query, (after, self.page))
                return [(r[0], r[1], r[2], r[3]) for r in cursor.fetchall()]
        assert isinstance(recorder, PostgresApplicationRecorder)
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._query, (after, self.page))
            return [
                (r["notification_id"], r["topic"], r["replace"], bytes(r["state"]))
                for r in cursor.fetchall()
            ]

    @property
    def local(self) -> bool:
        """Whether the log is a local file (SQLite), read without a network round trip."""
        return isinstance(self._recorder, SQLiteApplicationRecorder)

    def last_position(self) -> int:
        """The position of the last event recorded (0 for an empty log)."""
        return self._recorder.max_notification_id() or 0
