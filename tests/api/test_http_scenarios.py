"""What-if scenarios over HTTP: the life cycle of a branch of the ledger, its evaluation
with the same code as the plan of record, and who may do what — on both stores."""

from __future__ import annotations

from typing import Any

from api.security import Role, TokenStore
from domain.ledger import Ledger
from tests.api.http import Api, build_payments

AS_OF = "2026-12-01"


def transfer(amount: str) -> dict[str, Any]:
    """A transfer of capex from PAY-A to PAY-B, effective in June."""
    return {
        "fiscal_year": 2026,
        "nature": "capex",
        "amount": amount,
        "from_project": "PAY-A",
        "to_project": "PAY-B",
        "effective_date": "2026-06-01",
        "rationale": "Wallets first",
    }


def post(api: Api, path: str, body: dict[str, Any] | None = None, role: str = "pmo") -> Any:
    """POST as ``role``."""
    return api.client.post(path, json=body, headers=api.as_role(role))


def get(api: Api, path: str, role: str = "manager", **params: Any) -> Any:
    """GET as ``role``."""
    return api.client.get(path, params=params, headers=api.as_role(role))


def log(api: Api) -> list[dict[str, Any]]:
    """Every event of the ledger of record."""
    events: list[dict[str, Any]] = get(api, "/events", "auditor", limit=1000).json()["events"]
    return events


def capex(state: dict[str, Any]) -> dict[str, float]:
    """The capex of each project's envelope in a state."""
    return {
        e["project"]: e["current"]
        for e in state["sections"]["envelopes"]
        if e["nature"] == "capex" and e["project"]
    }


def scenario_with_transfer(
    api: Api, name: str, amount: str = "20000", role: str = "manager"
) -> tuple[Any, Any]:
    """A scenario holding one transfer from PAY-A to PAY-B."""
    created = post(api, "/scenarios", {"name": name, "rationale": "Wallets"}, role)
    assert created.status_code == 201, created.text
    added = post(api, f"/scenarios/{name}/hypotheses/budget/transfer", transfer(amount), role)
    assert added.status_code == 201, added.text
    return created, added


def test_a_scenario_is_tried_and_evaluated_without_touching_the_plan_of_record(api: Api) -> None:
    build_payments(api)
    before_events = log(api)
    before_state = get(api, "/state", as_of=AS_OF, section="envelopes").json()

    created, added = scenario_with_transfer(api, "Wallets first")
    refused = post(
        api, "/scenarios/Wallets first/hypotheses/budget/transfer", transfer("40000"), "manager"
    )

    assert created.headers["location"] == "/scenarios/Wallets%20first"
    assert created.json()["author"] == "marc.leroy"
    assert (added.json()["number"], added.json()["command"]) == (1, "budget transfer")
    assert added.json()["summary"] == "Transfer 20000.00 capex from PAY-A/FY2026 to PAY-B/FY2026"
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "30000.00 capex" in refused.json()["detail"]  # 50,000 less the first hypothesis
    shown = get(api, "/scenarios/wallets FIRST").json()  # names ignore case
    assert [h["command"] for h in shown["hypotheses"]] == ["budget transfer"]
    assert shown["status"] == "open"
    assert shown["conflicts"] == []

    state = get(api, "/scenarios/Wallets first/state", as_of=AS_OF, section="envelopes").json()
    kpi = get(api, "/scenarios/Wallets first/kpis/budget", as_of=AS_OF, level="project").json()

    assert capex(state) == {"PAY-A": 30000.0, "PAY-B": 70000.0}
    assert {r["project"]: r["envelope"] for r in kpi["rows"]} == {"PAY-A": 30000, "PAY-B": 70000}
    assert capex(get(api, "/state", as_of=AS_OF, section="envelopes").json()) == capex(before_state)
    assert log(api) == before_events  # the ledger of record recorded nothing
    kept = get(api, "/scenarios/Wallets first").json()["evaluations"]
    assert [(e["what"], e["author"]) for e in kept] == [
        ("state", "marc.leroy"),
        ("kpi budget", "marc.leroy"),
    ]


def test_the_comparison_is_json_or_a_markdown_page(api: Api) -> None:
    build_payments(api)
    scenario_with_transfer(api, "Wallets")

    document = get(api, "/scenarios/Wallets/compare", "auditor", as_of=AS_OF).json()
    page = api.client.get(
        "/scenarios/Wallets/compare",
        params={"as_of": AS_OF, "scope": "programme:PAY"},
        headers={**api.as_role("auditor"), "Accept": "text/markdown"},
    )

    assert (document["left"], document["right"]) == ("plan of record", "Wallets")
    envelopes = {
        (b["project"], b["envelope (plan of record)"], b["envelope (Wallets)"])
        for b in document["budgets"]
    }
    assert envelopes == {("PAY-A", 50000.0, 30000.0), ("PAY-B", 50000.0, 70000.0)}
    assert "capacity" in document
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/markdown")
    assert page.text.startswith("# Wallets against plan of record")
    assert "programme PAY" in page.text
    other = get(api, "/scenarios/Wallets/compare", **{"with": "Nowhere"})
    assert other.status_code == 404


def test_promotion_records_the_hypotheses_under_one_decision_for_the_pmo_only(api: Api) -> None:
    build_payments(api)
    scenario_with_transfer(api, "Wallets")

    by_manager = post(api, "/scenarios/Wallets/promote", {"rationale": "Committee"}, "manager")
    promoted = post(api, "/scenarios/Wallets/promote", {"rationale": "Committee"})

    assert by_manager.status_code == 403
    assert promoted.status_code == 200, promoted.text
    decision = promoted.json()["decision"]
    assert promoted.json()["status"] == "promoted"
    budget = [e for e in log(api) if e["area"] == "budget"][-2:]
    assert [(e["kind"], e["decision"]) for e in budget] == [
        ("FundsTransferredOut", decision),
        ("FundsTransferredIn", decision),
    ]
    assert {e["author"] for e in budget} == {"claire.dubois"}
    again = post(api, "/scenarios/Wallets/hypotheses/budget/transfer", transfer("1"), "manager")
    assert again.status_code == 409  # a promoted scenario takes no more hypotheses


def test_a_conflicting_promotion_is_refused_then_rebased_and_promoted(api: Api) -> None:
    build_payments(api)
    scenario_with_transfer(api, "Wallets")
    cut = {"project": "PAY-A", "fiscal_year": 2026, "nature": "capex", "amount": "10000",
           "effective_date": "2026-03-02", "rationale": "Savings"}  # fmt: skip
    assert api.record("budget/cut", cut).status_code == 201
    before = log(api)

    refused = post(api, "/scenarios/Wallets/promote", {"rationale": "Committee"})

    assert refused.status_code == 409
    assert refused.json()["type"] == "/problems/scenario-conflict"
    conflicts = refused.json()["details"]["conflicts"]
    assert len(conflicts) == 1
    assert conflicts[0].startswith("envelope PAY-A/FY2026")
    assert log(api) == before  # nothing recorded
    assert get(api, "/scenarios/Wallets").json()["conflicts"] == conflicts

    rebased = post(api, "/scenarios/Wallets/rebase", role="manager")  # its author
    assert rebased.status_code == 200, rebased.text
    assert rebased.json()["position"] == len(before)
    assert post(api, "/scenarios/Wallets/promote", {"rationale": "Go"}).status_code == 200
    assert capex(get(api, "/state", as_of=AS_OF, section="envelopes").json()) == {
        "PAY-A": 20000.0,
        "PAY-B": 70000.0,
    }


def test_a_rebase_that_no_longer_holds_changes_nothing_and_names_the_hypothesis(api: Api) -> None:
    build_payments(api)
    scenario_with_transfer(api, "Wallets", amount="40000")
    cut = {"project": "PAY-A", "fiscal_year": 2026, "nature": "capex", "amount": "20000",
           "effective_date": "2026-03-02", "rationale": "Savings"}  # fmt: skip
    assert api.record("budget/cut", cut).status_code == 201
    position = get(api, "/scenarios/Wallets").json()["position"]

    refused = post(api, "/scenarios/Wallets/rebase")

    assert refused.status_code == 409
    assert refused.json()["type"] == "/problems/rebase-refused"
    assert refused.json()["details"]["refusals"][0].startswith("hypothesis 1 (budget transfer)")
    assert get(api, "/scenarios/Wallets").json()["position"] == position


def test_only_the_pmo_or_the_author_abandons_and_an_abandoned_scenario_stays(
    sqlite_api: Api,
) -> None:
    api = sqlite_api
    build_payments(api)
    assert post(api, "/scenarios", {"name": "Cuts"}).status_code == 201  # by the PMO
    scenario_with_transfer(api, "Wallets")  # by the manager
    with Ledger(api.database) as ledger:
        other = TokenStore(ledger).create("paul.autre", Role.MANAGER)
    someone = {"Authorization": f"Bearer {other.token}"}
    reason = {"rationale": "Overtaken"}

    def abandon(name: str, headers: dict[str, str]) -> int:
        path = f"/scenarios/{name}/abandon"
        return int(api.client.post(path, json=reason, headers=headers).status_code)

    assert abandon("Cuts", api.as_role("manager")) == 403
    assert abandon("Wallets", someone) == 403
    assert api.client.post("/scenarios/Wallets/rebase", headers=someone).status_code == 403
    assert abandon("Wallets", api.as_role("manager")) == 200
    assert abandon("Cuts", api.as_role("pmo")) == 200
    listed = get(api, "/scenarios", "auditor").json()
    assert [(s["name"], s["status"]) for s in listed] == [
        ("Cuts", "abandoned"),
        ("Wallets", "abandoned"),
    ]
    assert post(api, "/scenarios/Wallets/promote", reason).status_code == 409


def test_bad_input_is_refused_and_records_nothing(sqlite_api: Api) -> None:
    api = sqlite_api
    build_payments(api)
    assert post(api, "/scenarios", {"name": "Wallets"}).status_code == 201

    duplicate = post(api, "/scenarios", {"name": "WALLETS"})
    slash = post(api, "/scenarios", {"name": "a/b"})
    author = post(api, "/scenarios", {"name": "Other", "author": "someone.else"})
    future = post(api, "/scenarios", {"name": "Later", "known_at": "2999-01-01T00:00:00Z"})
    unknown = post(api, "/scenarios/Nowhere/hypotheses/budget/transfer", transfer("10"))
    malformed = post(api, "/scenarios/Wallets/hypotheses/budget/transfer", {"amount": "x"})

    assert duplicate.status_code == 409
    assert (slash.status_code, author.status_code) == (422, 422)
    assert future.status_code == 409
    assert future.json()["errors"][0]["field"] == "known_at"
    assert unknown.status_code == 404
    assert malformed.status_code == 422
    assert [s["name"] for s in get(api, "/scenarios").json()] == ["Wallets"]
    assert get(api, "/scenarios/Wallets").json()["hypotheses"] == []


def test_a_scenario_branched_in_the_past_reads_the_ledger_as_known_then(sqlite_api: Api) -> None:
    api = sqlite_api
    build_payments(api)
    first = log(api)[0]["recorded_at"]

    created = post(api, "/scenarios", {"name": "Early", "known_at": first}, "manager")

    assert created.status_code == 201, created.text
    assert created.json()["position"] == 1
    state = get(api, "/scenarios/Early/state", section="perimeters").json()
    assert [p["perimeter"] for p in state["sections"]["perimeters"]] == ["B2C"]
    assert get(api, "/scenarios/Early/state", section="projects").json()["sections"] == {
        "projects": []
    }


PLANNABLE: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "resource/register",
        {"code": "SQUAD", "name": "Squad", "kind": "team", "skills": ["developer"],
         "daily_rate": "600", "home_perimeter": "B2C", "weekly_capacity": "10",
         "available_from": "2026-W01", "effective_date": "2026-01-01"},
    ),
    (
        "milestone/plan",
        {"project": "PAY-A", "milestone": "GO-LIVE", "name": "Go-live",
         "baseline": "2026-12-15", "effective_date": "2026-01-01"},
    ),
    (
        "backlog/add",
        {"code": "PAY-A-1", "project": "PAY-A", "title": "Card form",
         "effort": {"developer": "20"}, "rank": 1, "milestone": "GO-LIVE",
         "effective_date": "2026-01-01"},
    ),
)  # fmt: skip


def plannable_scenario(api: Api) -> Api:
    """The payments portfolio with work to plan, and an open scenario named Plan."""
    build_payments(api)
    for command, body in PLANNABLE:
        assert api.record(command, body).status_code == 201, command
    assert post(api, "/scenarios", {"name": "Plan"}, "manager").status_code == 201
    return api


def test_the_planner_runs_on_the_scenario_and_records_nothing_in_the_ledger(
    sqlite_api: Api,
) -> None:
    api = plannable_scenario(sqlite_api)
    before = log(api)
    settings = {"programme": "PAY", "as_of": "2026-11-02", "horizon": 8, "time_limit_s": 1}

    planned = post(api, "/scenarios/Plan/plan", settings, "manager")
    by_auditor = post(api, "/scenarios/Plan/plan", settings, "auditor")

    assert planned.status_code == 200, planned.text
    assert planned.json()["scenario"] == "Plan"
    assert "levels" in planned.json()["report"]
    assert by_auditor.status_code == 403
    assert log(api) == before
    assert [e["what"] for e in get(api, "/scenarios/Plan").json()["evaluations"]] == ["plan"]


def test_a_scenario_planned_after_the_calendar_is_planned_in_its_last_week(
    sqlite_api: Api,
) -> None:
    api = plannable_scenario(sqlite_api)
    settings = {"programme": "PAY", "as_of": "9814-02-16", "horizon": 17, "time_limit_s": 1}

    planned = post(api, "/scenarios/Plan/plan", settings, "manager")

    assert planned.status_code == 200, planned.text
    notes = " ".join(planned.json()["report"]["notes"])
    assert "9814-02-16 is outside the calendar: planned from the week of 2100-12-31" in notes
    assert "2100-W52: 1 of 17 weeks planned" in notes
    assert {c["week"] for c in planned.json()["staffing_changes"]} <= {"2100-W52"}


def test_a_retried_creation_with_its_idempotency_key_creates_once(sqlite_api: Api) -> None:
    api = sqlite_api
    headers = {**api.as_role("manager"), "Idempotency-Key": "create-wallets-1"}
    first = api.client.post("/scenarios", json={"name": "Wallets"}, headers=headers)
    again = api.client.post("/scenarios", json={"name": "Wallets"}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert len(get(api, "/scenarios").json()) == 1


def test_a_method_the_path_does_not_take_names_every_method_it_does(sqlite_api: Api) -> None:
    refused = sqlite_api.client.request("OPTIONS", "/scenarios", headers=sqlite_api.as_role("pmo"))

    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, POST"
    assert refused.headers["content-type"] == "application/problem+json"
