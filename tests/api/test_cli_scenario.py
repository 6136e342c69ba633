"""`pmo scenario`: create, add hypotheses with the options of `pmo record`, show,
promote, rebase and abandon, on a SQLite ledger."""

from __future__ import annotations

import json

from tests.api.cli import logged, ok, pmo, stderr_lines

TRANSFER = ("--fiscal-year", "2026", "--nature", "capex", "--from-project", "PAY-A",
            "--to-project", "PAY-B", "--effective-date", "2026-06-01",
            "--rationale", "Wallets first")  # fmt: skip


def test_a_hypothesis_is_tried_on_the_branch_and_the_ledger_is_untouched(payments: str) -> None:
    before = logged(payments)
    ok(pmo("scenario", "create", "Wallets", "-d", payments))

    added = ok(pmo("scenario", "add", "budget", "transfer", "Wallets", *TRANSFER,
                   "--amount", "20000", "-d", payments))  # fmt: skip
    refused = pmo("scenario", "add", "budget", "transfer", "Wallets", *TRANSFER,
                  "--amount", "40000", "-d", payments)  # fmt: skip

    assert "not recorded in the ledger" in added.stdout
    assert refused.exit_code == 2
    assert "30000.00 capex" in stderr_lines(refused)[0]  # 50,000 - 20,000 on the branch
    assert logged(payments) == before
    shown = ok(pmo("scenario", "show", "Wallets", "-d", payments)).stdout
    assert "Transfer 20000.00 capex from PAY-A/FY2026 to PAY-B/FY2026" in shown


def test_promotion_records_the_hypotheses_under_one_decision(payments: str) -> None:
    ok(pmo("scenario", "create", "Wallets", "-d", payments))
    ok(pmo("scenario", "add", "budget", "transfer", "Wallets", *TRANSFER,
           "--amount", "20000", "-d", payments))  # fmt: skip

    result = ok(pmo("scenario", "promote", "Wallets", "--rationale", "Committee", "-d", payments))

    assert "promoted scenario Wallets as decision D-" in result.stdout
    budget = logged(payments, "--kind", "budget")[-2:]
    assert [e["kind"] for e in budget] == ["FundsTransferredOut", "FundsTransferredIn"]
    assert len({e["decision"] for e in budget}) == 1
    listed = ok(pmo("scenario", "list", "-d", payments)).stdout
    assert "promoted" in listed


def test_a_conflicting_scenario_is_refused_and_rebase_lists_what_no_longer_holds(
    payments: str,
) -> None:
    ok(pmo("scenario", "create", "Wallets", "-d", payments))
    ok(pmo("scenario", "add", "budget", "transfer", "Wallets", *TRANSFER,
           "--amount", "40000", "-d", payments))  # fmt: skip
    ok(pmo("record", "budget", "cut", "--project", "PAY-A", "--fiscal-year", "2026",
           "--nature", "capex", "--amount", "20000", "--rationale", "savings",
           "--effective-date", "2026-03-02", "-d", payments))  # fmt: skip

    promoted = pmo("scenario", "promote", "Wallets", "--rationale", "go", "-d", payments)
    rebased = pmo("scenario", "rebase", "Wallets", "-d", payments)

    assert promoted.exit_code == 2
    assert any("envelope PAY-A/FY2026" in line for line in stderr_lines(promoted))
    assert rebased.exit_code == 2
    assert "hypothesis 1 (budget transfer)" in stderr_lines(rebased)[0]
    ok(pmo("scenario", "abandon", "Wallets", "--rationale", "overtaken", "-d", payments))
    assert "abandoned" in ok(pmo("scenario", "list", "-d", payments)).stdout


def test_compare_sets_the_scenario_beside_the_plan_of_record(payments: str) -> None:
    ok(pmo("scenario", "create", "Wallets", "-d", payments))
    ok(pmo("scenario", "add", "budget", "transfer", "Wallets", *TRANSFER,
           "--amount", "20000", "-d", payments))  # fmt: skip

    document = json.loads(ok(pmo("scenario", "compare", "Wallets", "--as-of", "2026-12-01",
                                 "--format", "json", "-d", payments)).stdout)  # fmt: skip
    page = ok(pmo("scenario", "compare", "Wallets", "--as-of", "2026-12-01",
                  "--format", "markdown", "-d", payments)).stdout  # fmt: skip

    envelopes = {(b["project"], b["envelope (plan of record)"], b["envelope (Wallets)"])
                 for b in document["budgets"]}  # fmt: skip
    assert envelopes == {("PAY-A", 50000.0, 30000.0), ("PAY-B", 50000.0, 70000.0)}
    assert page.startswith("# Wallets against plan of record")


def test_compare_sets_the_capacity_load_of_a_staffing_hypothesis_beside_the_record(
    payments: str,
) -> None:
    ok(pmo("record", "resource", "register", "--code", "ARCH-1", "--name", "Jeanne",
           "--skill", "architect", "--daily-rate", "900", "--home-perimeter", "B2C",
           "--weekly-capacity", "5", "--available-from", "2026-W01",
           "--effective-date", "2026-01-01", "-d", payments))  # fmt: skip
    ok(pmo("scenario", "create", "Design", "-d", payments))
    ok(pmo("scenario", "add", "staffing", "set", "Design", "--resource", "ARCH-1",
           "--project", "PAY-A", "--first-week", "2026-W36", "--last-week", "2026-W52",
           "--days", "4", "--rationale", "design authority", "--effective-date", "2026-08-03",
           "-d", payments))  # fmt: skip

    arguments = ("scenario", "compare", "Design", "--as-of", "2026-09-01", "-d", payments)
    document = json.loads(ok(pmo(*arguments, "--format", "json")).stdout)
    page = ok(pmo(*arguments, "--format", "markdown")).stdout
    table = ok(pmo(*arguments)).stdout

    architect = next(r for r in document["capacity"] if r["group"] == "architect")
    assert (architect["load_pct (plan of record)"], architect["load_pct (Design)"]) == (0.0, 80.0)
    assert "## Capacity load over 3 months (person-days)" in page
    assert "| skill | architect |" in page
    assert "+80.0 pts" in page
    assert "Capacity load over 3 months" in table


def test_figures_read_as_counts_or_sums_to_the_cent_never_minus_zero() -> None:
    from api.scenario_report import amount

    assert amount(11_080_000) == "11,080,000"
    assert amount(4_467_291.7) == "4,467,291.70"
    assert amount(-12.5) == "-12.50"
    assert amount(28.0) == "28"
    assert amount(-0.001) == "0"
