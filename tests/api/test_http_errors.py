"""Invalid input is answered the same way by every handler: 422 on a read, 409 when the
ledger refuses a write."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import errors
from domain.errors import InvalidInput
from tests.api.http import Api, build_payments


def test_invalid_input_is_422_on_a_read_and_409_on_a_write() -> None:
    app = FastAPI()
    errors.install(app)

    @app.get("/months")
    def read() -> None:
        raise InvalidInput("months", "between 1 and 36 months")

    @app.post("/amounts")
    def write() -> None:
        raise InvalidInput("amount", "must be positive")

    with TestClient(app) as client:
        read_answer = client.get("/months")
        write_answer = client.post("/amounts")
    assert read_answer.status_code == 422
    assert read_answer.json()["type"] == "/problems/invalid-input"
    assert read_answer.json()["errors"] == [
        {"field": "query.months", "message": "between 1 and 36 months"}
    ]
    assert read_answer.json()["detail"] == "query.months: between 1 and 36 months"
    assert write_answer.status_code == 409
    assert write_answer.json()["type"] == "/problems/invalid-input"


def test_a_backwards_evolution_period_is_the_same_422_as_any_invalid_read(
    sqlite_api: Api,
) -> None:
    build_payments(sqlite_api)
    answer = sqlite_api.client.get(
        "/reports/evolution",
        params={"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"},
        headers=sqlite_api.as_role("pmo"),
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"] == "/problems/invalid-input"
    assert problem["errors"] == [{"field": "query.to", "message": "must come after from"}]
    assert problem["title"] == "Invalid request"
