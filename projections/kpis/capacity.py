"""Capacity against demand, per resource, skill or perimeter, per month.

- capacity: the resource's weekly capacity in force each week (a person's days, a team
  pool's summed days), less recorded absences, none before it is available or after it
  leaves;
- demand: staffing on every project (a resource in a programme's scope is loaded by all
  its projects) plus outside demands accepted on its capacity; demands still raised (not
  yet answered) are shown apart as ``requested_days``;
- ``load_pct`` = demand / capacity; a resource is over-allocated in a month when its
  demand exceeds its capacity, by ``excess_days``;
- weeks are spread over months by working days; ``by="skill"`` counts a resource with
  several skills under each of them; ``by="perimeter"`` groups resources by their home
  perimeter — the team that owns the capacity (team pools are resources of kind
  ``team`` and show under ``by="resource"``).

The resources covered are those of the state's ``resources`` section (for a scoped
state, the resources staffed on its projects); their load comes from the whole portfolio.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from domain.errors import InvalidInput
from projections.kpis.common import (
    add_months,
    mondays_between,
    month_start,
    rounded,
    spread_by_month,
    texts,
    weekly_capacity,
)
from projections.state import PortfolioState

SECTIONS = ("resources",)
WHOLE_SECTIONS = ("capacity", "absences", "staffing", "demands")
GROUPINGS = ("resource", "skill", "perimeter")
DAYS = ("capacity_days", "staffed_days", "outside_days", "requested_days")


def _demand_weeks(demands: pd.DataFrame, status: str, weeks: pd.Series) -> pd.DataFrame:
    """Outside demands in a status, as (resource, week, days) rows within ``weeks``."""
    chosen = texts(demands[demands["status"].astype(str) == status], ["resource"])
    if chosen.empty:
        return pd.DataFrame(  # typed: untyped empty columns are floats, and merging
            # them with an empty grid of str codes fails
            {
                "resource": pd.Series([], dtype=str),
                "week": pd.Series([], dtype="datetime64[s]"),
                "days": pd.Series([], dtype=float),
            }
        )
    grid = chosen.merge(pd.DataFrame({"week": weeks}), how="cross")
    inside = (grid["week"] >= grid["first_week"]) & (grid["week"] <= grid["last_week"])
    grid = grid[inside]
    days = grid.groupby(["resource", "week"])["days_per_week"].sum().rename("days")
    return days.reset_index()


def resource_weeks(state: PortfolioState, mondays: list[date]) -> pd.DataFrame:
    """Per resource (of the ``resources`` section) and week: capacity, staffed, outside
    and requested days, demand and excess."""
    resources = texts(state["resources"], ["resource"])
    grid = weekly_capacity(resources, state["capacity"], state["absences"], mondays)
    weeks = pd.Series(np.array(mondays, dtype="datetime64[D]").astype("datetime64[s]"))
    staffing = texts(state["staffing"], ["resource"])
    staffing = staffing[staffing["resource"].isin(resources["resource"])]
    staffed = staffing[staffing["week"].isin(weeks)].groupby(["resource", "week"])["days"].sum()
    grid = grid.merge(staffed.rename("staffed_days").reset_index(), how="left")
    for name, status in (("outside_days", "accepted"), ("requested_days", "raised")):
        found = _demand_weeks(state["demands"], status, weeks).rename(columns={"days": name})
        grid = grid.merge(found, on=["resource", "week"], how="left")
    grid = grid.fillna(dict.fromkeys(DAYS, 0.0))
    grid["demand_days"] = grid["staffed_days"] + grid["outside_days"]
    grid["excess_days"] = np.maximum(grid["demand_days"] - grid["capacity_days"], 0.0)
    return grid


def resource_months(state: PortfolioState, first: date, months: int) -> pd.DataFrame:
    """Per resource and month: capacity, staffed, outside and requested days, demand
    and excess (a month's excess is what its weeks' demand exceeds its capacity);
    computed once per state, first month and horizon (the capacity KPI by skill and by
    perimeter read the same)."""
    found: pd.DataFrame = state.derive(
        ("resource months", first, months), lambda: _resource_months(state, first, months)
    )
    return found


def _resource_months(state: PortfolioState, first: date, months: int) -> pd.DataFrame:
    last = add_months(first, months) - timedelta(days=1)
    grid = resource_weeks(state, mondays_between(first, last))
    spread = spread_by_month(grid, "week", DAYS)
    spread = spread[
        (spread["month"] >= pd.Timestamp(first)) & (spread["month"] <= pd.Timestamp(last))
    ]
    frame = spread.groupby(["resource", "month"], as_index=False)[list(DAYS)].sum()
    frame["demand_days"] = frame["staffed_days"] + frame["outside_days"]
    frame["excess_days"] = np.maximum(frame["demand_days"] - frame["capacity_days"], 0.0)
    return frame


def _loads(frame: pd.DataFrame) -> pd.DataFrame:
    frame["free_days"] = frame["capacity_days"] - frame["demand_days"]
    capacity = frame["capacity_days"].where(frame["capacity_days"] > 0)
    frame["load_pct"] = 100.0 * frame["demand_days"] / capacity
    return frame


def capacity(
    state: PortfolioState,
    by: str = "resource",
    months: int = 6,
    start: date | None = None,
) -> pd.DataFrame:
    """Capacity, demand, load and over-allocation per ``by`` and month, for ``months``
    months from ``start``'s month (the status date's by default)."""
    if by not in GROUPINGS:
        raise InvalidInput("by", f"capacity is grouped by {', '.join(GROUPINGS)}, not {by!r}")
    if not 1 <= months <= 36:
        raise InvalidInput("months", "between 1 and 36 months")
    first = month_start(start or state.as_of)
    frame = resource_months(state, first, months)
    resources = texts(state["resources"], ["resource", "home"])
    if by == "resource":
        info = resources[["resource", "kind", "home"]].astype({"kind": str})
        frame = frame.merge(info, on="resource", how="left")
        frame["over_allocated"] = frame["excess_days"] > 0
        frame = _loads(frame)
        columns = ["resource", "kind", "home", "month", "capacity_days", "staffed_days"]
        columns += ["outside_days", "demand_days", "requested_days", "free_days", "load_pct"]
        columns += ["over_allocated", "excess_days"]
        return rounded(frame[columns].sort_values(["resource", "month"], ignore_index=True))
    if by == "skill":
        skills = resources[["resource", "skills"]].assign(
            skill=resources["skills"].astype(str).str.split(",")
        )
        groups = skills.explode("skill")[["resource", "skill"]]
        groups = groups[groups["skill"].astype(str) != ""]
    else:
        groups = resources[["resource", "home"]].rename(columns={"home": "perimeter"})
    key = "skill" if by == "skill" else "perimeter"
    frame = frame.merge(groups, on="resource", how="inner")
    frame["over"] = frame["excess_days"] > 0
    totals = frame.groupby([key, "month"], as_index=False).agg(
        resources=("resource", "nunique"),
        **{name: (name, "sum") for name in (*DAYS, "demand_days", "excess_days")},
        over_allocated_resources=("over", "sum"),
    )
    totals = _loads(totals)
    columns = [key, "month", "resources", "capacity_days", "staffed_days", "outside_days"]
    columns += ["demand_days", "requested_days", "free_days", "load_pct"]
    columns += ["over_allocated_resources", "excess_days"]
    return rounded(totals[columns].sort_values([key, "month"], ignore_index=True))
