"""What the tests of the `pmo` command share: running it, and a small payments ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from typer.testing import CliRunner, Result

from api.cli.main import app

AUTHOR = "alice.martin"
runner = CliRunner()


def pmo(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run `pmo ARGS…` with a wide terminal, as ``alice.martin``."""
    return runner.invoke(
        app, list(args), env={"COLUMNS": "200", "PMO_AUTHOR": AUTHOR, **(env or {})}
    )


def stderr_lines(result: Result) -> list[str]:
    """What the command printed on stderr, without colours."""
    return [line for line in click.unstyle(result.stderr).splitlines() if line.strip()]


def ok(result: Result) -> Result:
    """The result, once checked that the command succeeded."""
    assert result.exit_code == 0, result.output
    return result


PORTFOLIO = (
    ("perimeter", "open", "--code", "B2C", "--name", "Business to consumer"),
    ("programme", "open", "--code", "PAY", "--name", "Payments", "--perimeter", "B2C"),
    *(
        (
            *("project", "open", "--code", code, "--name", code.title(), "--programme", "PAY"),
            *("--start", "2026-01-05", "--end", "2026-12-18"),
        )
        for code in ("PAY-A", "PAY-B")
    ),
    *(
        ("budget", "open", "--project", code, "--fiscal-year", "2026", "--capex", "50000")
        for code in ("PAY-A", "PAY-B")
    ),
)
TRANSFER = (
    *("record", "budget", "transfer", "--fiscal-year", "2026", "--nature", "capex"),
    *("--from-project", "PAY-A", "--to-project", "PAY-B", "--effective-date", "2026-03-02"),
    *("--rationale", "Wallets before the summer sales"),
)


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A new SQLite ledger file (not created yet)."""
    return str(tmp_path / "ledger.db")


@pytest.fixture
def payments(database: str) -> str:
    """A ledger with perimeter B2C, programme PAY, projects PAY-A and PAY-B, 50,000 each."""
    for command in PORTFOLIO:
        ok(pmo("record", *command, "--effective-date", "2026-01-01", "--database", database))
    return database


def logged(database: str, *options: str) -> list[dict[str, Any]]:
    """`pmo events --format json` parsed."""
    rows: list[dict[str, Any]] = json.loads(
        ok(pmo("events", "--database", database, "--format", "json", *options)).stdout
    )
    return rows
