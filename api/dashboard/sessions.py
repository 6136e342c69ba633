"""Dashboard sessions: a bearer token exchanged, once, for a session kept beside the ledger.

A browser signs in by posting a token from ``pmo token create``; the dashboard checks it
and opens a session: a random identifier (32 bytes) sent back as an HTTP-only cookie,
stored only as its SHA-256 with the token's digest and a per-session CSRF secret. Every
request finds the session and its token in one query, so revoking the token (``pmo
token revoke``) ends its sessions at once, in every worker: sessions live in the
database, as tokens do, not in a process. Sessions expire after ``LIFETIME``.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from api.security import TABLE as TOKENS
from api.security import Principal, Role, TokenStore, digest
from api.sidecar import SideTables
from domain.ledger import Ledger

TABLE = "pmo_dashboard_session"
LIFETIME = timedelta(hours=12)
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class Session:
    """A signed-in browser: who it acts for, and the secret its forms must carry."""

    principal: Principal
    csrf: str

    def carries(self, token: str | None) -> bool:
        """Whether a form's CSRF field is this session's secret."""
        return token is not None and hmac.compare_digest(token, self.csrf)


class SessionStore:
    """Opens, finds and ends dashboard sessions in the ledger's database."""

    def __init__(self, ledger: Ledger) -> None:
        self._tokens = TokenStore(ledger)  # creates the token table if it is missing
        self._sql = SideTables(ledger)
        self._table = self._sql.name(TABLE)
        self._token_table = self._sql.name(TOKENS)
        self._sql.create(
            [
                f"CREATE TABLE IF NOT EXISTS {self._table} (digest TEXT PRIMARY KEY,"
                " token_digest TEXT NOT NULL, csrf TEXT NOT NULL,"
                " created_at TEXT NOT NULL, expires_at TEXT NOT NULL)"
            ]
        )

    def open(self, token: str) -> tuple[str, Session] | None:
        """A new session for a valid token: (the cookie's value, the session); None when
        the token is unknown or revoked."""
        principal = self._tokens.find(token.strip())
        if principal is None:
            return None
        identifier = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        mark = self._sql.mark
        with self._sql.transaction() as cursor:
            # Expired sessions are of no use to anyone: each sign-in clears them away.
            cursor.execute(
                f"DELETE FROM {self._table} WHERE expires_at < {mark}", (now.isoformat(),)
            )
            cursor.execute(
                f"INSERT INTO {self._table} (digest, token_digest, csrf, created_at, expires_at)"
                f" VALUES ({mark}, {mark}, {mark}, {mark}, {mark})",
                (
                    digest(identifier),
                    digest(token.strip()),
                    csrf,
                    now.isoformat(),
                    (now + LIFETIME).isoformat(),
                ),
            )
        return identifier, Session(principal, csrf)

    def find(self, identifier: str | None) -> Session | None:
        """The live session a cookie names: unexpired, its token unrevoked."""
        if identifier is None or not _SHAPE.match(identifier):
            return None
        mark = self._sql.mark
        row = self._sql.one(
            f"SELECT t.token_id, t.principal, t.role, t.perimeters, s.csrf, s.expires_at"
            f" FROM {self._table} s JOIN {self._token_table} t ON t.digest = s.token_digest"
            f" WHERE s.digest = {mark} AND t.revoked_at IS NULL",
            (digest(identifier),),
        )
        if row is None or datetime.fromisoformat(str(row[5])) <= datetime.now(UTC):
            return None
        perimeters = tuple(p for p in str(row[3]).split(",") if p)
        principal = Principal(str(row[1]), Role(row[2]), str(row[0]), perimeters)
        return Session(principal, str(row[4]))

    def end(self, identifier: str | None) -> None:
        """Forget a session (signing out)."""
        if identifier is None:
            return
        with self._sql.transaction() as cursor:
            cursor.execute(
                f"DELETE FROM {self._table} WHERE digest = {self._sql.mark}",
                (digest(identifier),),
            )
