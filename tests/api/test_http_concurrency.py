"""Eight clients writing to one project through two API processes: nothing lost or doubled."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app, open_services
from api.settings import Settings
from tests.api.http import Api, build_payments

CLIENTS = 8
WINS_EACH = 3


@pytest.mark.xfail(
    run=False,
    reason="hangs when Starlette's TestClient is driven from 8 threads; to be rewritten"
    " against a uvicorn server on a free port (docs/api.md, what is not done)",
)
def test_eight_clients_with_if_match_lose_and_duplicate_nothing(api: Api) -> None:
    build_payments(api)
    apps = [api.app]
    if api.database.startswith("postgresql"):
        # A second app on the same database stands for a second worker process.
        second = create_app(Settings(database=api.database))
        second.state.services = open_services(Settings(database=api.database))
        apps.append(second)
    try:
        outcomes = _race(api, apps)
    finally:
        for app in apps[1:]:
            app.state.services.ledger.close()
    wins = [w for won, _ in outcomes for w in won]
    losses = [lo for _, lost in outcomes for lo in lost]
    assert len(wins) == CLIENTS * WINS_EACH
    assert all(
        loss["status"] == 409 and loss["current_version"] > loss["expected"] for loss in losses
    )
    project = api.client.get("/projects/PAY-A", headers=api.as_role("auditor")).json()
    assert project["version"] == 1 + len(wins)
    assert project["state"]["end"] == max(wins, key=lambda w: w["version"])["end"]
    versions = sorted(w["version"] for w in wins)
    assert versions == list(range(2, 2 + len(wins)))  # every win is one version, none twice
    logged = api.client.get(
        "/events",
        params={"project": "PAY-A", "kind": "Rescheduled", "limit": 1000},
        headers=api.as_role("auditor"),
    ).json()["events"]
    assert len(logged) == len(wins)


def _race(api: Api, apps: list[FastAPI]) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    def writer(number: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        # A client per writer: Starlette's TestClient is not meant to be shared by threads.
        client = TestClient(apps[number % len(apps)])
        won: list[dict[str, Any]] = []
        lost: list[dict[str, Any]] = []
        attempt = 0
        while len(won) < WINS_EACH:
            attempt += 1
            etag = client.get("/projects/PAY-A", headers=api.as_role("pmo")).headers["etag"]
            end = date(2026, 12, 18) + timedelta(days=number * 100 + attempt)
            response = client.post(
                "/commands/project/reschedule",
                json={"project": "PAY-A", "end": end.isoformat(), "rationale": f"client {number}"},
                headers={**api.as_role("pmo"), "If-Match": etag},
            )
            if response.status_code == 201:
                won.append(
                    {"version": int(response.headers["etag"].strip('"')), "end": end.isoformat()}
                )
            else:
                problem = response.json()
                lost.append(
                    {
                        "status": response.status_code,
                        "expected": int(etag.strip('"')),
                        "current_version": problem.get("current_version") or -1,
                    }
                )
        return won, lost

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(writer, range(CLIENTS)))
