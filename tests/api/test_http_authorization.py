"""Who may call what: every route of the API against every role, and no token at all."""

from __future__ import annotations

import pytest

from tests.api.http import Api

ROLES = ("pmo", "manager", "auditor")
OPEN = {"/healthz", "/readyz"}


def allowed(method: str, path: str) -> set[str]:
    """The roles the product promises each route to (README, "HTTP API")."""
    if method == "GET":
        return set(ROLES)  # everyone with a token reads everything
    if path == "/plans":
        return {"pmo", "manager"}  # running the planner records a proposal, not a decision
    return {"pmo"}  # commands, accepting and rejecting proposals record decisions


def _routes(api: Api) -> list[tuple[str, str]]:
    """Every operation the OpenAPI schema publishes."""
    paths = api.client.get("/openapi.json").json()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item]


def _call(api: Api, method: str, path: str, headers: dict[str, str]) -> int:
    concrete = path.replace("{code}", "PAY-A")
    if method == "GET":
        return api.client.get(concrete, headers=headers).status_code
    return api.client.post(concrete, json={}, headers=headers).status_code


def test_every_route_is_covered_and_there_are_command_routes_for_each_area(sqlite_api: Api) -> None:
    paths = {path for _, path in _routes(sqlite_api)}
    for area in ("budget", "staffing", "milestone", "timesheet", "risk", "decision", "demand"):
        assert any(p.startswith(f"/commands/{area}/") for p in paths), area
    assert {"/state", "/events", "/plans", "/kpis/budget", "/projects/{code}"} <= paths


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
