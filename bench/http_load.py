"""The HTTP API under load: ``pmo serve`` on a big ledger, 50 clients on loopback.

    python bench/http_load.py --database big.db [--clients 50] [--seconds 30]

Made for the SQLite file of ``pmo demo --scale 1000000``. The benchmark works on a copy
(SQLite's backup API), since it records decisions. It starts ``pmo serve`` on the copy
with a fresh token, then runs three phases of ``--seconds`` each, ``--clients``
concurrent clients (one asyncio load generator, keep-alive connections):

1. ``GET /healthz``: the baseline (no ledger work), what the server and the load
   generator can do at all on this machine at this moment;
2. ``GET /state?scope=programme:P`` for the programmes of the ledger in turn
   (target: p95 ≤ 100 ms);
3. ``POST /commands/decision/take``: decisions recorded (target: ≥ 200/s, no error).

Each phase reports requests per second, p50, p95 and p99 latencies and errors; the
state's figures are also given as ratios to the baseline's, measured in the same run
(the machine may be shared). Results are printed and written to
bench/results/http_load-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from api.security import Role, TokenStore
from domain.ledger import Ledger

PMO = str(Path(sys.executable).with_name("pmo"))
RESULTS = Path(__file__).parent / "results"


def copy_database(source: str, target: Path) -> None:
    """A consistent copy of a SQLite ledger."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)


def start_server(database: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``pmo serve`` on the copy, ready to answer."""
    with log.open("wb") as output:
        server = subprocess.Popen(
            [PMO, "serve", "--database", str(database), "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    began = time.monotonic()
    while time.monotonic() - began < 900:
        if server.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace")[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                print(f"server ready in {time.monotonic() - began:.1f} s", flush=True)
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    server.kill()
    raise RuntimeError("the server did not start in 15 minutes")


Request = Callable[[httpx.AsyncClient, int], Any]


async def phase(
    base: str, token: str, clients: int, seconds: float, send: Request
) -> dict[str, Any]:
    """``clients`` loops sending requests for ``seconds``; latencies and errors."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=60
    ) as client:

        async def loop(number: int) -> None:
            count = 0
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    response = await send(client, number * 1_000_000 + count)
                    status = str(response.status_code)
                except httpx.HTTPError as problem:
                    status = type(problem).__name__
                latencies.append(time.perf_counter() - began)
                if not status.startswith("2"):
                    errors[status] = errors.get(status, 0) + 1
                count += 1

        began = time.perf_counter()
        await asyncio.gather(*(loop(n) for n in range(clients)))
        elapsed = time.perf_counter() - began
    ordered = sorted(latencies)

    def quantile(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "requests": len(ordered),
        "per_second": round(len(ordered) / elapsed, 1),
        "ok_per_second": round((len(ordered) - sum(errors.values())) / elapsed, 1),
        "p50_ms": quantile(0.50),
        "p95_ms": quantile(0.95),
        "p99_ms": quantile(0.99),
        "mean_ms": round(1000 * statistics.fmean(ordered), 1),
        "errors": errors,
    }


def main() -> None:
    """Run the three phases and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a SQLite ledger (pmo demo --scale)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pmo-http-load-"))
    database = work / "ledger.db"
    began = time.perf_counter()
    copy_database(options.database, database)
    print(f"copied in {time.perf_counter() - began:.1f} s", flush=True)
    with Ledger(str(database)) as ledger:
        token = TokenStore(ledger).create("bench.load", Role.PMO).token
        events = ledger.recorder.max_notification_id() or 0
    server = start_server(database, options.port, work / "serve.log")
    base = f"http://127.0.0.1:{options.port}"
    try:
        state = httpx.get(
            f"{base}/state",
            params={"section": "programmes"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        ).json()
        programmes = [row["programme"] for row in state["sections"]["programmes"]]

        def health(client: httpx.AsyncClient, n: int) -> Any:
            return client.get("/healthz")

        def programme_state(client: httpx.AsyncClient, n: int) -> Any:
            scope = f"programme:{programmes[n % len(programmes)]}"
            return client.get("/state", params={"scope": scope})

        def decide(client: httpx.AsyncClient, n: int) -> Any:
            body = {"title": f"Load decision {n}", "rationale": "Benchmark", "forum": "weekly"}
            return client.post("/commands/decision/take", json=body)

        results: dict[str, Any] = {}
        for name, send in (("healthz", health), ("state", programme_state), ("decide", decide)):
            print(f"phase {name}…", flush=True)
            results[name] = asyncio.run(phase(base, token, options.clients, options.seconds, send))
            print(f"  {results[name]}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=60)
    report = {
        "events": events,
        "programmes": len(programmes),
        "clients": options.clients,
        "seconds": options.seconds,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        **results,
        "state_p95_vs_healthz_p95": round(
            results["state"]["p95_ms"] / results["healthz"]["p95_ms"], 2
        ),
        "targets": {
            "state_p95_le_100ms": results["state"]["p95_ms"] <= 100,
            "decisions_ge_200_per_s": results["decide"]["ok_per_second"] >= 200
            and not results["decide"]["errors"],
        },
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"http_load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
