"""What the KPIs share: levels, weeks spread over months, rates and capacity by week.

Every KPI is a function of a :class:`~projections.state.PortfolioState` (its sections
are plain DataFrames, so tests build them by hand) returning a DataFrame. Conventions:

- weeks are identified by their Monday; a week's days are spread over its five working
  days, so a week straddling two months (or two fiscal years) counts in both, pro rata;
- the fiscal year is the calendar year;
- the week containing the status date (``as_of``) belongs to the forecast: actuals are
  the weeks before it, the plan covers it and the weeks after;
- money is in euros, effort in person-days.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from domain.errors import InvalidInput

LEVELS = ("portfolio", "perimeter", "programme", "project")
_KEYS = {
    "portfolio": [],
    "perimeter": ["perimeter"],
    "programme": ["perimeter", "programme"],
    "project": ["perimeter", "programme", "project"],
}


def level_keys(level: str) -> list[str]:
    """The key columns of a KPI's rows at ``level``."""
    if level not in _KEYS:
        raise InvalidInput("level", f"a level is one of {', '.join(LEVELS)}, not {level!r}")
    return list(_KEYS[level])


def texts(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` as plain strings (codes may come as categoricals); missing stays NaN."""
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].astype(str)
    return frame


def by_level(frame: pd.DataFrame, level: str, sums: Sequence[str]) -> pd.DataFrame:
    """``sums`` added up per ``level`` (one row for the portfolio), sorted by key."""
    keys = level_keys(level)
    if not keys:
        totals = frame[list(sums)].sum().to_frame().T.astype(float)
        totals.insert(0, "portfolio", "portfolio")
        return totals.reset_index(drop=True)
    grouped = texts(frame, keys).groupby(keys, dropna=False, sort=True)[list(sums)].sum()
    return grouped.astype(float).reset_index()


def rounded(frame: pd.DataFrame, digits: int = 2, **exceptions: int) -> pd.DataFrame:
    """The float columns rounded to ``digits`` (``exceptions``: other digits by column)."""
    floats = frame.select_dtypes("float").columns
    return frame.round({c: exceptions.get(c, digits) for c in floats})


def monday(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def weeks_by_month(weeks: pd.Series) -> pd.DataFrame:
    """Each week (a Monday) as one or two rows: ``row`` (its position in ``weeks``),
    ``month`` (first day of the month) and ``share`` (of its five working days)."""
    mondays = weeks.to_numpy(dtype="datetime64[D]")
    first_month = mondays.astype("datetime64[M]")
    friday_month = (mondays + 4).astype("datetime64[M]")
    in_first = np.minimum(((first_month + 1).astype("datetime64[D]") - mondays).astype(int), 5)
    rows = np.arange(len(mondays))
    split = first_month != friday_month
    parts = pd.DataFrame(
        {
            "row": np.concatenate([rows, rows[split]]),
            "month": np.concatenate([first_month, friday_month[split]]).astype("datetime64[s]"),
            "share": np.concatenate([in_first / 5.0, (5 - in_first[split]) / 5.0]),
        }
    )
    return parts.sort_values(["row", "month"], ignore_index=True)


def spread_by_month(frame: pd.DataFrame, week: str, values: Sequence[str]) -> pd.DataFrame:
    """``frame`` with each row spread over the months of its ``week`` (``values`` pro
    rata), a ``month`` column added."""
    frame = frame.reset_index(drop=True)
    parts = weeks_by_month(frame[week])
    spread = frame.iloc[parts["row"].to_numpy()].reset_index(drop=True)
    spread["month"] = parts["month"].to_numpy()
    for column in values:
        spread[column] = spread[column].to_numpy(dtype=float) * parts["share"].to_numpy()
    return spread


def rate_on(rates: pd.DataFrame, resource: pd.Series, day: pd.Series) -> np.ndarray:
    """The daily rate of each ``resource`` in force on each ``day`` (its first known rate
    before any change; NaN for a resource without a rate)."""
    if not len(resource):
        return np.zeros(0)
    table = texts(rates, ["resource"]).rename(columns={"from_day": "day"})
    table["day"] = table["day"].astype("datetime64[s]")
    wanted = pd.DataFrame(
        {
            "resource": resource.astype(str).to_numpy(),
            "day": pd.Series(day).astype("datetime64[s]").to_numpy(),
            "order": np.arange(len(resource)),
        }
    )
    merged = pd.merge_asof(
        wanted.sort_values("day"),
        table.sort_values("day")[["resource", "day", "daily_rate"]],
        on="day",
        by="resource",
        direction="backward",
    )
    first = table.sort_values("day").groupby("resource")["daily_rate"].first()
    merged["daily_rate"] = merged["daily_rate"].fillna(merged["resource"].map(first))
    found: np.ndarray = merged.sort_values("order")["daily_rate"].to_numpy(dtype=float)
    return found


def weekly_capacity(
    resources: pd.DataFrame,
    capacity: pd.DataFrame,
    absences: pd.DataFrame,
    mondays: Sequence[date],
) -> pd.DataFrame:
    """Days each resource can work in each of ``mondays``' weeks: its weekly capacity in
    force (none before the first), less its absences, none after the week it leaves.
    Columns: resource, week, capacity_days, absent_days."""
    weeks = np.array([np.datetime64(m, "D") for m in mondays], dtype="datetime64[D]")
    codes = resources["resource"].astype(str).to_numpy()
    if not len(codes):  # no resource: built below, the empty grid's codes would be
        # objects, not str, and the merges that follow would fail
        return pd.DataFrame(
            {
                "resource": pd.Series([], dtype=str),
                "week": pd.Series([], dtype="datetime64[s]"),
                "capacity_days": pd.Series([], dtype=float),
                "absent_days": pd.Series([], dtype=float),
            }
        )
    grid = pd.DataFrame(
        {
            "resource": np.repeat(codes, len(weeks)),
            "week": np.tile(weeks, len(codes)).astype("datetime64[s]"),
        }
    )
    steps = texts(capacity, ["resource"]).rename(columns={"from_week": "week"})
    steps["week"] = steps["week"].astype("datetime64[s]")
    grid = pd.merge_asof(
        grid.sort_values("week"),
        steps.sort_values("week")[["resource", "week", "days_per_week"]],
        on="week",
        by="resource",
        direction="backward",
    )
    away = texts(absences, ["resource"])
    away["week"] = away["week"].astype("datetime64[s]")
    absent_days = away.groupby(["resource", "week"])["days"].sum().reset_index()
    grid = grid.merge(absent_days, on=["resource", "week"], how="left")
    last = resources.assign(resource=codes).set_index("resource")["last_week"]
    left = grid["week"] > grid["resource"].map(last).astype("datetime64[s]")
    working = grid["days_per_week"].fillna(0.0).where(~left, 0.0)
    absent = np.minimum(grid["days"].fillna(0.0), working)
    grid["capacity_days"] = (working - absent).astype(float)
    grid["absent_days"] = absent.astype(float)
    grid = grid.drop(columns=["days_per_week", "days"])
    return grid.sort_values(["resource", "week"], ignore_index=True)


def mondays_between(first: date, last: date) -> list[date]:
    """The Mondays of the weeks from ``first``'s to ``last``'s, inclusive."""
    start, end = monday(first), monday(last)
    return [start + timedelta(weeks=i) for i in range((end - start).days // 7 + 1)]


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
