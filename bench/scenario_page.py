"""A scenario's first look on the dashboard, this checkout against another, in one run.

    python bench/scenario_page.py --database BIG.db --baseline OLD_SOURCES [--scenarios 5]

The page a committee opens first for a scenario (``/dashboard/scenarios/{name}``) pays
for the scenario's read models and for the comparison; later looks are answered from
what the process keeps. This benchmark makes ``--scenarios`` scenarios (each shifting
one milestone of a programme by 4 weeks, so each first look is a cold one), serves a
copy of the ledger twice — from this checkout and from ``--baseline`` (a source tree of
another commit, e.g. ``git archive cb89383 | tar -x -C /tmp/old``), each on its own copy
—, waits for both to be ready (their log index built), then asks each scenario's page
once on each server, alternating which goes first, so that both see the same machine
load. Reports every time, the medians and their ratio.
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

from bench.dashboard import token_for
from bench.http_load import RESULTS, copy_database, start_server
from domain.ledger import Ledger
from domain.scenarios import ScenarioBook


def scenarios(database: Path, milestones: list[dict[str, Any]], count: int) -> list[str]:
    """``count`` scenarios, each shifting one of ``milestones`` by 4 weeks."""
    names = []
    with Ledger(str(database)) as ledger:
        book = ScenarioBook(ledger)
        try:
            for number in range(count):
                milestone = milestones[number % len(milestones)]
                later = date.fromisoformat(milestone["forecast"][:10]) + timedelta(days=28)
                name = f"Bench first look {number + 1}"
                book.create(name, author="bench.scenario_page")
                fields = {"project": milestone["project"], "milestone": milestone["milestone"],
                          "forecast": later.isoformat(), "rationale": "Benchmark"}  # fmt: skip
                book.add(name, {"area": "milestone", "action": "shift", "fields": fields},
                         author="bench.scenario_page")  # fmt: skip
                names.append(name)
        finally:
            book.close()
    return names


def main() -> None:
    """Copy twice, serve both, make the scenarios, time each first look on both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a SQLite ledger (pmo demo --scale)")
    parser.add_argument("--baseline", type=Path, required=True, help="the other sources")
    parser.add_argument("--scenarios", type=int, default=5)
    parser.add_argument("--port", type=int, default=8770)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pmo-scenario-page-"))
    sides = {"new": None, "baseline": options.baseline}
    servers = {}
    tokens, bases = {}, {}
    try:
        for number, (side, code) in enumerate(sides.items()):
            database = work / f"{side}.db"
            copy_database(options.database, database)
            tokens[side] = token_for(database)
            port = options.port + number
            servers[side] = start_server(database, port, work / f"{side}.log", code=code)
            bases[side] = f"http://127.0.0.1:{port}"
        clients = {side: httpx.Client(base_url=bases[side], timeout=600) for side in sides}
        bearer = {"Authorization": f"Bearer {tokens['new']}"}
        found = clients["new"].get("/state", params={"section": "programmes"}, headers=bearer)
        names = [r["programme"] for r in found.json()["sections"]["programmes"]]
        programme = names[len(names) // 2]
        milestones = [
            m
            for m in clients["new"]
            .get(
                "/state",
                params={"scope": f"programme:{programme}", "section": "milestones"},
                headers=bearer,
            )
            .json()["sections"]["milestones"]
            if m["status"] == "planned"
        ]
        made = {
            side: scenarios(work / f"{side}.db", milestones, options.scenarios) for side in sides
        }
        for side, client in clients.items():
            signed = client.post("/dashboard/signin", data={"token": tokens[side]})
            assert signed.status_code == 303, signed.text
            began = time.perf_counter()
            client.get("/dashboard/plans")  # waits for the log index (a minute or so)
            print(f"{side}: log index ready after {time.perf_counter() - began:.1f} s", flush=True)
        times: dict[str, list[float]] = {side: [] for side in sides}
        for number in range(options.scenarios):
            order = list(sides) if number % 2 == 0 else list(reversed(sides))
            for side in order:
                path = f"/dashboard/scenarios/{made[side][number]}"
                began = time.perf_counter()
                answer = clients[side].get(path)
                times[side].append(time.perf_counter() - began)
                assert answer.status_code == 200, (side, answer.status_code)
                print(f"{side} {path}: {times[side][-1]:.3f} s", flush=True)
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=60)
    report = {
        "programme": programme,
        "scenarios": options.scenarios,
        "first_look_s": {side: [round(t, 3) for t in found] for side, found in times.items()},
        "median_s": {side: round(statistics.median(found), 3) for side, found in times.items()},
        "ratio_baseline_to_new": round(
            statistics.median(times["baseline"]) / statistics.median(times["new"]), 1
        ),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"scenario-page-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
