"""The dashboard in a real browser: headless Chromium (Debian's package, driven by
Playwright, never a browser Playwright downloads) against a real ``pmo serve``.

A PMO signs in, visits every page, moves the dates with the pickers and sees the
figures the API gives for the same dates; a manager sees no accept button. Without
Chromium these tests are skipped on a developer's machine and fail in CI (``CI=true``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from projections.evolution import headline_order
from tests.api.dashboard_world import PROGRAMME, SCENARIO, build_world
from tests.api.served import pmo_serve

CHROMIUM = Path(os.environ.get("PMO_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AS_OF, KNOWN_AT = "2026-06-30", "2026-07-01T12:00"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], str]]:
    """``pmo serve`` on the demo world: its URL, a token per role, a proposal's code."""
    folder = tmp_path_factory.mktemp("browser")
    database, tokens, code = build_world(folder)
    with pmo_serve(database, folder / "serve.log") as base:
        yield base, tokens, code


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system's package."""
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def sign_in(browser: Browser, base: str, token: str) -> Page:
    """A fresh browser context, signed in through the form."""
    page = browser.new_context().new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/")
    assert "/dashboard/signin" in page.url
    page.fill("#token", token)
    page.click("#signin")
    page.wait_for_selector("#tree")
    return page


def api(base: str, token: str, path: str, **params: Any) -> Any:
    """The API's JSON answer."""
    answer = httpx.get(
        f"{base}{path}", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def shown(page: Page, selector: str, *attributes: str) -> list[list[str]]:
    """The ``data-*`` attributes of every element matching ``selector``."""
    found: list[list[str]] = page.eval_on_selector_all(
        selector, "(els, names) => els.map(e => names.map(n => e.dataset[n]))", list(attributes)
    )
    return found


def travel(page: Page, as_of: str, known_at: str) -> None:
    """Move the page's dates with the pickers."""
    page.fill("#as_of", as_of)
    page.fill("#known_at", known_at)
    with page.expect_navigation():
        page.click("#travel")
    query = parse_qs(urlsplit(page.url).query)
    assert query["as_of"] == [as_of]
    assert query["known_at"] == [known_at]


def test_the_pmo_sees_on_every_page_the_figures_the_api_gives_for_the_dates_picked(
    browser: Browser, served: tuple[str, dict[str, str], str]
) -> None:
    base, tokens, code = served
    token = tokens["pmo"]
    page = sign_in(browser, base, token)
    moment = {"as_of": AS_OF, "known_at": KNOWN_AT}

    # The overview, moved to 30 June as known on 1 July.
    today = {k: float(v) for k, v in shown(page, "tr.programme", "programme", "fac")}
    travel(page, AS_OF, KNOWN_AT)
    budget = api(base, token, "/kpis/budget", level="programme", **moment)["rows"]
    then = {k: float(v) for k, v in shown(page, "tr.programme", "programme", "fac")}
    assert then == pytest.approx({r["programme"]: r["fac"] for r in budget}, abs=0.01)
    assert then != today
    rag = api(base, token, "/kpis/rag", **moment)["rows"]
    colours = {k: v for k, v in shown(page, "tr.project", "project", "rag") if v}
    assert colours == {r["project"]: r["overall"] for r in rag}
    milestones = api(base, token, "/kpis/milestones", **moment)["rows"]
    soon = {
        f"{m['project']}/{m['milestone']}"
        for m in milestones
        if m["status"] == "planned" and AS_OF <= m["forecast"] <= "2026-09-28"
    }
    assert {k for (k,) in shown(page, "#upcoming tr.milestone", "key")} == soon
    risks = api(base, token, "/kpis/risk-exposure", **moment)["rows"]
    cards = shown(page, "p.figure[data-level]", "level", "open")
    assert {level: int(n) for level, n in cards} == {r["level"]: r["open_risks"] for r in risks}

    # A programme: the dates follow the link.
    page.click(f"tr.programme[data-programme='{PROGRAMME}'] a")
    page.wait_for_selector("#milestones")
    assert parse_qs(urlsplit(page.url).query)["as_of"] == [AS_OF]
    scope = {"scope": f"programme:{PROGRAMME}", **moment}
    state = api(base, token, "/state", section="milestones", **scope)["sections"]["milestones"]
    drawn = dict(shown(page, "svg path.forecast", "milestone", "forecast"))
    assert drawn == {f"{m['project']}/{m['milestone']}": m["forecast"][:10] for m in state}
    trend = api(base, token, "/kpis/milestone-trend", **scope)["rows"]
    assert len(shown(page, "svg circle.point", "forecast")) == len(trend)
    burn = api(base, token, "/kpis/burn", level="programme", **scope)["rows"]
    assert [float(c) for (c,) in shown(page, "#burn tr.month", "cumulative")] == pytest.approx(
        [r["cumulative"] for r in burn], abs=0.01
    )
    capacity = api(base, token, "/kpis/capacity", **scope)["rows"]
    cells = shown(page, "svg g.cell", "resource", "month", "load")
    assert len(cells) == len(capacity)
    assert {(r, m): float(v) for r, m, v in cells} == pytest.approx(
        {(c["resource"], c["month"]): c["load_pct"] for c in capacity}, abs=0.005
    )

    # A point of the trend leads to the decision that set it.
    point = page.locator("svg a").last
    with page.expect_navigation():
        point.click()
    position = urlsplit(page.url).fragment.removeprefix("event-")
    assert page.locator(f"#event-{position}").count() == 1

    # Decisions: the filter form lists what /events lists.
    page.fill("#f-programme", PROGRAMME)
    page.fill("#f-recorded-from", "2026-05-01T00:00:00")
    page.fill("#f-recorded-to", "2026-06-30T00:00:00")
    with page.expect_navigation():
        page.click("#apply")
    events = api(
        base,
        token,
        "/events",
        programme=PROGRAMME,
        recorded_from="2026-05-01T00:00:00",
        recorded_to="2026-06-30T00:00:00",
        limit=200,
    )["events"]
    positions = [p for (p,) in shown(page, "#timeline .event", "position")]
    assert positions == [str(e["position"]) for e in events]
    assert positions

    # Plans: the proposal as recorded, and the scenario beside the plan of record.
    page.click("nav >> text=Plans & scenarios")
    assert page.locator(f"a:text('{code}')").count() == 0  # recorded after 1 July
    with page.expect_navigation():
        page.click("text=Today, now")
    page.click(f"a:text('{code}')")
    page.wait_for_selector("#plan-milestones")
    recorded = api(base, token, f"/plans/{code}")["state"]
    assert page.get_attribute("#changes", "data-value") == str(len(recorded["changes"]["changes"]))
    after = dict(shown(page, "#plan-milestones tr.milestone", "key", "after"))
    report = recorded["report"]["data"]
    assert after == {
        f"{m['project']}/{m['milestone']}": m["after_week"] for m in report["milestones"]
    }
    assert page.locator("#accept").count() == 1
    page.go_back()
    page.click(f"#scenarios a:text('{SCENARIO}')")
    page.wait_for_selector("#figures")
    assert len(shown(page, "#figures tr[data-kpi]", "kpi")) == len(list(headline_order()))
    with page.expect_navigation():
        page.click("text=Today, now")  # the hypothesis is in force from today
    assert page.locator("#milestones-differ tbody tr").count() == 1  # the milestone shifted


def test_the_pmo_accepts_a_proposal_with_its_button(
    browser: Browser, served: tuple[str, dict[str, str], str]
) -> None:
    base, tokens, _ = served
    fresh = httpx.post(
        f"{base}/plans",
        json={
            "programme": PROGRAMME,
            "as_of": date(2026, 11, 2).isoformat(),
            "horizon": 8,
            "time_limit_s": 1,
        },
        headers={"Authorization": f"Bearer {tokens['pmo']}"},
        timeout=60,
    )
    assert fresh.status_code == 201, fresh.text
    code = fresh.json()["proposal"]
    page = sign_in(browser, base, tokens["pmo"])
    page.goto(f"{base}/dashboard/plans/{code}")
    page.fill("#accept-rationale", "Hold the wallet's date")
    with page.expect_navigation():
        page.click("#accept")
    assert page.inner_text("#proposal-status") == "accepted"
    assert api(base, tokens["pmo"], f"/plans/{code}")["state"]["status"] == "accepted"


def test_a_manager_sees_no_accept_button(
    browser: Browser, served: tuple[str, dict[str, str], str]
) -> None:
    base, tokens, code = served
    page = sign_in(browser, base, tokens["manager"])
    assert page.inner_text("#role") == "manager"
    page.goto(f"{base}/dashboard/plans/{code}")
    assert page.locator("#accept").count() == 0
    assert page.locator("#reject").count() == 0
    assert page.inner_text("#answer-note") == "Only the PMO accepts or rejects a proposal."
