"""Every KPI on small portfolios built by hand, against figures computed by hand.

Each test builds a :class:`PortfolioState` holding exactly the sections the KPI declares
(so a KPI reading an undeclared section fails here), with the columns and types
``portfolio_state`` gives them (entity codes and enums as categoricals, dates as
``datetime64[s]``, instants in UTC, money and days as floats). The expected frames are
worked out in the comments. Weeks are named by their Monday; March 2026 has 22 working
days: the weeks of 2, 9, 16 and 23 March, and 30-31 March of the week of 30 March (whose
other three days are in April).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from domain import commands as c
from domain.errors import InvalidInput
from domain.ledger import Ledger
from projections.kpis import KPIS, compute
from projections.kpis import backlog as backlog_kpi
from projections.kpis import budget as budget_kpi
from projections.kpis import capacity as capacity_kpi
from projections.kpis import earned_value as earned_value_kpi
from projections.kpis import milestones as milestones_kpi
from projections.kpis import rag as rag_kpi
from projections.kpis import risks as risks_kpi
from projections.kpis import timesheets as timesheets_kpi
from projections.kpis.common import (
    add_months,
    by_level,
    level_keys,
    monday,
    mondays_between,
    month_start,
    rate_on,
    spread_by_month,
    weekly_capacity,
    weeks_by_month,
)
from projections.state import PortfolioState, Scope
from projections.view import PortfolioView
from tests.conftest import Record

NAN = np.nan
DAY = "datetime64[s]"
INSTANT = "datetime64[us, UTC]"
CODE = "code"  # an entity code or an enum value: a categorical, as the state gives it
TEXT = "str"

# The columns of the sections, and their types, as projections.state builds them.
SCHEMAS: dict[str, dict[str, str]] = {
    "projects": {
        "project": CODE,
        "name": TEXT,
        "programme": CODE,
        "perimeter": CODE,
        "start": DAY,
        "end": DAY,
        "status": CODE,
    },
    "milestones": {
        "project": CODE,
        "milestone": TEXT,
        "name": TEXT,
        "priority": "int64",
        "baseline": DAY,
        "forecast": DAY,
        "status": CODE,
        "shifts": "int64",
        "slip_days": "int64",
        "reached_on": DAY,
    },
    "milestone_moves": {
        "project": CODE,
        "milestone": TEXT,
        "effective_on": DAY,
        "recorded_at": INSTANT,
        "move": CODE,
        "forecast": DAY,
        "position": "int64",
        "author": TEXT,
        "decision": TEXT,
        "decision_title": TEXT,
        "forum": CODE,
    },
    "envelopes": {
        "envelope": TEXT,
        "owner": CODE,
        "fiscal_year": "int64",
        "project": CODE,
        "programme": CODE,
        "perimeter": CODE,
        "nature": CODE,
        "initial": "float64",
        "moved_in": "float64",
        "moved_out": "float64",
        "raised": "float64",
        "cut": "float64",
        "current": "float64",
    },
    "resources": {
        "resource": CODE,
        "name": TEXT,
        "kind": CODE,
        "sourcing": CODE,
        "home": CODE,
        "skills": TEXT,
        "last_week": DAY,
    },
    "capacity": {"resource": CODE, "from_week": DAY, "days_per_week": "float64"},
    "absences": {"resource": CODE, "week": DAY, "days": "float64"},
    "rates": {"resource": CODE, "from_day": DAY, "daily_rate": "float64"},
    "staffing": {"resource": CODE, "project": CODE, "week": DAY, "days": "float64"},
    "actuals": {
        "resource": CODE,
        "project": CODE,
        "week": DAY,
        "days": "float64",
        "rate": "float64",
        "cost": "float64",
    },
    "timesheets": {
        "resource": CODE,
        "week": DAY,
        "status": CODE,
        "submitted_at": INSTANT,
        "corrections": "int64",
    },
    "backlog": {
        "item": TEXT,
        "project": CODE,
        "title": TEXT,
        "rank": "int64",
        "maturity": CODE,
        "milestone": TEXT,
        "status": CODE,
        "effort_days": "float64",
    },
    "demands": {
        "demand": TEXT,
        "resource": CODE,
        "requester": TEXT,
        "title": TEXT,
        "first_week": DAY,
        "last_week": DAY,
        "days_per_week": "float64",
        "status": CODE,
    },
    "risks": {
        "risk": TEXT,
        "scope": CODE,
        "on": TEXT,
        "project": CODE,
        "programme": CODE,
        "perimeter": CODE,
        "title": TEXT,
        "probability": "int64",
        "impact": "int64",
        "exposure": "int64",
        "level": CODE,
        "status": CODE,
        "owner": TEXT,
    },
}

# What a row holds when the test does not say (derived columns are computed below).
DEFAULTS: dict[str, dict[str, Any]] = {
    "projects": {
        "name": "a project",
        "start": "2026-01-05",
        "end": "2026-12-18",
        "status": "active",
    },
    "milestones": {"name": "a milestone", "priority": 1, "status": "planned", "shifts": 0},
    "milestone_moves": {"author": "claire.dubois"},
    "envelopes": {"fiscal_year": 2026, "owner": "project"},
    "resources": {"name": "someone", "kind": "person", "sourcing": "internal", "skills": ""},
    "timesheets": {"status": "submitted", "corrections": 0},
    "backlog": {"title": "an item", "rank": 1, "status": "open", "maturity": "idea"},
    "demands": {"requester": "Group IT", "title": "a request", "status": "accepted"},
    "risks": {"title": "a risk", "owner": "someone", "status": "open", "level": "team"},
}


def _derive(name: str, row: dict[str, Any]) -> dict[str, Any]:
    """The columns the state computes from the others."""
    if name == "milestones" and row.get("slip_days") is None:
        end = row.get("reached_on") or row["forecast"]
        row["slip_days"] = (date.fromisoformat(end) - date.fromisoformat(row["baseline"])).days
    elif name == "envelopes":
        row.setdefault("initial", row["current"])
        for column in ("moved_in", "moved_out", "raised", "cut"):
            row.setdefault(column, 0.0)
    elif name == "actuals":
        row["cost"] = round(row["days"] * row["rate"], 2)
    elif name == "risks":
        row["exposure"] = row["probability"] * row["impact"]
        row["scope"] = next(k for k in ("project", "programme", "perimeter") if row.get(k))
        row["on"] = row[row["scope"]]
    return row


def _typed(values: list[Any], kind: str) -> pd.Series:
    if kind == CODE:
        categories = sorted({v for v in values if v is not None})
        return pd.Series(values, dtype=pd.CategoricalDtype(pd.Index(categories, dtype=str)))
    if kind == DAY:
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object))).astype(DAY)
    if kind == INSTANT:
        moments = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
        return pd.Series(moments).astype(INSTANT)
    return pd.Series(values, dtype=kind)


def section(name: str, columns: str = "", *rows: tuple[Any, ...]) -> pd.DataFrame:
    """Section ``name`` with ``rows`` giving ``columns`` (space separated); the other
    columns take their defaults, None (missing), or are derived."""
    given = columns.split()
    schema = SCHEMAS[name]
    assert set(given) <= set(schema), set(given) - set(schema)
    full = [
        _derive(name, {**DEFAULTS.get(name, {}), **dict(zip(given, row, strict=True))})
        for row in rows
    ]
    return pd.DataFrame(
        {column: _typed([r.get(column) for r in full], kind) for column, kind in schema.items()}
    )


def state(
    kpi: ModuleType,
    as_of: date,
    known_at: datetime | None = None,
    **sections: pd.DataFrame,
) -> PortfolioState:
    """A portfolio state holding exactly the sections ``kpi`` declares it reads."""
    declared = set(kpi.SECTIONS) | set(getattr(kpi, "WHOLE_SECTIONS", ()))
    assert set(sections) == declared, set(sections) ^ declared
    moment = known_at or datetime.combine(as_of, time(18), UTC)
    return PortfolioState(as_of, moment, Scope(), sections)


def table(columns: str, *rows: tuple[Any, ...], **types: str) -> pd.DataFrame:
    """An expected frame: ``rows`` of ``columns``, with the ``types`` given."""
    frame = pd.DataFrame(list(rows), columns=columns.split())
    return frame.astype(types) if types else frame


def mondays(first: str, last: str) -> list[str]:
    """The Mondays from ``first`` to ``last`` (both Mondays), as ISO dates."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [str(start + timedelta(weeks=n)) for n in range((end - start).days // 7 + 1)]


def weekly(first: str, last: str, *values: Any) -> list[tuple[Any, ...]]:
    """Staffing-like rows ``(*values[:-1], week, values[-1])`` for each week."""
    return [(*values[:-1], week, values[-1]) for week in mondays(first, last)]


def at(text: str) -> pd.Timestamp:
    """An instant in UTC, as the frames hold them."""
    return pd.Timestamp(text, tz="UTC")


# -- common ------------------------------------------------------------------------------


def test_a_week_is_spread_over_its_months_by_working_days() -> None:
    weeks = pd.Series(
        pd.to_datetime(["2026-03-02", "2026-03-30", "2025-12-29", "2026-07-27"])
    ).astype(DAY)
    expected = table(
        "row month share",
        (0, "2026-03-01", 1.0),  # 2-6 March
        (1, "2026-03-01", 0.4),  # Mon 30 and Tue 31 March: 2 of 5 days
        (1, "2026-04-01", 0.6),  # Wed 1 to Fri 3 April: 3 of 5 days
        (2, "2025-12-01", 0.6),  # 29-31 December: 3 days in the previous fiscal year
        (2, "2026-01-01", 0.4),  # 1-2 January
        (3, "2026-07-01", 1.0),  # 27-31 July: the weekend in August does not count
        month=DAY,
    )
    assert_frame_equal(weeks_by_month(weeks), expected)


def test_spreading_a_frame_by_month_splits_its_values_pro_rata() -> None:
    frame = table(
        "project week cost",
        ("CHK", "2026-03-30", 1000.0),
        ("WAL", "2026-03-09", 250.0),
        week=DAY,
    )
    expected = table(
        "project week cost month",
        ("CHK", "2026-03-30", 400.0, "2026-03-01"),  # 2/5 of 1,000
        ("CHK", "2026-03-30", 600.0, "2026-04-01"),  # 3/5 of 1,000
        ("WAL", "2026-03-09", 250.0, "2026-03-01"),
        week=DAY,
        month=DAY,
    )
    assert_frame_equal(spread_by_month(frame, "week", ["cost"]), expected)


def test_the_rate_on_a_day_is_the_last_change_before_it_or_else_the_first_known() -> None:
    rates = section(
        "rates",
        "resource from_day daily_rate",
        ("DEV", "2026-01-01", 500.0),
        ("DEV", "2026-04-01", 600.0),
        ("ARCH", "2026-02-01", 800.0),
    )
    asked = table(
        "resource day",
        ("DEV", "2026-03-30"),  # before the raise: 500
        ("DEV", "2026-04-01"),  # the day of the raise: 600
        ("DEV", "2026-04-06"),  # after: 600
        ("DEV", "2025-12-29"),  # before any rate: the first known, 500
        ("ARCH", "2026-01-05"),  # before its only rate: 800
        ("NEWCOMER", "2026-03-02"),  # no rate at all
        day=DAY,
    )
    found = rate_on(rates, asked["resource"], asked["day"])
    np.testing.assert_array_equal(found, [500.0, 600.0, 600.0, 500.0, 800.0, NAN])
    assert rate_on(rates, pd.Series([], dtype=str), pd.Series([], dtype=DAY)).shape == (0,)


def test_weekly_capacity_steps_with_changes_less_absences_and_stops_after_departure() -> None:
    resources = section(
        "resources",
        "resource last_week",
        ("ANA", None),
        ("BEN", "2026-03-09"),  # leaves after the week of 9 March
    )
    capacity = section(
        "capacity",
        "resource from_week days_per_week",
        ("ANA", "2026-03-02", 5.0),  # joins on 2 March
        ("ANA", "2026-03-16", 4.0),  # then works four days a week
        ("BEN", "2026-01-05", 3.0),
    )
    absences = section(
        "absences",
        "resource week days",
        ("ANA", "2026-03-09", 2.0),
        ("BEN", "2026-03-02", 5.0),  # more than the 3 days it works: capped at 3
    )
    weeks = [date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    expected = table(
        "resource week capacity_days absent_days",
        ("ANA", "2026-02-23", 0.0, 0.0),  # not there yet
        ("ANA", "2026-03-02", 5.0, 0.0),
        ("ANA", "2026-03-09", 3.0, 2.0),  # 5 - 2
        ("ANA", "2026-03-16", 4.0, 0.0),
        ("BEN", "2026-02-23", 3.0, 0.0),
        ("BEN", "2026-03-02", 0.0, 3.0),
        ("BEN", "2026-03-09", 3.0, 0.0),  # its last week still counts
        ("BEN", "2026-03-16", 0.0, 0.0),  # gone
        week=DAY,
    )
    assert_frame_equal(weekly_capacity(resources, capacity, absences, weeks), expected)


def test_weekly_capacity_of_no_resource_is_an_empty_grid_that_still_merges() -> None:
    grid = weekly_capacity(
        section("resources"), section("capacity"), section("absences"), [date(2026, 3, 2)]
    )
    expected = table("resource week capacity_days absent_days", week=DAY)
    expected = expected.astype({"resource": str, "capacity_days": float, "absent_days": float})
    assert_frame_equal(grid, expected)
    # the empty grid merges with codes as a non-empty one would
    assert grid.merge(section("staffing")[["resource"]].astype(str)).empty


def test_levels_have_their_keys_and_an_unknown_level_is_refused() -> None:
    assert level_keys("portfolio") == []
    assert level_keys("programme") == ["perimeter", "programme"]
    assert level_keys("project") == ["perimeter", "programme", "project"]
    with pytest.raises(InvalidInput) as refused:
        level_keys("team")
    assert refused.value.field == "level"


def test_by_level_adds_up_per_group_and_into_one_portfolio_row() -> None:
    frame = table(
        "perimeter programme project cost",
        ("B2C", "PAY", "CHK", 100.0),
        ("B2C", "PAY", "WAL", 50.0),
        ("DATA", "LAKE", "ING", 7.0),
    )
    assert_frame_equal(
        by_level(frame, "perimeter", ["cost"]),
        table("perimeter cost", ("B2C", 150.0), ("DATA", 7.0)),
    )
    assert_frame_equal(
        by_level(frame, "portfolio", ["cost"]), table("portfolio cost", ("portfolio", 157.0))
    )


def test_calendar_helpers_find_mondays_and_months() -> None:
    assert monday(date(2026, 3, 8)) == date(2026, 3, 2)  # a Sunday belongs to its week
    assert mondays_between(date(2026, 3, 1), date(2026, 3, 16)) == [
        date(2026, 2, 23),
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
    assert month_start(date(2026, 3, 17)) == date(2026, 3, 1)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 1, 31), -1) == date(2025, 12, 1)


# -- budget and burn ---------------------------------------------------------------------
#
# Status date Wednesday 4 March 2026: actuals are the weeks before 2 March, the staffing
# plan counts from the week of 2 March. DEV costs 500 a day, ARCH 900 until 31 March and
# 1,000 from 1 April.
#
# PAY-CHK (programme PAY, perimeter B2C), FY2026 envelope capex 8,000 + opex 2,000:
#   actuals  week 2025-12-29 DEV 5 d = 2,500, 2/5 in 2026 ............  1,000 (January)
#            week 2026-02-16 ARCH 2 d × 900 ...........................  1,800 (February)
#            week 2026-02-23 DEV 5 d × 500 ............................  2,500 (February)
#            week 2026-03-02 DEV 3 d: the status week, not an actual .......  0
#                                                                       = 5,300
#   committed week 2026-03-02 DEV 4 d × 500 ..........................  2,000 (March)
#            week 2026-03-30 DEV 4 d × 500 = 2,000: 2/5 March, 3/5 April   800 + 1,200
#            week 2026-04-06 ARCH 2 d × 1,000 (the April rate) ........  2,000 (April)
#            week 2026-12-28 DEV 5 d × 500 = 2,500, 4/5 in 2026 .......  2,000 (December)
#            week 2026-02-23 ARCH 5 d: planned for a past week, ignored .    0
#                                                                       = 8,000
#   fac 13,300, capex share 0.8: 10,640 capex, 2,660 opex; remaining 10,000 - 5,300
#   = 4,700; variance 10,000 - 13,300 = -3,300, -33 % (the year will overrun).
#   Its FY2025 envelope (capex 50,000) does not count in 2026.
# PAY-WAL (PAY, B2C), envelope capex 30,000, no actuals, nothing staffed: remaining and
#   variance 30,000, 100 %.
# LAKE-ING (LAKE, DATA), no envelope: actuals week 2026-02-09 DEV 4 d = 2,000, committed
#   week 2026-03-09 ARCH 1 d × 900 = 900; fac 2,900, all opex; remaining -2,000,
#   variance -2,900, no variance percentage without an envelope.
# Reserves: B2C capex 10,000 + opex 5,000 = 15,000; DATA none.

BUDGET_AS_OF = date(2026, 3, 4)


def budget_state() -> PortfolioState:
    return state(
        budget_kpi,
        BUDGET_AS_OF,
        projects=section(
            "projects",
            "project programme perimeter",
            ("LAKE-ING", "LAKE", "DATA"),
            ("PAY-CHK", "PAY", "B2C"),
            ("PAY-WAL", "PAY", "B2C"),
        ),
        envelopes=section(
            "envelopes",
            "envelope owner fiscal_year project programme perimeter nature current",
            ("B2C-RES/FY2026", "reserve", 2026, None, None, "B2C", "capex", 10000.0),
            ("B2C-RES/FY2026", "reserve", 2026, None, None, "B2C", "opex", 5000.0),
            ("PAY-CHK/FY2025", "project", 2025, "PAY-CHK", "PAY", "B2C", "capex", 50000.0),
            ("PAY-CHK/FY2025", "project", 2025, "PAY-CHK", "PAY", "B2C", "opex", 0.0),
            ("PAY-CHK/FY2026", "project", 2026, "PAY-CHK", "PAY", "B2C", "capex", 8000.0),
            ("PAY-CHK/FY2026", "project", 2026, "PAY-CHK", "PAY", "B2C", "opex", 2000.0),
            ("PAY-WAL/FY2026", "project", 2026, "PAY-WAL", "PAY", "B2C", "capex", 30000.0),
            ("PAY-WAL/FY2026", "project", 2026, "PAY-WAL", "PAY", "B2C", "opex", 0.0),
        ),
        actuals=section(
            "actuals",
            "resource project week days rate",
            ("ARCH", "PAY-CHK", "2026-02-16", 2.0, 900.0),
            ("DEV", "PAY-CHK", "2025-12-29", 5.0, 500.0),
            ("DEV", "LAKE-ING", "2026-02-09", 4.0, 500.0),
            ("DEV", "PAY-CHK", "2026-02-23", 5.0, 500.0),
            ("DEV", "PAY-CHK", "2026-03-02", 3.0, 500.0),
        ),
        staffing=section(
            "staffing",
            "resource project week days",
            ("ARCH", "LAKE-ING", "2026-03-09", 1.0),
            ("ARCH", "PAY-CHK", "2026-02-23", 5.0),
            ("ARCH", "PAY-CHK", "2026-04-06", 2.0),
            ("DEV", "PAY-CHK", "2026-03-02", 4.0),
            ("DEV", "PAY-CHK", "2026-03-30", 4.0),
            ("DEV", "PAY-CHK", "2026-12-28", 5.0),
        ),
        rates=section(
            "rates",
            "resource from_day daily_rate",
            ("ARCH", "2026-01-01", 900.0),
            ("ARCH", "2026-04-01", 1000.0),
            ("DEV", "2026-01-01", 500.0),
        ),
    )


BUDGET_COLUMNS = (
    "fiscal_year envelope envelope_capex envelope_opex actuals committed fac fac_capex"
    " fac_opex remaining variance variance_pct"
)


def test_budget_per_project_values_actuals_before_the_status_week_and_the_plan_after() -> None:
    expected = table(
        f"perimeter programme project {BUDGET_COLUMNS}",
        ("B2C", "PAY", "PAY-CHK", 2026, 10000.0, 8000.0, 2000.0, 5300.0, 8000.0, 13300.0,
         10640.0, 2660.0, 4700.0, -3300.0, -33.0),
        ("B2C", "PAY", "PAY-WAL", 2026, 30000.0, 30000.0, 0.0, 0.0, 0.0, 0.0,
         0.0, 0.0, 30000.0, 30000.0, 100.0),
        ("DATA", "LAKE", "LAKE-ING", 2026, 0.0, 0.0, 0.0, 2000.0, 900.0, 2900.0,
         0.0, 2900.0, -2000.0, -2900.0, NAN),
    )  # fmt: skip
    assert_frame_equal(budget_kpi.budget(budget_state()), expected)


@pytest.mark.parametrize("year", [1, 9999])
def test_budget_of_the_calendars_first_or_last_year_is_empty_not_an_error(year: int) -> None:
    # The weeks spread are those touching the year: the Monday before 1 January of year
    # 1 is no Python date (schemathesis found it through /reports/evolution).
    found = budget_kpi.budget(budget_state(), "project", year)
    assert found["fiscal_year"].tolist() == [year] * 3
    assert found[["envelope", "actuals", "committed"]].to_numpy().sum() == 0.0


def test_budget_per_perimeter_adds_up_its_projects_and_shows_its_reserve() -> None:
    # B2C = PAY-CHK + PAY-WAL: envelope 40,000 (38,000 capex), fac 13,300; remaining
    # 40,000 - 5,300 = 34,700; variance 26,700 = 66.75 %. DATA = LAKE-ING, no reserve.
    expected = table(
        f"perimeter {BUDGET_COLUMNS} reserve",
        ("B2C", 2026, 40000.0, 38000.0, 2000.0, 5300.0, 8000.0, 13300.0,
         10640.0, 2660.0, 34700.0, 26700.0, 66.75, 15000.0),
        ("DATA", 2026, 0.0, 0.0, 0.0, 2000.0, 900.0, 2900.0,
         0.0, 2900.0, -2000.0, -2900.0, NAN, 0.0),
    )  # fmt: skip
    assert_frame_equal(budget_kpi.budget(budget_state(), "perimeter"), expected)


def test_budget_for_a_past_fiscal_year_counts_its_envelope_and_its_part_of_a_straddling_week() -> (
    None
):
    # FY2025: the PAY-CHK envelope of 50,000 (all capex); actuals: 3/5 of the week of 29
    # December, 1,500; nothing planned (the plan starts in March 2026); no reserve in 2025.
    expected = table(
        f"portfolio {BUDGET_COLUMNS} reserve",
        ("portfolio", 2025, 50000.0, 50000.0, 0.0, 1500.0, 0.0, 1500.0,
         1500.0, 0.0, 48500.0, 48500.0, 97.0, 0.0),
    )  # fmt: skip
    assert_frame_equal(budget_kpi.budget(budget_state(), "portfolio", 2025), expected)


def _months(*values: float) -> list[float]:
    return [*values, *[0.0] * (12 - len(values))]


def test_burn_per_programme_spends_actuals_then_the_plan_month_by_month() -> None:
    months = pd.date_range("2026-01-01", periods=12, freq="MS").astype(DAY)
    # LAKE: actuals 2,000 in February, 900 planned in March; no envelope: no percentage.
    lake = pd.DataFrame(
        {
            "perimeter": "DATA",
            "programme": "LAKE",
            "month": months,
            "actuals": _months(0.0, 2000.0),
            "committed": _months(0.0, 0.0, 900.0),
            "spend": _months(0.0, 2000.0, 900.0),
            "cumulative": [0.0, 2000.0, *[2900.0] * 10],
            "year_envelope": 0.0,
            "consumed_pct": NAN,
        }
    )
    # PAY: actuals 1,000 in January and 1,800 + 2,500 = 4,300 in February; planned
    # 2,000 + 800 = 2,800 in March, 1,200 + 2,000 = 3,200 in April, 2,000 in December;
    # cumulated against the programme's 40,000.
    cumulative = [1000.0, 5300.0, 8100.0, *[11300.0] * 8, 13300.0]
    pay = pd.DataFrame(
        {
            "perimeter": "B2C",
            "programme": "PAY",
            "month": months,
            "actuals": _months(1000.0, 4300.0),
            "committed": [0.0, 0.0, 2800.0, 3200.0, *[0.0] * 7, 2000.0],
            "spend": [1000.0, 4300.0, 2800.0, 3200.0, *[0.0] * 7, 2000.0],
            "cumulative": cumulative,
            "year_envelope": 40000.0,
            "consumed_pct": [2.5, 13.25, 20.25, *[28.25] * 8, 33.25],
        }
    )
    expected = pd.concat([pay, lake], ignore_index=True)
    assert_frame_equal(budget_kpi.burn(budget_state(), "programme"), expected)


def test_burn_of_the_portfolio_ends_the_year_at_the_forecast_at_completion() -> None:
    months = pd.date_range("2026-01-01", periods=12, freq="MS").astype(DAY)
    # All projects: 1,000 | 4,300 + 2,000 | 2,800 + 900 | 3,200 | ... | 2,000; cumulated
    # 1,000, 7,300, 11,000, 14,200 ... 16,200 (= fac 13,300 + 2,900) against 40,000.
    expected = pd.DataFrame(
        {
            "portfolio": "portfolio",
            "month": months,
            "actuals": _months(1000.0, 6300.0),
            "committed": [0.0, 0.0, 3700.0, 3200.0, *[0.0] * 7, 2000.0],
            "spend": [1000.0, 6300.0, 3700.0, 3200.0, *[0.0] * 7, 2000.0],
            "cumulative": [1000.0, 7300.0, 11000.0, *[14200.0] * 8, 16200.0],
            "year_envelope": 40000.0,
            "consumed_pct": [2.5, 18.25, 27.5, *[35.5] * 8, 40.5],
        }
    )
    assert_frame_equal(budget_kpi.burn(budget_state(), "portfolio"), expected)


# -- earned value ------------------------------------------------------------------------
#
# Status date 4 March 2026 (actual costs: weeks before 2 March).
# PAY-CHK runs 3 January - 13 April 2026, 100 days, 60 elapsed: planned 60 %. BAC, every
#   fiscal year: 60,000 + 20,000 (FY2026) + 20,000 (FY2027) = 100,000. Backlog: 30 + 15
#   days done of 30 + 15 + 75 (10 dropped, not counted): 45 / 120 = 37.5 %.
#   PV 60,000, EV 37,500, AC 5,000 (Dec. 2025) + 15,000 + 10,000 = 30,000 (the 5,000
#   of the status week excluded); SV -22,500, CV 7,500, SPI 0.625, CPI 1.25,
#   EAC 100,000 / 1.25 = 80,000, ETC 50,000, VAC 20,000.
# PAY-WAL starts 10 March: nothing planned, earned or spent; BAC 40,000; no ratio.
# LAKE-ING ran 1 July 2025 - 31 January 2026: planned 100 %; BAC 30,000 + 20,000 =
#   50,000; 10 of 20 days done: 50 %. PV 50,000, EV 25,000, AC 40,000; SV -25,000,
#   CV -15,000, SPI 0.5, CPI 0.625, EAC 80,000, ETC 40,000, VAC -30,000.

EV_AS_OF = date(2026, 3, 4)


def earned_value_state() -> PortfolioState:
    return state(
        earned_value_kpi,
        EV_AS_OF,
        projects=section(
            "projects",
            "project programme perimeter start end",
            ("LAKE-ING", "LAKE", "DATA", "2025-07-01", "2026-01-31"),
            ("PAY-CHK", "PAY", "B2C", "2026-01-03", "2026-04-13"),
            ("PAY-WAL", "PAY", "B2C", "2026-03-10", "2026-06-30"),
        ),
        envelopes=section(
            "envelopes",
            "envelope owner fiscal_year project perimeter nature current",
            ("B2C-RES/FY2026", "reserve", 2026, None, "B2C", "capex", 99000.0),
            ("LAKE-ING/FY2025", "project", 2025, "LAKE-ING", "DATA", "opex", 30000.0),
            ("LAKE-ING/FY2026", "project", 2026, "LAKE-ING", "DATA", "opex", 20000.0),
            ("PAY-CHK/FY2026", "project", 2026, "PAY-CHK", "B2C", "capex", 60000.0),
            ("PAY-CHK/FY2026", "project", 2026, "PAY-CHK", "B2C", "opex", 20000.0),
            ("PAY-CHK/FY2027", "project", 2027, "PAY-CHK", "B2C", "capex", 20000.0),
            ("PAY-WAL/FY2026", "project", 2026, "PAY-WAL", "B2C", "capex", 40000.0),
        ),
        backlog=section(
            "backlog",
            "item project status effort_days",
            ("ING-1", "LAKE-ING", "done", 10.0),
            ("ING-2", "LAKE-ING", "open", 10.0),
            ("CHK-1", "PAY-CHK", "done", 30.0),
            ("CHK-2", "PAY-CHK", "done", 15.0),
            ("CHK-3", "PAY-CHK", "open", 75.0),
            ("CHK-4", "PAY-CHK", "dropped", 10.0),
        ),
        actuals=section(
            "actuals",
            "resource project week days rate",
            ("ARCH", "LAKE-ING", "2025-09-01", 40.0, 1000.0),
            ("ARCH", "PAY-CHK", "2025-12-15", 5.0, 1000.0),
            ("ARCH", "PAY-CHK", "2026-02-16", 15.0, 1000.0),
            ("DEV", "PAY-CHK", "2026-02-23", 20.0, 500.0),
            ("DEV", "PAY-CHK", "2026-03-02", 10.0, 500.0),
        ),
    )


EV_COLUMNS = "bac pv ev ac sv cv spi cpi eac etc vac"


def test_earned_value_per_project_compares_the_linear_plan_with_done_backlog_and_cost() -> None:
    expected = table(
        f"perimeter programme project status_date {EV_COLUMNS} planned_pct earned_pct",
        ("B2C", "PAY", "PAY-CHK", "2026-03-04", 100000.0, 60000.0, 37500.0, 30000.0,
         -22500.0, 7500.0, 0.625, 1.25, 80000.0, 50000.0, 20000.0, 60.0, 37.5),
        ("B2C", "PAY", "PAY-WAL", "2026-03-04", 40000.0, 0.0, 0.0, 0.0,
         0.0, 0.0, NAN, NAN, NAN, NAN, NAN, 0.0, 0.0),
        ("DATA", "LAKE", "LAKE-ING", "2026-03-04", 50000.0, 50000.0, 25000.0, 40000.0,
         -25000.0, -15000.0, 0.5, 0.625, 80000.0, 40000.0, -30000.0, 100.0, 50.0),
        status_date=DAY,
    )  # fmt: skip
    assert_frame_equal(earned_value_kpi.earned_value(earned_value_state()), expected)


def test_earned_value_rolled_up_adds_the_values_then_takes_the_ratios() -> None:
    # Portfolio: BAC 190,000, PV 110,000, EV 62,500, AC 70,000; SPI 62,500 / 110,000
    # = 0.568, CPI 62,500 / 70,000 = 0.893, EAC 190,000 × 70,000 / 62,500 = 212,800,
    # ETC 142,800, VAC -22,800 (not the sum of the projects' EACs: 80,000 + 80,000).
    expected = table(
        f"portfolio status_date {EV_COLUMNS}",
        ("portfolio", "2026-03-04", 190000.0, 110000.0, 62500.0, 70000.0, -47500.0,
         -7500.0, 0.568, 0.893, 212800.0, 142800.0, -22800.0),
        status_date=DAY,
    )  # fmt: skip
    assert_frame_equal(earned_value_kpi.earned_value(earned_value_state(), "portfolio"), expected)
    # PAY = PAY-CHK + PAY-WAL: BAC 140,000 at CPI 1.25: EAC 112,000.
    expected = table(
        f"perimeter programme status_date {EV_COLUMNS}",
        ("B2C", "PAY", "2026-03-04", 140000.0, 60000.0, 37500.0, 30000.0, -22500.0,
         7500.0, 0.625, 1.25, 112000.0, 82000.0, 28000.0),
        ("DATA", "LAKE", "2026-03-04", 50000.0, 50000.0, 25000.0, 40000.0, -25000.0,
         -15000.0, 0.5, 0.625, 80000.0, 40000.0, -30000.0),
        status_date=DAY,
    )  # fmt: skip
    assert_frame_equal(earned_value_kpi.earned_value(earned_value_state(), "programme"), expected)


# -- capacity ----------------------------------------------------------------------------
#
# March and April 2026 (22 working days each), status date 4 March.
# ARCH, an architect of CTO, 5 days a week, away the week of 9 March: capacity March
#   5 + 0 + 5 + 5 + 2 (2/5 of the week of 30 March) = 17; April 3 + 15 + 4 (4/5 of the
#   week of 27 April) = 22. Staffed 3 d/week on PAY-CHK (2 March - 27 April) and 2 d/week
#   on LAKE-ING (16 - 30 March): March 13.2 + 4.8 = 18; April 13.2 + 1.2 = 14.4. An
#   accepted outside demand of 1 d/week (2 - 30 March): 4.4 in March, 0.6 in April. A
#   raised demand, 2 d/week (6 - 13 April), is only requested: 4 in April. A declined one
#   counts nowhere. March: demand 22.4 on 17, load 131.76 %, over-allocated by 5.4 days.
# DEV2, a developer of B2C, 5 d/week, leaves after the week of 23 March but stays staffed
#   5 d/week on PAY-WAL until the week of 30 March: March capacity 20, demand 22 (110 %,
#   2 over); April capacity 0, demand 3 (0.6 × 5): over by 3, no load percentage.
# SQUAD, a B2C team (developer, qa), 20 d/week, 15 from 6 April, staffed 10 d/week on
#   PAY-CHK (2 March - 27 April): March 88 capacity, 44 staffed (50 %); April 12 + 45 +
#   12 = 69 capacity, 6 + 30 + 8 = 44 staffed (63.77 %).
# OTHER is staffed but is not among the resources covered: ignored.

CAPACITY_AS_OF = date(2026, 3, 4)


def capacity_sections() -> dict[str, pd.DataFrame]:
    return {
        "resources": section(
            "resources",
            "resource kind home skills last_week",
            ("ARCH", "person", "CTO", "architect", None),
            ("DEV2", "person", "B2C", "developer", "2026-03-23"),
            ("SQUAD", "team", "B2C", "developer,qa", None),
        ),
        "capacity": section(
            "capacity",
            "resource from_week days_per_week",
            ("ARCH", "2026-01-05", 5.0),
            ("DEV2", "2026-01-05", 5.0),
            ("SQUAD", "2026-01-05", 20.0),
            ("SQUAD", "2026-04-06", 15.0),
        ),
        "absences": section("absences", "resource week days", ("ARCH", "2026-03-09", 5.0)),
        "staffing": section(
            "staffing",
            "resource project week days",
            ("ARCH", "PAY-CHK", "2026-02-23", 5.0),  # all in February: outside
            *weekly("2026-03-02", "2026-04-27", "ARCH", "PAY-CHK", 3.0),
            *weekly("2026-03-16", "2026-03-30", "ARCH", "LAKE-ING", 2.0),
            ("ARCH", "PAY-CHK", "2026-05-04", 5.0),  # after April: outside
            *weekly("2026-03-02", "2026-03-30", "DEV2", "PAY-WAL", 5.0),
            *weekly("2026-03-02", "2026-04-27", "OTHER", "PAY-WAL", 5.0),
            *weekly("2026-03-02", "2026-04-27", "SQUAD", "PAY-CHK", 10.0),
        ),
        "demands": section(
            "demands",
            "demand resource first_week last_week days_per_week status",
            ("DMD-1", "ARCH", "2026-03-02", "2026-03-30", 1.0, "accepted"),
            ("DMD-2", "ARCH", "2026-04-06", "2026-04-13", 2.0, "raised"),
            ("DMD-3", "ARCH", "2026-03-02", "2026-04-27", 5.0, "declined"),
        ),
    }


def capacity_state() -> PortfolioState:
    return state(capacity_kpi, CAPACITY_AS_OF, **capacity_sections())


def test_capacity_per_resource_shows_over_allocation_including_outside_demand() -> None:
    expected = table(
        "resource kind home month capacity_days staffed_days outside_days demand_days"
        " requested_days free_days load_pct over_allocated excess_days",
        ("ARCH", "person", "CTO", "2026-03-01", 17.0, 18.0, 4.4, 22.4, 0.0, -5.4, 131.76,
         True, 5.4),
        ("ARCH", "person", "CTO", "2026-04-01", 22.0, 14.4, 0.6, 15.0, 4.0, 7.0, 68.18,
         False, 0.0),
        ("DEV2", "person", "B2C", "2026-03-01", 20.0, 22.0, 0.0, 22.0, 0.0, -2.0, 110.0,
         True, 2.0),
        ("DEV2", "person", "B2C", "2026-04-01", 0.0, 3.0, 0.0, 3.0, 0.0, -3.0, NAN,
         True, 3.0),
        ("SQUAD", "team", "B2C", "2026-03-01", 88.0, 44.0, 0.0, 44.0, 0.0, 44.0, 50.0,
         False, 0.0),
        ("SQUAD", "team", "B2C", "2026-04-01", 69.0, 44.0, 0.0, 44.0, 0.0, 25.0, 63.77,
         False, 0.0),
        month=DAY,
    )  # fmt: skip
    assert_frame_equal(capacity_kpi.capacity(capacity_state(), months=2), expected)


GROUP_COLUMNS = (
    "month resources capacity_days staffed_days outside_days demand_days requested_days"
    " free_days load_pct over_allocated_resources excess_days"
)


def test_capacity_per_skill_counts_a_resource_under_each_of_its_skills() -> None:
    # developer = SQUAD + DEV2: March 108 capacity, 66 staffed (61.11 %), DEV2 over by 2;
    # April 69 capacity, 47 staffed (68.12 %), DEV2 over by 3. qa = SQUAD alone.
    expected = table(
        f"skill {GROUP_COLUMNS}",
        ("architect", "2026-03-01", 1, 17.0, 18.0, 4.4, 22.4, 0.0, -5.4, 131.76, 1, 5.4),
        ("architect", "2026-04-01", 1, 22.0, 14.4, 0.6, 15.0, 4.0, 7.0, 68.18, 0, 0.0),
        ("developer", "2026-03-01", 2, 108.0, 66.0, 0.0, 66.0, 0.0, 42.0, 61.11, 1, 2.0),
        ("developer", "2026-04-01", 2, 69.0, 47.0, 0.0, 47.0, 0.0, 22.0, 68.12, 1, 3.0),
        ("qa", "2026-03-01", 1, 88.0, 44.0, 0.0, 44.0, 0.0, 44.0, 50.0, 0, 0.0),
        ("qa", "2026-04-01", 1, 69.0, 44.0, 0.0, 44.0, 0.0, 25.0, 63.77, 0, 0.0),
        month=DAY,
    )
    assert_frame_equal(capacity_kpi.capacity(capacity_state(), by="skill", months=2), expected)


def test_capacity_per_perimeter_groups_resources_by_their_home() -> None:
    expected = table(
        f"perimeter {GROUP_COLUMNS}",
        ("B2C", "2026-03-01", 2, 108.0, 66.0, 0.0, 66.0, 0.0, 42.0, 61.11, 1, 2.0),
        ("CTO", "2026-03-01", 1, 17.0, 18.0, 4.4, 22.4, 0.0, -5.4, 131.76, 1, 5.4),
        month=DAY,
    )
    found = capacity_kpi.capacity(capacity_state(), by="perimeter", months=1)
    assert_frame_equal(found, expected)


def test_capacity_from_a_later_start_covers_the_months_from_that_one() -> None:
    # From mid-April for one month: the April figures of the two-month frame.
    found = capacity_kpi.capacity(capacity_state(), months=1, start=date(2026, 4, 15))
    two_months = capacity_kpi.capacity(capacity_state(), months=2)
    april = two_months[two_months["month"] == pd.Timestamp("2026-04-01")]
    assert_frame_equal(found, april.reset_index(drop=True))
    assert len(found) == 3


@pytest.mark.parametrize(
    ("parameters", "field"),
    [({"by": "team"}, "by"), ({"months": 0}, "months"), ({"months": 37}, "months")],
)
def test_capacity_refuses_an_unknown_grouping_or_horizon(
    parameters: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        capacity_kpi.capacity(capacity_state(), **parameters)
    assert refused.value.field == field


# -- milestones --------------------------------------------------------------------------
#
# Status date 4 March 2026.
# PAY-CHK: DESIGN reached on 20 February (baseline 15 February): slip 5; GO-LIVE planned
#   31 July (baseline 30 June): slip 31; PILOT cancelled (slip 14, left out of counts).
# PAY-WAL: BETA forecast 2 March (baseline 1 March), still planned: slip 1 and overdue;
#   LAUNCH forecast 20 April (baseline 30 April): 10 days ahead, slip -10.
# LAKE-ING: FEED forecast 4 March, today: not overdue yet (overdue is before today).

MILESTONES_AS_OF = date(2026, 3, 4)


def milestone_sections() -> dict[str, pd.DataFrame]:
    milestones = section(
        "milestones",
        "project milestone name priority baseline forecast status shifts reached_on",
        ("LAKE-ING", "FEED", "First feed", 2, "2026-03-04", "2026-03-04", "planned", 0, None),
        ("PAY-CHK", "DESIGN", "Design signed", 2, "2026-02-15", "2026-02-20", "reached", 1,
         "2026-02-20"),
        ("PAY-CHK", "PILOT", "Pilot", 3, "2026-05-01", "2026-05-15", "cancelled", 1, None),
        ("PAY-CHK", "GO-LIVE", "Go-live", 1, "2026-06-30", "2026-07-31", "planned", 2, None),
        ("PAY-WAL", "BETA", "Beta", 2, "2026-03-01", "2026-03-02", "planned", 1, None),
        ("PAY-WAL", "LAUNCH", "Launch", 1, "2026-04-30", "2026-04-20", "planned", 1, None),
    )  # fmt: skip
    projects = section(
        "projects",
        "project programme perimeter",
        ("LAKE-ING", "LAKE", "DATA"),
        ("PAY-CHK", "PAY", "B2C"),
        ("PAY-WAL", "PAY", "B2C"),
    )
    return {"projects": projects, "milestones": milestones}


def test_milestones_show_each_baseline_forecast_slip_and_overdue_state() -> None:
    found = milestones_kpi.milestones(
        state(milestones_kpi, MILESTONES_AS_OF, **milestone_sections())
    )
    expected = table(
        "perimeter programme project milestone name priority baseline forecast status"
        " slip_days shifts reached_on overdue",
        ("DATA", "LAKE", "LAKE-ING", "FEED", "First feed", 2, "2026-03-04", "2026-03-04",
         "planned", 0, 0, None, False),
        ("B2C", "PAY", "PAY-CHK", "DESIGN", "Design signed", 2, "2026-02-15", "2026-02-20",
         "reached", 5, 1, "2026-02-20", False),
        ("B2C", "PAY", "PAY-CHK", "PILOT", "Pilot", 3, "2026-05-01", "2026-05-15",
         "cancelled", 14, 1, None, False),
        ("B2C", "PAY", "PAY-CHK", "GO-LIVE", "Go-live", 1, "2026-06-30", "2026-07-31",
         "planned", 31, 2, None, False),
        ("B2C", "PAY", "PAY-WAL", "BETA", "Beta", 2, "2026-03-01", "2026-03-02",
         "planned", 1, 1, None, True),
        ("B2C", "PAY", "PAY-WAL", "LAUNCH", "Launch", 1, "2026-04-30", "2026-04-20",
         "planned", -10, 1, None, False),
        baseline=DAY,
        forecast=DAY,
        reached_on=DAY,
    )  # fmt: skip
    assert_frame_equal(found, expected)


SLIP_COLUMNS = (
    "milestones reached open slipped overdue total_slip_days mean_slip_days max_slip_days"
)


def test_milestones_per_project_and_programme_count_and_measure_slips_without_cancelled() -> None:
    sections = milestone_sections()
    # PAY-CHK: DESIGN (5) and GO-LIVE (31): total 36, mean 18. PAY-WAL: 1 and -10: total
    # -9, mean -4.5, worst 1, BETA overdue.
    expected = table(
        f"perimeter programme project {SLIP_COLUMNS}",
        ("B2C", "PAY", "PAY-CHK", 2, 1, 1, 2, 0, 36, 18.0, 31),
        ("B2C", "PAY", "PAY-WAL", 2, 0, 2, 1, 1, -9, -4.5, 1),
        ("DATA", "LAKE", "LAKE-ING", 1, 0, 1, 0, 0, 0, 0.0, 0),
    )
    found = milestones_kpi.milestones(
        state(milestones_kpi, MILESTONES_AS_OF, **sections), "project"
    )
    assert_frame_equal(found, expected)
    # PAY: 5 + 31 + 1 - 10 = 27 over 4 milestones, mean 6.75 shown 6.8.
    expected = table(
        f"perimeter programme {SLIP_COLUMNS}",
        ("B2C", "PAY", 4, 1, 3, 3, 1, 27, 6.8, 31),
        ("DATA", "LAKE", 1, 0, 1, 0, 0, 0, 0.0, 0),
    )
    found = milestones_kpi.milestones(
        state(milestones_kpi, MILESTONES_AS_OF, **sections), "programme"
    )
    assert_frame_equal(found, expected)


def test_milestones_refuse_an_unknown_level() -> None:
    with pytest.raises(InvalidInput):
        milestones_kpi.milestones(
            state(milestones_kpi, MILESTONES_AS_OF, **milestone_sections()), "team"
        )


def trend_state() -> PortfolioState:
    moves = section(
        "milestone_moves",
        "project milestone effective_on recorded_at move forecast position decision"
        " decision_title forum",
        ("PAY-CHK", "GO-LIVE", "2026-01-01", "2026-01-02T09:00Z", "planned", "2026-06-30", 10,
         None, None, None),
        ("PAY-CHK", "GO-LIVE", "2026-02-10", "2026-02-10T15:00Z", "shifted", "2026-07-15", 25,
         "DEC-7", "Certification slips", "weekly"),
        ("PAY-CHK", "GO-LIVE", "2026-03-02", "2026-03-02T10:00Z", "shifted", "2026-07-31", 40,
         "DEC-9", "Bank partner late", "steering-committee"),
        # recorded last, but back-dated to 1 February
        ("PAY-CHK", "GO-LIVE", "2026-02-01", "2026-03-03T11:00Z", "shifted", "2026-07-10", 50,
         "DEC-10", "Minutes filed late", "programme-board"),
        ("PAY-CHK", "PILOT", "2026-01-01", "2026-01-02T09:00Z", "planned", "2026-05-01", 11,
         None, None, None),
        ("PAY-CHK", "PILOT", "2026-02-01", "2026-02-02T09:00Z", "shifted", "2026-05-15", 20,
         "DEC-5", "Pilot shop closed", "team"),
        ("PAY-CHK", "PILOT", "2026-03-01", "2026-03-02T09:30Z", "cancelled", "2026-05-15", 35,
         "DEC-8", "No pilot", "weekly"),
    )  # fmt: skip
    sections = {**milestone_sections(), "milestone_moves": moves}
    known_at = datetime(2026, 3, 4, 18, tzinfo=UTC)
    return PortfolioState(MILESTONES_AS_OF, known_at, Scope(), sections)


TREND_COLUMNS = (
    "project milestone report_date forecast baseline slip_days move position recorded_at"
    " author decision decision_title forum"
)
GO_LIVE_TREND = [
    # report date → forecast against the 30 June baseline, in report-date order (the
    # back-dated shift of position 50 comes second)
    ("PAY-CHK", "GO-LIVE", "2026-01-01", "2026-06-30", "2026-06-30", 0, "planned", 10,
     at("2026-01-02T09:00"), "claire.dubois", None, None, None),
    ("PAY-CHK", "GO-LIVE", "2026-02-01", "2026-07-10", "2026-06-30", 10, "shifted", 50,
     at("2026-03-03T11:00"), "claire.dubois", "DEC-10", "Minutes filed late",
     "programme-board"),
    ("PAY-CHK", "GO-LIVE", "2026-02-10", "2026-07-15", "2026-06-30", 15, "shifted", 25,
     at("2026-02-10T15:00"), "claire.dubois", "DEC-7", "Certification slips", "weekly"),
    ("PAY-CHK", "GO-LIVE", "2026-03-02", "2026-07-31", "2026-06-30", 31, "shifted", 40,
     at("2026-03-02T10:00"), "claire.dubois", "DEC-9", "Bank partner late",
     "steering-committee"),
]  # fmt: skip
TREND_TYPES = {"report_date": DAY, "forecast": DAY, "baseline": DAY, "recorded_at": INSTANT}


def test_the_milestone_trend_has_one_point_per_shift_in_report_date_order() -> None:
    expected = table(TREND_COLUMNS, *GO_LIVE_TREND, **TREND_TYPES)
    assert_frame_equal(milestones_kpi.milestone_trend(trend_state(), "go-live"), expected)


def test_the_milestone_trend_of_all_milestones_leaves_out_cancellations() -> None:
    pilot = [
        ("PAY-CHK", "PILOT", "2026-01-01", "2026-05-01", "2026-05-01", 0, "planned", 11,
         at("2026-01-02T09:00"), "claire.dubois", None, None, None),
        ("PAY-CHK", "PILOT", "2026-02-01", "2026-05-15", "2026-05-01", 14, "shifted", 20,
         at("2026-02-02T09:00"), "claire.dubois", "DEC-5", "Pilot shop closed", "team"),
    ]  # fmt: skip
    expected = table(TREND_COLUMNS, *GO_LIVE_TREND, *pilot, **TREND_TYPES)
    assert_frame_equal(milestones_kpi.milestone_trend(trend_state()), expected)


# -- timesheets --------------------------------------------------------------------------
#
# Monday 9 March 2026, the three weeks before: 16 and 23 February, 2 March. A sheet is due
# the Monday after its week at 12:00 UTC (23 February, 2 and 9 March).
# ANA, 5 d/week: week 16 Feb submitted Friday 20 (on time), 5 days (3 + 2 on two
#   projects); week 23 Feb submitted 2 March at 12:00:00, exactly the deadline (on
#   time), 4 days; week 2 March submitted 9 March at 12:00:01 (late), 5 days, corrected
#   once. Its week of 9 February is outside the window.
# BEN, 5 d/week: no sheet for 16 Feb (missing); away 2 days the week of 23 Feb, so 3
#   expected, submitted Wednesday 4 March (late); away all the week of 2 March (nothing
#   expected, no row).
# CAL joined on 2 March: nothing expected before; no sheet for 2 March (missing).

SHEETS_AS_OF = date(2026, 3, 9)


def timesheet_sections(with_late_sheet: bool = True) -> dict[str, pd.DataFrame]:
    late_actual = [("ANA", "PAY-CHK", "2026-03-02", 5.0, 500.0)] if with_late_sheet else []
    late_sheet = [("ANA", "2026-03-02", "corrected", "2026-03-09T12:00:01Z", 1)]
    return {
        "resources": section("resources", "resource", ("ANA",), ("BEN",), ("CAL",)),
        "capacity": section(
            "capacity",
            "resource from_week days_per_week",
            ("ANA", "2026-01-05", 5.0),
            ("BEN", "2026-01-05", 5.0),
            ("CAL", "2026-03-02", 5.0),
        ),
        "absences": section(
            "absences",
            "resource week days",
            ("BEN", "2026-02-23", 2.0),
            ("BEN", "2026-03-02", 5.0),
        ),
        "actuals": section(
            "actuals",
            "resource project week days rate",
            ("ANA", "PAY-CHK", "2026-02-09", 5.0, 500.0),
            ("ANA", "PAY-CHK", "2026-02-16", 3.0, 500.0),
            ("ANA", "PAY-WAL", "2026-02-16", 2.0, 500.0),
            ("ANA", "PAY-CHK", "2026-02-23", 4.0, 500.0),
            *late_actual,
            ("BEN", "PAY-WAL", "2026-02-23", 3.0, 600.0),
        ),
        "timesheets": section(
            "timesheets",
            "resource week status submitted_at corrections",
            ("ANA", "2026-02-09", "approved", "2026-02-13T16:00Z", 0),
            ("ANA", "2026-02-16", "approved", "2026-02-20T17:00Z", 0),
            ("ANA", "2026-02-23", "submitted", "2026-03-02T12:00:00Z", 0),
            *(late_sheet if with_late_sheet else []),
            ("BEN", "2026-02-23", "submitted", "2026-03-04T08:00Z", 0),
        ),
    }


def sheets_state(known_at: datetime, with_late_sheet: bool = True) -> PortfolioState:
    sections = timesheet_sections(with_late_sheet)
    return state(timesheets_kpi, SHEETS_AS_OF, known_at, **sections)


AFTER_NOON = datetime(2026, 3, 9, 12, 30, tzinfo=UTC)


def test_a_timesheet_submitted_after_the_monday_deadline_counts_as_late() -> None:
    found = timesheets_kpi.timesheet_compliance(sheets_state(AFTER_NOON), weeks=3)
    expected = table(
        "resource week expected_days logged_days gap_days submission status submitted_at due"
        " corrections",
        ("ANA", "2026-02-16", 5.0, 5.0, 0.0, "on-time", "approved", at("2026-02-20T17:00"),
         at("2026-02-23T12:00"), 0),
        ("ANA", "2026-02-23", 5.0, 4.0, 1.0, "on-time", "submitted", at("2026-03-02T12:00"),
         at("2026-03-02T12:00"), 0),
        ("ANA", "2026-03-02", 5.0, 5.0, 0.0, "late", "corrected", at("2026-03-09T12:00:01"),
         at("2026-03-09T12:00"), 1),
        ("BEN", "2026-02-16", 5.0, 0.0, 5.0, "missing", None, None,
         at("2026-02-23T12:00"), 0),
        ("BEN", "2026-02-23", 3.0, 3.0, 0.0, "late", "submitted", at("2026-03-04T08:00"),
         at("2026-03-02T12:00"), 0),
        ("CAL", "2026-03-02", 5.0, 0.0, 5.0, "missing", None, None,
         at("2026-03-09T12:00"), 0),
        week=DAY,
        submitted_at=INSTANT,
        due=INSTANT,
    )  # fmt: skip
    assert_frame_equal(found, expected)


SUMMARY_COLUMNS = (
    "resource weeks_expected on_time late missing expected_days logged_days compliance_pct"
)


def test_timesheet_compliance_per_resource_is_the_share_of_sheets_on_time() -> None:
    found = timesheets_kpi.timesheet_compliance(sheets_state(AFTER_NOON), 3, by="resource")
    expected = table(
        SUMMARY_COLUMNS,
        ("ANA", 3, 2, 1, 0, 15.0, 14.0, 66.67),  # 2 of 3 on time
        ("BEN", 2, 0, 1, 1, 8.0, 3.0, 0.0),
        ("CAL", 1, 0, 0, 1, 5.0, 0.0, 0.0),
    )
    assert_frame_equal(found, expected)


def test_a_sheet_not_yet_due_is_neither_missing_nor_counted() -> None:
    # At 11:00 the sheets of the week of 2 March are due in an hour: ANA's (not yet
    # submitted) and CAL's are not due; CAL has no due week at all and no row.
    before_noon = datetime(2026, 3, 9, 11, 0, tzinfo=UTC)
    found = timesheets_kpi.timesheet_compliance(
        sheets_state(before_noon, with_late_sheet=False), 3, by="resource"
    )
    expected = table(
        SUMMARY_COLUMNS,
        ("ANA", 2, 2, 0, 0, 10.0, 9.0, 100.0),
        ("BEN", 2, 0, 1, 1, 8.0, 3.0, 0.0),
    )
    assert_frame_equal(found, expected)
    weekly_rows = timesheets_kpi.timesheet_compliance(
        sheets_state(before_noon, with_late_sheet=False), 3
    )
    not_due = weekly_rows[weekly_rows["submission"] == "not-due"]
    assert not_due[["resource", "week"]].values.tolist() == [
        ["ANA", pd.Timestamp("2026-03-02")],
        ["CAL", pd.Timestamp("2026-03-02")],
    ]


def test_without_grace_hours_a_sheet_is_due_at_midnight_on_monday() -> None:
    # ANA's sheet submitted at noon on 2 March is now late: 1 of 3 on time.
    found = timesheets_kpi.timesheet_compliance(
        sheets_state(AFTER_NOON), 3, grace_hours=0, by="resource"
    )
    expected = table(
        SUMMARY_COLUMNS,
        ("ANA", 3, 1, 2, 0, 15.0, 14.0, 33.33),
        ("BEN", 2, 0, 1, 1, 8.0, 3.0, 0.0),
        ("CAL", 1, 0, 0, 1, 5.0, 0.0, 0.0),
    )
    assert_frame_equal(found, expected)


@pytest.mark.parametrize(
    ("parameters", "field"),
    [({"weeks": 0}, "weeks"), ({"weeks": 105}, "weeks"), ({"by": "project"}, "by")],
)
def test_timesheet_compliance_refuses_a_bad_window_or_grouping(
    parameters: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        timesheets_kpi.timesheet_compliance(sheets_state(AFTER_NOON), **parameters)
    assert refused.value.field == field


# -- risks -------------------------------------------------------------------------------
#
# Open risks: on PAY-CHK 4 × 4 = 16 (team) and 3 × 5 = 15 (programme level), both
# critical (≥ 15); on PAY-WAL 3 × 4 = 12 (team), not critical; on programme PAY 1 × 5 = 5
# (steering committee); on LAKE-ING 2 × 2 = 4 (team); on perimeter DATA 5 × 3 = 15
# (platform review), critical. A closed 5 × 5 on PAY-CHK counts nowhere.


def risks_state() -> PortfolioState:
    return state(
        risks_kpi,
        date(2026, 3, 4),
        risks=section(
            "risks",
            "risk project programme perimeter probability impact level status",
            ("RSK-1", "PAY-CHK", "PAY", "B2C", 4, 4, "team", "open"),
            ("RSK-2", "PAY-CHK", "PAY", "B2C", 3, 5, "programme", "open"),
            ("RSK-3", "PAY-WAL", "PAY", "B2C", 3, 4, "team", "open"),
            ("RSK-4", None, "PAY", "B2C", 1, 5, "steering-committee", "open"),
            ("RSK-5", None, None, "DATA", 5, 3, "platform-review", "open"),
            ("RSK-6", "PAY-CHK", "PAY", "B2C", 5, 5, "team", "closed"),
            ("RSK-7", "LAKE-ING", "LAKE", "DATA", 2, 2, "team", "open"),
        ),
    )


def test_risk_exposure_of_the_portfolio_counts_critical_risks_from_15_per_level() -> None:
    expected = table(
        "portfolio level open_risks exposure max_exposure critical",
        ("portfolio", "team", 3, 32, 16, 1),  # 16 + 12 + 4
        ("portfolio", "programme", 1, 15, 15, 1),  # exactly 15 is critical
        ("portfolio", "platform-review", 1, 15, 15, 1),
        ("portfolio", "steering-committee", 1, 5, 5, 0),
    )
    assert_frame_equal(risks_kpi.risk_exposure(risks_state()), expected)


def test_risk_exposure_per_project_shows_programme_and_perimeter_risks_without_project() -> None:
    expected = table(
        "perimeter programme project level open_risks exposure max_exposure critical",
        ("B2C", "PAY", "PAY-CHK", "team", 1, 16, 16, 1),
        ("B2C", "PAY", "PAY-CHK", "programme", 1, 15, 15, 1),
        ("B2C", "PAY", "PAY-WAL", "team", 1, 12, 12, 0),
        ("B2C", "PAY", None, "steering-committee", 1, 5, 5, 0),
        ("DATA", "LAKE", "LAKE-ING", "team", 1, 4, 4, 0),
        ("DATA", None, None, "platform-review", 1, 15, 15, 1),
    )
    assert_frame_equal(risks_kpi.risk_exposure(risks_state(), "project"), expected)


def test_a_higher_critical_threshold_leaves_15_out() -> None:
    expected = table(
        "perimeter level open_risks exposure max_exposure critical",
        ("B2C", "team", 2, 28, 16, 1),  # 16 and 12
        ("B2C", "programme", 1, 15, 15, 0),
        ("B2C", "steering-committee", 1, 5, 5, 0),
        ("DATA", "team", 1, 4, 4, 0),
        ("DATA", "platform-review", 1, 15, 15, 0),
    )
    assert_frame_equal(risks_kpi.risk_exposure(risks_state(), "perimeter", critical=16), expected)


# -- backlog maturity --------------------------------------------------------------------
#
# Status date 4 March 2026, six weeks: horizon 15 April. Due: open items serving a planned
# milestone forecast by 15 April, overdue ones included.
# PAY-CHK: M-APR forecast 15 April (on the horizon: in), M-LATE 16 April (out), M-OLD
#   27 February (overdue: in), M-DONE reached. Items: 10 ready + 6 refined for M-APR,
#   4 idea for M-OLD → 20 due, 10 ready (50 %); a done item (8), an item for M-LATE (20
#   ready), one for the reached milestone (5) and one serving no milestone (7) are out.
# LAKE-ING: FEED forecast 20 March: 12 refined + 3 ready → 15 due, 20 % ready.
# PAY-WAL has no backlog: nothing due, no percentage.

BACKLOG_AS_OF = date(2026, 3, 4)


def backlog_state() -> PortfolioState:
    return state(
        backlog_kpi,
        BACKLOG_AS_OF,
        projects=section(
            "projects",
            "project programme perimeter",
            ("LAKE-ING", "LAKE", "DATA"),
            ("PAY-CHK", "PAY", "B2C"),
            ("PAY-WAL", "PAY", "B2C"),
        ),
        milestones=section(
            "milestones",
            "project milestone baseline forecast status reached_on",
            ("LAKE-ING", "FEED", "2026-03-20", "2026-03-20", "planned", None),
            ("PAY-CHK", "M-OLD", "2026-02-27", "2026-02-27", "planned", None),
            ("PAY-CHK", "M-DONE", "2026-03-01", "2026-03-01", "reached", "2026-03-01"),
            ("PAY-CHK", "M-APR", "2026-04-15", "2026-04-15", "planned", None),
            ("PAY-CHK", "M-LATE", "2026-04-01", "2026-04-16", "planned", None),
        ),
        backlog=section(
            "backlog",
            "item project maturity milestone status effort_days",
            ("ING-1", "LAKE-ING", "refined", "FEED", "open", 12.0),
            ("ING-2", "LAKE-ING", "ready", "FEED", "open", 3.0),
            ("CHK-A", "PAY-CHK", "ready", "M-APR", "open", 10.0),
            ("CHK-B", "PAY-CHK", "refined", "M-APR", "open", 6.0),
            ("CHK-C", "PAY-CHK", "idea", "M-OLD", "open", 4.0),
            ("CHK-D", "PAY-CHK", "ready", "M-APR", "done", 8.0),
            ("CHK-E", "PAY-CHK", "ready", "M-LATE", "open", 20.0),
            ("CHK-F", "PAY-CHK", "ready", "M-DONE", "open", 5.0),
            ("CHK-G", "PAY-CHK", "ready", None, "open", 7.0),
        ),
    )


MATURITY_COLUMNS = "horizon items_due items_ready due_days idea_days refined_days ready_days"


def test_backlog_maturity_counts_the_effort_due_within_the_window_by_maturity() -> None:
    expected = table(
        f"perimeter programme project {MATURITY_COLUMNS} ready_pct",
        ("B2C", "PAY", "PAY-CHK", "2026-04-15", 3, 1, 20.0, 4.0, 6.0, 10.0, 50.0),
        ("B2C", "PAY", "PAY-WAL", "2026-04-15", 0, 0, 0.0, 0.0, 0.0, 0.0, NAN),
        ("DATA", "LAKE", "LAKE-ING", "2026-04-15", 2, 1, 15.0, 0.0, 12.0, 3.0, 20.0),
        horizon=DAY,
    )
    assert_frame_equal(backlog_kpi.backlog_maturity(backlog_state()), expected)


def test_backlog_maturity_of_the_portfolio_over_a_longer_window_takes_later_items_in() -> None:
    # Six weeks: 35 due, 13 ready (37.14 %). Seven weeks (to 22 April) add CHK-E, 20
    # ready: 55 due, 33 ready (60 %).
    expected = table(
        f"portfolio {MATURITY_COLUMNS} ready_pct",
        ("portfolio", "2026-04-15", 5, 2, 35.0, 4.0, 18.0, 13.0, 37.14),
        horizon=DAY,
    )
    assert_frame_equal(backlog_kpi.backlog_maturity(backlog_state(), "portfolio"), expected)
    expected = table(
        f"portfolio {MATURITY_COLUMNS} ready_pct",
        ("portfolio", "2026-04-22", 6, 3, 55.0, 4.0, 18.0, 33.0, 60.0),
        horizon=DAY,
    )
    found = backlog_kpi.backlog_maturity(backlog_state(), "portfolio", weeks=7)
    assert_frame_equal(found, expected)


@pytest.mark.parametrize("weeks", [0, 105])
def test_backlog_maturity_refuses_a_window_out_of_range(weeks: int) -> None:
    with pytest.raises(InvalidInput):
        backlog_kpi.backlog_maturity(backlog_state(), weeks=weeks)


# -- RAG ---------------------------------------------------------------------------------
#
# Status date 4 March 2026; the staffing window is the four weeks from 2 March (only
# that of 2 March is staffed here). Every resource costs 100 a day, works 5 days a week
# (RD 10, RG 4) and staffing in the window is committed spend.
#
# project  schedule                        cost (FY2026)                      staffing
# RAG-A    slips 7 and 3, a reached one    envelope 1,000; actuals 500 +      RA 5 of 5:
#          slipped 60: worst 7, green      committed 500 = 1,000: green       100 %, green
# RAG-B    slip 8: amber                   10,000; 10,400 + 600 = 11,000:     RB 6 of 5:
#                                          overrun 10.0 % exactly: amber      120 %, amber
# RAG-C    slip 30: amber                  10,000; 10,801 + 200 = 11,001:     RC 2 of 5:
#                                          overrun 10.01 %: red               40 %, green
# RAG-D    slip 31: red                    5,000; 1,210 committed: 75.8 %     RD 12.1 of 10:
#                                          under: green                       121 %, red
# RAG-E    forecast 3 March, before the    no envelope, 300 spent: red        open backlog,
#          status date: overdue, red                                          nobody: red
# RAG-F    no milestone: green             1,000; 100 committed: green        RF away all
#                                                                             week: red
# RAG-G    slips 0 and -5: on baseline     1,000; 300 committed: green        RG 3 + 2 of an
#                                                                             accepted outside
#                                                                             demand of 4: 125 %
# RAG-H    closed: not rated. A raised (not accepted) demand on RB does not load it.

RAG_AS_OF = date(2026, 3, 4)
RAG_PROJECTS = ("RAG-A", "RAG-B", "RAG-C", "RAG-D", "RAG-E", "RAG-F", "RAG-G")
STAFFED = {"RA": 5.0, "RB": 6.0, "RC": 2.0, "RD": 12.1, "RF": 1.0, "RG": 3.0}


def rag_sections() -> dict[str, pd.DataFrame]:
    resources = sorted(STAFFED)
    return {
        "projects": section(
            "projects",
            "project programme perimeter status",
            *[(p, "PRG", "PER", "active") for p in RAG_PROJECTS],
            ("RAG-H", "PRG", "PER", "closed"),
        ),
        "milestones": section(
            "milestones",
            "project milestone baseline forecast status reached_on",
            ("RAG-A", "M1", "2026-06-01", "2026-06-08", "planned", None),
            ("RAG-A", "M2", "2026-07-01", "2026-07-04", "planned", None),
            ("RAG-A", "M0", "2026-01-01", "2026-03-02", "reached", "2026-03-02"),
            ("RAG-B", "M1", "2026-06-01", "2026-06-09", "planned", None),
            ("RAG-C", "M1", "2026-06-01", "2026-07-01", "planned", None),
            ("RAG-D", "M1", "2026-06-01", "2026-07-02", "planned", None),
            ("RAG-E", "M1", "2026-03-03", "2026-03-03", "planned", None),
            ("RAG-G", "M1", "2026-06-01", "2026-06-01", "planned", None),
            ("RAG-G", "M2", "2026-07-01", "2026-06-26", "planned", None),
            ("RAG-H", "M1", "2026-01-01", "2026-02-01", "planned", None),
        ),
        "envelopes": section(
            "envelopes",
            "envelope project nature current",
            ("RAG-A/FY2026", "RAG-A", "capex", 1000.0),
            ("RAG-B/FY2026", "RAG-B", "capex", 10000.0),
            ("RAG-C/FY2026", "RAG-C", "capex", 10000.0),
            ("RAG-D/FY2026", "RAG-D", "capex", 5000.0),
            ("RAG-F/FY2026", "RAG-F", "capex", 1000.0),
            ("RAG-G/FY2026", "RAG-G", "capex", 1000.0),
            ("RAG-H/FY2026", "RAG-H", "capex", 1.0),
        ),
        "actuals": section(
            "actuals",
            "resource project week days rate",
            ("RA", "RAG-A", "2026-02-23", 5.0, 100.0),
            ("RB", "RAG-B", "2026-02-23", 104.0, 100.0),
            ("RC", "RAG-C", "2026-02-23", 108.01, 100.0),
            ("RA", "RAG-E", "2026-02-16", 3.0, 100.0),
            ("RA", "RAG-H", "2026-02-16", 5.0, 100.0),
        ),
        "backlog": section(
            "backlog",
            "item project status effort_days",
            ("E-1", "RAG-E", "open", 5.0),
            ("H-1", "RAG-H", "open", 5.0),
        ),
        "resources": section("resources", "resource", *[(r,) for r in resources]),
        "staffing": section(
            "staffing",
            "resource project week days",
            *[(r, f"RAG-{r[1]}", "2026-03-02", STAFFED[r]) for r in resources],
        ),
        "rates": section(
            "rates", "resource from_day daily_rate", *[(r, "2026-01-01", 100.0) for r in resources]
        ),
        "capacity": section(
            "capacity",
            "resource from_week days_per_week",
            *[(r, "2026-01-05", {"RD": 10.0, "RG": 4.0}.get(r, 5.0)) for r in resources],
        ),
        "absences": section("absences", "resource week days", ("RF", "2026-03-02", 5.0)),
        "demands": section(
            "demands",
            "demand resource first_week last_week days_per_week status",
            ("DMD-1", "RG", "2026-03-02", "2026-03-02", 2.0, "accepted"),
            ("DMD-2", "RB", "2026-03-02", "2026-03-30", 5.0, "raised"),
        ),
    }


def rag_state() -> PortfolioState:
    return state(rag_kpi, RAG_AS_OF, **rag_sections())


def test_rag_thresholds_hold_at_their_boundaries_on_each_dimension() -> None:
    overrun = "forecast overruns by 10.0 %"
    within, fine = "within envelope", "staffed within capacity"
    expected = table(
        "perimeter programme project overall schedule cost staffing schedule_reason"
        " cost_reason staffing_reason max_slip_days variance_pct max_load_pct",
        ("PER", "PRG", "RAG-A", "green", "green", "green", "green", "worst slip 7 days",
         within, fine, 7.0, 0.0, 100.0),
        ("PER", "PRG", "RAG-B", "amber", "amber", "amber", "amber", "worst slip 8 days",
         overrun, "a resource loaded at 120 %", 8.0, -10.0, 120.0),
        ("PER", "PRG", "RAG-C", "red", "amber", "red", "green", "worst slip 30 days",
         overrun, fine, 30.0, -10.0, 40.0),
        ("PER", "PRG", "RAG-D", "red", "red", "green", "red", "worst slip 31 days",
         within, "a resource loaded at 121 %", 31.0, 75.8, 121.0),
        ("PER", "PRG", "RAG-E", "red", "red", "red", "red", "1 milestone(s) overdue",
         "spending without an envelope", "open backlog and nobody staffed", 0.0, NAN, NAN),
        ("PER", "PRG", "RAG-F", "red", "green", "green", "red", "no open milestone",
         within, "a resource staffed beyond any capacity", NAN, 90.0, np.inf),
        ("PER", "PRG", "RAG-G", "red", "green", "green", "red", "on baseline",
         within, "a resource loaded at 125 %", 0.0, 70.0, 125.0),
    )  # fmt: skip
    assert_frame_equal(rag_kpi.rag(rag_state()), expected)


def test_rag_thresholds_can_be_moved() -> None:
    # Amber from 5 days' slip, red beyond 100 % load: RAG-A turns amber, RAG-B red.
    limits = rag_kpi.Thresholds(schedule_amber_days=5, load_red_pct=100.0)
    found = rag_kpi.rag(rag_state(), limits)[["project", "overall", "schedule", "staffing"]]
    expected = table(
        "project overall schedule staffing",
        ("RAG-A", "amber", "amber", "green"),
        ("RAG-B", "red", "amber", "red"),
        ("RAG-C", "red", "amber", "green"),
        ("RAG-D", "red", "red", "red"),
        ("RAG-E", "red", "red", "red"),
        ("RAG-F", "red", "green", "red"),
        ("RAG-G", "red", "green", "red"),
    )
    assert_frame_equal(found, expected)


def test_rag_of_projects_nobody_is_staffed_on_rates_staffing_alone() -> None:
    # Nobody staffed in the window (an empty resource grid) and no outside demand, as in
    # a fresh portfolio: the project with open backlog is red on staffing, the other green.
    sections = rag_sections()
    sections["staffing"] = section("staffing")
    sections["demands"] = section("demands")
    sections["projects"] = section(
        "projects", "project programme perimeter", ("RAG-E", "PRG", "PER"), ("RAG-F", "PRG", "PER")
    )
    found = rag_kpi.rag(state(rag_kpi, RAG_AS_OF, **sections))
    expected = table(
        "project staffing staffing_reason max_load_pct",
        ("RAG-E", "red", "open backlog and nobody staffed", NAN),
        ("RAG-F", "green", "staffed within capacity", NAN),
    )
    assert_frame_equal(found[["project", "staffing", "staffing_reason", "max_load_pct"]], expected)


# -- through the ledger: compute ---------------------------------------------------------

DOCUMENTED_COLUMNS = {
    "budget": f"perimeter programme project {BUDGET_COLUMNS}",
    "burn": "perimeter programme project month actuals committed spend cumulative"
    " year_envelope consumed_pct",
    "earned-value": f"perimeter programme project status_date {EV_COLUMNS} planned_pct earned_pct",
    "capacity": "resource kind home month capacity_days staffed_days outside_days demand_days"
    " requested_days free_days load_pct over_allocated excess_days",
    "milestones": "perimeter programme project milestone name priority baseline forecast"
    " status slip_days shifts reached_on overdue",
    "milestone-trend": TREND_COLUMNS,
    "timesheet-compliance": "resource week expected_days logged_days gap_days submission"
    " status submitted_at due corrections",
    "risk-exposure": "portfolio level open_risks exposure max_exposure critical",
    "backlog-maturity": f"perimeter programme project {MATURITY_COLUMNS} ready_pct",
    "rag": "perimeter programme project overall schedule cost staffing schedule_reason"
    " cost_reason staffing_reason max_slip_days variance_pct max_load_pct",
}


def test_every_kpi_computes_on_the_recorded_test_portfolio(
    portfolio: Ledger, record: Record
) -> None:
    record(
        c.RaiseRisk(
            project="PAY-CHECKOUT",
            title="3-D Secure certification",
            probability=3,
            impact=5,
            owner="jeanne.roy",
        )
    )
    record(
        c.StaffResource(
            resource="ARCH-JEANNE",
            project="PAY-CHECKOUT",
            first_week="2026-W10",
            last_week="2026-W20",
            days="3",
            rationale="checkout architecture",
        )
    )
    record(c.SubmitTimesheet(resource="ARCH-JEANNE", week="2026-W09", lines={"PAY-CHECKOUT": "4"}))
    view = PortfolioView(portfolio, persist=False)
    as_of, known_at = date(2026, 3, 4), datetime(2026, 3, 4, 18, tzinfo=UTC)
    assert set(DOCUMENTED_COLUMNS) == set(KPIS)
    for name, columns in DOCUMENTED_COLUMNS.items():
        found = compute(view, name, as_of, known_at)
        assert isinstance(found, pd.DataFrame), name
        assert not found.empty, name
        assert list(found.columns) == columns.split(), name
    # a figure or two: the risk is critical (3 × 5); Jeanne's week 9 sheet, recorded
    # on Monday 2 March at 09:00, is on time; the squad's is missing
    risks = compute(view, "risk-exposure", as_of, known_at)
    assert risks[["level", "open_risks", "critical"]].values.tolist() == [["team", 1, 1]]
    sheets = compute(view, "timesheet-compliance", as_of, known_at, weeks=1)
    assert sheets[["resource", "logged_days", "submission"]].values.tolist() == [
        ["ARCH-JEANNE", 4.0, "on-time"],
        ["SQUAD-B2C", 0.0, "missing"],
    ]


class HandMadeSource:
    """A state source answering with hand-made sections, noting what it was asked."""

    def __init__(self, sections: dict[str, pd.DataFrame]) -> None:
        self.sections = sections
        self.asked: list[tuple[Scope, tuple[str, ...]]] = []

    def state(
        self,
        as_of: date | None = None,
        known_at: datetime | None = None,
        scope: Scope | None = None,
        sections: Iterable[str] = (),
    ) -> PortfolioState:
        assert as_of is not None
        assert known_at is not None
        assert scope is not None
        names = tuple(sections)
        self.asked.append((scope, names))
        found = {n: self.sections[n] if n in self.sections else section(n) for n in names}
        return PortfolioState(as_of, known_at, scope, found)


def test_compute_reads_the_people_sections_of_a_scoped_kpi_for_the_whole_portfolio() -> None:
    source = HandMadeSource(capacity_sections())
    known_at = datetime(2026, 3, 4, 18, tzinfo=UTC)
    scope = Scope("project", "PAY-CHK")
    found = compute(source, "capacity", CAPACITY_AS_OF, known_at, scope, months=2)
    assert source.asked == [(scope, ("resources",)), (Scope(), capacity_kpi.WHOLE_SECTIONS)]
    assert_frame_equal(found, capacity_kpi.capacity(capacity_state(), months=2))


@pytest.mark.parametrize(
    ("name", "parameters", "field"),
    [
        ("velocity", {}, "kpi"),
        ("rag", {"level": "project"}, "level"),  # rag takes no parameter
        ("budget", {"by": "resource"}, "by"),
        ("budget", {"level": "team"}, "level"),
        ("burn", {"level": "squad"}, "level"),
        ("earned-value", {"level": "team"}, "level"),
        ("capacity", {"by": "project"}, "by"),
        ("capacity", {"months": 48}, "months"),
        ("milestones", {"level": "team"}, "level"),
        ("timesheet-compliance", {"weeks": 0}, "weeks"),
        ("risk-exposure", {"level": "risk"}, "level"),
        ("backlog-maturity", {"weeks": 200}, "weeks"),
    ],
)
def test_compute_refuses_an_unknown_kpi_or_parameter_with_invalid_input(
    name: str, parameters: dict[str, Any], field: str
) -> None:
    source = HandMadeSource({**capacity_sections(), **milestone_sections(), **rag_sections()})
    known_at = datetime(2026, 3, 4, 18, tzinfo=UTC)
    with pytest.raises(InvalidInput) as refused:
        compute(source, name, date(2026, 3, 4), known_at, **parameters)
    assert refused.value.field == field
