"""Dashboard page render times on a big ledger (issue 8, item 4: every page ≤ 1 s).

Works on a copy of a SQLite ledger (``pmo demo --scale 1000000``), made with SQLite's
backup API, since it records a plan proposal and a scenario. Starts ``pmo serve`` on the
copy, runs the planner on one programme, creates a scenario shifting one of its
milestones, signs in, then asks every page — the overview (portfolio and a perimeter), a
programme, the decisions (a programme's, and the whole log's last 30 days), the plans, a
proposal, the scenario — once cold (the first visit: what the process builds on first
use is paid there) and ``--repeat`` times warm, at today and at a date in the past as
known then. Same-run baselines: ``/healthz`` and the JSON ``/state`` of the same
programme. Times are the client's, from request to the last byte of the page.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.security import Role, TokenStore
from bench.http_load import RESULTS, copy_database, start_server
from domain.ledger import Ledger
from domain.scenarios import ScenarioBook

SCENARIO = "Bench what-if"


def token_for(database: Path) -> str:
    """A PMO token on the copy."""
    with Ledger(str(database)) as ledger:
        return TokenStore(ledger).create("bench.dashboard", Role.PMO).token


def scenario(database: Path, milestone: dict[str, Any]) -> None:
    """A scenario whose hypothesis shifts one of the programme's milestones by 4 weeks."""
    later = date.fromisoformat(milestone["forecast"][:10]) + timedelta(days=28)
    with Ledger(str(database)) as ledger:
        book = ScenarioBook(ledger)
        try:
            book.create(SCENARIO, author="bench.dashboard")
            book.add(
                SCENARIO,
                {
                    "area": "milestone",
                    "action": "shift",
                    "fields": {
                        "project": milestone["project"],
                        "milestone": milestone["milestone"],
                        "forecast": later.isoformat(),
                        "rationale": "Benchmark",
                    },
                },
                author="bench.dashboard",
            )
        finally:
            book.close()


def timed(client: httpx.Client, path: str) -> tuple[float, int, int]:
    """Seconds to fetch ``path``, its status and size."""
    began = time.perf_counter()
    answer = client.get(path)
    return time.perf_counter() - began, answer.status_code, len(answer.content)


def measure(client: httpx.Client, path: str, repeat: int) -> dict[str, Any]:
    """The first visit, then ``repeat`` warm ones."""
    cold, status, size = timed(client, path)
    warm = [timed(client, path)[0] for _ in range(repeat)]
    return {
        "path": path,
        "status": status,
        "kB": round(size / 1024),
        "first_s": round(cold, 3),
        "median_s": round(statistics.median(warm), 3),
        "max_s": round(max(warm), 3),
    }


def main() -> None:
    """Copy, serve, sign in, time every page, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a SQLite ledger (pmo demo --scale)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--programme", help="the programme to look at [default: the first]")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pmo-dashboard-bench-"))
    database = work / "ledger.db"
    began = time.perf_counter()
    copy_database(options.database, database)
    print(f"copied in {time.perf_counter() - began:.1f} s", flush=True)
    token = token_for(database)
    server = start_server(database, options.port, work / "serve.log")
    base = f"http://127.0.0.1:{options.port}"
    bearer = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            programmes = client.get("/state", params={"section": "programmes"}, headers=bearer)
            names = [r["programme"] for r in programmes.json()["sections"]["programmes"]]
            programme = options.programme or names[len(names) // 2]
            proposal = client.post(
                "/plans",
                json={"programme": programme, "horizon": 8, "time_limit_s": 5},
                headers=bearer,
            ).json()["proposal"]
            planned = [
                m
                for m in client.get(
                    "/state",
                    params={"scope": f"programme:{programme}", "section": "milestones"},
                    headers=bearer,
                ).json()["sections"]["milestones"]
                if m["status"] == "planned"
            ]
            scenario(database, planned[0])
            signed = client.post("/dashboard/signin", data={"token": token})
            assert signed.status_code == 303, signed.text
            # The first page that reads the log waits for the log index (built once per
            # process, from the whole log; the dashboard starts it at sign-in).
            warm_up, _, _ = timed(client, "/dashboard/plans")
            print(f"log index ready after {warm_up:.1f} s", flush=True)
            past = f"as_of={date.today().year}-06-30&known_at={date.today().year}-07-01T12:00"
            pages = [
                "/",
                "/?perimeter=B2C",
                f"/dashboard/programme/{programme}",
                f"/dashboard/decisions?programme={programme}",
                "/dashboard/decisions",
                "/dashboard/plans",
                f"/dashboard/plans/{proposal}",
                f"/dashboard/scenarios/{SCENARIO}",
            ]
            results = [measure(client, "/healthz", options.repeat)]
            client.headers.update(bearer)  # the JSON baseline; pages use the session cookie
            results.append(measure(client, f"/state?scope=programme:{programme}", options.repeat))
            for page in pages:
                for suffix in ("", past):
                    joined = "&" if "?" in page else "?"
                    path = page + (joined + suffix if suffix else "")
                    results.append(measure(client, path, options.repeat))
                    print(json.dumps(results[-1]), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=60)
    with Ledger(str(database)) as ledger:
        events = ledger.recorder.max_notification_id() or 0
    report = {
        "events": events,
        "programme": programme,
        "repeat": options.repeat,
        "log_index_first_visit_s": round(warm_up, 1),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "pages": results,
        "every_page_warm_le_1s": all(
            r["max_s"] <= 1.0 for r in results if r["path"] == "/" or r["path"][:2] in ("/?", "/d")
        ),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"dashboard-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
