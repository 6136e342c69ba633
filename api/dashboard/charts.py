"""Charts drawn on the server as inline SVG: budget bars, the milestone timeline, the
milestone trend analysis, the budget burn and the capacity heatmap.

Each is a small function from plain rows to markup: no script draws them, so a page
is complete as served (and printable), and every figure a chart shows is also in the
DOM (a ``data-*`` attribute or a ``<title>``), where tests and screen readers find it.
Colours come from classes of the dashboard's stylesheet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

from api.dashboard.web import day_text, money, number

WIDTH = 860
LABEL = 190  # the left column of row labels
SERIES = 8  # colour classes series-0 … series-7


def _svg(height: float, body: list[str], title: str, width: int = WIDTH) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height:.0f}" role="img"'
        f' aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _days(low: date, high: date, left: float, right: float) -> Callable[[date], float]:
    span = max((high - low).days, 1)
    return lambda d: left + (d - low).days / span * (right - left)


def _months(low: date, high: date) -> list[date]:
    """First days of months between two dates, at most about twelve of them."""
    out = []
    tick = date(low.year, low.month, 1)
    step = max(1, ((high - low).days // 30) // 12 + 1)
    while tick <= high:
        if tick >= low:
            out.append(tick)
        month = tick.month - 1 + step
        tick = date(tick.year + month // 12, month % 12 + 1, 1)
    return out


def _month_ticks(
    low: date, high: date, x: Callable[[date], float], top: float, bottom: float
) -> list[str]:
    """Vertical grid lines and labels at month starts."""
    out = []
    for tick in _months(low, high):
        px = x(tick)
        out.append(f'<line class="grid" x1="{px:.1f}" x2="{px:.1f}" y1="{top}" y2="{bottom}"/>')
        out.append(f'<text class="tick" x="{px:.1f}" y="{bottom + 14}">{tick:%b %y}</text>')
    return out


def budget_bars(rows: Sequence[dict[str, Any]], title: str) -> Markup:
    """Envelope, forecast at completion and actuals per row (perimeter or programme)."""
    if not rows:
        return Markup('<p class="empty">No budget in force.</p>')
    top = max(max(r["envelope"], r["fac"], r["actuals"]) for r in rows) or 1.0
    scale = (WIDTH - LABEL - 120) / top
    body = []
    for n, r in enumerate(rows):
        y = 10 + n * 34
        body.append(f'<text class="label" x="{LABEL - 8}" y="{y + 16}">{escape(r["label"])}</text>')
        for k, (key, cls) in enumerate((("envelope", "envelope"), ("fac", "forecast"),
                                        ("actuals", "actuals"))):  # fmt: skip
            value = float(r[key])
            body.append(
                f'<rect class="{cls}" x="{LABEL}" y="{y + k * 9}" width="{value * scale:.1f}"'
                f' height="8" data-{key}="{value:.2f}"><title>{key} {money(value)} €</title></rect>'
            )
        body.append(
            f'<text class="value" x="{LABEL + r["envelope"] * scale + 6:.1f}" y="{y + 8}">'
            f"{money(r['envelope'])}</text>"
        )
    return _svg(20 + len(rows) * 34, body, title)


def timeline(
    milestones: Sequence[dict[str, Any]],
    links: Sequence[tuple[str, str]],
    as_of: date,
    title: str,
) -> Markup:
    """Each milestone's baseline (hollow) against its forecast (filled), the slip between
    them, the dependencies between milestones as arrows, and the page's date."""
    if not milestones:
        return Markup('<p class="empty">No milestone in force.</p>')
    dates = [d for m in milestones for d in (m["baseline"], m["forecast"]) if d is not None]
    low, high = min([*dates, as_of]) - timedelta(days=15), max([*dates, as_of]) + timedelta(15)
    x = _days(low, high, LABEL, WIDTH - 20)
    height = 30 + len(milestones) * 20
    body = _month_ticks(low, high, x, 10, height - 20)
    place: dict[str, tuple[float, float]] = {}
    for n, m in enumerate(milestones):
        y = 20 + n * 20
        key = f"{m['project']}/{m['milestone']}"
        late = (
            m["forecast"] is not None
            and m["baseline"] is not None
            and m["forecast"] > m["baseline"]
        )
        state = "done" if m["status"] != "planned" else "late" if late else "on-time"
        body.append(f'<text class="label" x="{LABEL - 8}" y="{y + 4}">{escape(key)}</text>')
        bx, fx = x(m["baseline"]), x(m["forecast"])
        body.append(f'<line class="slip {state}" x1="{bx:.1f}" x2="{fx:.1f}" y1="{y}" y2="{y}"/>')
        body.append(
            f'<path class="baseline" d="M{bx:.1f} {y - 5}l5 5l-5 5l-5 -5z"><title>{escape(key)}'
            f" baseline {m['baseline']}</title></path>"
        )
        body.append(
            f'<path class="forecast {state}" data-milestone="{escape(key)}"'
            f' data-baseline="{m["baseline"]}" data-forecast="{m["forecast"]}"'
            f' d="M{fx:.1f} {y - 6}l6 6l-6 6l-6 -6z"><title>{escape(key)} forecast'
            f" {m['forecast']} ({m['status']}, slip {m['slip_days']} days)</title></path>"
        )
        place[key.upper()] = (fx, y)
    for before, after in links:
        if before.upper() in place and after.upper() in place:
            (x1, y1), (x2, y2) = place[before.upper()], place[after.upper()]
            body.append(
                f'<path class="dependency" d="M{x1:.1f} {y1}C{x1 + 30:.1f} {y1} {x2 - 30:.1f}'
                f' {y2} {x2 - 7:.1f} {y2}" marker-end="url(#arrow)"><title>{escape(after)}'
                f" needs {escape(before)}</title></path>"
            )
    today = x(as_of)
    body.append(
        f'<line class="today" x1="{today:.1f}" x2="{today:.1f}" y1="6" y2="{height - 20}"/>'
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7"'
        ' markerHeight="7" orient="auto"><path class="arrow" d="M0 0L8 4L0 8z"/></marker></defs>'
    )
    return _svg(height, body, title)


def trend(
    points: Sequence[dict[str, Any]], href: Callable[[dict[str, Any]], str], title: str
) -> Markup:
    """The milestone trend analysis: report date (x) against forecast (y), one line per
    milestone, each point a link to the decision (or event) that set it; on the
    diagonal, a milestone is due the day it is reported."""
    if not points:
        return Markup('<p class="empty">No milestone move.</p>')
    dates = [p["report_date"] for p in points] + [p["forecast"] for p in points]
    low, high = min(dates) - timedelta(days=15), max(dates) + timedelta(days=15)
    x = _days(low, high, 70, WIDTH - 200)
    size = 420
    span = max((high - low).days, 1)

    def y(d: date) -> float:
        return float(size - 30 - (d - low).days / span * (size - 50))

    body = _month_ticks(low, high, x, 10, size - 30)
    for tick in _months(low, high):
        body.append(
            f'<text class="value" x="64" y="{y(tick) + 3:.1f}" text-anchor="end">'
            f"{tick:%b %y}</text>"
        )
    body.append(
        f'<line class="diagonal" x1="{x(low):.1f}" y1="{y(low):.1f}" x2="{x(high):.1f}"'
        f' y2="{y(high):.1f}"/>'
    )
    lines: dict[str, list[dict[str, Any]]] = {}
    for p in points:
        lines.setdefault(f"{p['project']}/{p['milestone']}", []).append(p)
    for n, (key, line) in enumerate(lines.items()):
        series = f"series-{n % SERIES}"
        path = " ".join(f"{x(p['report_date']):.1f},{y(p['forecast']):.1f}" for p in line)
        body.append(f'<polyline class="trend {series}" points="{path}"/>')
        ly = 20 + n * 14
        if ly < size - 30:
            body.append(
                f'<text class="legend {series}" x="{WIDTH - 190}" y="{ly}">{escape(key)}</text>'
            )
        for p in line:
            body.append(
                f'<a href="{escape(href(p))}"><circle class="point {series}"'
                f' cx="{x(p["report_date"]):.1f}" cy="{y(p["forecast"]):.1f}" r="4.5"'
                f' data-milestone="{escape(key)}" data-report-date="{p["report_date"]}"'
                f' data-forecast="{p["forecast"]}"><title>{escape(key)}: on {p["report_date"]}'
                f" forecast {p['forecast']} ({p['move']}"
                f"{', ' + escape(p['decision']) if p.get('decision') else ''})</title></circle></a>"
            )
    return _svg(size, body, title)


def burn(rows: Sequence[dict[str, Any]], title: str) -> Markup:
    """Monthly spend (actuals, then the staffing plan) as bars, the cumulated spend as a
    line, the year's envelope as a dashed line."""
    if not rows:
        return Markup('<p class="empty">No spend this year.</p>')
    envelope = float(rows[-1]["year_envelope"])
    top = max([envelope, *(float(r["cumulative"]) for r in rows)]) or 1.0
    height, base, left = 300, 260, 90
    step = (WIDTH - left - 20) / len(rows)

    def y(value: float) -> float:
        return base - value / top * (base - 20)

    body = [f'<text class="tick" x="{left - 6}" y="{y(top) + 4:.1f}" text-anchor="end">'
            f"{money(top)}</text>"]  # fmt: skip
    points = []
    for n, r in enumerate(rows):
        bx = left + n * step
        actual, planned = float(r["actuals"]), float(r["committed"])
        body.append(
            f'<rect class="actuals" x="{bx + 4:.1f}" y="{y(actual):.1f}" width="{step - 8:.1f}"'
            f' height="{base - y(actual):.1f}" data-month="{day_text(r["month"])}"'
            f' data-actuals="{actual:.2f}"><title>actuals {money(actual)} €</title></rect>'
        )
        body.append(
            f'<rect class="committed" x="{bx + 4:.1f}" y="{y(actual + planned):.1f}"'
            f' width="{step - 8:.1f}" height="{y(actual) - y(actual + planned):.1f}"'
            f' data-committed="{planned:.2f}"><title>planned {money(planned)} €</title></rect>'
        )
        body.append(
            f'<text class="tick" x="{bx + step / 2:.1f}" y="{base + 16}">{r["month"]:%b}</text>'
        )
        points.append(f"{bx + step / 2:.1f},{y(float(r['cumulative'])):.1f}")
    body.append(f'<polyline class="cumulative" points="{" ".join(points)}"/>')
    body.append(
        f'<line class="envelope-line" x1="{left}" x2="{WIDTH - 20}" y1="{y(envelope):.1f}"'
        f' y2="{y(envelope):.1f}" data-envelope="{envelope:.2f}"><title>envelope'
        f" {money(envelope)} €</title></line>"
    )
    return _svg(height, body, title)


def _raw(value: Any) -> str:
    """A figure as a data attribute carries it: two decimals, no separator (– if none)."""
    return "–" if value is None or value != value else f"{float(value):.2f}"


def heatmap(rows: Sequence[dict[str, Any]], title: str) -> Markup:
    """Load (demand over capacity) per resource and month: one cell each, its percentage
    written in it, the colour by band (over 100 %: over-allocated)."""
    if not rows:
        return Markup('<p class="empty">Nobody works on this scope.</p>')
    months = sorted({r["month"] for r in rows})
    resources = list(dict.fromkeys(r["resource"] for r in rows))
    cell = min(90.0, (WIDTH - LABEL - 10) / len(months))
    body = [
        f'<text class="tick" x="{LABEL + i * cell + cell / 2:.1f}" y="14">{m:%b %y}</text>'
        for i, m in enumerate(months)
    ]
    for r in rows:
        i, j = months.index(r["month"]), resources.index(r["resource"])
        load = r["load_pct"]
        band = (
            "idle" if load is None or load != load or load < 50
            else "busy" if load < 85 else "full" if load <= 100 else "over"
        )  # fmt: skip
        cx, cy = LABEL + i * cell, 22 + j * 22
        body.append(
            f'<g class="cell {band}" data-resource="{escape(r["resource"])}"'
            f' data-month="{day_text(r["month"])}" data-load="{_raw(load)}">'
            f'<rect x="{cx + 1:.1f}" y="{cy}" width="{cell - 2:.1f}" height="20"/>'
            f'<text x="{cx + cell / 2:.1f}" y="{cy + 14}">{number(load, 0)}</text>'
            f"<title>{escape(r['resource'])} {r['month']:%b %Y}: demand"
            f" {number(r['demand_days'])} of {number(r['capacity_days'])} days</title></g>"
        )
    for j, resource in enumerate(resources):
        body.append(
            f'<text class="label" x="{LABEL - 8}" y="{22 + j * 22 + 14}">{escape(resource)}</text>'
        )
    return _svg(30 + len(resources) * 22, body, title)
