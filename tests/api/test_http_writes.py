"""Recording over HTTP: the author, If-Match, idempotency, limits and problem details."""

from __future__ import annotations

import uuid
from typing import Any

from tests.api.http import Api, build_payments

CUT = {
    "project": "PAY-A",
    "fiscal_year": 2026,
    "nature": "capex",
    "amount": "1000",
    "effective_date": "2026-03-02",
    "rationale": "Savings",
}


def _events(api: Api, **query: Any) -> list[dict[str, Any]]:
    response = api.client.get(
        "/events", params={"limit": 1000, **query}, headers=api.as_role("auditor")
    )
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


def test_the_author_is_the_token_principal_never_a_field(api: Api) -> None:
    build_payments(api)
    refused = api.record("budget/cut", {**CUT, "author": "someone.else"})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["body.author"]
    assert api.record("budget/cut", CUT).status_code == 201
    assert {e["author"] for e in _events(api)} == {"claire.dubois"}


def test_a_stale_if_match_is_refused_with_the_current_version_and_records_nothing(
    api: Api,
) -> None:
    build_payments(api)
    read = api.client.get("/projects/PAY-A", headers=api.as_role("manager"))
    etag = read.headers["etag"]
    first = api.record(
        "milestone/plan",
        {"project": "PAY-A", "milestone": "GO-LIVE", "name": "Go-live", "baseline": "2026-09-01"},
        **{"If-Match": etag},
    )
    assert first.status_code == 201, first.text
    assert first.headers["etag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    before = len(_events(api))
    stale = api.record(
        "milestone/shift",
        {"project": "PAY-A", "milestone": "GO-LIVE", "forecast": "2026-10-01", "rationale": "Late"},
        **{"If-Match": etag},
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["current_version"] == int(first.headers["etag"].strip('"'))
    assert len(_events(api)) == before


def test_an_idempotency_key_replays_the_first_response_without_recording_twice(api: Api) -> None:
    build_payments(api)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.record("budget/cut", CUT, **key)
    again = api.record("budget/cut", CUT, **key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(_events(api, kind="Cut")) == 1
    other = api.record("budget/cut", {**CUT, "amount": "2000"}, **key)
    assert other.status_code == 422
    assert other.json()["type"] == "/problems/idempotency-key-reused"
    assert len(_events(api, kind="Cut")) == 1


def test_a_refusal_names_the_rule_and_records_nothing(api: Api) -> None:
    build_payments(api)
    before = len(_events(api))
    refused = api.record("budget/cut", {**CUT, "amount": "90000"})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"] == "/problems/insufficient-funds"
    assert "PAY-A/FY2026" in problem["detail"]
    assert len(_events(api)) == before


def test_a_body_over_the_limit_is_refused_with_413_and_records_nothing(sqlite_api: Api) -> None:
    build_payments(sqlite_api)
    before = len(_events(sqlite_api))
    huge = {**CUT, "rationale": "x" * 5000}
    response = sqlite_api.record("budget/cut", huge)
    assert response.status_code == 413
    assert response.json()["title"] == "Request body too large"
    assert len(_events(sqlite_api)) == before


def test_validation_errors_list_every_field_and_leak_nothing(sqlite_api: Api) -> None:
    response = sqlite_api.record(
        "budget/cut", {"project": "no spaces allowed", "fiscal_year": "2026", "amount": 1.5}
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"body.project", "body.fiscal_year", "body.amount", "body.nature"} <= fields
    for text in ("Traceback", "sqlite", "SELECT", "/work/"):
        assert text not in response.text


def test_unknown_routes_and_methods_answer_problem_details(sqlite_api: Api) -> None:
    missing = sqlite_api.client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = sqlite_api.client.delete("/state", headers=sqlite_api.as_role("pmo"))
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["allow"]
