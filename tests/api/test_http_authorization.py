"""Who may call what: every route of the API against every role, and no token at all."""

from __future__ import annotations

from typing import Any

import pytest

from api.security import Role, TokenStore
from domain.ledger import Ledger
from tests.api.http import Api, build_payments

ROLES = ("pmo", "manager", "auditor")
OPEN = {"/healthz", "/readyz"}


def allowed(method: str, path: str) -> set[str]:
    """The roles the product promises each route to (README, "HTTP API")."""
    if method == "GET":
        return set(ROLES)  # everyone with a token reads everything
    if path == "/plans":
        return {"pmo", "manager"}  # running the planner records a proposal, not a decision
    if path == "/audit/verify":
        return {"pmo", "auditor"}  # recomputing the whole hash chain: the auditor's proof
    if path.startswith("/scenarios") and not path.endswith("/promote"):
        # creating, trying hypotheses, planning; rebasing and abandoning (the author too)
        return {"pmo", "manager"}
    return {"pmo"}  # commands, promoting a scenario, accepting and rejecting proposals


def _routes(api: Api) -> list[tuple[str, str]]:
    """Every operation the OpenAPI schema publishes."""
    paths = api.client.get("/openapi.json").json()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item]


def _call(api: Api, method: str, path: str, headers: dict[str, str]) -> int:
    concrete = path.replace("{code}", "PAY-A").replace("{programme}", "PAY")
    concrete = concrete.replace("{name}", "Wallets")
    if method == "GET":
        return api.client.get(concrete, headers=headers).status_code
    return api.client.post(concrete, json={}, headers=headers).status_code


def test_every_route_is_covered_and_there_are_command_routes_for_each_area(sqlite_api: Api) -> None:
    paths = {path for _, path in _routes(sqlite_api)}
    for area in ("budget", "staffing", "milestone", "timesheet", "risk", "decision", "demand"):
        assert any(p.startswith(f"/commands/{area}/") for p in paths), area
    assert {"/state", "/events", "/plans", "/kpis/budget", "/projects/{code}"} <= paths
    assert {"/audit/history/{programme}", "/reports/evolution", "/audit/verify"} <= paths
    scenarios = {"/scenarios", "/scenarios/{name}", "/scenarios/{name}/compare"}
    scenarios |= {f"/scenarios/{{name}}/{action}" for action in ("promote", "rebase", "abandon")}
    scenarios |= {"/scenarios/{name}/state", "/scenarios/{name}/kpis/budget"}
    scenarios |= {"/scenarios/{name}/plan", "/scenarios/{name}/hypotheses/budget/transfer"}
    assert scenarios <= paths
    hypotheses = {p.removeprefix("/scenarios/{name}/hypotheses") for p in paths}
    commands = {p.removeprefix("/commands") for p in paths if p.startswith("/commands/")}
    assert commands <= hypotheses  # every command may be a hypothesis


def test_no_route_but_health_answers_without_a_token(sqlite_api: Api) -> None:
    for method, path in _routes(sqlite_api):
        status = _call(sqlite_api, method, path, {})
        if path in OPEN:
            assert status == 200, (method, path)
        else:
            assert status == 401, (method, path, status)


def test_a_bad_token_is_refused_with_a_bearer_challenge(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/state", headers={"Authorization": "Bearer pmo_0_nope"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_routes_it_is_allowed(sqlite_api: Api, role: str) -> None:
    wrong = []
    for method, path in _routes(sqlite_api):
        if path in OPEN:
            continue
        status = _call(sqlite_api, method, path, sqlite_api.as_role(role))
        may = role in allowed(method, path)
        if (status == 403) == may or status == 401:
            wrong.append((method, path, status))
    assert not wrong, f"{role}: {wrong}"


PLATFORMS = (
    ("perimeter/open", {"code": "CTO", "name": "CTO office", "effective_date": "2026-01-01"}),
    (
        "programme/open",
        {"code": "PLAT", "name": "Platforms", "perimeter": "CTO", "effective_date": "2026-01-01"},
    ),
    (
        "project/open",
        {
            "code": "PLAT-K8S",
            "name": "Kubernetes",
            "programme": "PLAT",
            "start": "2026-01-05",
            "end": "2026-12-18",
            "effective_date": "2026-01-01",
        },
    ),
    (
        "budget/open",
        {
            "project": "PLAT-K8S",
            "fiscal_year": 2026,
            "capex": "50000",
            "effective_date": "2026-01-01",
        },
    ),
)


def _b2c_only(api: Api, role: str) -> dict[str, str]:
    """A token of ``role`` limited to the B2C perimeter, on a ledger with B2C and CTO."""
    build_payments(api)
    for command, body in PLATFORMS:
        assert api.record(command, body).status_code == 201
    with Ledger(api.database) as ledger:
        issued = TokenStore(ledger).create("bea.b2c", Role(role), ("B2C",))
    return {"Authorization": f"Bearer {issued.token}"}


READS_WITHIN = (
    "/state?scope=perimeter:B2C",
    "/state?scope=programme:PAY",
    "/kpis/budget?scope=project:PAY-A",
    "/events?programme=PAY",
    "/projects/PAY-A",
    "/programmes/PAY",
    "/perimeters/B2C",
)
READS_OUTSIDE = (
    "/state",  # the whole portfolio
    "/state?scope=perimeter:CTO",
    "/kpis/budget?scope=project:PLAT-K8S",
    "/kpis/budget",
    "/events",
    "/events?project=PLAT-K8S",
    "/projects/PLAT-K8S",
    "/programmes/PLAT",
    "/perimeters/CTO",
)


@pytest.mark.parametrize("role", ROLES)
def test_a_perimeter_token_reads_its_perimeter_only(sqlite_api: Api, role: str) -> None:
    limited = _b2c_only(sqlite_api, role)
    within = {p: sqlite_api.client.get(p, headers=limited).status_code for p in READS_WITHIN}
    outside = {p: sqlite_api.client.get(p, headers=limited).status_code for p in READS_OUTSIDE}
    assert within == dict.fromkeys(READS_WITHIN, 200)
    assert outside == dict.fromkeys(READS_OUTSIDE, 403)
    events = sqlite_api.client.get("/events?programme=PAY&limit=1000", headers=limited).json()
    assert "PLAT-K8S" not in str(events)


def _cut(project: str) -> dict[str, Any]:
    return {
        "project": project,
        "fiscal_year": 2026,
        "nature": "capex",
        "amount": "100",
        "effective_date": "2026-03-02",
        "rationale": "Savings",
    }


def test_a_perimeter_token_records_within_its_perimeter_only(api: Api) -> None:
    limited = _b2c_only(api, "pmo")

    def post(path: str, body: dict[str, Any]) -> int:
        return api.client.post(path, json=body, headers=limited).status_code

    before = api.client.get(
        "/events", params={"limit": 1000}, headers=api.as_role("auditor")
    ).json()["events"]
    assert post("/commands/budget/cut", _cut("PLAT-K8S")) == 403
    transfer = {
        "fiscal_year": 2026,
        "nature": "capex",
        "amount": "100",
        "from_project": "PAY-A",
        "to_project": "PLAT-K8S",
        "effective_date": "2026-03-02",
        "rationale": "Across perimeters",
    }
    assert post("/commands/budget/transfer", transfer) == 403
    assert post("/commands/perimeter/open", {"code": "DATA", "name": "Data"}) == 403
    assert post("/plans", {}) == 403
    assert post("/plans", {"programme": "PLAT"}) == 403
    after = api.client.get(
        "/events", params={"limit": 1000}, headers=api.as_role("auditor")
    ).json()["events"]
    assert after == before  # nothing recorded by any refusal
    assert post("/commands/budget/cut", _cut("PAY-A")) == 201
    taken = post("/commands/decision/take", {"title": "B2C review", "rationale": "Monthly"})
    assert taken == 201


def _transfer(to_project: str) -> dict[str, Any]:
    return {
        "fiscal_year": 2026,
        "nature": "capex",
        "amount": "100",
        "from_project": "PAY-A",
        "to_project": to_project,
        "effective_date": "2026-03-02",
        "rationale": "What if",
    }


def test_a_perimeter_token_tries_scenarios_within_its_perimeter_only(sqlite_api: Api) -> None:
    api = sqlite_api
    limited = _b2c_only(api, "manager")

    def status(method: str, path: str, body: Any = None, **params: Any) -> int:
        answer = api.client.request(method, path, json=body, params=params, headers=limited)
        return int(answer.status_code)

    hypotheses = "/scenarios/B2C plan/hypotheses/budget/transfer"
    assert status("POST", "/scenarios", {"name": "B2C plan"}) == 201
    assert status("POST", hypotheses, _transfer("PAY-B")) == 201
    assert status("POST", hypotheses, _transfer("PLAT-K8S")) == 403
    assert status("GET", "/scenarios/B2C plan") == 200
    assert status("GET", "/scenarios") == 403  # every scenario, of every perimeter
    assert status("GET", "/scenarios/B2C plan/state", scope="perimeter:B2C") == 200
    assert status("GET", "/scenarios/B2C plan/state") == 403
    assert status("GET", "/scenarios/B2C plan/kpis/budget", scope="project:PLAT-K8S") == 403
    assert status("GET", "/scenarios/B2C plan/compare", scope="programme:PAY") == 200
    assert status("GET", "/scenarios/B2C plan/compare") == 403
    assert status("POST", "/scenarios/B2C plan/plan", {}) == 403
    assert status("POST", "/scenarios/B2C plan/plan", {"programme": "PLAT"}) == 403

    pmo = api.as_role("pmo")
    assert api.client.post("/scenarios", json={"name": "Wide"}, headers=pmo).status_code == 201
    wide = api.client.post(
        "/scenarios/Wide/hypotheses/budget/transfer", json=_transfer("PLAT-K8S"), headers=pmo
    )
    assert wide.status_code == 201
    assert status("GET", "/scenarios/Wide") == 403  # it reaches another perimeter
    assert status("POST", "/scenarios/Wide/abandon", {"rationale": "no"}) == 403
    assert status("GET", "/scenarios/Wide/state", scope="perimeter:B2C") == 200
