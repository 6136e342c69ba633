"""The `pmo` command end to end: record, read the log, run the demo, and refuse cleanly.

Each test drives `api.cli.main.app` as a user would, on a SQLite file of its own. The
ledger's clock is the wall clock here, so every command gives its effective date in
2026 explicitly and the tests do not depend on the day they run.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest
from typer.testing import Result

from tests.api.cli import AUTHOR, PORTFOLIO, TRANSFER, logged, ok, pmo, stderr_lines


def test_recording_the_portfolio_tree_and_a_transfer_says_recorded(database: str) -> None:
    for command in PORTFOLIO:
        result = pmo("record", *command, "--effective-date", "2026-01-01", "-d", database)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("recorded ")
    transfer = ok(pmo(*TRANSFER, "--amount", "12000", "--database", database))

    assert "recorded Transfer 12000.00 capex from PAY-A/FY2026 to PAY-B/FY2026" in transfer.stdout
    assert "effective 2026-03-02, decision D-" in transfer.stdout
    assert Path(database).is_file()


def test_the_author_recorded_is_pmo_author(payments: str) -> None:
    ok(pmo(*TRANSFER, "--amount", "1000", "-d", payments, env={"PMO_AUTHOR": "marc.lefevre"}))

    authors = [row["author"] for row in logged(payments)]

    assert set(authors[:-3]) == {AUTHOR}
    assert authors[-3:] == ["marc.lefevre"] * 3


def test_a_json_receipt_lists_the_events_recorded_and_their_positions(payments: str) -> None:
    before = len(logged(payments))

    receipt = json.loads(ok(pmo(*TRANSFER, "--amount", "2500", "-d", payments, "--json")).stdout)

    assert receipt["command"] == "budget transfer"
    assert receipt["effective_date"] == "2026-03-02"
    assert receipt["decision"].startswith("D-")
    assert [(e["kind"], e["subject"], e["position"]) for e in receipt["events"]] == [
        ("Taken", f"decision {receipt['decision']}", before + 1),
        ("FundsTransferredOut", "envelope PAY-A/FY2026", before + 2),
        ("FundsTransferredIn", "envelope PAY-B/FY2026", before + 3),
    ]


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        ("60000", "envelope PAY-A/FY2026 holds 50000.00 capex on 2026-03-02"),
        ("1.001", "amount: 1.001 has more than 2 decimals"),
    ],
)
def test_a_refused_command_prints_one_line_and_exits_2(
    payments: str, amount: str, problem: str
) -> None:
    before = logged(payments)

    result = pmo(*TRANSFER, "--amount", amount, "-d", payments)

    assert result.exit_code == 2
    assert stderr_lines(result) == [stderr_lines(result)[0]]
    assert stderr_lines(result)[0].startswith(f"refused: {problem}")
    assert "Traceback" not in result.output
    assert "recorded" not in result.stdout
    assert logged(payments) == before  # nothing recorded


def test_a_missing_required_option_exits_2_naming_it(payments: str) -> None:
    result = pmo(*TRANSFER, "-d", payments)  # no --amount

    assert result.exit_code == 2
    assert "Missing option '--amount'" in click.unstyle(result.stderr)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "skills",
    [("--skill", "architect", "--skill", "security"), ("--skill", "architect,security")],
    ids=["repeated", "comma-separated"],
)
def test_a_list_option_can_be_repeated_or_comma_separated(
    payments: str, skills: tuple[str, ...]
) -> None:
    ok(
        pmo(
            *("record", "resource", "register", "--code", "ARCH-JEANNE", "--name", "Jeanne Roy"),
            *skills,
            *("--daily-rate", "900", "--home-perimeter", "B2C", "--effective-date", "2026-01-01"),
            *("-d", payments),
        )
    )

    registered = logged(payments, "--kind", "Registered")

    assert [row["details"]["skills"] for row in registered] == [["architect", "security"]]


def test_timesheet_lines_are_given_as_repeated_project_days_pairs(payments: str) -> None:
    register = ("record", "resource", "register", "--code", "DEV-OMAR", "--name", "Omar")
    ok(pmo(*register, "--skill", "developer", "--daily-rate", "700", "-d", payments))
    submit = ("record", "timesheet", "submit", "--resource", "DEV-OMAR", "--week", "2026-W10")
    ok(pmo(*submit, "--line", "PAY-A=3", "--line", "PAY-B=1.5", "-d", payments))

    (sheet,) = logged(payments, "--kind", "timesheet")

    assert sheet["subject"] == "DEV-OMAR/2026-W10"
    assert sheet["details"]["lines"] == {"PAY-A": "3.00", "PAY-B": "1.50"}
    assert sheet["effective_date"] == "2026-03-02"


def test_events_as_json_are_every_recorded_event_in_order(payments: str) -> None:
    ok(pmo(*TRANSFER, "--amount", "1000", "-d", payments))

    rows = logged(payments)

    assert [row["position"] for row in rows] == list(range(1, len(rows) + 1))
    assert [(row["area"], row["kind"], row["subject"]) for row in rows[:2]] == [
        ("perimeter", "Opened", "B2C"),
        ("programme", "Opened", "PAY"),
    ]
    assert [row["kind"] for row in rows[-2:]] == ["FundsTransferredOut", "FundsTransferredIn"]
    assert rows[-1]["details"]["counterpart"] == "PAY-A/FY2026"
    assert rows[-1]["rationale"] == "Wallets before the summer sales"


def test_events_as_csv_have_a_header_and_one_line_per_event(payments: str) -> None:
    ok(pmo(*TRANSFER, "--amount", "1000", "-d", payments))
    count = len(logged(payments))

    output = ok(pmo("events", "-d", payments, "--format", "csv")).stdout
    lines = output.splitlines()
    rows = list(csv.DictReader(io.StringIO(output)))

    assert lines[0].startswith("position,recorded_at,effective_date,area,kind,subject,author")
    assert len(lines) == 1 + count
    assert [row["position"] for row in rows] == [str(n) for n in range(1, count + 1)]
    assert json.loads(rows[-1]["details"])["counterpart"] == "PAY-A/FY2026"


def test_events_filtered_by_kind_budget_are_the_envelopes_and_arbitrations(payments: str) -> None:
    ok(pmo(*TRANSFER, "--amount", "1000", "-d", payments))

    rows = logged(payments, "--kind", "budget")

    assert [(row["kind"], row["subject"]) for row in rows] == [
        ("Opened", "PAY-A/FY2026"),
        ("Opened", "PAY-B/FY2026"),
        ("FundsTransferredOut", "PAY-A/FY2026"),
        ("FundsTransferredIn", "PAY-B/FY2026"),
    ]


def test_events_as_a_table_show_the_event_kinds(payments: str) -> None:
    ok(pmo(*TRANSFER, "--amount", "1000", "-d", payments))

    table = ok(pmo("events", "-d", payments)).stdout

    assert "Ledger events" in table
    for shown in ("perimeter: Opened", "budget:", "FundsTransferredOut", "FundsTransferredIn"):
        assert shown in table  # a long kind wraps below its area in the "event" column
    assert AUTHOR in table


def test_reading_a_ledger_file_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"

    result = pmo("events", "-d", str(missing))

    assert result.exit_code == 2
    assert stderr_lines(result) == [
        f"error: there is no ledger at {missing} (run `pmo demo`, or record something first)"
    ]
    assert not missing.exists()


def test_pmo_database_in_the_environment_chooses_the_store(tmp_path: Path) -> None:
    store = {"PMO_DATABASE": str(tmp_path / "from-env.db")}

    ok(pmo("record", "perimeter", "open", "--code", "B2C", "--name", "B2C", env=store))
    rows = json.loads(ok(pmo("events", "--format", "json", env=store)).stdout)

    assert [(row["subject"], row["author"]) for row in rows] == [("B2C", AUTHOR)]
    assert (tmp_path / "from-env.db").is_file()


def test_an_unreachable_postgresql_server_exits_1_with_one_line() -> None:
    result = pmo(
        *("record", "perimeter", "open", "--code", "B2C", "--name", "B2C"),
        *("--database", "postgresql://postgres@127.0.0.1:1/nothing"),
    )

    assert result.exit_code == 1
    (line,) = stderr_lines(result)
    assert line.startswith("store unavailable: ")
    assert "Traceback" not in result.output


def test_an_unsupported_store_url_exits_2() -> None:
    result = pmo("record", "perimeter", "open", "--code", "B2C", "--name", "B2C", "-d", "mysql://x")

    assert result.exit_code == 2
    assert stderr_lines(result) == [
        "error: unsupported store 'mysql': use a SQLite file path or a postgresql:// URL"
    ]


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, str, str]:
    """The demo run twice, same seed and day, on two new files: the first run's output."""
    folder = tmp_path_factory.mktemp("demo")
    first, second = str(folder / "first.db"), str(folder / "second.db")
    result = pmo("demo", "--today", "2026-03-02", "--seed", "7", "--database", first)
    ok(pmo("demo", "--today", "2026-03-02", "--seed", "7", "--database", second))
    return result, first, second


def test_the_demo_records_a_portfolio_and_prints_what_it_holds(
    demos: tuple[Result, str, str],
) -> None:
    result, first, _ = demos

    assert result.exit_code == 0, result.output
    for heading in (
        "What the ledger holds",
        "Budget FY2026 by perimeter",
        "Milestones that slipped most",
        "Decisions by forum:",
        "Next, try:",
    ):
        assert heading in result.stdout
    assert f"pmo events -d {first} --kind budget --format csv" in result.stdout
    assert "(2025-01-02 to 2026-03-01)" in result.stdout


def test_the_reading_commands_the_demo_suggests_run_on_its_ledger(
    demos: tuple[Result, str, str],
) -> None:
    result, _, _ = demos
    suggested = [
        line.strip().split()[1:]
        for line in result.stdout.splitlines()
        if line.strip().startswith(("pmo state", "pmo kpi"))
    ]

    assert len(suggested) >= 3
    for arguments in suggested:
        ok(pmo(*arguments))


def test_the_demo_refuses_a_ledger_that_already_holds_events(
    demos: tuple[Result, str, str],
) -> None:
    _, first, _ = demos
    before = ok(pmo("events", "-d", first, "--format", "csv")).stdout

    again = pmo("demo", "--today", "2026-03-02", "--database", first)

    assert again.exit_code == 2
    (line,) = stderr_lines(again)
    assert line.startswith(f"refused: the ledger at {first} already holds events")
    assert ok(pmo("events", "-d", first, "--format", "csv")).stdout == before


def test_the_demo_is_deterministic_for_a_seed_and_a_day(demos: tuple[Result, str, str]) -> None:
    _, first, second = demos

    one = ok(pmo("events", "-d", first, "--format", "json")).stdout
    other = ok(pmo("events", "-d", second, "--format", "json")).stdout

    assert one == other
    assert len(json.loads(one)) > 5000


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--programme", "RETAIL"), "unknown programme 'RETAIL'"),
        (("--project", "PAY-Z"), "unknown project 'PAY-Z'"),
        (("--kind", "budgets"), "'budgets' is neither an area"),
    ],
)
def test_events_filtered_on_a_name_the_ledger_does_not_know_are_refused(
    payments: str, options: tuple[str, ...], message: str
) -> None:
    result = pmo("events", "--database", payments, *options)
    assert result.exit_code == 2
    assert len(stderr_lines(result)) == 1
    assert message in stderr_lines(result)[0]


def test_a_demo_day_that_is_not_a_date_is_refused_in_one_line(database: str) -> None:
    result = pmo("demo", "--database", database, "--today", "2026-13-01")
    assert result.exit_code == 2
    assert stderr_lines(result) == ["refused: today: '2026-13-01' is not a date (YYYY-MM-DD)"]
    assert "Traceback" not in result.output


def test_events_name_what_an_event_refers_to_by_its_code(payments: str) -> None:
    opened = logged(payments, "--kind", "programme")
    assert opened[0]["details"]["perimeter"] == "B2C"
    assert "perimeter_id" not in opened[0]["details"]


def test_text_with_square_brackets_is_recorded_and_shown_as_typed(payments: str) -> None:
    title = "Freeze [/all] spend [red]now"
    result = pmo(
        "record", "decision", "take", "--title", title, "--rationale", "[b]why[/b]",
        "--database", payments,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert title in click.unstyle(result.stdout)
    table = ok(pmo("events", "--database", payments, "--kind", "decision")).stdout
    assert "[/all]" in table
    assert "[b]why[/b]" in table
    refused = pmo("record", "perimeter", "open", "--code", "[/x]", "--name", "x", "-d", payments)
    assert refused.exit_code == 2
    assert stderr_lines(refused) == [
        "refused: code: '[/x]' is not a valid code (letters, digits, '.', '_' or '-', at most 64)"
    ]


def test_a_kind_can_name_an_area_and_an_event_together(payments: str) -> None:
    ok(pmo(*TRANSFER, "--amount", "1000", "--database", payments))
    ok(
        pmo(
            "record", "budget", "raise", "--project", "PAY-A", "--fiscal-year", "2026",
            "--nature", "capex", "--amount", "500", "--rationale", "Grant",
            "--effective-date", "2026-03-02", "-d", payments,
        )
    )  # fmt: skip
    ok(
        pmo(
            "record", "risk", "raise", "--project", "PAY-A", "--title", "Late", "--probability",
            "2", "--impact", "2", "--owner", "PO", "-d", payments,
        )
    )  # fmt: skip
    raised_anywhere = {(r["area"], r["kind"]) for r in logged(payments, "--kind", "Raised")}
    assert raised_anywhere == {("budget", "Raised"), ("risk", "Raised")}
    only_budget = {(r["area"], r["kind"]) for r in logged(payments, "--kind", "budget:Raised")}
    assert only_budget == {("budget", "Raised")}
