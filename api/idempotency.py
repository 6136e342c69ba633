"""Idempotency keys: a retried POST replays its first response instead of recording twice.

The first request with a key claims it (an insert on the key's primary key, so two
workers racing on one key cannot both win), runs, then stores its response. A request
with the same key and the same fingerprint (method, path, If-Match and body) gets the
stored response again; with another fingerprint it is refused. While the first is still
running, a second one is told to retry (409). A response of the server's own failure
(5xx) is not kept: the key is released and a retry runs again.

If a process dies after recording and before storing the response, the key stays
claimed: a retry gets 409 "in progress" rather than a chance of recording twice.

Keys expire ``ttl`` after they were first used (24 hours by default,
``PMO_API_IDEMPOTENCY_HOURS``): the same key is then a new request, as a client that
retries for longer than that has lost track of what it sent. Expired keys are deleted
when they are used again, and all of them at most once an hour per process.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from api.sidecar import SideTables, rowcount
from domain.ledger import Ledger

TABLE = "pmo_api_idempotency"
TTL = timedelta(hours=24)
PURGE_EVERY_S = 3600.0


@dataclass(frozen=True)
class Stored:
    """A response kept under a key."""

    status: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Claim:
    """What a request with a key found: its own fresh claim, a stored response, or neither."""

    fresh: bool
    stored: Stored | None = None
    mismatch: bool = False  # the key was used with another request
    pending: bool = False  # the first request with the key is still running


def fingerprint(method: str, path: str, if_match: str | None, body: bytes) -> str:
    """What makes two requests "the same" for an idempotency key."""
    digest = hashlib.sha256()
    for part in (method.upper(), path, if_match or ""):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


class IdempotencyStore:
    """Keys per principal, with the fingerprint of their request and its response."""

    def __init__(
        self,
        ledger: Ledger,
        ttl: timedelta = TTL,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.ttl = ttl
        self._now = now
        self._purged = -PURGE_EVERY_S  # monotonic seconds of the last purge
        self._sql = SideTables(ledger)
        self._table = self._sql.name(TABLE)
        self._sql.create(
            [
                f"CREATE TABLE IF NOT EXISTS {self._table} (principal TEXT NOT NULL,"
                " key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER,"
                f" headers TEXT, body {self._sql.blob()}, created_at TEXT NOT NULL,"
                " PRIMARY KEY (principal, key))"
            ]
        )

    def claim(self, principal: str, key: str, fingerprint: str) -> Claim:
        """Claim ``key`` for a request, or say what an earlier request with it left."""
        mark = self._sql.mark
        now = self._now()
        expired = (now - self.ttl).isoformat()
        self._purge(expired)
        with self._sql.transaction() as cursor:
            cursor.execute(
                f"DELETE FROM {self._table} WHERE principal = {mark} AND key = {mark}"
                f" AND created_at < {mark}",
                (principal, key, expired),
            )
            cursor.execute(
                f"INSERT INTO {self._table} (principal, key, fingerprint, created_at)"
                f" VALUES ({mark}, {mark}, {mark}, {mark}) ON CONFLICT DO NOTHING",
                (principal, key, fingerprint, now.isoformat()),
            )
            if rowcount(cursor) == 1:
                return Claim(fresh=True)
        row = self._sql.one(
            f"SELECT fingerprint, status, headers, body FROM {self._table}"
            f" WHERE principal = {mark} AND key = {mark}",
            (principal, key),
        )
        if row is None:  # released meanwhile by a failed first request: try again
            return self.claim(principal, key, fingerprint)
        if row[0] != fingerprint:
            return Claim(fresh=False, mismatch=True)
        if row[1] is None:
            return Claim(fresh=False, pending=True)
        headers: dict[str, Any] = json.loads(row[2] or "{}")
        return Claim(fresh=False, stored=Stored(int(row[1]), bytes(row[3]), headers))

    def _purge(self, expired: str) -> None:
        """Delete every key created before ``expired``, at most once per hour."""
        if time.monotonic() - self._purged < PURGE_EVERY_S:
            return
        self._purged = time.monotonic()
        with self._sql.transaction() as cursor:
            cursor.execute(
                f"DELETE FROM {self._table} WHERE created_at < {self._sql.mark}", (expired,)
            )

    def store(self, principal: str, key: str, response: Stored) -> None:
        """Keep the response of the request that claimed ``key``."""
        mark = self._sql.mark
        with self._sql.transaction() as cursor:
            cursor.execute(
                f"UPDATE {self._table} SET status = {mark}, headers = {mark}, body = {mark}"
                f" WHERE principal = {mark} AND key = {mark}",
                (response.status, json.dumps(response.headers), response.body, principal, key),
            )

    def release(self, principal: str, key: str) -> None:
        """Forget a claim whose request failed on the server's side."""
        mark = self._sql.mark
        with self._sql.transaction() as cursor:
            cursor.execute(
                f"DELETE FROM {self._table} WHERE principal = {mark} AND key = {mark}"
                " AND status IS NULL",
                (principal, key),
            )
