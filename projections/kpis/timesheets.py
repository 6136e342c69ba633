"""Timesheet compliance per person and week: expected against logged, late submissions.

For each of the ``weeks`` completed weeks before the status week and each resource:

- ``expected_days``: its capacity that week less its absences (no sheet is expected
  from a resource with nothing to log);
- ``logged_days``: the days on its sheet (every project), as known at ``known_at``;
- the sheet is due the Monday after the week, ``grace_hours`` into the day (12:00 UTC by
  default); ``submission`` is ``on-time`` or ``late`` by the time the ledger recorded the
  submission, ``missing`` when none is known at ``known_at`` though it was due, and
  ``not-due`` when its deadline is after ``known_at``;
- per resource (``by="resource"``): weeks expected, on time, late, missing, and
  ``compliance_pct`` = on-time sheets / weeks expected.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from domain.errors import InvalidInput
from projections.kpis.common import monday, rounded, texts, weekly_capacity
from projections.state import PortfolioState

SECTIONS = ("resources",)
WHOLE_SECTIONS = ("capacity", "absences", "actuals", "timesheets")


def timesheet_compliance(
    state: PortfolioState, weeks: int = 8, grace_hours: int = 12, by: str = "week"
) -> pd.DataFrame:
    """Expected against logged days and the lateness of each sheet (or per resource)."""
    if not 1 <= weeks <= 104:
        raise InvalidInput("weeks", "between 1 and 104 weeks")
    if by not in ("week", "resource"):
        raise InvalidInput("by", f"compliance is shown per week or per resource, not {by!r}")
    status_week = monday(state.as_of)
    mondays = [status_week - timedelta(weeks=n) for n in range(weeks, 0, -1)]
    resources = texts(state["resources"], ["resource"])
    grid = weekly_capacity(resources, state["capacity"], state["absences"], mondays)
    grid = grid.rename(columns={"capacity_days": "expected_days"}).drop(columns="absent_days")
    grid = grid[grid["expected_days"] > 0]

    actuals = texts(state["actuals"], ["resource"])
    logged = actuals.groupby(["resource", "week"])["days"].sum().rename("logged_days")
    grid = grid.merge(logged.reset_index(), on=["resource", "week"], how="left")
    grid["logged_days"] = grid["logged_days"].fillna(0.0)
    grid["gap_days"] = grid["expected_days"] - grid["logged_days"]

    sheets = texts(state["timesheets"], ["resource"])[
        ["resource", "week", "status", "submitted_at", "corrections"]
    ]
    grid = grid.merge(sheets, on=["resource", "week"], how="left")
    due = (
        grid["week"].astype("datetime64[s]")
        + pd.Timedelta(days=7)
        + pd.Timedelta(hours=grace_hours)
    ).dt.tz_localize("UTC")
    grid["due"] = due
    known_at = pd.Timestamp(state.known_at).tz_convert("UTC")
    submitted = grid["submitted_at"].notna()
    grid["submission"] = np.select(
        [submitted & (grid["submitted_at"] <= due), submitted, due <= known_at],
        ["on-time", "late", "missing"],
        default="not-due",
    )
    grid["status"] = grid["status"].astype(str)
    grid["corrections"] = grid["corrections"].fillna(0).astype(np.int64)
    if by == "week":
        columns = ["resource", "week", "expected_days", "logged_days", "gap_days"]
        columns += ["submission", "status", "submitted_at", "due", "corrections"]
        return rounded(grid[columns].sort_values(["resource", "week"], ignore_index=True))
    counted = grid[grid["submission"] != "not-due"]
    counted = counted.assign(
        on_time=counted["submission"] == "on-time",
        late=counted["submission"] == "late",
        missing=counted["submission"] == "missing",
    )
    summary = counted.groupby("resource").agg(
        weeks_expected=("week", "size"),
        on_time=("on_time", "sum"),
        late=("late", "sum"),
        missing=("missing", "sum"),
        expected_days=("expected_days", "sum"),
        logged_days=("logged_days", "sum"),
    )
    summary["compliance_pct"] = 100.0 * summary["on_time"] / summary["weeks_expected"]
    summary = summary.astype({"on_time": np.int64, "late": np.int64, "missing": np.int64})
    return rounded(summary.reset_index().sort_values("resource", ignore_index=True))
