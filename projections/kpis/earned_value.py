"""Earned value against a status date (the state's ``as_of``), per project and rolled up.

How each figure is measured (documented in docs/kpis.md):

- ``bac`` (budget at completion): the project's envelopes, every fiscal year, current
  amounts (capex + opex);
- ``pv`` (planned value) = bac × the share of the project's duration (start to end, in
  days, as scheduled now) elapsed at the status date — a linear baseline;
- ``ev`` (earned value) = bac × the share of the backlog's estimated effort that is
  done at the status date (dropped items excluded): the 0/100 rule per backlog item,
  weighted by its estimate — an item earns nothing until it is done;
- ``ac`` (actual cost): logged days × rate for the weeks before the status week;
- ``spi`` = ev / pv, ``cpi`` = ev / ac, ``sv`` = ev − pv, ``cv`` = ev − ac;
- ``eac`` (estimate at completion) = bac / cpi (today's cost efficiency goes on),
  ``etc`` = eac − ac, ``vac`` (variance at completion) = bac − eac.

Levels above the project add up bac, pv, ev and ac, then compute the ratios.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from projections.kpis.common import by_level, level_keys, monday, rounded, texts
from projections.state import PortfolioState

SECTIONS = ("projects", "envelopes", "backlog", "actuals")


def earned_value(state: PortfolioState, level: str = "project") -> pd.DataFrame:
    """PV, EV, AC, SPI, CPI, EAC, VAC at the status date."""
    keys = level_keys(level)
    status = pd.Timestamp(state.as_of)
    projects = texts(state["projects"], ["project", "programme", "perimeter"])
    frame = projects[["perimeter", "programme", "project", "start", "end"]].copy()

    envelopes = state["envelopes"]
    envelopes = texts(envelopes[envelopes["owner"].astype(str) == "project"], ["project"])
    bac = envelopes.groupby("project")["current"].sum()
    frame["bac"] = frame["project"].map(bac).fillna(0.0).astype(float)

    duration = (frame["end"] - frame["start"]).dt.days.astype(float)
    elapsed = (status - frame["start"]).dt.days.astype(float)
    planned = np.clip(elapsed / duration.where(duration > 0), 0.0, 1.0)
    planned = planned.where(duration > 0, (status >= frame["end"]).astype(float))
    frame["planned_pct"] = 100.0 * planned

    backlog = texts(state["backlog"], ["project"])
    status_of = backlog["status"].astype(str)
    counted = backlog[status_of != "dropped"]
    total = counted.groupby("project")["effort_days"].sum()
    done = counted[status_of[status_of != "dropped"] == "done"]
    done_effort = done.groupby("project")["effort_days"].sum()
    earned = frame["project"].map(done_effort).fillna(0.0) / frame["project"].map(total)
    frame["earned_pct"] = 100.0 * earned.fillna(0.0)

    actuals = texts(state["actuals"], ["project"])
    actuals = actuals[actuals["week"] < np.datetime64(monday(state.as_of), "s")]
    frame["ac"] = frame["project"].map(actuals.groupby("project")["cost"].sum()).fillna(0.0)
    frame["pv"] = frame["bac"] * planned
    frame["ev"] = frame["bac"] * earned.fillna(0.0)

    result = by_level(frame, level, ["bac", "pv", "ev", "ac"])
    result["sv"] = result["ev"] - result["pv"]
    result["cv"] = result["ev"] - result["ac"]
    result["spi"] = result["ev"] / result["pv"].where(result["pv"] != 0)
    result["cpi"] = result["ev"] / result["ac"].where(result["ac"] != 0)
    result["eac"] = result["bac"] / result["cpi"].where(result["cpi"] != 0)
    result["etc"] = result["eac"] - result["ac"]
    result["vac"] = result["bac"] - result["eac"]
    if level == "project":
        pct = frame.set_index("project")[["planned_pct", "earned_pct"]]
        result = result.join(pct, on="project")
    result.insert(len(keys) if keys else 1, "status_date", status.as_unit("s"))
    return rounded(result, spi=3, cpi=3)
