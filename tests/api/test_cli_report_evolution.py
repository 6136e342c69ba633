"""`pmo report evolution`: what changed between two instants, figures as known then."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tests.api.cli import TRANSFER, logged, ok, pmo, stderr_lines


def report(database: str, start: str, end: str, *options: str) -> dict[str, Any]:
    result = ok(pmo("report", "evolution", "--from", start, "--to", end, "-d", database,
                    "--format", "json", *options))  # fmt: skip
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def figure(document: dict[str, Any], kpi: str, measure: str) -> dict[str, Any]:
    return next(f for f in document["kpis"] if (f["kpi"], f["measure"]) == (kpi, measure))


def test_the_period_lists_its_decisions_moves_risks_and_kpi_deltas(payments: str) -> None:
    start = logged(payments)[-1]["recorded_at"]
    ok(pmo(*TRANSFER, "--amount", "5000", "--forum", "steering-committee", "-d", payments))
    ok(pmo("record", "milestone", "plan", "--project", "PAY-A", "--milestone", "GO",
           "--name", "Go live", "--baseline", "2026-06-30", "--priority", "1", "-d", payments,
           "--effective-date", "2026-03-02"))  # fmt: skip
    ok(pmo("record", "milestone", "shift", "--project", "PAY-A", "--milestone", "GO",
           "--forecast", "2026-07-14", "--rationale", "Vendor delay", "-d", payments,
           "--effective-date", "2026-03-02"))  # fmt: skip
    ok(pmo("record", "risk", "raise", "--project", "PAY-A", "--title", "Late vendor",
           "--probability", "3", "--impact", "4", "--owner", "PO", "-d", payments,
           "--effective-date", "2026-03-02"))  # fmt: skip
    end = logged(payments)[-1]["recorded_at"]

    document = report(payments, start, end, "--programme", "PAY")

    assert [e["kind"] for e in document["budgets"]] == ["FundsTransferredOut", "FundsTransferredIn"]
    shifts = [e for e in document["milestones"] if e["kind"] == "MilestoneShifted"]
    assert [(e["rationale"], e["details"]["forecast"]) for e in shifts] == [
        ("Vendor delay", "2026-07-14")
    ]
    assert [e["kind"] for e in document["risks"]] == ["Raised"]
    transfer = next(d for d in document["decisions"] if d["forum"] == "steering-committee")
    assert any(m["subject"] == "PAY-A/FY2026/capex" for m in transfer["moved"])
    assert figure(document, "milestones", "milestones")["delta"] == 1
    assert figure(document, "risk-exposure", "open_risks")["end"] == 1


def test_a_back_dated_correction_recorded_later_is_flagged_not_shown(payments: str) -> None:
    # The headline budget is that of the fiscal year of the instants compared: today's.
    year = date.today().year
    for command in (
        ("project", "open", "--code", "NOW-A", "--name", "This year", "--programme", "PAY",
         "--start", f"{year}-01-01", "--end", f"{year}-12-31", "--effective-date", f"{year}-01-01"),
        ("budget", "open", "--project", "NOW-A", "--fiscal-year", str(year), "--capex", "9000",
         "--effective-date", f"{year}-01-01"),
    ):  # fmt: skip
        ok(pmo("record", *command, "-d", payments))
    start = logged(payments)[-1]["recorded_at"]
    ok(pmo(*TRANSFER, "--amount", "5000", "-d", payments))
    end = logged(payments)[-1]["recorded_at"]
    before = report(payments, start, end)
    ok(pmo("record", "budget", "raise", "--project", "NOW-A", "--fiscal-year", str(year),
           "--nature", "capex", "--amount", "1000", "--effective-date", f"{year}-01-01",
           "--rationale", "approval recorded late", "-d", payments))  # fmt: skip

    after = report(payments, start, end)

    envelope = figure(after, "budget", "envelope")
    assert envelope["start"] == figure(before, "budget", "envelope")["start"]  # as known then
    assert envelope["corrected"] == "start, end"
    assert figure(before, "budget", "envelope")["corrected"] == ""
    assert after["decisions"] == before["decisions"]


def test_the_report_comes_as_markdown_for_a_committee_pack(payments: str) -> None:
    start = logged(payments)[0]["recorded_at"]
    result = ok(pmo("report", "evolution", "--from", "2020-01-01", "--to", start[:10],
                    "-d", payments, "--format", "markdown"))  # fmt: skip

    assert result.stdout.startswith("# Evolution of portfolio")
    assert "| budget | envelope |" in result.stdout


def test_a_period_that_ends_before_it_starts_is_refused(payments: str) -> None:
    result = pmo("report", "evolution", "--from", "2026-03-02", "--to", "2026-03-01",
                 "-d", payments)  # fmt: skip

    assert result.exit_code == 2
    assert "must come after its start" in stderr_lines(result)[0]


def moved(document: dict[str, Any], rationale: str) -> list[tuple[Any, ...]]:
    decision = next(d for d in document["decisions"] if d["rationale"] == rationale)
    return sorted((m["section"], m["subject"], m["field"], m["after"]) for m in decision["moved"])


def test_the_portfolio_report_shows_what_each_decision_moved_as_its_programme_does(
    payments: str,
) -> None:
    start = logged(payments)[-1]["recorded_at"]
    ok(pmo(*TRANSFER, "--amount", "5000", "-d", payments))
    end = logged(payments)[-1]["recorded_at"]

    portfolio = moved(report(payments, start, end), "Wallets before the summer sales")
    programme = moved(report(payments, start, end, "--programme", "PAY"), TRANSFER[-1])

    assert portfolio == programme
    assert ("envelopes", "PAY-B/FY2026/capex", "current", 55000.0) in portfolio


def test_a_programme_opened_after_its_projects_still_shows_what_its_decisions_moved(
    payments: str,
) -> None:
    opened_late = (
        ("programme", "open", "--code", "LATE", "--name", "Late", "--perimeter", "B2C",
         "--effective-date", "2026-06-01"),
        ("project", "open", "--code", "LATE-A", "--name", "Early", "--programme", "LATE",
         "--start", "2026-01-05", "--end", "2026-12-18", "--effective-date", "2026-01-01"),
        ("budget", "open", "--project", "LATE-A", "--fiscal-year", "2026", "--capex", "9000",
         "--effective-date", "2026-01-01"),
    )  # fmt: skip
    for command in opened_late:
        ok(pmo("record", *command, "-d", payments))
    start = logged(payments)[-1]["recorded_at"]
    ok(pmo("record", "budget", "raise", "--project", "LATE-A", "--fiscal-year", "2026",
           "--nature", "capex", "--amount", "1000", "--effective-date", "2026-02-02",
           "--rationale", "Early works", "-d", payments))  # fmt: skip
    end = logged(payments)[-1]["recorded_at"]

    for options in ((), ("--programme", "LATE")):
        document = report(payments, start, end, *options)
        assert ("envelopes", "LATE-A/FY2026/capex", "current", 10000.0) in moved(
            document, "Early works"
        )
