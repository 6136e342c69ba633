"""A past report regenerated as known at its instant is the same file, byte for byte,
however much was recorded since — back-dated corrections included (issue 7, item 3)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from projections.kpis import KPIS
from tests.api.cli import TRANSFER, logged, ok, pmo

AS_OF = "2026-06-30"


def reports(database: str, known_at: str, folder: Path) -> dict[str, bytes]:
    """The state (JSON) and every KPI (JSON, CSV, XLSX) on AS_OF, as known at ``known_at``."""
    moment = ("--as-of", AS_OF, "--known-at", known_at, "--database", database)
    produced = {"state.json": ok(pmo("state", *moment, "--format", "json")).stdout.encode()}
    for name in KPIS:
        for fmt in ("json", "csv"):
            result = ok(pmo("kpi", name, *moment, "--format", fmt))
            produced[f"{name}.{fmt}"] = result.stdout.encode()
        workbook = folder / f"{name}.xlsx"
        ok(pmo("kpi", name, *moment, "--format", "xlsx", "--output", str(workbook)))
        produced[workbook.name] = workbook.read_bytes()
    return produced


def test_reports_as_known_at_an_instant_come_out_identical_after_more_is_recorded(
    payments: str, tmp_path: Path
) -> None:
    ok(pmo(*TRANSFER, "--amount", "5000", "--database", payments))
    known_at = logged(payments)[-1]["recorded_at"]
    (tmp_path / "then").mkdir()
    (tmp_path / "again").mkdir()
    first = reports(payments, known_at, tmp_path / "then")

    ok(pmo(*TRANSFER, "--amount", "7000", "--database", payments))  # effective the same day
    correction = [a.replace("2026-03-02", "2026-01-15") for a in TRANSFER]
    ok(pmo(*correction, "--amount", "900", "--database", payments))  # back-dated
    ok(pmo("record", "budget", "raise", "--project", "PAY-A", "--fiscal-year", "2026",
           "--nature", "capex", "--amount", "1000", "--effective-date", "2026-02-01",
           "--rationale", "late approval", "--database", payments))  # fmt: skip
    now = logged(payments)[-1]["recorded_at"]
    later = reports(payments, now, tmp_path / "again")
    again = reports(payments, known_at, tmp_path / "again")

    assert set(again) == set(first)
    assert [name for name in first if again[name] != first[name]] == []
    assert later["budget.csv"] != first["budget.csv"]  # what was recorded since does show
    stamped = datetime.fromisoformat(known_at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(first["budget.xlsx"])) as workbook:
        properties = workbook.read("docProps/core.xml").decode()
        dates = {info.date_time for info in workbook.infolist()}
    assert f">{stamped}</dcterms:modified>" in properties  # dated by known_at, not the clock
    assert f">{stamped}</dcterms:created>" in properties
    assert len(dates) == 1
