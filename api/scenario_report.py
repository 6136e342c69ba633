"""A scenario comparison as the faces give it: plain data (JSON) or one page of Markdown."""

from __future__ import annotations

from typing import Any

from projections.scenario import Comparison

SECTIONS = (
    ("milestones", "Milestones that differ"),
    ("budgets", "Budgets that differ"),
)


def comparison_document(found: Comparison) -> dict[str, Any]:
    """The comparison as plain data."""
    return {
        "left": found.left,
        "right": found.right,
        "as_of": found.as_of.isoformat(),
        "scope": str(found.scope),
        "months": found.months,
        "kpis": found.figures,
        "milestones": found.milestones,
        "budgets": found.budgets,
        "capacity": found.capacity,
    }


def load_rows(found: Comparison) -> list[dict[str, Any]]:
    """The capacity load, one row per skill or perimeter: demand against capacity and the
    load on each side, and the change."""
    rows = []
    for row in found.capacity:
        shown = {"by": row["by"], "group": row["group"]}
        for name in (found.left, found.right):
            demand, capacity = row[f"demand_days ({name})"], row[f"capacity_days ({name})"]
            shown[f"demand / capacity ({name})"] = f"{amount(demand)} / {amount(capacity)}"
            shown[f"load ({name})"] = _percent(row[f"load_pct ({name})"])
            shown[f"peak month ({name})"] = _percent(row[f"peak_load_pct ({name})"])
        change = row["load_pct (change)"]
        shown["load change"] = "" if change is None else f"{change:+,.1f} pts"
        rows.append(shown)
    return rows


def comparison_markdown(found: Comparison) -> str:
    """One page of Markdown for a committee pack."""
    lines = [
        f"# {found.right} against {found.left}",
        "",
        f"{found.scope}, on {found.as_of.isoformat()}.",
        "",
        f"| KPI | measure | {found.left} | {found.right} | change |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for f in found.figures:
        left, right, delta = f[found.left], f[found.right], f["delta"]
        change = "" if delta is None else ("+" if delta >= 0 else "") + amount(delta)
        lines.append(f"| {f['kpi']} | {f['measure']} | {_cell(left)} | {_cell(right)} | {change} |")
    tables = [(title, getattr(found, name)) for name, title in SECTIONS]
    months = "month" if found.months == 1 else f"{found.months} months"
    tables.append((f"Capacity load over {months} (person-days)", load_rows(found)))
    for title, rows in tables:
        lines += ["", f"## {title} ({len(rows)})", ""]
        lines += _table(rows)
    return "\n".join(lines) + "\n"


def _table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    keys = list(rows[0])
    return [
        "| " + " | ".join(_cell(k) for k in keys) + " |",
        "|" + " --- |" * len(keys),
        *("| " + " | ".join(_cell(r.get(k, "")) for k in keys) + " |" for r in rows),
    ]


def _cell(value: Any) -> str:
    """A table cell: ``None`` left empty, pipes escaped (names are free text)."""
    if isinstance(value, float):
        return amount(value)
    return "" if value is None else str(value).replace("|", "\\|")


def amount(value: float) -> str:
    """A figure as a reader expects it: counts and whole sums without decimals
    (11,080,000), other sums to the cent (36,462.50)."""
    cents = f"{round(value, 2) + 0.0:,.2f}"  # + 0.0: no "-0"
    return cents[:-3] if cents.endswith(".00") else cents


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f} %"
