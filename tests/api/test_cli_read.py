"""`pmo state` and `pmo kpi` end to end: both time axes, scopes, formats and refusals.

The payments ledger holds two projects with 50,000 of capex each for 2026 (effective
2026-01-01); the transfer moves some of PAY-A's to PAY-B, effective 2026-03-02.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from projections.kpis import KPIS
from projections.state import SECTIONS
from tests.api.cli import TRANSFER, logged, ok, pmo, stderr_lines


def state(database: str, *options: str) -> dict[str, Any]:
    """`pmo state --format json` parsed."""
    document: dict[str, Any] = json.loads(
        ok(pmo("state", "-d", database, "--format", "json", *options)).stdout
    )
    return document


def capex(database: str, *options: str) -> dict[str, float]:
    """The current capex of each envelope in the state the options name."""
    rows = state(database, "--section", "envelopes", *options)["sections"]["envelopes"]
    return {row["envelope"]: row["current"] for row in rows if row["nature"] == "capex"}


def refused(result: Any) -> str:
    """The one line a refused command printed, once checked it exited with 2."""
    assert result.exit_code == 2, result.output
    (line,) = stderr_lines(result)
    assert "Traceback" not in result.output
    return line


def test_the_state_shows_a_transfer_as_soon_as_it_is_recorded(payments: str) -> None:
    assert capex(payments) == {"PAY-A/FY2026": 50_000.0, "PAY-B/FY2026": 50_000.0}

    ok(pmo(*TRANSFER, "--amount", "12000", "-d", payments))

    assert capex(payments) == {"PAY-A/FY2026": 38_000.0, "PAY-B/FY2026": 62_000.0}
    ok(pmo(*TRANSFER, "--amount", "3000", "-d", payments))
    assert capex(payments) == {"PAY-A/FY2026": 35_000.0, "PAY-B/FY2026": 65_000.0}


def test_the_state_before_the_effective_date_of_a_transfer_does_not_have_it(
    payments: str,
) -> None:
    ok(pmo(*TRANSFER, "--amount", "12000", "-d", payments))

    before = capex(payments, "--as-of", "2026-03-01")
    on = capex(payments, "--as-of", "2026-03-02")

    assert before == {"PAY-A/FY2026": 50_000.0, "PAY-B/FY2026": 50_000.0}
    assert on == {"PAY-A/FY2026": 38_000.0, "PAY-B/FY2026": 62_000.0}


def test_the_state_as_known_before_a_transfer_was_recorded_does_not_have_it(
    payments: str,
) -> None:
    ok(pmo(*TRANSFER, "--amount", "12000", "-d", payments))
    recorded = datetime.fromisoformat(logged(payments)[-1]["recorded_at"])
    just_before = (recorded - timedelta(microseconds=1)).astimezone(UTC).isoformat()

    document = state(payments, "--section", "envelopes", "--known-at", just_before)

    assert document["known_at"] == just_before
    assert capex(payments, "--known-at", just_before) == {
        "PAY-A/FY2026": 50_000.0,
        "PAY-B/FY2026": 50_000.0,
    }
    assert capex(payments, "--known-at", recorded.isoformat())["PAY-B/FY2026"] == 62_000.0


def test_the_state_of_a_project_holds_only_that_project(payments: str) -> None:
    document = state(payments, "--project", "PAY-A")

    assert document["scope"] == "project PAY-A"
    assert set(document["sections"]) == set(SECTIONS)
    assert [row["project"] for row in document["sections"]["projects"]] == ["PAY-A"]
    assert {row["envelope"] for row in document["sections"]["envelopes"]} == {"PAY-A/FY2026"}


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (("--programme", "NOPE"), "refused: unknown programme 'NOPE'"),
        (("--programme", "PAY", "--project", "PAY-A"), "refused: project: name one perimeter"),
        (("--section", "budgets"), "refused: section: no section 'budgets'"),
        (("--as-of", "2026-02-30"), "refused: as_of: '2026-02-30' is not a date"),
        (("--known-at", "yesterday"), "refused: known_at: 'yesterday' is not a date or an ISO"),
        (("--format", "csv"), "refused: format: a CSV holds one table"),
    ],
)
def test_a_state_asked_badly_is_refused_in_one_line(
    payments: str, options: tuple[str, ...], problem: str
) -> None:
    line = refused(pmo("state", "-d", payments, *options))

    assert line.startswith(problem)


def test_the_state_of_one_section_as_csv_has_a_header_and_a_line_per_row(payments: str) -> None:
    output = ok(pmo("state", "-d", payments, "--section", "projects", "--format", "csv")).stdout

    rows = list(csv.DictReader(io.StringIO(output)))

    assert [(row["project"], row["programme"], row["perimeter"]) for row in rows] == [
        ("PAY-A", "PAY", "B2C"),
        ("PAY-B", "PAY", "B2C"),
    ]
    assert rows[0]["start"] == "2026-01-05"


def test_the_state_as_csv_into_a_directory_writes_one_file_per_section(
    payments: str, tmp_path: Path
) -> None:
    folder = tmp_path / "state"

    ok(pmo("state", "-d", payments, "--format", "csv", "--output", str(folder)))

    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{s}.csv" for s in SECTIONS)
    envelopes = list(csv.DictReader((folder / "envelopes.csv").open()))
    assert {row["envelope"] for row in envelopes} == {"PAY-A/FY2026", "PAY-B/FY2026"}


def test_the_state_as_tables_has_a_title_per_section(payments: str) -> None:
    table = ok(pmo("state", "-d", payments, "--as-of", "2026-06-30")).stdout

    assert table.startswith("portfolio in force on 2026-06-30, as known at ")
    for section in ("perimeters", "programmes", "envelopes", "milestone moves", "risks"):
        assert f"\n{section}\n" in table
    assert "PAY-B/FY2026" in table
    assert "50,000" in table


def test_the_kpi_list_names_every_kpi_and_its_options(payments: str) -> None:
    listing = ok(pmo("kpi", "--list")).stdout

    for name in KPIS:
        assert name in listing
    assert "--fiscal-year" in listing
    assert "--grace-hours" in listing


def test_the_budget_kpi_as_json_shows_the_envelopes_after_the_transfer(payments: str) -> None:
    ok(pmo(*TRANSFER, "--amount", "12000", "-d", payments))

    document = json.loads(
        ok(pmo("kpi", "budget", "-d", payments, "--format", "json", "--fiscal-year", "2026")).stdout
    )

    assert document["what"] == "kpi budget"
    assert document["parameters"] == {"fiscal_year": 2026}
    assert [(r["project"], r["envelope"], r["remaining"]) for r in document["rows"]] == [
        ("PAY-A", 38_000.0, 38_000.0),
        ("PAY-B", 62_000.0, 62_000.0),
    ]


def test_the_budget_kpi_rolled_up_to_the_programme_adds_its_projects(payments: str) -> None:
    ok(pmo(*TRANSFER, "--amount", "12000", "-d", payments))

    arguments = ("kpi", "budget", "--level", "programme", "--as-of", "2026-06-30")
    output = ok(pmo(*arguments, "-d", payments, "--format", "csv")).stdout

    (row,) = csv.DictReader(io.StringIO(output))
    assert (row["programme"], float(row["envelope"]), float(row["envelope_capex"])) == (
        "PAY",
        100_000.0,
        100_000.0,
    )


def test_a_kpi_as_xlsx_is_a_workbook_with_its_rows_and_what_was_asked(
    payments: str, tmp_path: Path
) -> None:
    workbook_path = tmp_path / "budget.xlsx"

    ok(
        pmo(
            *("kpi", "budget", "-d", payments, "--format", "xlsx", "--as-of", "2026-06-30"),
            *("--output", str(workbook_path)),
        )
    )

    workbook = openpyxl.load_workbook(workbook_path)
    assert workbook.sheetnames == ["budget", "about"]
    rows = list(workbook["budget"].iter_rows(values_only=True))
    assert rows[0][:5] == ("perimeter", "programme", "project", "fiscal_year", "envelope")
    assert [row[2:5] for row in rows[1:]] == [("PAY-A", 2026, 50_000), ("PAY-B", 2026, 50_000)]
    about = dict(list(workbook["about"].iter_rows(values_only=True))[1:])
    assert about["what"] == "kpi budget"
    assert about["as_of"] == "2026-06-30"


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (("kpi", "velocity"), "refused: kpi: no KPI 'velocity'; there are budget, burn"),
        (("kpi", "budget", "--months", "3"), "refused: months: budget takes level, fiscal_year"),
        (("kpi", "budget", "--level", "team"), "refused: level: a level is one of portfolio"),
        (("kpi", "capacity", "--by", "colour"), "refused: by: capacity is grouped by resource"),
        (("kpi", "budget", "--format", "xlsx"), "refused: output: an xlsx workbook is written"),
    ],
)
def test_a_kpi_asked_badly_is_refused_in_one_line(
    payments: str, arguments: tuple[str, ...], problem: str
) -> None:
    line = refused(pmo(*arguments, "-d", payments))

    assert line.startswith(problem)


@pytest.mark.parametrize("name", list(KPIS))
def test_every_kpi_runs_on_a_small_ledger_in_every_text_format(payments: str, name: str) -> None:
    for fmt in ("table", "json", "csv"):
        ok(pmo("kpi", name, "-d", payments, "--format", fmt, "--as-of", "2026-06-30"))


def test_reading_the_state_of_a_ledger_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"

    result = pmo("state", "-d", str(missing))

    assert result.exit_code == 2
    assert not missing.exists()
