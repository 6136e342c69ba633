"""The dashboard through HTTP (in process): signing in, sessions, roles, CSRF, every page,
and the figures each page shows against the API's for the same dates."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.dashboard import PAGES
from api.dashboard import figures as figures_module
from api.dashboard.figures import Figures
from api.dashboard.web import Moment
from api.security import Role, TokenStore
from api.settings import Settings
from domain.ledger import Ledger
from projections.state import Scope
from tests.api.dashboard_world import PROGRAMME, SCENARIO, TODAY, build_world, data

AS_OF, KNOWN_AT = "2026-06-30", "2026-07-01T12:00"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str], str]:
    """The demo ledger with a proposal and a scenario (read-only in this module)."""
    return build_world(tmp_path_factory.mktemp("dashboard"))


def _client(database: str) -> Iterator[TestClient]:
    app = create_app(Settings(database=database, max_plan_seconds=2.0))
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def client(world: tuple[str, dict[str, str], str]) -> Iterator[TestClient]:
    """The app on the shared world."""
    yield from _client(world[0])


def signed_in(client: TestClient, token: str) -> TestClient:
    """The client, with a session cookie for ``token``."""
    client.cookies.clear()
    answer = client.post("/dashboard/signin", data={"token": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def pages(code: str) -> list[str]:
    """Every page of the dashboard on the world."""
    return [
        "/",
        "/?perimeter=B2C",
        "/?perimeter=&as_of=&known_at=",  # the pickers and filters left blank
        f"/dashboard/programme/{PROGRAMME}",
        "/dashboard/decisions",
        f"/dashboard/decisions?programme={PROGRAMME}&project=&author=&effective_from=",
        "/dashboard/plans",
        f"/dashboard/plans/{code}",
        f"/dashboard/scenarios/{SCENARIO}",
    ]


def test_a_page_without_a_session_sends_the_browser_to_sign_in_then_back(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    client.cookies.clear()
    answer = client.get(f"/dashboard/programme/{PROGRAMME}?as_of={AS_OF}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/dashboard/signin?next=")
    form = client.get(answer.headers["location"])
    assert f'value="/dashboard/programme/{PROGRAMME}?as_of={AS_OF}"' in form.text
    back = client.post(
        "/dashboard/signin",
        data={"token": world[1]["auditor"], "next": f"/dashboard/programme/{PROGRAMME}"},
        follow_redirects=False,
    )
    assert back.headers["location"] == f"/dashboard/programme/{PROGRAMME}"


def test_signing_in_sets_an_http_only_strict_cookie_secure_only_over_https(
    world: tuple[str, dict[str, str], str],
) -> None:
    app = create_app(Settings(database=world[0]))
    for base, secure in (("http://127.0.0.1", False), ("https://pmo.example", True)):
        with TestClient(app, base_url=base) as client:
            answer = client.post(
                "/dashboard/signin", data={"token": world[1]["pmo"]}, follow_redirects=False
            )
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert ("secure" in cookie.split(";")[-1] or "; secure" in cookie) is secure


def test_a_token_that_is_not_one_is_refused_and_the_form_shown_again(client: TestClient) -> None:
    client.cookies.clear()
    answer = client.post("/dashboard/signin", data={"token": "pmo_0_nope"})
    assert answer.status_code == 401
    assert "unknown or revoked" in answer.text
    assert "pmo_session" not in answer.headers.get("set-cookie", "")


def test_a_next_page_on_another_site_is_never_followed(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    client.cookies.clear()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "/\tx"):
        answer = client.post(
            "/dashboard/signin",
            data={"token": world[1]["pmo"], "next": target},
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/"


def test_a_sign_in_posted_from_another_site_is_refused_and_opens_no_session(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    client.cookies.clear()
    refused = (
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {"origin": "http://127.0.0.1", "sec-fetch-site": "same-site"},
    )
    for headers in refused:
        answer = client.post(
            "/dashboard/signin",
            data={"token": world[1]["pmo"]},
            headers=headers,
            follow_redirects=False,
        )
        assert answer.status_code == 403, headers
        assert "text/html" in answer.headers["content-type"]
        assert "pmo_session" not in answer.headers.get("set-cookie", "")
    own = {"origin": "http://127.0.0.1", "sec-fetch-site": "same-origin"}
    answer = client.post(
        "/dashboard/signin", data={"token": world[1]["pmo"]}, headers=own, follow_redirects=False
    )
    assert answer.status_code == 303
    assert "pmo_session" in answer.headers["set-cookie"]


def test_a_page_that_fails_says_so_in_html_and_the_api_in_problem_json_without_a_trace(
    client: TestClient, world: tuple[str, dict[str, str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr("api.dashboard.overview.portfolio_tree", broken)
    monkeypatch.setattr("api.routers.state.sections_json", broken)
    signed_in(client, world[1]["auditor"])
    page = client.get("/")
    assert page.status_code == 500
    assert "text/html" in page.headers["content-type"]
    assert "Internal error" in page.text
    assert "secret internals" not in page.text
    assert "Traceback" not in page.text
    api = client.get(
        "/state",
        params={"as_of": "2026-05-05"},
        headers={"Authorization": f"Bearer {world[1]['auditor']}"},
    )
    assert api.status_code == 500
    assert api.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in api.text


@pytest.mark.parametrize("role", ["pmo", "manager", "auditor"])
def test_every_role_reads_every_page(
    client: TestClient, world: tuple[str, dict[str, str], str], role: str
) -> None:
    signed_in(client, world[1][role])
    for path in pages(world[2]):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text[:500])
        assert f'<span id="role">{role}</span>' in answer.text


def test_the_overview_shows_the_figures_the_api_serves_for_the_same_dates(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    signed_in(client, world[1]["manager"])
    page = client.get(f"/?as_of={AS_OF}&known_at={KNOWN_AT}").text
    bearer = {"Authorization": f"Bearer {world[1]['manager']}"}
    moment = {"as_of": AS_OF, "known_at": KNOWN_AT}
    rag = client.get("/kpis/rag", params=moment, headers=bearer).json()["rows"]
    coloured = {k: v for k, v in data(page, "project", "rag").items() if v}
    assert coloured == {r["project"]: r["overall"] for r in rag}
    budget = client.get(
        "/kpis/budget", params={**moment, "level": "programme"}, headers=bearer
    ).json()["rows"]
    shown = data(page, "programme", "fac")
    assert {k: float(v) for k, v in shown.items()} == pytest.approx(
        {r["programme"]: r["fac"] for r in budget}, abs=0.01
    )
    assert "in force on 2026-06-30, as known at 2026-07-01T12:00 UTC" in page


def test_the_dates_change_what_the_overview_shows(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    signed_in(client, world[1]["pmo"])
    early = client.get("/?as_of=2025-03-31&known_at=2025-04-01T00:00").text
    late = client.get("/?as_of=2026-10-31").text
    assert data(early, "programme", "actuals") != data(late, "programme", "actuals")


def test_the_programme_page_draws_the_milestones_the_state_holds(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    signed_in(client, world[1]["auditor"])
    page = client.get(f"/dashboard/programme/{PROGRAMME}?as_of={AS_OF}&known_at={KNOWN_AT}").text
    state = client.get(
        "/state",
        params={
            "as_of": AS_OF,
            "known_at": KNOWN_AT,
            "scope": f"programme:{PROGRAMME}",
            "section": "milestones",
        },
        headers={"Authorization": f"Bearer {world[1]['auditor']}"},
    ).json()["sections"]["milestones"]
    expected = {f"{m['project']}/{m['milestone']}": m["forecast"][:10] for m in state}
    assert data(page, "forecast [a-z-]+", "forecast") == expected
    assert page.count('class="point ') >= len(expected)  # the trend: a point per move at least
    dependencies = client.get(
        "/state",
        params={"scope": f"programme:{PROGRAMME}", "section": "dependencies"},
        headers={"Authorization": f"Bearer {world[1]['auditor']}"},
    ).json()["sections"]["dependencies"]
    assert dependencies
    for d in dependencies:  # drawn as an arrow between two milestones, or listed
        assert d["dependency"] in page or f"{d['dependent']} needs {d['prerequisite']}" in page
    assert 'class="cell ' in page  # the capacity heatmap


def test_an_unknown_programme_is_a_page_saying_so(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    signed_in(client, world[1]["pmo"])
    answer = client.get("/dashboard/programme/NOPE")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "NOPE" in answer.text


def test_a_manager_sees_no_accept_button_and_a_post_is_refused(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    _, tokens, code = world
    signed_in(client, tokens["manager"])
    page = client.get(f"/dashboard/plans/{code}").text
    assert 'id="accept"' not in page
    assert 'id="reject"' not in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    answer = client.post(
        f"/dashboard/plans/{code}/accept", data={"csrf": csrf[1], "rationale": "Let me"}
    )
    assert answer.status_code == 403
    status = client.get(f"/plans/{code}", headers={"Authorization": f"Bearer {tokens['pmo']}"})
    assert status.json()["state"]["status"] == "proposed"


@pytest.fixture
def own_world(world: tuple[str, dict[str, str], str], tmp_path: Path) -> Iterator[TestClient]:
    """A copy of the world this test may change, and the app on it."""
    copy = tmp_path / "copy.db"
    with sqlite3.connect(world[0]) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    yield from _client(str(copy))


def test_the_pmo_accepts_a_proposal_from_the_dashboard_with_the_session_secret_only(
    own_world: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    _, tokens, code = world
    signed_in(own_world, tokens["pmo"])
    page = own_world.get(f"/dashboard/plans/{code}").text
    assert 'id="accept"' in page
    forged = own_world.post(
        f"/dashboard/plans/{code}/accept", data={"csrf": "x" * 43, "rationale": "Forged"}
    )
    assert forged.status_code == 403
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    accepted = own_world.post(
        f"/dashboard/plans/{code}/accept", data={"csrf": csrf[1], "rationale": "Hold the date"}
    )
    assert accepted.status_code == 200
    assert 'id="proposal-status">accepted<' in accepted.text
    status = own_world.get(f"/plans/{code}", headers={"Authorization": f"Bearer {tokens['pmo']}"})
    assert status.json()["state"]["status"] == "accepted"


def test_revoking_the_token_or_signing_out_ends_the_session(
    own_world: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    database = own_world.app.state.services.settings.database  # type: ignore[attr-defined]
    with Ledger(database) as ledger:
        issued = TokenStore(ledger).create("temp", Role.AUDITOR)
    signed_in(own_world, issued.token)
    assert own_world.get("/", follow_redirects=False).status_code == 200
    with Ledger(database) as ledger:
        TokenStore(ledger).revoke(issued.principal.token_id)
    assert own_world.get("/", follow_redirects=False).status_code == 303
    signed_in(own_world, world[1]["pmo"])
    csrf = re.search(r'name="csrf" value="([^"]+)"', own_world.get("/").text)
    assert csrf is not None
    out = own_world.post("/dashboard/signout", data={"csrf": csrf[1]}, follow_redirects=False)
    assert out.status_code == 303
    assert own_world.get("/", follow_redirects=False).status_code == 303


def test_a_perimeter_token_sees_its_perimeter_and_is_refused_the_portfolio(
    own_world: TestClient,
) -> None:
    database = own_world.app.state.services.settings.database  # type: ignore[attr-defined]
    with Ledger(database) as ledger:
        token = TokenStore(ledger).create("b2c", Role.MANAGER, ("B2C",)).token
    signed_in(own_world, token)
    landing = own_world.get("/?as_of=2026-06-30", follow_redirects=False)
    assert landing.status_code == 303  # to its own perimeter, the dates kept
    assert landing.headers["location"] == "/?as_of=2026-06-30&perimeter=B2C"
    assert own_world.get("/?perimeter=B2C").status_code == 200
    assert own_world.get(f"/dashboard/programme/{PROGRAMME}").status_code == 200
    assert own_world.get("/dashboard/decisions").status_code == 403


def test_the_decisions_page_lists_what_the_events_route_lists(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    signed_in(client, world[1]["auditor"])
    window = {"recorded_from": "2026-05-01T00:00:00", "recorded_to": "2026-06-30T00:00:00"}
    page = client.get("/dashboard/decisions", params={"programme": PROGRAMME, **window}).text
    listed = client.get(
        "/events",
        params={"programme": PROGRAMME, "limit": 200, **window},
        headers={"Authorization": f"Bearer {world[1]['auditor']}"},
    ).json()["events"]
    shown = re.findall(r'id="event-([0-9]+)" data-position', page)
    assert shown == [str(e["position"]) for e in listed]
    assert listed  # the window holds something


def test_the_dashboard_stays_out_of_the_api_schema_and_needs_no_network(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p == "/" or p.startswith("/dashboard")]
    signed_in(client, world[1]["pmo"])
    for path in pages(world[2]):
        page = client.get(path).text
        assert not re.findall(r'(?:src|href)="(?:https?:)?//', page), path
    for asset in ("dashboard.css", "dashboard.js"):
        assert client.get(f"/dashboard/static/{asset}").status_code == 200


def test_no_dashboard_route_answers_without_a_session_but_signing_in(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    routes = [
        (method, route.path)
        for module in PAGES
        for route in module.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    ]
    assert len(routes) >= 10
    client.cookies.clear()
    for method, path in routes:
        concrete = path.replace("{code}", world[2]).replace("{name}", SCENARIO)
        answer = client.request(method, concrete, follow_redirects=False)
        if path == "/dashboard/signin":
            assert answer.status_code in (200, 422), (method, path)
        else:
            assert answer.status_code == 303, (method, path, answer.status_code)
            assert answer.headers["location"].startswith("/dashboard/signin")


def test_a_live_page_shows_what_was_just_recorded_and_a_past_one_never_changes(
    own_world: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    tokens = world[1]
    signed_in(own_world, tokens["pmo"])
    # The demo's last day, so that its fiscal year is the page's whatever today is.
    live = f"/dashboard/programme/{PROGRAMME}?as_of={TODAY}"
    past = f"{live}&known_at=2026-10-01T00:00"
    before_past = data(own_world.get(past).text, "project", "fac")
    before_live = data(own_world.get(live).text, "project", "fac")
    project = next(iter(before_live))
    raised = own_world.post(
        "/commands/budget/raise",
        json={
            "project": project,
            "fiscal_year": 2026,
            "nature": "capex",
            "amount": "1000",
            "effective_date": TODAY,
            "rationale": "Contingency",
        },
        headers={"Authorization": f"Bearer {tokens['pmo']}"},
    )
    assert raised.status_code == 201, raised.text
    envelopes = data(own_world.get(live).text, "project", "envelope")
    assert float(envelopes[project]) == pytest.approx(
        float(data(own_world.get(past).text, "project", "envelope")[project]) + 1000
    )
    assert data(own_world.get(past).text, "project", "fac") == before_past


def test_a_proposal_is_shown_as_known_then_and_answered_only_today(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    code = world[2]
    signed_in(client, world[1]["pmo"])
    assert code in client.get("/dashboard/plans").text
    assert code not in client.get(f"/dashboard/plans?known_at={KNOWN_AT}").text
    assert client.get(f"/dashboard/plans/{code}?known_at={KNOWN_AT}").status_code == 404
    later = client.get(f"/dashboard/plans/{code}?known_at=2100-01-01T00:00").text
    assert 'id="proposal-status">proposed<' in later
    assert 'id="accept"' not in later


def test_a_perimeter_token_sees_no_scenario_the_api_would_refuse_it(
    own_world: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    database = own_world.app.state.services.settings.database  # type: ignore[attr-defined]
    with Ledger(database) as ledger:
        token = TokenStore(ledger).create("data", Role.MANAGER, ("DATA",)).token
    bearer = {"Authorization": f"Bearer {token}"}
    assert own_world.get(f"/scenarios/{SCENARIO}", headers=bearer).status_code == 403

    signed_in(own_world, token)

    assert own_world.get(f"/dashboard/scenarios/{SCENARIO}").status_code == 403
    plans = own_world.get("/dashboard/plans")
    assert plans.status_code == 200
    assert SCENARIO not in plans.text


def test_a_date_beyond_the_ledgers_calendar_is_read_as_its_last_day(
    client: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    tokens = world[1]
    rag = client.get(
        "/kpis/rag",
        params={"as_of": "9999-12-31"},
        headers={"Authorization": f"Bearer {tokens['auditor']}"},
    )
    assert rag.status_code == 200, rag.text
    assert rag.json()["as_of"] == "2100-12-31"

    signed_in(client, tokens["auditor"])
    page = client.get("/?as_of=9999-12-31")
    assert page.status_code == 200
    assert "2100-12-31" in page.text


def test_a_live_answer_computed_before_a_write_is_not_kept_for_the_log_after_it(
    own_world: TestClient,
) -> None:
    services = own_world.app.state.services  # type: ignore[attr-defined]
    services.view.catch_up()
    figures = Figures(services)
    before_the_write = services.view.latest_recorded - timedelta(seconds=1)
    today = date.fromisoformat(TODAY)
    # A page that began before the latest write was recorded, and one that begins now.
    began_earlier = Moment(today, before_the_write, {})
    begins_now = Moment(today, datetime.now(UTC), {})

    first = figures.remember(("probe",), began_earlier, lambda: "without the write")
    second = figures.remember(("probe",), begins_now, lambda: "with the write")

    assert (first, second) == ("without the write", "with the write")


def test_kpis_asked_together_are_remembered_as_if_asked_one_by_one(
    own_world: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = own_world.app.state.services  # type: ignore[attr-defined]
    figures = Figures(services)
    now = Moment(date.fromisoformat(TODAY), datetime.now(UTC), {})
    rag = figures.kpi("rag", now, Scope())
    computed: list[list[str]] = []
    together = figures_module.compute_together

    def noted(source: Any, names: list[str], *rest: Any) -> list[Any]:
        computed.append(list(names))
        return together(source, names, *rest)

    monkeypatch.setattr(figures_module, "compute_together", noted)
    found = figures.kpis(("rag", "budget", "risk-exposure"), now, Scope())

    assert computed == [["budget", "risk-exposure"]]  # the RAG was remembered
    assert list(found) == ["rag", "budget", "risk-exposure"]
    assert found["rag"] is rag
    assert figures.kpi("budget", now, Scope()) is found["budget"]
    assert figures.kpis(("budget", "risk-exposure"), now, Scope())["budget"] is found["budget"]
    assert computed == [["budget", "risk-exposure"]]


def test_signing_in_clears_away_expired_sessions(
    own_world: TestClient, world: tuple[str, dict[str, str], str]
) -> None:
    database = own_world.app.state.services.settings.database  # type: ignore[attr-defined]
    signed_in(own_world, world[1]["auditor"])
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE pmo_dashboard_session SET expires_at = '2020-01-01T00:00:00'")

    signed_in(own_world, world[1]["pmo"])

    with sqlite3.connect(database) as connection:
        (left,) = connection.execute(
            "SELECT COUNT(*) FROM pmo_dashboard_session WHERE expires_at < '2026-01-01'"
        ).fetchone()
    assert left == 0
    assert own_world.get("/dashboard/plans").status_code == 200
