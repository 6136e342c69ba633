"""Backlog maturity: the share of the effort due in the next weeks that is ready.

An open backlog item is due by the forecast of the milestone it serves (a milestone
still planned); it is due within the horizon when that forecast is on or before the status
date plus ``weeks`` weeks (overdue milestones included). Per group: the effort due by
maturity (idea, refined, ready) and ``ready_pct`` = ready effort / effort due. Items
serving no milestone are not due and not counted.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from domain.errors import InvalidInput
from projections.kpis.common import level_keys, rounded, texts
from projections.state import PortfolioState

SECTIONS = ("projects", "milestones", "backlog")
MATURITIES = ("idea", "refined", "ready")


def backlog_maturity(state: PortfolioState, level: str = "project", weeks: int = 6) -> pd.DataFrame:
    """Effort due within ``weeks`` weeks, by maturity, and the share that is ready."""
    if not 1 <= weeks <= 104:
        raise InvalidInput("weeks", "between 1 and 104 weeks")
    keys = level_keys(level)
    horizon = pd.Timestamp(state.as_of + timedelta(weeks=weeks))
    projects = texts(state["projects"], ["project", "programme", "perimeter"])
    milestones = texts(state["milestones"], ["project"])
    planned = milestones[milestones["status"].astype(str) == "planned"]
    due_by = planned[planned["forecast"] <= horizon][["project", "milestone", "forecast"]]
    backlog = texts(state["backlog"], ["project"])
    backlog = backlog[backlog["status"].astype(str) == "open"]
    due = backlog.merge(due_by, on=["project", "milestone"], how="inner")
    due = due.merge(projects[["perimeter", "programme", "project"]], on="project", how="left")
    due["maturity"] = due["maturity"].astype(str)
    if keys:
        groups = projects[keys].drop_duplicates()
    else:
        groups = pd.DataFrame({"portfolio": ["portfolio"]})
        due["portfolio"] = "portfolio"
        keys = ["portfolio"]
    effort = due.pivot_table(
        index=keys, columns="maturity", values="effort_days", aggfunc="sum", fill_value=0.0
    ).reindex(columns=list(MATURITIES), fill_value=0.0)
    effort.columns = [f"{m}_days" for m in MATURITIES]
    due["is_ready"] = due["maturity"] == "ready"
    counts = due.groupby(keys).agg(items_due=("item", "size"), items_ready=("is_ready", "sum"))
    frame = groups.merge(effort.reset_index(), on=keys, how="left")
    frame = frame.merge(counts.reset_index(), on=keys, how="left")
    frame = frame.fillna(dict.fromkeys(effort.columns, 0.0) | {"items_due": 0, "items_ready": 0})
    frame["due_days"] = frame[list(effort.columns)].sum(axis=1)
    frame["ready_pct"] = (
        100.0 * frame["ready_days"] / frame["due_days"].where(frame["due_days"] > 0)
    )
    frame = frame.astype({"items_due": np.int64, "items_ready": np.int64})
    frame.insert(len(keys), "horizon", horizon.as_unit("s"))
    columns = [*keys, "horizon", "items_due", "items_ready", "due_days"]
    columns += [f"{m}_days" for m in MATURITIES] + ["ready_pct"]
    return rounded(frame[columns].sort_values(keys, ignore_index=True))
