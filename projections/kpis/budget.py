"""Budget KPIs: envelope against actuals and commitments, and the monthly burn.

For a fiscal year (the calendar year of the status date unless given):

- ``envelope``: the project envelopes' current amount (voted, plus arbitrations in and
  raises, less arbitrations out and cuts), capex and opex;
- ``actuals``: logged person-days × the resource's daily rate in force that week, for
  the year's weeks before the status week;
- ``committed``: staffed person-days × rate for the status week and the rest of the year;
- ``fac`` (forecast at completion of the year) = actuals + committed;
- ``remaining`` = envelope − actuals (what is left to spend);
- ``variance`` = envelope − fac (negative: the year will overrun), ``variance_pct`` of
  the envelope;
- capex/opex split of the forecast: the ledger records no capitalisation flag on time,
  so a project's spend is split in the proportion of its envelope's capex and opex (a
  project without an envelope spends opex);
- ``reserve`` (perimeter and portfolio levels): the perimeters' reserve envelopes.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from projections.kpis.common import (
    by_level,
    level_keys,
    monday,
    rate_on,
    rounded,
    spread_by_month,
    texts,
)
from projections.state import PortfolioState

SECTIONS = ("projects", "envelopes", "actuals", "staffing", "rates")
MONEY = ("envelope", "envelope_capex", "envelope_opex", "actuals", "committed")


def _project_frame(state: PortfolioState) -> pd.DataFrame:
    projects = texts(state["projects"], ["project", "programme", "perimeter"])
    return projects[["perimeter", "programme", "project"]].drop_duplicates("project")


def spend_by_month(state: PortfolioState, fiscal_year: int) -> pd.DataFrame:
    """Per project and month of the year: ``actuals`` (weeks before the status week) and
    ``committed`` (the status week and after), in euros."""
    status_week = np.datetime64(monday(state.as_of), "s")
    # Only the weeks with a working day in the year: a week's Friday in it or after,
    # its Monday in it or before (the rest of the log's years is never spread).
    # (numpy's arithmetic: the Monday before 1 January of year 1 is no Python date)
    first = np.datetime64(date(fiscal_year, 1, 1), "s") - np.timedelta64(4, "D")
    last = np.datetime64(date(fiscal_year, 12, 31), "s")
    actuals = state["actuals"]
    weeks = actuals["week"]
    actuals = actuals[(weeks < status_week) & (weeks >= first) & (weeks <= last)]
    actuals = texts(actuals, ["project"])
    past = spread_by_month(actuals[["project", "week", "cost"]], "week", ["cost"])
    staffing = state["staffing"]
    weeks = staffing["week"]
    staffing = staffing[(weeks >= status_week) & (weeks >= first) & (weeks <= last)]
    staffing = texts(staffing, ["resource", "project"]).reset_index(drop=True)
    staffing["cost"] = staffing["days"] * rate_on(
        state["rates"], staffing["resource"], staffing["week"]
    )
    future = spread_by_month(staffing[["project", "week", "cost"]], "week", ["cost"])
    parts = [
        past.assign(kind="actuals"),
        future.assign(kind="committed"),
    ]
    spend = pd.concat(parts, ignore_index=True)
    spend = spend[spend["month"].dt.year == fiscal_year]
    table = spend.pivot_table(
        index=["project", "month"], columns="kind", values="cost", aggfunc="sum", fill_value=0.0
    )
    table = table.reindex(columns=["actuals", "committed"], fill_value=0.0)
    result: pd.DataFrame = table.reset_index().rename_axis(columns=None)
    return result


def _envelopes(state: PortfolioState, fiscal_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Project envelopes (project, nature) and perimeter reserves, for the year."""
    envelopes = state["envelopes"]
    envelopes = envelopes[envelopes["fiscal_year"] == fiscal_year]
    owner = envelopes["owner"].astype(str)
    projects = texts(envelopes[owner == "project"], ["project"])
    by_nature = projects.pivot_table(
        index="project", columns="nature", values="current", aggfunc="sum", fill_value=0.0
    ).reindex(columns=["capex", "opex"], fill_value=0.0)
    by_nature.columns = ["envelope_capex", "envelope_opex"]
    reserves = texts(envelopes[owner == "reserve"], ["perimeter"])
    reserve = reserves.groupby("perimeter")["current"].sum().rename("reserve")
    return by_nature.reset_index(), reserve.reset_index()


def budget(
    state: PortfolioState, level: str = "project", fiscal_year: int | None = None
) -> pd.DataFrame:
    """Envelope, actuals, committed, forecast, remaining and variance for the year
    (computed once per state, level and year: the RAG reads the projects' too)."""
    year = fiscal_year or state.as_of.year
    frame: pd.DataFrame = state.derive(("budget", level, year), lambda: _budget(state, level, year))
    return frame


def _budget(state: PortfolioState, level: str, year: int) -> pd.DataFrame:
    keys = level_keys(level)
    # Every level adds up the same project rows: computed once per state and year.
    frame, reserves = state.derive(("budget by project", year), lambda: _projects(state, year))
    result = by_level(frame, level, [*MONEY, "fac_capex", "fac_opex"])
    result["fac"] = result["actuals"] + result["committed"]
    result["remaining"] = result["envelope"] - result["actuals"]
    result["variance"] = result["envelope"] - result["fac"]
    result["variance_pct"] = (
        100.0 * result["variance"] / result["envelope"].where(result["envelope"] != 0)
    )
    if level in ("perimeter", "portfolio"):
        if level == "perimeter":
            result = result.merge(reserves, on="perimeter", how="left")
        else:
            result["reserve"] = float(reserves["reserve"].sum())
        result["reserve"] = result["reserve"].fillna(0.0).astype(float)
    result.insert(len(keys) if keys else 1, "fiscal_year", year)
    columns = [
        *(keys or ["portfolio"]),
        "fiscal_year",
        "envelope",
        "envelope_capex",
        "envelope_opex",
        "actuals",
        "committed",
        "fac",
        "fac_capex",
        "fac_opex",
        "remaining",
        "variance",
        "variance_pct",
        *(["reserve"] if "reserve" in result else []),
    ]
    return rounded(result[columns])


def _projects(state: PortfolioState, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per project: the year's envelopes, actuals, committed spend and forecast split into
    capex and opex; and the perimeters' reserves."""
    frame = _project_frame(state)
    envelopes, reserves = _envelopes(state, year)
    frame = frame.merge(envelopes, on="project", how="left")
    spend = spend_by_month(state, year).groupby("project")[["actuals", "committed"]].sum()
    frame = frame.merge(spend.reset_index(), on="project", how="left")
    frame = frame.fillna(dict.fromkeys(("envelope_capex", "envelope_opex", *spend.columns), 0.0))
    for column in ("actuals", "committed"):
        if column not in frame:
            frame[column] = 0.0
    frame["envelope"] = frame["envelope_capex"] + frame["envelope_opex"]
    fac = frame["actuals"] + frame["committed"]
    share = (frame["envelope_capex"] / frame["envelope"].where(frame["envelope"] > 0)).fillna(0.0)
    frame["fac_capex"] = fac * share
    frame["fac_opex"] = fac - frame["fac_capex"]
    return frame, reserves


def burn(
    state: PortfolioState, level: str = "project", fiscal_year: int | None = None
) -> pd.DataFrame:
    """Spend per month of the year: actuals before the status week, the staffing plan
    after, and the cumulated spend against the envelope."""
    year = fiscal_year or state.as_of.year
    keys = level_keys(level)
    projects = _project_frame(state)
    spend = spend_by_month(state, year).merge(projects, on="project", how="inner")
    months = pd.date_range(f"{year}-01-01", periods=12, freq="MS").astype("datetime64[s]")
    if keys:
        groups = texts(projects, keys)[keys].drop_duplicates()
    else:
        groups = pd.DataFrame({"portfolio": ["portfolio"]})
        spend = spend.assign(portfolio="portfolio")
        keys = ["portfolio"]
    grid = groups.merge(pd.DataFrame({"month": months}), how="cross")
    totals = spend.groupby([*keys, "month"], as_index=False)[["actuals", "committed"]].sum()
    frame = grid.merge(totals, on=[*keys, "month"], how="left").fillna(
        {"actuals": 0.0, "committed": 0.0}
    )
    frame = frame.sort_values([*keys, "month"], ignore_index=True)
    frame["spend"] = frame["actuals"] + frame["committed"]
    frame["cumulative"] = frame.groupby(keys, sort=False)["spend"].cumsum()
    envelope = budget(state, level, year).rename(columns={"envelope": "year_envelope"})
    frame = frame.merge(envelope[[*keys, "year_envelope"]], on=keys, how="left")
    frame["consumed_pct"] = (
        100.0 * frame["cumulative"] / frame["year_envelope"].where(frame["year_envelope"] != 0)
    )
    return rounded(frame)
