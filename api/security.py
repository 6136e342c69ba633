"""Who may call the HTTP API: bearer tokens, their roles, stored hashed beside the ledger.

A token is ``pmo_<id>_<secret>``: ``id`` (8 hex digits) names it in lists and logs,
``secret`` is 32 random bytes (URL-safe base64). Only the SHA-256 of the whole token is
stored: the secret has 256 bits of entropy, so a slow password hash would add nothing
against guessing, while a plain digest lets every request find its token with one
indexed lookup. Whoever reads the table (a backup, a replica) cannot call the API.

Tokens are kept in a table of their own (``pmo_api_token``), not as ledger events: the
ledger is the history of the portfolio's decisions, which a credential is not, and a
revoked credential must be able to stop working without rewriting that history.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from api.sidecar import SideTables, rowcount
from domain.errors import InvalidInput
from domain.ledger import Ledger
from domain.values import code, text

TABLE = "pmo_api_token"
_SHAPE = re.compile(r"^pmo_([0-9a-f]{8})_[A-Za-z0-9_-]{43}$")


class Role(Enum):
    """What a token may do."""

    PMO = "pmo"  # reads, runs plans, records decisions
    MANAGER = "manager"  # reads, runs plans (and, later, scenarios); records no decision
    AUDITOR = "auditor"  # reads everything, audit included; writes nothing


@dataclass(frozen=True)
class Principal:
    """The holder of a token, as the API knows it: the author of what it records."""

    name: str
    role: Role
    token_id: str
    perimeters: tuple[str, ...] = ()  # empty: the whole portfolio


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: the secret is shown once, never stored."""

    token: str
    principal: Principal


def digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """Creates, finds and revokes tokens in the ledger's database."""

    def __init__(self, ledger: Ledger) -> None:
        self._sql = SideTables(ledger)
        self._table = self._sql.name(TABLE)
        self._sql.create(
            [
                f"CREATE TABLE IF NOT EXISTS {self._table} (digest TEXT PRIMARY KEY,"
                " token_id TEXT NOT NULL UNIQUE, principal TEXT NOT NULL, role TEXT NOT NULL,"
                " perimeters TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)"
            ]
        )

    def create(self, principal: str, role: Role, perimeters: tuple[str, ...] = ()) -> IssuedToken:
        """A new token for ``principal`` with ``role``, optionally limited to perimeters."""
        name = text(principal, "principal", limit=120)
        limited = tuple(dict.fromkeys(code(p, "perimeter").upper() for p in perimeters))
        token_id = secrets.token_hex(4)
        token = f"pmo_{token_id}_{secrets.token_urlsafe(32)}"
        mark = self._sql.mark
        with self._sql.transaction() as cursor:
            cursor.execute(
                f"INSERT INTO {self._table} (digest, token_id, principal, role, perimeters,"
                f" created_at) VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})",
                (
                    digest(token),
                    token_id,
                    name,
                    role.value,
                    ",".join(limited),
                    datetime.now(UTC).isoformat(),
                ),
            )
        return IssuedToken(token, Principal(name, role, token_id, limited))

    def find(self, token: str) -> Principal | None:
        """The principal of a valid, unrevoked token; None otherwise."""
        if not _SHAPE.match(token):
            return None
        wanted = digest(token)
        row = self._sql.one(
            f"SELECT digest, token_id, principal, role, perimeters FROM {self._table}"
            f" WHERE digest = {self._sql.mark} AND revoked_at IS NULL",
            (wanted,),
        )
        if row is None or not hmac.compare_digest(str(row[0]), wanted):
            return None
        perimeters = tuple(p for p in str(row[4]).split(",") if p)
        return Principal(str(row[2]), Role(row[3]), str(row[1]), perimeters)

    def revoke(self, token_id: str) -> bool:
        """Revoke the token named ``token_id``; False when there is no such live token."""
        if not re.fullmatch(r"[0-9a-f]{8}", token_id):
            raise InvalidInput("token", f"{token_id!r} is not a token id (8 hex digits)")
        mark = self._sql.mark
        with self._sql.transaction() as cursor:
            cursor.execute(
                f"UPDATE {self._table} SET revoked_at = {mark}"
                f" WHERE token_id = {mark} AND revoked_at IS NULL",
                (datetime.now(UTC).isoformat(), token_id),
            )
            return bool(rowcount(cursor))

    def list(self) -> list[dict[str, str | None]]:
        """Every token (never its secret): id, principal, role, perimeters, dates."""
        with self._sql.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT token_id, principal, role, perimeters, created_at, revoked_at"
                f" FROM {self._table} ORDER BY created_at"
            )
            rows = [
                tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in cursor.fetchall()
            ]
        keys = ("id", "principal", "role", "perimeters", "created_at", "revoked_at")
        return [dict(zip(keys, row, strict=True)) for row in rows]
