"""The read models' snapshots, stored beside the events (same database) with their position.

A snapshot is the whole view at one log position: every step table's int64 columns,
the fold tables' ops, the projector's lookups and the labels. It is written in one
transaction with the position it reflects — the view's tracking record — so a view
restored from it and caught up from that position is the view a rebuild from zero gives
(see ``PortfolioView.digest``). A snapshot made by an older definition of the tables
(another ``version``) is ignored: the view is rebuilt.

Two tables, created on first use: ``pmo_view`` (one row per view: position, version,
when, the manifest of its parts) and ``pmo_view_part`` (the parts: zlib-compressed
arrays). A snapshot replaces an older one only: two processes saving at once keep the
further-advanced one, whoever commits last.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from domain.ledger import Ledger

_DDL_LOCK = 0x504D4F56494557  # "PMOVIEW": creating the tables, one process at a time
_LEVEL = 1  # zlib: the columns are repetitive; level 1 already shrinks them ~15 times


class ViewStore:
    """Reads and writes one view's snapshot in the ledger's own database."""

    def __init__(self, ledger: Ledger, view: str = "portfolio") -> None:
        self.view = view
        recorder = ledger.recorder
        self._datastore: SQLiteDatastore | PostgresDatastore
        if isinstance(recorder, SQLiteApplicationRecorder):
            self._datastore = recorder.datastore
            self._postgres = False
            self._head, self._part, self._mark = "pmo_view", "pmo_view_part", "?"
            blob = "BLOB"
        elif isinstance(recorder, PostgresApplicationRecorder):
            self._datastore = recorder.datastore
            self._postgres = True
            schema = recorder.datastore.schema
            self._head, self._part = f'"{schema}".pmo_view', f'"{schema}".pmo_view_part'
            self._mark, blob = "%s", "BYTEA"
        else:  # pragma: no cover - the ledger only runs on these two stores
            raise TypeError(f"no view store for {type(recorder).__name__}")
        self._create(blob)

    def _create(self, blob: str) -> None:
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self._head} (view TEXT PRIMARY KEY,"
            " position BIGINT NOT NULL, version TEXT NOT NULL, saved_at TEXT NOT NULL,"
            " manifest TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self._part} (view TEXT NOT NULL, name TEXT NOT NULL,"
            f" data {blob} NOT NULL, PRIMARY KEY (view, name))",
        ]
        with self._datastore.transaction(commit=True) as cursor:
            if self._postgres:  # concurrent CREATE … IF NOT EXISTS is not safe there
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_DDL_LOCK,))
            for statement in statements:
                cursor.execute(statement)

    def position(self) -> int | None:
        """The log position of the stored snapshot, if any."""
        with self._datastore.transaction(commit=False) as cursor:
            head = self._read_head(cursor)
        return None if head is None else head[0]

    def _read_head(self, cursor: Any) -> tuple[int, str, str] | None:
        cursor.execute(
            f"SELECT position, version, manifest FROM {self._head} WHERE view = {self._mark}",
            (self.view,),
        )
        row = cursor.fetchone()
        if row is None:
            return None
        if isinstance(row, dict):
            return int(row["position"]), row["version"], row["manifest"]
        return int(row[0]), row[1], row[2]

    def load(self, version: str) -> dict[str, Any] | None:
        """The stored snapshot if it was made by this ``version`` of the view."""
        with self._datastore.transaction(commit=False) as cursor:
            head = self._read_head(cursor)
            if head is None or head[1] != version:
                return None
            cursor.execute(
                f"SELECT name, data FROM {self._part} WHERE view = {self._mark}", (self.view,)
            )
            rows = [(r["name"], r["data"]) if isinstance(r, dict) else r for r in cursor.fetchall()]
        return _unflatten(json.loads(head[2]), {name: bytes(data) for name, data in rows})

    def save(self, snapshot: dict[str, Any], version: str) -> bool:
        """Store ``snapshot`` unless one at a further position is already stored."""
        manifest, parts = _flatten(snapshot)
        position = int(snapshot["position"])
        mark = self._mark
        upsert = (
            f"INSERT INTO {self._head} AS stored (view, position, version, saved_at, manifest)"
            f" VALUES ({mark}, {mark}, {mark}, {mark}, {mark})"
            " ON CONFLICT (view) DO UPDATE SET position = excluded.position,"
            " version = excluded.version, saved_at = excluded.saved_at,"
            " manifest = excluded.manifest"
            " WHERE stored.position < excluded.position OR stored.version <> excluded.version"
            " RETURNING position"
        )
        saved_at = datetime.now(UTC).isoformat()
        with self._datastore.transaction(commit=True) as cursor:
            # The upsert takes the write lock first: concurrent savers queue here.
            cursor.execute(upsert, (self.view, position, version, saved_at, json.dumps(manifest)))
            if cursor.fetchone() is None:
                return False  # a further-advanced snapshot is stored already
            cursor.execute(f"DELETE FROM {self._part} WHERE view = {mark}", (self.view,))
            cursor.executemany(
                f"INSERT INTO {self._part} (view, name, data) VALUES ({mark}, {mark}, {mark})",
                [(self.view, name, data) for name, data in parts.items()],
            )
        return True

    def drop(self) -> None:
        """Forget the stored snapshot (the next view rebuilds from zero)."""
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(f"DELETE FROM {self._part} WHERE view = {self._mark}", (self.view,))
            cursor.execute(f"DELETE FROM {self._head} WHERE view = {self._mark}", (self.view,))


def _flatten(snapshot: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A nested snapshot as a manifest (its shape) and compressed parts."""
    manifest: dict[str, Any] = {}
    parts: dict[str, bytes] = {}
    for path, value in _leaves(snapshot, ""):
        if isinstance(value, np.ndarray):
            array = np.ascontiguousarray(value, dtype=np.int64)
            manifest[path] = {"array": list(array.shape)}
            parts[path] = zlib.compress(array.tobytes(), _LEVEL)
        elif isinstance(value, list):
            manifest[path] = {"texts": len(value)}
            parts[path] = zlib.compress(orjson.dumps(value), _LEVEL)
        else:
            manifest[path] = {"int": int(value)}
    return manifest, parts


def _leaves(tree: dict[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for name, value in tree.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict):
            yield from _leaves(value, path + "/")
        else:
            yield path, value


def _unflatten(manifest: dict[str, Any], parts: dict[str, bytes]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, shape in manifest.items():
        *folders, name = path.split("/")
        node = tree
        for folder in folders:
            node = node.setdefault(folder, {})
        if "int" in shape:
            node[name] = shape["int"]
        elif "texts" in shape:
            node[name] = orjson.loads(zlib.decompress(parts[path]))
        else:
            raw = zlib.decompress(parts[path])
            node[name] = np.frombuffer(raw, dtype=np.int64).reshape(shape["array"])
    return tree
