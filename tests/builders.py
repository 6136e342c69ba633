"""A small, vivid portfolio for tests: payments in B2C, platforms in CTO.

- perimeters B2C and CTO; programme PAY (B2C) with projects PAY-CHECKOUT and PAY-WALLET,
  both running from 5 January to 18 December 2026;
- FY2026 envelopes: PAY-CHECKOUT capex 100,000 / opex 20,000, PAY-WALLET capex 50,000,
  B2C reserve capex 30,000, all effective 1 January 2026;
- PAY-CHECKOUT plans GO-LIVE on 30 June 2026 (baseline), priority 1;
- ARCH-JEANNE, an architect (5 days a week, 900 a day), and SQUAD-B2C, a team of four
  (20 days a week);
- backlog item PAY-1 (PAY-CHECKOUT, 20 developer days, serves GO-LIVE).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from domain import commands as c

FIRST_OF_YEAR = date(2026, 1, 1)


def build_portfolio(record: Callable[..., Any]) -> None:
    """Record the test portfolio (the clock is on 2 March 2026)."""
    for command in (
        c.OpenPerimeter(code="B2C", name="Business to consumer", effective_date=FIRST_OF_YEAR),
        c.OpenPerimeter(code="CTO", name="CTO office", effective_date=FIRST_OF_YEAR),
        c.OpenProgramme(code="PAY", name="Payments", perimeter="B2C", effective_date=FIRST_OF_YEAR),
        c.OpenProject(
            code="PAY-CHECKOUT",
            name="One-page checkout",
            programme="PAY",
            start="2026-01-05",
            end="2026-12-18",
            effective_date=FIRST_OF_YEAR,
        ),
        c.OpenProject(
            code="PAY-WALLET",
            name="Digital wallets",
            programme="PAY",
            start="2026-01-05",
            end="2026-12-18",
            effective_date=FIRST_OF_YEAR,
        ),
        c.OpenEnvelope(
            project="PAY-CHECKOUT",
            fiscal_year=2026,
            capex="100000",
            opex="20000",
            effective_date=FIRST_OF_YEAR,
        ),
        c.OpenEnvelope(
            project="PAY-WALLET", fiscal_year=2026, capex="50000", effective_date=FIRST_OF_YEAR
        ),
        c.OpenEnvelope(
            reserve="B2C", fiscal_year=2026, capex="30000", effective_date=FIRST_OF_YEAR
        ),
        c.PlanMilestone(
            project="PAY-CHECKOUT",
            milestone="GO-LIVE",
            name="General availability",
            baseline="2026-06-30",
            priority=1,
            effective_date=FIRST_OF_YEAR,
        ),
        c.RegisterResource(
            code="ARCH-JEANNE",
            name="Jeanne Roy",
            skills=["architect"],
            daily_rate="900",
            home_perimeter="CTO",
            available_from="2026-W01",
            effective_date=FIRST_OF_YEAR,
        ),
        c.RegisterResource(
            code="SQUAD-B2C",
            name="B2C squad",
            kind="team",
            skills=["developer", "qa"],
            daily_rate="600",
            home_perimeter="B2C",
            weekly_capacity="20",
            available_from="2026-W01",
            effective_date=FIRST_OF_YEAR,
        ),
        c.AddBacklogItem(
            code="PAY-1",
            project="PAY-CHECKOUT",
            title="Card form with 3-D Secure",
            effort={"developer": "20"},
            rank=1,
            milestone="GO-LIVE",
        ),
    ):
        record(command)
