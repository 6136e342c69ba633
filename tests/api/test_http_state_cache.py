"""``GET /state`` answers from its cache only what is still true: a write shows at once,
each (as_of, known_at, scope, sections) is its own question, limits still apply, and a
cached answer is the very bytes a fresh one would be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.security import Role, TokenStore
from api.settings import Settings
from domain.ledger import Ledger
from tests.api.http import Api, build_payments

CUT = {
    "project": "PAY-A",
    "fiscal_year": 2026,
    "nature": "capex",
    "amount": "1000",
    "effective_date": "2026-03-02",
    "rationale": "Savings asked by the budget review",
}


def _cuts(api: Api, **params: str) -> dict[str, float]:
    """Each envelope's capex cut, as the state answers."""
    response = api.client.get(
        "/state",
        params={"scope": "programme:PAY", "section": "envelopes", **params},
        headers=api.as_role("manager"),
    )
    assert response.status_code == 200, response.text
    rows = response.json()["sections"]["envelopes"]
    return {row["envelope"]: row["cut"] for row in rows if row["nature"] == "capex"}


def _hits(api: Api) -> int:
    return int(api.app.state.services.answers.stats().hits)


def test_a_state_known_now_shows_a_write_recorded_after_it_was_cached(api: Api) -> None:
    build_payments(api)
    before = _cuts(api)
    assert _cuts(api) == before  # asked twice: the second from the cache
    assert _hits(api) == 1
    assert api.record("budget/cut", CUT).status_code == 201
    after = _cuts(api)
    assert after == {**before, "PAY-A/FY2026": 1000.0}


def test_each_as_of_and_known_at_is_its_own_question(sqlite_api: Api) -> None:
    build_payments(sqlite_api)
    known_before = datetime.now(UTC).isoformat()
    assert sqlite_api.record("budget/cut", CUT).status_code == 201
    known_after = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    cut = {"PAY-A/FY2026": 1000.0, "PAY-B/FY2026": 0.0}
    nothing = {"PAY-A/FY2026": 0.0, "PAY-B/FY2026": 0.0}
    questions = [
        ({"as_of": "2026-03-01", "known_at": known_after}, nothing),  # before it took effect
        ({"as_of": "2026-03-02", "known_at": known_after}, cut),
        ({"as_of": "2026-03-02", "known_at": known_before}, nothing),  # before it was known
        ({"as_of": "2026-03-02"}, cut),  # known now
    ]
    for _ in range(2):  # the second round from the cache, each answer its own
        for params, expected in questions:
            assert _cuts(sqlite_api, **params) == expected, params
    # known a second from now is known now (nothing recorded since): one question
    assert _hits(sqlite_api) == len(questions) + 1


def test_a_cached_answer_is_the_same_bytes_as_a_fresh_one(sqlite_api: Api) -> None:
    build_payments(sqlite_api)
    assert sqlite_api.record("budget/cut", CUT).status_code == 201
    params = {"scope": "programme:PAY", "known_at": datetime.now(UTC).isoformat()}
    headers = sqlite_api.as_role("pmo")
    first = sqlite_api.client.get("/state", params=params, headers=headers)
    cached = sqlite_api.client.get("/state", params=params, headers=headers)
    assert _hits(sqlite_api) == 1
    uncached = Settings(database=sqlite_api.database, state_cache_bytes=0)
    with TestClient(create_app(uncached)) as fresh:
        recomputed = fresh.get("/state", params=params, headers=headers)
        assert fresh.app.state.services.answers.stats().entries == 0  # type: ignore[attr-defined]
    assert first.status_code == cached.status_code == recomputed.status_code == 200
    assert first.content == cached.content == recomputed.content
    assert first.headers["content-type"] == "application/json"
    body: dict[str, Any] = first.json()
    assert body["scope"] == "programme PAY"
    assert body["known_at"].startswith(params["known_at"][:19])
    assert len(body["sections"]) == 18


def test_a_limited_token_is_refused_a_state_the_cache_holds(sqlite_api: Api) -> None:
    build_payments(sqlite_api)
    with Ledger(sqlite_api.database) as ledger:
        issued = TokenStore(ledger).create("carl.cto", Role.MANAGER, ("CTO",))
    limited = {"Authorization": f"Bearer {issued.token}"}
    for url in ("/state", "/state?scope=programme:PAY", "/state?scope=perimeter:B2C"):
        assert sqlite_api.client.get(url, headers=sqlite_api.as_role("pmo")).status_code == 200
        refused = sqlite_api.client.get(url, headers=limited)
        assert refused.status_code == 403, url
        assert "sections" not in refused.json()


def test_the_state_route_still_publishes_the_shape_of_its_answer(sqlite_api: Api) -> None:
    schema = sqlite_api.client.get("/openapi.json").json()
    answer = schema["paths"]["/state"]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"] == {"$ref": "#/components/schemas/StatePublic"}
    published = schema["components"]["schemas"]["StatePublic"]
    assert set(published["required"]) == {"scope", "as_of", "known_at", "sections"}


def test_the_view_applies_a_write_once_it_is_answered_before_any_read(api: Api) -> None:
    build_payments(api)
    services = api.app.state.services
    assert api.record("budget/cut", CUT).status_code == 201
    # The response's background task (run before the test client returns) caught up.
    assert services.view.position == services.ledger.recorder.max_notification_id()
    refused = api.record("budget/cut", {**CUT, "project": "NOPE"})
    assert refused.status_code >= 400  # nothing recorded, nothing to follow
