"""What the dashboard's tests share: a demo ledger with a plan proposal and a scenario,
tokens per role, and reading the figures a page shows."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

import pandas as pd

from api.planning import PlanRequest, propose
from api.security import Role, TokenStore
from domain.ledger import Ledger
from domain.scenarios import ScenarioBook
from projections.view import PortfolioView
from tests.api.cli import ok, pmo

TODAY = "2026-11-02"  # the demo runs up to the day before
PROGRAMME = "CHECKOUT"
SCENARIO = "Wallets later"
NAMES = {"pmo": "claire.dubois", "manager": "marc.leroy", "auditor": "ines.audit"}


def build_world(folder: Path) -> tuple[str, dict[str, str], str]:
    """A demo ledger with one plan proposal and one scenario: its path, a token per
    role, and the proposal's code."""
    database = str(folder / "demo.db")
    ok(pmo("demo", "--today", TODAY, "--seed", "7", "--database", database))
    with Ledger(database) as ledger:
        store = TokenStore(ledger)
        tokens = {role: store.create(name, Role(role)).token for role, name in NAMES.items()}
        view = PortfolioView(ledger)
        view.catch_up()
        request = PlanRequest(
            as_of=date.fromisoformat(TODAY), programme=PROGRAMME, horizon=12, time_limit_s=2
        )
        code = propose(view, request, author=NAMES["pmo"]).code
        book = ScenarioBook(ledger)
        try:
            book.create(SCENARIO, author=NAMES["pmo"])
            book.add(SCENARIO, _shift(view), author=NAMES["pmo"])
        finally:
            book.close()
    return database, tokens, code


def _shift(view: PortfolioView) -> dict[str, object]:
    """A hypothesis: the programme's first planned milestone a month later."""
    state = view.state(date.fromisoformat(TODAY), None, None, ["milestones", "projects"])
    projects = state["projects"]
    ours = set(projects[projects["programme"].astype(str) == PROGRAMME]["project"].astype(str))
    milestones = state["milestones"]
    planned = milestones[
        (milestones["status"].astype(str) == "planned")
        & milestones["project"].astype(str).isin(ours)
    ].iloc[0]
    later = (planned["forecast"] + pd.Timedelta(days=28)).date()
    return {
        "area": "milestone",
        "action": "shift",
        "fields": {
            "project": str(planned["project"]),
            "milestone": str(planned["milestone"]),
            "forecast": later.isoformat(),
            "rationale": "What if the wallet slips a month",
        },
    }


def data(html: str, selector: str, attribute: str) -> dict[str, str]:
    """``{key: value}`` of the elements of class ``selector`` in a page's HTML: their
    ``data-key`` (or first ``data-*``) and the attribute asked for."""
    found = {}
    for tag in re.findall(rf'<[a-z]+ class="{selector}"[^>]*>', html):
        attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))
        key = next(iter(attributes.values()))
        found[unescape(key)] = unescape(attributes[attribute])
    return found
