"""`pmo audit history PROGRAMME`: every event of a programme in recorded order, and for
each decision what it moved, read off the state just before and just after it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from tests.api.cli import TRANSFER, ok, pmo, stderr_lines


def history(database: str, *options: str) -> list[dict[str, Any]]:
    result = ok(pmo("audit", "history", "PAY", "-d", database, "--format", "jsonl", *options))
    return [json.loads(line) for line in result.stdout.splitlines()]


def moves_of(rows: list[dict[str, Any]], kind: str) -> list[tuple[Any, ...]]:
    """The moves of the last event of that kind which moved something."""
    row = [r for r in rows if r["kind"] == kind and r["moved"]][-1]
    return [(m["section"], m["subject"], m["field"], m["before"], m["after"]) for m in row["moved"]]


def test_a_transfer_shows_both_envelopes_moving_and_the_budget_kpi(payments: str) -> None:
    ok(pmo(*TRANSFER, "--amount", "5000", "--forum", "steering-committee", "-d", payments))

    rows = history(payments)

    assert [r["position"] for r in rows] == sorted(r["position"] for r in rows)
    decision = [r for r in rows if r["kind"] == "Taken" and r["moved"]][-1]
    assert (decision["forum"], decision["rationale"]) == (
        "steering-committee", "Wallets before the summer sales"
    )  # fmt: skip
    moved = moves_of(rows, "Taken")
    assert ("envelopes", "PAY-A/FY2026/capex", "current", 50000.0, 45000.0) in moved
    assert ("envelopes", "PAY-B/FY2026/capex", "current", 50000.0, 55000.0) in moved
    assert any(m[0] == "budget KPI" and m[1] == "PAY-A/2026" for m in moved)


def test_a_milestone_shift_shows_its_forecast_moving(payments: str) -> None:
    ok(pmo("record", "milestone", "plan", "--project", "PAY-A", "--milestone", "GO",
           "--name", "Go live", "--baseline", "2026-06-30", "--priority", "1",
           "--effective-date", "2026-02-02", "-d", payments))  # fmt: skip
    ok(pmo("record", "milestone", "shift", "--project", "PAY-A", "--milestone", "GO",
           "--forecast", "2026-07-14", "--rationale", "Vendor delay",
           "--effective-date", "2026-03-02", "-d", payments))  # fmt: skip

    rows = history(payments, "--kind", "milestone")

    assert {r["area"] for r in rows if r["kind"] != "Taken"} == {"milestone"}
    assert ("milestones", "PAY-A/GO", "forecast", "2026-06-30", "2026-07-14") in [
        m for r in rows for m in ((x["section"], x["subject"], x["field"], x["before"],
                                   x["after"]) for x in r["moved"])
    ]  # fmt: skip


def test_the_history_is_filtered_by_recorded_period_and_author(payments: str) -> None:
    everything = history(payments)
    assert everything
    assert history(payments, "--author", "nobody") == []
    assert history(payments, "--to", "2000-01-01") == []


def test_the_history_exports_as_csv_and_xlsx(payments: str, tmp_path: Path) -> None:
    ok(pmo(*TRANSFER, "--amount", "5000", "-d", payments))
    csv_text = ok(pmo("audit", "history", "PAY", "-d", payments, "--format", "csv")).stdout
    workbook = tmp_path / "history.xlsx"

    ok(pmo("audit", "history", "PAY", "-d", payments, "--format", "xlsx", "-o", str(workbook)))

    assert csv_text.splitlines()[0].endswith("details,moved")
    sheets = pd.read_excel(workbook, sheet_name=None)
    assert set(sheets) == {"events", "moves", "about"}
    assert len(sheets["events"]) == len(csv_text.splitlines()) - 1
    assert "current" in set(sheets["moves"]["field"])


def test_an_unknown_programme_is_refused(payments: str) -> None:
    result = pmo("audit", "history", "NOPE", "-d", payments)

    assert result.exit_code == 2
    assert "NOPE" in stderr_lines(result)[0]
