"""`pmo events`: the ledger's event log, filtered, as a table, JSON or CSV."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Annotated, Any

import typer

from api.cli.common import Database, Format, open_ledger, out, refusals, render
from api.queries import day, instant
from domain.model import Programme, Project
from projections.event_log import AREAS, EventFilter, check_kinds, read_log

TABLE_COLUMNS = ("#", "recorded", "effective", "event", "subject", "by", "decision", "what", "why")
TABLE_STYLES: dict[str, dict[str, Any]] = {
    "#": {"no_wrap": True, "justify": "right"},
    "recorded": {"min_width": 10, "ratio": 2},
    "effective": {"no_wrap": True, "min_width": 10},
    "event": {"ratio": 3},
    "subject": {"ratio": 3},
    "by": {"ratio": 2},
    "decision": {"ratio": 3},
    "what": {"ratio": 5},
    "why": {"ratio": 4},
}
COLUMNS = (
    "position",
    "recorded_at",
    "effective_date",
    "area",
    "kind",
    "subject",
    "author",
    "decision",
    "forum",
    "rationale",
    "details",
)


def table_row(row: dict[str, Any]) -> dict[str, Any]:
    """A compact row for a terminal table."""
    details = {k: v for k, v in row["details"].items() if k != "code"}
    decision = row["decision"] or ""
    if decision and row["forum"]:
        decision += f" ({row['forum']})"
    return {
        "#": row["position"],
        "recorded": row["recorded_at"][:16].replace("T", " "),
        "effective": row["effective_date"],
        "event": f"{row['area']}: {row['kind']}",
        "subject": row["subject"],
        "by": row["author"],
        "decision": decision,
        "what": details,
        "why": row["rationale"],
    }


NARROW_COLUMNS = ("#", "recorded / effective", "event / subject / by", "what / why")
NARROW_STYLES: dict[str, dict[str, Any]] = {
    "#": {"no_wrap": True, "justify": "right"},
    "recorded / effective": {"no_wrap": True},
    "event / subject / by": {"ratio": 4},
    "what / why": {"ratio": 5},
}
NARROW_BELOW = 110


def narrow_row(row: dict[str, Any]) -> dict[str, Any]:
    """The same row stacked in fewer columns, for terminals under 110 characters."""
    wide = table_row(row)
    what = _cell_text(wide["what"])
    by = f"{wide['by']}, {wide['decision']}" if wide["decision"] else wide["by"]
    return {
        "#": wide["#"],
        "recorded / effective": f"{wide['recorded']}\n{wide['effective']}",
        "event / subject / by": f"{row['kind']}\n{wide['subject']}\n{by}",
        "what / why": f"{what}\n{wide['why']}".rstrip(),
    }


def _cell_text(details: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in details.items())


def events(
    database: Database = None,
    programme: Annotated[str | None, typer.Option(help="only events of this programme")] = None,
    project: Annotated[str | None, typer.Option(help="only events of this project")] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            help=f"an area ({', '.join(AREAS)}), an event name (MilestoneShifted)"
            " or both (budget:Raised); repeatable"
        ),
    ] = None,
    author: Annotated[str | None, typer.Option(help="only events recorded by this author")] = None,
    recorded_from: Annotated[
        str | None, typer.Option(help="recorded at or after (date or ISO date-time, UTC)")
    ] = None,
    recorded_to: Annotated[
        str | None, typer.Option(help="recorded at or before (date or ISO date-time, UTC)")
    ] = None,
    effective_from: Annotated[str | None, typer.Option(help="effective on or after")] = None,
    effective_to: Annotated[str | None, typer.Option(help="effective on or before")] = None,
    limit: Annotated[
        int | None,
        typer.Option(help="only the last N matching events [default: 50 for tables, all else]"),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="output format")] = Format.TABLE,
) -> None:
    """Show the event log in recorded order: who decided what, when, effective when, and why."""
    with refusals():
        criteria = EventFilter(
            programme=programme,
            project=project,
            kinds=tuple(kind or ()),
            author=author,
            recorded_from=instant(recorded_from, "recorded_from", end_of_day=False),
            recorded_to=instant(recorded_to, "recorded_to", end_of_day=True),
            effective_from=day(effective_from, "effective_from"),
            effective_to=day(effective_to, "effective_to"),
        )
        check_kinds(criteria.kinds)
        if limit is None and fmt is Format.TABLE:
            limit = 50
        with open_ledger(database, must_exist=True) as ledger:
            if programme is not None:
                ledger.load(Programme, programme)  # refuses an unknown programme
            if project is not None:
                ledger.load(Project, project)
            rows: Iterable[dict[str, Any]] = (r.as_row() for r in read_log(ledger, criteria))
            if limit is not None:
                rows = deque(rows, maxlen=max(limit, 0))
            if fmt is Format.TABLE and out.width < NARROW_BELOW:
                table = map(narrow_row, rows)
                render(table, NARROW_COLUMNS, fmt, title="Ledger events", styles=NARROW_STYLES)
            elif fmt is Format.TABLE:
                table = map(table_row, rows)
                render(table, TABLE_COLUMNS, fmt, title="Ledger events", styles=TABLE_STYLES)
            else:
                render(rows, COLUMNS, fmt, title="Ledger events")
