"""Concurrent clients through several ``pmo serve`` processes on one database (PostgreSQL,
and SQLite in WAL mode): with If-Match nothing is lost or doubled and every loser gets
409; without it, every write is recorded once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.api.http import PORTFOLIO, issue_tokens
from tests.api.served import pmo_serve, servers

CLIENTS = 8
WINS_EACH = 3
SERVERS = 2  # separate processes, as `pmo serve --workers 2` runs them


Outcome = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def test_eight_clients_with_if_match_lose_and_duplicate_nothing(
    store_url: str, tmp_path: Path
) -> None:
    tokens = issue_tokens(store_url)
    with servers(store_url, tmp_path, SERVERS) as bases:
        with httpx.Client(base_url=bases[0], headers=tokens["pmo"], timeout=60) as setup:
            for command, body in PORTFOLIO:
                assert setup.post(f"/commands/{command}", json=body).status_code == 201
        with ThreadPoolExecutor(CLIENTS) as pool:
            outcomes = list(
                pool.map(lambda n: _writer(n, bases[n % SERVERS], tokens["pmo"]), range(CLIENTS))
            )
        with httpx.Client(base_url=bases[1], headers=tokens["auditor"], timeout=60) as auditor:
            project = auditor.get("/projects/PAY-A").json()
            logged = auditor.get(
                "/events", params={"project": "PAY-A", "kind": "Rescheduled", "limit": 1000}
            ).json()["events"]
    wins = [w for won, _ in outcomes for w in won]
    losses = [lo for _, lost in outcomes for lo in lost]
    assert len(wins) == CLIENTS * WINS_EACH
    assert losses, "eight clients on one project: some must have raced"
    assert all(loss["status"] == 409 for loss in losses), losses
    assert all(loss["current_version"] > loss["expected"] for loss in losses)
    versions = sorted(w["version"] for w in wins)
    assert versions == list(range(2, 2 + len(wins)))  # every win is one version, none twice
    assert project["version"] == 1 + len(wins)
    assert project["state"]["end"] == max(wins, key=lambda w: w["version"])["end"]
    assert sorted(e["version"] for e in logged) == versions  # each win logged once


def _writer(number: int, base: str, pmo: dict[str, str]) -> Outcome:
    """Reschedule PAY-A until this client won WINS_EACH times, each time with the ETag
    it just read; every refusal is kept."""
    won: list[dict[str, Any]] = []
    lost: list[dict[str, Any]] = []
    attempt = 0
    with httpx.Client(base_url=base, headers=pmo, timeout=60) as client:
        while len(won) < WINS_EACH:
            attempt += 1
            etag = client.get("/projects/PAY-A").headers["etag"]
            end = date(2026, 12, 18) + timedelta(days=number * 100 + attempt)
            response = client.post(
                "/commands/project/reschedule",
                json={
                    "project": "PAY-A",
                    "start": "2026-01-05",
                    "end": end.isoformat(),
                    "rationale": f"client {number}",
                },
                headers={"If-Match": etag},
            )
            if response.status_code == 201:
                version = int(response.headers["etag"].strip('"'))
                won.append({"version": version, "end": end.isoformat()})
            else:
                problem = response.json()
                assert response.status_code == 409, problem  # nothing but a lost race
                lost.append(
                    {
                        "status": response.status_code,
                        "expected": int(etag.strip('"')),
                        "current_version": problem.get("current_version") or -1,
                    }
                )
    return won, lost


CUTS_EACH = 5


def test_workers_record_every_concurrent_write_once(store_url: str, tmp_path: Path) -> None:
    tokens = issue_tokens(store_url)
    with pmo_serve(store_url, tmp_path / "serve.log", workers=2) as base:
        with httpx.Client(base_url=base, headers=tokens["pmo"], timeout=60) as setup:
            for command, body in PORTFOLIO:
                assert setup.post(f"/commands/{command}", json=body).status_code == 201

        def cutter(number: int) -> list[int]:
            with httpx.Client(base_url=base, headers=tokens["pmo"], timeout=60) as client:
                return [
                    client.post(
                        "/commands/budget/cut",
                        json={
                            "project": "PAY-A",
                            "fiscal_year": 2026,
                            "effective_date": "2026-03-02",
                            "nature": "capex",
                            "amount": str(100 + number),
                            "rationale": f"client {number}, cut {cut}",
                        },
                    ).status_code
                    for cut in range(CUTS_EACH)
                ]

        with ThreadPoolExecutor(CLIENTS) as pool:
            statuses = [s for batch in pool.map(cutter, range(CLIENTS)) for s in batch]
        with httpx.Client(base_url=base, headers=tokens["auditor"], timeout=60) as auditor:
            cuts = auditor.get("/events", params={"kind": "Cut", "limit": 1000}).json()["events"]
            budget = auditor.get("/kpis/budget", params={"scope": "project:PAY-A"}).json()
    assert statuses == [201] * (CLIENTS * CUTS_EACH)
    assert len(cuts) == CLIENTS * CUTS_EACH
    taken = sum((100 + n) * CUTS_EACH for n in range(CLIENTS))
    assert [row["envelope"] for row in budget["rows"]] == [50000 - taken]
