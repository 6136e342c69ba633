"""Milestone KPIs: baseline against forecast, slip, and the milestone trend analysis.

- ``slip_days`` = (date reached, or forecast while open) − baseline; a milestone is
  ``overdue`` when it is still planned and its forecast is before the status date;
- at project level and above: how many milestones, reached, open, slipped (slip > 0),
  overdue, and the total, mean and worst slip of the open and reached ones;
- the trend (MTA): one point per recorded change of a forecast — planned, shifted,
  reached — with the date it took effect (the report date), the forecast it gave, and
  the event (log position, author, recording time) and decision that moved it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.errors import InvalidInput
from projections.kpis.common import level_keys, rounded, texts
from projections.state import PortfolioState

SECTIONS = ("projects", "milestones")
TREND_SECTIONS = ("projects", "milestones", "milestone_moves")
LEVELS = ("milestone", "project", "programme", "perimeter", "portfolio")


def _detail(state: PortfolioState) -> pd.DataFrame:
    projects = texts(state["projects"], ["project", "programme", "perimeter"])
    milestones = texts(state["milestones"], ["project"])
    frame = milestones.merge(
        projects[["perimeter", "programme", "project"]], on="project", how="left"
    )
    status = frame["status"].astype(str)
    frame["status"] = status
    frame["overdue"] = (status == "planned") & (frame["forecast"] < pd.Timestamp(state.as_of))
    return frame


def milestones(state: PortfolioState, level: str = "milestone") -> pd.DataFrame:
    """Each milestone's baseline, forecast and slip — or their count and slip per level."""
    if level not in LEVELS:
        raise InvalidInput("level", f"milestones are shown per {', '.join(LEVELS)}, not {level!r}")
    frame = _detail(state)
    if level == "milestone":
        columns = ["perimeter", "programme", "project", "milestone", "name", "priority"]
        columns += ["baseline", "forecast", "status", "slip_days", "shifts", "reached_on"]
        return frame[[*columns, "overdue"]].sort_values(
            ["project", "baseline", "milestone"], ignore_index=True
        )
    keys = level_keys(level) or ["portfolio"]
    if level == "portfolio":
        frame["portfolio"] = "portfolio"
    live = frame[frame["status"] != "cancelled"]
    live = live.assign(
        reached=live["status"] == "reached",
        open=live["status"] == "planned",
        slipped=live["slip_days"] > 0,
    )
    grouped = live.groupby(keys, dropna=False, sort=True)
    result = grouped.agg(
        milestones=("milestone", "size"),
        reached=("reached", "sum"),
        open=("open", "sum"),
        slipped=("slipped", "sum"),
        overdue=("overdue", "sum"),
        total_slip_days=("slip_days", "sum"),
        mean_slip_days=("slip_days", "mean"),
        max_slip_days=("slip_days", "max"),
    ).reset_index()
    counts = ["milestones", "reached", "open", "slipped", "overdue", "total_slip_days"]
    result = result.astype(dict.fromkeys([*counts, "max_slip_days"], np.int64))
    return rounded(result, 1)


def milestone_trend(state: PortfolioState, milestone: str | None = None) -> pd.DataFrame:
    """The milestone trend analysis: report date → forecast, one point per recorded
    change, with the event and decision behind it."""
    moves = texts(state["milestone_moves"], ["project"])
    moves["move"] = moves["move"].astype(str)
    if milestone is not None:
        moves = moves[moves["milestone"].str.upper() == milestone.upper()]
    baselines = texts(state["milestones"], ["project"])[["project", "milestone", "baseline"]]
    frame = moves.merge(baselines, on=["project", "milestone"], how="left")
    points = frame[frame["move"] != "cancelled"].copy()
    points["slip_days"] = (points["forecast"] - points["baseline"]).dt.days
    points = points.rename(columns={"effective_on": "report_date"})
    columns = ["project", "milestone", "report_date", "forecast", "baseline", "slip_days"]
    columns += ["move", "position", "recorded_at", "author", "decision", "decision_title"]
    columns += ["forum"]
    points["forum"] = points["forum"].astype(str)
    return points[columns].sort_values(
        ["project", "milestone", "report_date", "position"], ignore_index=True
    )
