"""What the HTTP API's tests share: an app on a store, a token per role, a small portfolio."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import Role, TokenStore
from api.settings import Settings
from domain.ledger import Ledger

PORTFOLIO: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "perimeter/open",
        {"code": "B2C", "name": "Business to consumer", "effective_date": "2026-01-01"},
    ),
    (
        "programme/open",
        {"code": "PAY", "name": "Payments", "perimeter": "B2C", "effective_date": "2026-01-01"},
    ),
    *(
        (
            "project/open",
            {
                "code": code,
                "name": code.title(),
                "programme": "PAY",
                "start": "2026-01-05",
                "end": "2026-12-18",
                "effective_date": "2026-01-01",
            },
        )
        for code in ("PAY-A", "PAY-B")
    ),
    *(
        (
            "budget/open",
            {
                "project": code,
                "fiscal_year": 2026,
                "capex": "50000",
                "effective_date": "2026-01-01",
            },
        )
        for code in ("PAY-A", "PAY-B")
    ),
)


@dataclass
class Api:
    """A running app, its client and a bearer header per role."""

    app: FastAPI
    client: TestClient
    database: str
    headers: dict[str, dict[str, str]]

    def as_role(self, role: str) -> dict[str, str]:
        """The Authorization header of ``role`` (pmo, manager, auditor)."""
        return self.headers[role]

    def record(self, command: str, body: dict[str, Any], **headers: str) -> Any:
        """POST a command as the PMO."""
        return self.client.post(
            f"/commands/{command}", json=body, headers={**self.as_role("pmo"), **headers}
        )


def issue_tokens(database: str) -> dict[str, dict[str, str]]:
    """One token per role, held by a principal named after it."""
    with Ledger(database) as ledger:
        store = TokenStore(ledger)
        names = {"pmo": "claire.dubois", "manager": "marc.leroy", "auditor": "ines.audit"}
        return {
            role: {"Authorization": f"Bearer {store.create(names[role], Role(role)).token}"}
            for role in names
        }


@pytest.fixture
def api(store_url: str) -> Iterator[Api]:
    """The API on an empty ledger, on each store (SQLite and PostgreSQL)."""
    yield from _api(store_url)


@pytest.fixture
def sqlite_api(tmp_path: Any) -> Iterator[Api]:
    """The API on an empty SQLite ledger (for tests about HTTP, not the store)."""
    yield from _api(str(tmp_path / "api.db"))


def _api(database: str) -> Iterator[Api]:
    headers = issue_tokens(database)
    app = create_app(Settings(database=database, max_body_bytes=4096, max_plan_seconds=2.0))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(app, client, database, headers)


def build_payments(api: Api) -> None:
    """Perimeter B2C, programme PAY, projects PAY-A and PAY-B with 50,000 capex each."""
    for command, body in PORTFOLIO:
        response = api.record(command, body)
        assert response.status_code == 201, response.text
