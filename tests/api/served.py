"""Real ``pmo serve`` processes on loopback, for tests that need real HTTP and real workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

PMO = str(Path(sys.executable).with_name("pmo"))


def free_port() -> int:
    """A port nobody listens on now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def pmo_serve(database: str, log: Path, *, workers: int = 1) -> Iterator[str]:
    """``pmo serve`` on a free port until the block ends; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PMO_API_MAX_PLAN_SECONDS": "2"}
    command = [PMO, "serve", "--database", database, "--port", str(port)]
    command += ["--workers", str(workers)]
    with log.open("wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, server, log)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def servers(database: str, logs: Path, count: int) -> Iterator[list[str]]:
    """``count`` separate ``pmo serve`` processes on one database."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(pmo_serve(database, logs / f"serve-{n}.log")) for n in range(count)
        ]


def _wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"pmo serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"pmo serve not ready in 90 s: {log.read_text(errors='replace')[-2000:]}")
