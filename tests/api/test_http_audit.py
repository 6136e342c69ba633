"""The audit face over HTTP: a programme's history, the evolution report, verification."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from tests.api.http import Api, build_payments

CUT = {
    "project": "PAY-A",
    "fiscal_year": 2026,
    "nature": "capex",
    "amount": "1000",
    "effective_date": "2026-03-02",
    "rationale": "Savings asked by the budget review",
}


def _history(api: Api, fmt: str) -> bytes:
    response = api.client.get(f"/audit/history/PAY?format={fmt}", headers=api.as_role("manager"))
    assert response.status_code == 200, response.text
    return response.content


def test_a_programme_history_names_who_decided_what_in_every_format(sqlite_api: Api) -> None:
    build_payments(sqlite_api)
    assert sqlite_api.record("budget/cut", CUT).status_code == 201
    steps = json.loads(_history(sqlite_api, "json"))["steps"]
    cut = [e for s in steps for e in s["events"] if e["kind"] == "Cut"]
    assert [(e["author"], e["rationale"]) for e in cut] == [
        ("claire.dubois", "Savings asked by the budget review")
    ]
    moved = [m for s in steps if any(e["kind"] == "Cut" for e in s["events"]) for m in s["moves"]]
    assert moved  # what the cut moved, read off the state before and after it
    rows = list(csv.DictReader(io.StringIO(_history(sqlite_api, "csv").decode())))
    assert [r["rationale"] for r in rows if r["kind"] == "Cut"] == [CUT["rationale"]]
    lines = _history(sqlite_api, "jsonl").decode().splitlines()
    assert len(lines) == len(rows)
    assert all(json.loads(line)["position"] for line in lines)
    assert _history(sqlite_api, "xlsx")[:2] == b"PK"  # a workbook (zip)


def test_the_evolution_report_lists_what_changed_in_the_period(sqlite_api: Api) -> None:
    build_payments(sqlite_api)
    begin = datetime.now(UTC) - timedelta(seconds=1)
    assert sqlite_api.record("budget/cut", CUT).status_code == 201
    end = datetime.now(UTC) + timedelta(seconds=1)
    period = {"from": begin.isoformat(), "to": end.isoformat(), "programme": "PAY"}
    answer = sqlite_api.client.get(
        "/reports/evolution", params=period, headers=sqlite_api.as_role("auditor")
    )
    assert answer.status_code == 200, answer.text
    assert "Savings asked by the budget review" in answer.text
    as_markdown = sqlite_api.client.get(
        "/reports/evolution",
        params={**period, "format": "markdown"},
        headers=sqlite_api.as_role("manager"),
    )
    assert as_markdown.headers["content-type"].startswith("text/markdown")
    assert as_markdown.text.lstrip().startswith("#")
    backwards = sqlite_api.client.get(
        "/reports/evolution",
        params={**period, "from": period["to"], "to": period["from"]},
        headers=sqlite_api.as_role("auditor"),
    )
    assert backwards.status_code == 422  # invalid input of a read, like any other
    assert backwards.json()["type"] == "/problems/invalid-input"
    assert backwards.json()["errors"][0]["field"] == "query.to"


def test_an_evolution_report_over_more_than_a_quarter_is_refused_over_http(
    sqlite_api: Api,
) -> None:
    build_payments(sqlite_api)
    period = {"from": "2026-01-01T00:00:00", "to": "2026-04-03T00:00:01", "programme": "PAY"}

    answer = sqlite_api.client.get(
        "/reports/evolution", params=period, headers=sqlite_api.as_role("auditor")
    )
    quarter = sqlite_api.client.get(
        "/reports/evolution",
        params={**period, "to": "2026-04-02T00:00:00"},
        headers=sqlite_api.as_role("auditor"),
    )

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "query.to"
    assert "at most 92 days" in answer.json()["detail"]
    assert quarter.status_code == 200, quarter.text


def test_verification_finds_the_log_intact_and_refuses_a_forged_checkpoint(api: Api) -> None:
    build_payments(api)
    intact = api.client.post("/audit/verify", json={}, headers=api.as_role("auditor"))
    assert intact.status_code == 200, intact.text
    found = intact.json()
    assert found["intact"] is True
    assert found["events"] > 0
    forged = {
        "ledger": "somewhere",
        "size": found["events"],
        "position": found["last_position"],
        "head": "0" * 64,
        "created_at": "2026-03-02T09:00:00+00:00",
        "public_key": "1" * 64,
        "signature": "2" * 128,
    }
    refused = api.client.post(
        "/audit/verify", json={"checkpoints": [forged]}, headers=api.as_role("pmo")
    )
    assert refused.status_code == 200
    assert refused.json()["intact"] is False
    assert refused.json()["problems"]
    manager = api.client.post("/audit/verify", json={}, headers=api.as_role("manager"))
    assert manager.status_code == 403


def test_an_instant_an_offset_carries_out_of_the_calendar_is_invalid_input(
    sqlite_api: Api,
) -> None:
    period = {"from": "0001-01-01T00:00:00+00:01", "to": "0001-01-02T00:00:00+00:00"}

    answer = sqlite_api.client.get(
        "/reports/evolution", params=period, headers=sqlite_api.as_role("auditor")
    )

    assert answer.status_code == 422, answer.text
    assert "years 1 to 9999" in answer.text
