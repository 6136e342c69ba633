"""`pmo plan` on a ledger: the proposal recorded, accepted (its staffing changes
recorded under one decision) or rejected, refused when out of date, re-run on the past.

The case: PAY-A's GO milestone (week 12) needs 30 developer-days; BOB alone on PAY-A
(5 days a week) would end it two weeks late, so the plan moves ANA off PAY-B, whose
work the plan does not see, for weeks 10 to 12, and keeps the rest of the staffing as
it is (ANA on PAY-B and BOB on PAY-A in week 13).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.api.cli import logged, ok, pmo, stderr_lines

AS_OF = "2026-03-02"  # Monday of 2026-W10


def record(database: str, *args: str) -> None:
    ok(pmo("record", *args, "--effective-date", "2026-02-02", "--database", database))


@pytest.fixture
def staffed(payments: str) -> str:
    for code, rate in (("ANA", "500"), ("BOB", "600")):
        record(payments, "resource", "register", "--code", code, "--name", code.title(),
               "--skill", "developer", "--daily-rate", rate, "--weekly-capacity", "5",
               "--available-from", "2026-W01")  # fmt: skip
    for resource, project in (("ANA", "PAY-B"), ("BOB", "PAY-A")):
        record(payments, "staffing", "set", "--resource", resource, "--project", project,
               "--first-week", "2026-W10", "--last-week", "2026-W20", "--days", "5",
               "--rationale", "initial staffing")  # fmt: skip
    record(payments, "milestone", "plan", "--project", "PAY-A", "--milestone", "GO",
           "--name", "Go live", "--baseline", "2026-03-20", "--priority", "1")  # fmt: skip
    record(payments, "backlog", "add", "--code", "A1", "--project", "PAY-A",
           "--title", "Checkout", "--effort", "developer=30", "--rank", "1",
           "--milestone", "GO")  # fmt: skip
    return payments


def plan(database: str, *options: str) -> dict[str, Any]:
    result = ok(pmo("plan", "--database", database, "--as-of", AS_OF, "--horizon", "4",
                    "--time-limit", "5", "--format", "json", *options))  # fmt: skip
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def staffing(database: str) -> dict[tuple[str, str, str], float]:
    result = ok(pmo("state", "--database", database, "--section", "staffing",
                    "--format", "json"))  # fmt: skip
    rows = json.loads(result.stdout)["sections"]["staffing"]
    return {(r["resource"], r["project"], r["week"][:10]): r["days"] for r in rows}


def test_the_plan_moves_the_idle_developer_to_hold_the_milestone(staffed: str) -> None:
    proposal = plan(staffed)

    (go,) = proposal["milestones"]
    assert (go["milestone"], go["due_week"], go["after_week"], go["after_late_weeks"]) == (
        "GO", "2026-W12", "2026-W12", 0
    )  # fmt: skip
    assert (go["before_week"], go["before_late_weeks"]) == ("after", 2)
    changes = {(c["resource"], c["project"], c["week"]): (c["before"], c["after"])
               for c in proposal["staffing_changes"]}  # fmt: skip
    assert changes == {
        **{("ANA", "PAY-A", f"2026-W{w}"): (0.0, 5.0) for w in (10, 11, 12)},
        **{("ANA", "PAY-B", f"2026-W{w}"): (5.0, 0.0) for w in (10, 11, 12)},
    }
    costs = {c["project"]: c["cost_eur"] for c in proposal["costs"]}
    assert costs["PAY-A"] == 3 * 5 * 500 + 4 * 5 * 600  # BOB kept in week 13
    assert costs["PAY-B"] == 1 * 5 * 500  # ANA kept in week 13


def test_a_proposal_is_recorded_with_its_settings_digest_and_changes(staffed: str) -> None:
    proposal = plan(staffed)

    (event,) = logged(staffed, "--kind", "plan")
    assert event["subject"] == proposal["proposal"]
    fields = event["details"]
    assert fields["scope"] == "portfolio"
    assert len(fields["inputs_digest"]) == 64
    assert fields["settings"]["horizon_weeks"] == 4
    assert len(fields["changes"]) == len(proposal["staffing_changes"]) == 6
    assert fields["report"]["milestones"] == proposal["milestones"]


def test_accepting_records_every_change_under_one_decision(staffed: str) -> None:
    code = plan(staffed)["proposal"]

    result = ok(pmo("plan", "accept", code, "--rationale", "Hold GO", "--database", staffed))

    assert f"accepted {code}" in result.stdout
    now = staffing(staffed)
    assert now[("ANA", "PAY-A", "2026-03-02")] == 5.0
    assert ("ANA", "PAY-B", "2026-03-09") not in now  # freed
    assert now[("ANA", "PAY-B", "2026-03-23")] == 5.0  # kept in week 13
    assert now[("BOB", "PAY-A", "2026-03-23")] == 5.0
    assert now[("ANA", "PAY-B", "2026-03-30")] == 5.0  # beyond the horizon: untouched
    staffed_events = [e for e in logged(staffed, "--kind", "staffing")
                      if e["rationale"].startswith(f"plan {code}")]  # fmt: skip
    assert len(staffed_events) == 2  # ANA off PAY-B, then ANA on PAY-A
    assert len({e["decision"] for e in staffed_events}) == 1
    assert all(e["rationale"] == f"plan {code}: Hold GO" for e in staffed_events)


def test_a_proposal_is_answered_once(staffed: str) -> None:
    code = plan(staffed)["proposal"]
    ok(pmo("plan", "reject", code, "--rationale", "Not now", "--database", staffed))

    again = pmo("plan", "accept", code, "--rationale", "After all", "--database", staffed)

    assert again.exit_code == 2
    assert stderr_lines(again) == [f"refused: plan proposal {code} is already rejected"]


def test_a_proposal_made_before_a_staffing_change_is_refused_and_records_nothing(
    staffed: str,
) -> None:
    code = plan(staffed)["proposal"]
    record(staffed, "staffing", "set", "--resource", "ANA", "--project", "PAY-B",
           "--first-week", "2026-W11", "--last-week", "2026-W11", "--days", "3",
           "--rationale", "part time")  # fmt: skip
    before = len(logged(staffed))

    refused = pmo("plan", "accept", code, "--rationale", "Hold GO", "--database", staffed)

    assert refused.exit_code == 2
    assert "is out of date: ANA on PAY-B in 2026-W11 is staffed 3" in stderr_lines(refused)[0]
    assert len(logged(staffed)) == before


def test_a_plan_can_be_rerun_on_what_was_known_at_a_past_instant(staffed: str) -> None:
    known = logged(staffed)[-1]["recorded_at"]
    ok(pmo("record", "backlog", "reestimate", "--item", "A1", "--effort", "developer=10",
           "--rationale", "smaller", "--effective-date", "2026-02-02",
           "--database", staffed))  # fmt: skip

    now, then = plan(staffed), plan(staffed, "--known-at", known)

    assert now["milestones"][0]["before_late_weeks"] == 0  # 10 days: BOB alone is enough
    assert then["milestones"][0]["before_late_weeks"] == 2
    recorded = {e["subject"]: e["details"] for e in logged(staffed, "--kind", "plan")}
    digests = {f["inputs_digest"] for f in recorded.values()}
    assert len(digests) == 2


def test_a_scenario_is_planned_without_recording_anything_in_the_ledger(staffed: str) -> None:
    ok(pmo("scenario", "create", "More hands", "-d", staffed))
    ok(pmo("scenario", "add", "staffing", "move", "More hands", "--resource", "ANA",
           "--from-project", "PAY-B", "--to-project", "PAY-A", "--first-week", "2026-W10",
           "--last-week", "2026-W12", "--days", "5", "--effective-date", "2026-03-02",
           "--rationale", "what if", "-d", staffed))  # fmt: skip
    before = len(logged(staffed))

    result = ok(pmo("scenario", "plan", "More hands", "--as-of", AS_OF, "--horizon", "4",
                    "--time-limit", "5", "--format", "json", "-d", staffed))  # fmt: skip

    document = json.loads(result.stdout)
    (go,) = document["milestones"]
    assert document["scenario"] == "More hands"
    assert (go["before_late_weeks"], go["after_late_weeks"]) == (0, 0)  # ANA is on it already
    assert len(logged(staffed)) == before


def test_a_plan_at_the_end_of_the_calendar_stops_at_its_last_week(staffed: str) -> None:
    result = ok(pmo("plan", "--database", staffed, "--as-of", "2100-12-20", "--horizon", "8",
                    "--time-limit", "5", "--format", "json"))  # fmt: skip

    proposal = json.loads(result.stdout)
    weeks = {c["week"] for c in proposal["staffing_changes"]}
    assert weeks, "the open work is staffed in the weeks left"
    assert weeks <= {"2100-W51", "2100-W52"}
    assert "the horizon stops at the calendar's last week, 2100-W52: 2 of 8" in " ".join(
        proposal["notes"]
    )
    (event,) = logged(staffed, "--kind", "plan")  # the log still reads back
    assert len(event["details"]["changes"]) == len(proposal["staffing_changes"])


def test_the_proposal_as_tables_writes_figures_as_a_reader_expects(staffed: str) -> None:
    result = ok(pmo("plan", "--database", staffed, "--as-of", AS_OF, "--horizon", "4",
                    "--time-limit", "5"))  # fmt: skip

    # PAY-A costs 3 weeks of ANA at 500 and 4 of BOB at 600, five days a week.
    assert re.search(r"PAY-A\s+│\s+19,500\s+│", result.stdout), result.stdout
    assert "19500.0" not in result.stdout
    assert re.search(r"ANA\s+│\s+PAY-A\s+│\s+2026-W10\s+│\s+0\s+│\s+5\s+│", result.stdout)
