"""RAG status per project on schedule, cost and staffing, with documented thresholds.

- schedule, from the project's open (planned) milestones: red when one is overdue (its
  forecast is before the status date) or the worst slip exceeds ``schedule_red_days``
  (30); amber when it exceeds ``schedule_amber_days`` (7); green otherwise;
- cost, from the year's budget (see ``budget``): red when the forecast at completion
  overruns the envelope by more than ``cost_red_pct`` (10 %), or spends without an
  envelope; amber when it overruns at all; green otherwise;
- staffing, over the next ``staffing_weeks`` weeks (4) from the status week: red when
  an active project with open backlog has nobody staffed, or one of its resources is
  loaded beyond ``load_red_pct`` (120 %) of its capacity in one of those weeks (all its
  projects and accepted outside demands counted); amber beyond ``load_amber_pct``
  (100 %); green otherwise;
- overall: the worst of the three. Closed projects are not rated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from projections.kpis.budget import budget
from projections.kpis.capacity import resource_weeks
from projections.kpis.common import monday, rounded, texts
from projections.state import PortfolioState

SECTIONS = ("projects", "milestones", "envelopes", "actuals", "backlog", "resources")
WHOLE_SECTIONS = ("staffing", "rates", "capacity", "absences", "demands")
RANK = {"green": 0, "amber": 1, "red": 2}


@dataclass(frozen=True)
class Thresholds:
    """Where amber and red begin."""

    schedule_amber_days: int = 7
    schedule_red_days: int = 30
    cost_red_pct: float = 10.0
    staffing_weeks: int = 4
    load_amber_pct: float = 100.0
    load_red_pct: float = 120.0


def _schedule(state: PortfolioState, limits: Thresholds) -> pd.DataFrame:
    milestones = texts(state["milestones"], ["project"])
    open_ones = milestones[milestones["status"].astype(str) == "planned"]
    open_ones = open_ones.assign(overdue=open_ones["forecast"] < pd.Timestamp(state.as_of))
    per = open_ones.groupby("project").agg(
        max_slip_days=("slip_days", "max"), overdue=("overdue", "sum")
    )
    slip = per["max_slip_days"]
    colour = np.select(
        [per["overdue"] > 0, slip > limits.schedule_red_days, slip > limits.schedule_amber_days],
        ["red", "red", "amber"],
        default="green",
    )
    reason = np.select(
        [per["overdue"] > 0, slip > 0],
        [
            per["overdue"].astype(str) + " milestone(s) overdue",
            "worst slip " + slip.astype(str) + " days",
        ],
        default="on baseline",
    )
    return pd.DataFrame(
        {"schedule": colour, "schedule_reason": reason, "max_slip_days": slip}, index=per.index
    )


def _cost(state: PortfolioState, limits: Thresholds) -> pd.DataFrame:
    year = budget(state, "project")
    overrun = -year["variance_pct"]
    no_envelope = (year["envelope"] <= 0) & (year["fac"] > 0)
    colour = np.select(
        [no_envelope, overrun > limits.cost_red_pct, year["variance"] < 0],
        ["red", "red", "amber"],
        default="green",
    )
    reason = np.select(
        [no_envelope, year["variance"] < 0],
        [
            "spending without an envelope",
            "forecast overruns by " + overrun.round(1).astype(str) + " %",
        ],
        default="within envelope",
    )
    return pd.DataFrame(
        {"cost": colour, "cost_reason": reason, "variance_pct": year["variance_pct"].to_numpy()},
        index=year["project"].to_numpy(),
    )


def _staffing(state: PortfolioState, limits: Thresholds, projects: pd.Series) -> pd.DataFrame:
    first = monday(state.as_of)
    mondays = [first + timedelta(weeks=n) for n in range(limits.staffing_weeks)]
    window = np.array(mondays, dtype="datetime64[D]").astype("datetime64[s]")
    staffing = texts(state["staffing"], ["resource", "project"])
    staffing = staffing[staffing["week"].isin(window) & (staffing["days"] > 0)]
    staffing = staffing[staffing["project"].isin(projects)]
    loads = resource_weeks(
        PortfolioState(
            state.as_of,
            state.known_at,
            state.scope,
            {**state.sections, "resources": _resources(state, staffing["resource"])},
        ),
        mondays,
    )
    capacity = loads["capacity_days"].where(loads["capacity_days"] > 0)
    loads["load_pct"] = (100.0 * loads["demand_days"] / capacity).fillna(np.inf)
    loads = loads[loads["demand_days"] > 0]
    pairs = staffing[["resource", "project", "week"]].merge(loads, on=["resource", "week"])
    worst = pairs.groupby("project")["load_pct"].max()
    backlog = texts(state["backlog"], ["project"])
    has_work = backlog[backlog["status"].astype(str) == "open"].groupby("project")["effort_days"]
    open_effort = has_work.sum()
    frame = pd.DataFrame(index=pd.Index(projects, name="project"))
    frame["max_load_pct"] = worst.reindex(frame.index)
    unstaffed = frame["max_load_pct"].isna() & (open_effort.reindex(frame.index).fillna(0) > 0)
    load = frame["max_load_pct"].fillna(0.0)
    frame["staffing"] = np.select(
        [unstaffed, load > limits.load_red_pct, load > limits.load_amber_pct],
        ["red", "red", "amber"],
        default="green",
    )
    shown = load.where(np.isfinite(load), 0.0).round(0).astype(int).astype(str)
    frame["staffing_reason"] = np.select(
        [unstaffed, np.isinf(load), load > limits.load_amber_pct],
        [
            "open backlog and nobody staffed",
            "a resource staffed beyond any capacity",
            "a resource loaded at " + shown + " %",
        ],
        default="staffed within capacity",
    )
    return frame


def _resources(state: PortfolioState, codes: pd.Series) -> pd.DataFrame:
    """Rows of the whole resources list for ``codes`` (loads count every resource staffed)."""
    resources = texts(state["resources"], ["resource"])
    return resources[resources["resource"].isin(set(codes))]


def rag(state: PortfolioState, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Schedule, cost, staffing and overall RAG per active project, with the reasons."""
    limits = thresholds or Thresholds()
    projects = texts(state["projects"], ["project", "programme", "perimeter"])
    projects = projects[projects["status"].astype(str) == "active"]
    frame = projects[["perimeter", "programme", "project"]].set_index("project")
    frame = frame.join(_schedule(state, limits)).join(_cost(state, limits))
    frame = frame.join(_staffing(state, limits, projects["project"]))
    frame["schedule"] = frame["schedule"].fillna("green")
    frame["schedule_reason"] = frame["schedule_reason"].fillna("no open milestone")
    worst = np.maximum.reduce(
        [frame[c].map(RANK).fillna(0).to_numpy(dtype=int) for c in ("schedule", "cost", "staffing")]
    )
    frame["overall"] = np.array(list(RANK))[worst]
    columns = ["perimeter", "programme", "overall", "schedule", "cost", "staffing"]
    columns += ["schedule_reason", "cost_reason", "staffing_reason"]
    columns += ["max_slip_days", "variance_pct", "max_load_pct"]
    result = frame.reset_index()[["project", *columns]]
    result = result[["perimeter", "programme", "project", *columns[2:]]]
    return rounded(result.sort_values("project", ignore_index=True), 1)
