"""The HTTP API under load: ``pmo serve`` on a big ledger, 50 clients on loopback.

    python bench/http_load.py --database big.db [--clients 50] [--seconds 30] [--workers 1]
                              [--code DIR]

Made for the SQLite file of ``pmo demo --scale 1000000``. The benchmark works on a copy
(SQLite's backup API), since it records decisions. It starts ``pmo serve`` on the copy
with a fresh token (``--workers`` processes; ``--code DIR`` runs the server from the
sources in DIR, another revision of this project, to compare in the same conditions),
then runs these phases of ``--seconds`` each, ``--clients`` concurrent clients (one
asyncio load generator, keep-alive connections):

1. ``healthz``: ``GET /healthz``, the baseline (no ledger work): what the server and
   the load generator can do at all on this machine at this moment;
2. ``state_uncached``: ``GET /state?scope=programme:P&as_of=D``, every request a
   question never asked before (each programme in turn, then the next day): the cost
   of computing an answer;
3. ``state``: ``GET /state?scope=programme:P`` (today, known now), every programme in
   turn from a fresh start: what a dashboard asks; answers are computed the first
   time each programme is asked, then served from the cache (target: p95 ≤ 100 ms);
4. ``state_warm``: the same once every programme was asked (an unmeasured pass first):
   a server that has been answering for a while, nothing recorded meanwhile;
5. ``state_recording``: the same as ``state_warm`` while one of the clients records a
   risk on a programme drawn at random (``POST /commands/risk/raise``), ``--write-rate``
   a second (default 5: the million-event demo holds about two years of a large
   factory's decisions, some 250 events per working hour, so 5 a second is some 70
   times a busy PMO's pace): a dashboard read while the PMO records. The readers' and
   the writer's figures are given apart;
6. ``decide``: ``POST /commands/decision/take``, decisions recorded (target: ≥ 200/s,
   no error).

Each phase reports requests per second, p50, p95 and p99 latencies and errors; the
states' figures are also given as ratios to the baseline's, measured in the same run
(the machine may be shared). Results are printed and written to
bench/results/http_load-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from api.security import Role, TokenStore
from domain.ledger import Ledger

PMO = str(Path(sys.executable).with_name("pmo"))
RESULTS = Path(__file__).parent / "results"
FIRST_DAY = date(2025, 1, 6)  # the questions never asked before: from this day on


def copy_database(source: str, target: Path) -> None:
    """A consistent copy of a SQLite ledger."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)


def start_server(
    database: Path,
    port: int,
    log: Path,
    workers: int = 1,
    code: Path | None = None,
    cold: bool = False,
) -> subprocess.Popen[bytes]:
    """``pmo serve`` on the copy (from the sources in ``code`` if given), ready to answer
    (with ``cold``, not keeping today's programme states warm)."""
    command = [PMO, "serve", "--database", str(database), "--port", str(port)]
    environment = dict(os.environ)
    if cold:
        environment["PMO_API_WARM_STATES"] = "off"
    if code is not None:  # ahead of this checkout's editable install
        environment["PYTHONPATH"] = str(code.resolve())
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "--workers", str(workers)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
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


WARM_LINE = "programme states warm:"


def wait_for_warm(log: Path, code: Path | None, cold: bool, workers: int) -> float | None:
    """Seconds until every worker of a server that warms today's programme states said
    it had (None if it does not warm them: ``--cold``, or a revision without it)."""
    if cold or not ((code or Path(__file__).parents[1]) / "api" / "warm.py").exists():
        return None
    began = time.monotonic()
    while time.monotonic() - began < 900:
        if log.read_text(errors="replace").count(WARM_LINE) >= workers:
            return round(time.monotonic() - began, 1)
        time.sleep(0.5)
    raise RuntimeError("the server did not warm its states in 15 minutes")


class Connection:
    """One keep-alive HTTP/1.1 connection of the load generator: it sends a request,
    reads the whole answer and keeps its status only.

    Not httpx: it spent about 2.4 ms of the generator's CPU on each 290 kB state answer,
    more than the server spends on a cached one, and both share the machine's 2 cores,
    so the benchmark measured its own client as much as the server.
    """

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.headers = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, target: str, body: bytes | None = None) -> int:
        """The status of the answer to ``method target`` (read whole)."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port, limit=2**20)
        reader, writer = self.streams
        extra = (
            ""
            if body is None
            else f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        )
        writer.write(f"{method} {target} HTTP/1.1\r\n{self.headers}{extra}\r\n".encode())
        if body is not None:
            writer.write(body)
        await writer.drain()
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
        status = int(head.split(" ", 2)[1])
        if "transfer-encoding: chunked" in head:
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        else:
            length = head.split("content-length:", 1)[1].split("\r\n", 1)[0]
            await reader.readexactly(int(length))
        if "connection: close" in head:
            self.close()
        return status

    def close(self) -> None:
        """Close the connection (the next request opens another)."""
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


def get(path: str, **query: str) -> str:
    """A request target: the path and its query."""
    return f"{path}?{urlencode(query)}" if query else path


Request = Callable[[Connection, int], Awaitable[int]]


async def phase(
    base: tuple[str, int],
    token: str,
    clients: int,
    seconds: float,
    send: Request,
    writers: int = 0,
    write: Request | None = None,
    write_rate: float = 0.0,
) -> dict[str, Any]:
    """``clients`` loops sending requests for ``seconds``; latencies and errors. With
    ``writers``, that many of the clients send ``write`` instead, ``write_rate`` a
    second between them (as fast as they can if 0), measured apart (under
    ``"writes"``)."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    written: list[float] = []
    write_errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds

    async def loop(number: int) -> None:
        connection = Connection(*base, token)
        writer = number < writers and write is not None
        request = write if writer and write is not None else send
        seen, failed = (written, write_errors) if writer else (latencies, errors)
        count = 0
        every = writers / write_rate if writer and write_rate > 0 else 0.0
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            if every:  # the writer's next turn
                await asyncio.sleep(max(0.0, start + count * every - time.perf_counter()))
            began = time.perf_counter()
            try:
                status = str(
                    await asyncio.wait_for(request(connection, number * 1_000_000 + count), 60)
                )
            except (OSError, asyncio.IncompleteReadError, TimeoutError) as problem:
                status = type(problem).__name__
                connection.close()
            seen.append(time.perf_counter() - began)
            if not status.startswith("2"):
                failed[status] = failed.get(status, 0) + 1
            count += 1
        connection.close()

    began = time.perf_counter()
    await asyncio.gather(*(loop(n) for n in range(clients)))
    elapsed = time.perf_counter() - began
    figures = _figures(latencies, errors, elapsed)
    if writers:
        figures["writes"] = _figures(written, write_errors, elapsed)
    return figures


def _figures(latencies: list[float], errors: dict[str, int], elapsed: float) -> dict[str, Any]:
    """Requests per second, latency quantiles and errors of one phase's requests."""
    ordered = sorted(latencies) or [0.0]

    def quantile(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "requests": len(latencies),
        "per_second": round(len(latencies) / elapsed, 1),
        "ok_per_second": round((len(latencies) - sum(errors.values())) / elapsed, 1),
        "p50_ms": quantile(0.50),
        "p95_ms": quantile(0.95),
        "p99_ms": quantile(0.99),
        "mean_ms": round(1000 * statistics.fmean(ordered), 1),
        "errors": errors,
    }


async def ask_each(base: tuple[str, int], token: str, clients: int, programmes: list[str]) -> None:
    """Every programme's state once (today, known now), ``clients`` at a time."""
    pending = iter(programmes)

    async def loop() -> None:
        connection = Connection(*base, token)
        for programme in pending:
            await connection.request("GET", get("/state", scope=f"programme:{programme}"))
        connection.close()

    await asyncio.gather(*(loop() for _ in range(clients)))


def main() -> None:
    """Run the phases and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a SQLite ledger (pmo demo --scale)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1, help="pmo serve --workers")
    parser.add_argument(
        "--write-rate", type=float, default=5.0, help="risks recorded a second in state_recording"
    )
    parser.add_argument("--code", type=Path, help="run the server from these sources")
    parser.add_argument(
        "--cold", action="store_true", help="a server that does not keep states warm"
    )
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pmo-http-load-"))
    database = work / "ledger.db"
    began = time.perf_counter()
    copy_database(options.database, database)
    print(f"copied in {time.perf_counter() - began:.1f} s", flush=True)
    with Ledger(str(database)) as ledger:
        token = TokenStore(ledger).create("bench.load", Role.PMO).token
        events = ledger.recorder.max_notification_id() or 0
    log = work / "serve.log"
    server = start_server(database, options.port, log, options.workers, options.code, options.cold)
    warmed = wait_for_warm(log, options.code, options.cold, options.workers)
    if warmed is not None:
        print(f"programme states warm {warmed} s after the server was ready", flush=True)
    base = ("127.0.0.1", options.port)
    try:
        state = httpx.get(
            f"http://127.0.0.1:{options.port}/state",
            params={"section": "programmes"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        ).json()
        programmes = [row["programme"] for row in state["sections"]["programmes"]]

        def health(connection: Connection, n: int) -> Awaitable[int]:
            return connection.request("GET", "/healthz")

        def programme_state(connection: Connection, n: int) -> Awaitable[int]:
            scope = f"programme:{programmes[n % len(programmes)]}"
            return connection.request("GET", get("/state", scope=scope))

        asked = itertools.count()

        def new_question(connection: Connection, n: int) -> Awaitable[int]:
            k = next(asked)  # each programme in turn, then the next day
            scope = f"programme:{programmes[k % len(programmes)]}"
            day = FIRST_DAY + timedelta(days=k // len(programmes))
            return connection.request("GET", get("/state", scope=scope, as_of=day.isoformat()))

        turn = itertools.count()

        def every_programme(connection: Connection, n: int) -> Awaitable[int]:
            return programme_state(connection, next(turn))

        chance = random.Random(7)

        def raise_risk(connection: Connection, n: int) -> Awaitable[int]:
            body = {
                "programme": chance.choice(programmes),
                "title": f"Load risk {n}",
                "probability": 2,
                "impact": 3,
                "owner": "bench.load",
                "rationale": "Benchmark",
            }
            return connection.request("POST", "/commands/risk/raise", json.dumps(body).encode())

        def decide(connection: Connection, n: int) -> Awaitable[int]:
            body = {"title": f"Load decision {n}", "rationale": "Benchmark", "forum": "weekly"}
            return connection.request("POST", "/commands/decision/take", json.dumps(body).encode())

        results: dict[str, Any] = {}
        phases: tuple[tuple[str, Request], ...] = (
            ("healthz", health),
            ("state_uncached", new_question),
            ("state", programme_state),
            ("state_warm", every_programme),
            ("state_recording", every_programme),
            ("decide", decide),
        )
        for name, send in phases:
            if name == "state_warm":
                began = time.perf_counter()
                asyncio.run(ask_each(base, token, options.clients, programmes))
                print(f"every programme asked once in {time.perf_counter() - began:.1f} s")
            print(f"phase {name}…", flush=True)
            writers = 1 if name == "state_recording" else 0
            results[name] = asyncio.run(
                phase(
                    base,
                    token,
                    options.clients,
                    options.seconds,
                    send,
                    writers,
                    raise_risk,
                    options.write_rate,
                )
            )
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
        "workers": options.workers,
        "cold": options.cold,
        "warmed_after_ready_s": warmed,
        "write_rate": options.write_rate,
        "code": str(options.code or Path(__file__).parents[1]),
        **{
            f"{name}_p95_vs_healthz_p95": round(
                results[name]["p95_ms"] / results["healthz"]["p95_ms"], 2
            )
            for name in ("state_uncached", "state", "state_warm", "state_recording")
        },
        "targets": {
            "state_p95_le_100ms": results["state"]["p95_ms"] <= 100,
            "state_warm_p95_le_100ms": results["state_warm"]["p95_ms"] <= 100,
            "state_recording_p95_le_100ms": results["state_recording"]["p95_ms"] <= 100,
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
