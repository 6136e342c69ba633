"""`pmo state` and `pmo kpi`: the portfolio and its KPIs at any date, on both time axes.

Both read the portfolio view kept beside the ledger (projections/view.py): they restore
its stored snapshot, catch up with what the log recorded since — so what `pmo record`
just recorded is in the answer — and store a new snapshot when the catch-up was long
enough to be worth keeping.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from api.cli.common import (
    Database,
    Format,
    err,
    open_ledger,
    out,
    refusals,
    write_csv,
)
from api.cli.frames import frame_table, print_table
from api.export import frame_rows, write_xlsx
from api.queries import day, point, scope_of
from domain.errors import InvalidInput
from projections.kpis import KPIS, compute, find
from projections.state import SECTIONS, PortfolioState, Scope
from projections.view import PortfolioView

# A reading command stores a new snapshot of the view when it caught up at least this
# many events, and at least a twentieth of the log (a snapshot of a big view costs more
# than catching up a few thousand events).
SAVE_AFTER = 1_000
TABLE_LIMIT = 20


class KpiFormat(Enum):
    """How `pmo kpi` prints a KPI."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


AsOf = Annotated[
    str | None,
    typer.Option(help="the date the state is in force (YYYY-MM-DD) [default: today]"),
]
KnownAt = Annotated[
    str | None,
    typer.Option(
        help="what the ledger knew at this instant (ISO date-time, UTC if no zone; a date"
        " means the end of that day) [default: now]"
    ),
]
Perimeter = Annotated[str | None, typer.Option(help="only this perimeter")]
Programme = Annotated[str | None, typer.Option(help="only this programme")]
Project = Annotated[str | None, typer.Option(help="only this project")]
Output = Annotated[
    Path | None,
    typer.Option(help="write to this file (a directory for the CSV of several sections)"),
]
Limit = Annotated[
    int | None,
    typer.Option(min=0, help=f"rows per table on the terminal [default: {TABLE_LIMIT}]"),
]


@contextmanager
def portfolio_view(database: str | None) -> Iterator[PortfolioView]:
    """The ledger's view, caught up with its log (and its snapshot stored if worth it)."""
    with open_ledger(database, must_exist=True) as ledger:
        view = PortfolioView(ledger)
        caught = view.catch_up()
        behind = view.position - view.saved_position
        if behind >= max(SAVE_AFTER, view.position // 20):
            view.save()
        if caught.seconds >= 1.0:
            what = "built the read models from" if caught.rebuilt else "caught up"
            err.print(f"{what} {caught.events:,} events in {caught.seconds:.1f} s")
        yield view


def _about(state_or_kpi: str, as_of: date, known_at: datetime, scope: Scope) -> dict[str, Any]:
    return {
        "what": state_or_kpi,
        "scope": str(scope),
        "as_of": as_of.isoformat(),
        "known_at": known_at.astimezone(UTC).isoformat(),
    }


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"written to {output}")


def _csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    write_csv(frame_rows(frame), [str(c) for c in frame.columns], buffer)
    return buffer.getvalue()


def state(
    database: Database = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    perimeter: Perimeter = None,
    programme: Programme = None,
    project: Project = None,
    section: Annotated[
        list[str] | None,
        typer.Option(help=f"only this section, repeatable ({', '.join(SECTIONS)})"),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="output format")] = Format.TABLE,
    output: Output = None,
    limit: Limit = None,
) -> None:
    """The portfolio in force on a date as known at an instant: structure, envelopes,
    staffing, milestones, backlog, dependencies, outside demands, risks and actuals.

    The whole portfolio, or one perimeter, programme or project. A table per section on
    the terminal; JSON holds every section; CSV one section (or a directory of files).
    """
    with refusals():
        scope = scope_of(perimeter, programme, project)
        sections = list(dict.fromkeys(section or SECTIONS))
        unknown = [s for s in sections if s not in SECTIONS]
        if unknown:
            raise InvalidInput(
                "section", f"no section {unknown[0]!r}; there are {', '.join(SECTIONS)}"
            )
        if fmt is Format.CSV and len(sections) > 1 and (output is None or output.suffix):
            raise InvalidInput(
                "format",
                "a CSV holds one table: name one --section, or give --output a directory"
                " for one file per section",
            )
        moment = point(as_of, known_at)
        with portfolio_view(database) as view:
            result = view.state(*moment, scope, sections)
        _print_state(result, fmt, output, limit)


def _print_state(
    result: PortfolioState, fmt: Format, output: Path | None, limit: int | None
) -> None:
    about = _about("state", result.as_of, result.known_at, result.scope)
    if fmt is Format.JSON:
        document = {**about, "sections": {n: frame_rows(f) for n, f in result.sections.items()}}
        _emit(json.dumps(document, ensure_ascii=False, indent=1) + "\n", output)
    elif fmt is Format.CSV and len(result.sections) == 1:
        _emit(_csv_text(next(iter(result.sections.values()))), output)
    elif fmt is Format.CSV:
        assert output is not None  # checked before reading
        output.mkdir(parents=True, exist_ok=True)
        for name, frame in result.sections.items():
            (output / f"{name}.csv").write_text(_csv_text(frame), encoding="utf-8")
        err.print(f"{len(result.sections)} sections written to {output}/")
    else:
        out.print(
            f"[bold]{result.scope}[/] in force on {about['as_of']}, as known at"
            f" {about['known_at'][:19].replace('T', ' ')} UTC"
        )
        for name, frame in result.sections.items():
            print_table(out, frame_table(frame, name.replace("_", " "), _limit(limit)))


def _limit(limit: int | None) -> int:
    return TABLE_LIMIT if limit is None else limit


def kpi(
    name: Annotated[str | None, typer.Argument(help="the KPI (see --list)")] = None,
    list_kpis: Annotated[bool, typer.Option("--list", help="list the KPIs and exit")] = False,
    database: Database = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    perimeter: Perimeter = None,
    programme: Programme = None,
    project: Project = None,
    level: Annotated[
        str | None, typer.Option(help="rows per portfolio, perimeter, programme or project")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(help="capacity: resource, skill or perimeter; compliance: week or resource"),
    ] = None,
    fiscal_year: Annotated[int | None, typer.Option(help="budget and burn: the year")] = None,
    months: Annotated[int | None, typer.Option(help="capacity: how many months")] = None,
    start: Annotated[str | None, typer.Option(help="capacity: first month (a date in it)")] = None,
    weeks: Annotated[
        int | None, typer.Option(help="compliance: weeks back; maturity: weeks ahead")
    ] = None,
    grace_hours: Annotated[
        int | None, typer.Option(help="compliance: hours after the Monday deadline")
    ] = None,
    critical: Annotated[
        int | None, typer.Option(help="risk exposure: the score from which a risk is critical")
    ] = None,
    milestone: Annotated[str | None, typer.Option(help="milestone trend: one milestone")] = None,
    fmt: Annotated[KpiFormat, typer.Option("--format", help="output format")] = KpiFormat.TABLE,
    output: Annotated[Path | None, typer.Option(help="write to this file (xlsx needs one)")] = None,
    limit: Limit = None,
) -> None:
    """One KPI at a date as known at an instant, for the portfolio or a part of it.

    `pmo kpi --list` lists them; docs/kpis.md defines each and its thresholds.
    """
    with refusals():
        if list_kpis or name is None:
            _list_kpis()
            return
        kpi_def = find(name)
        given = {
            "level": level,
            "by": by,
            "fiscal_year": fiscal_year,
            "months": months,
            "start": day(start, "start"),
            "weeks": weeks,
            "grace_hours": grace_hours,
            "critical": critical,
            "milestone": milestone,
        }
        parameters: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if fmt is KpiFormat.XLSX and output is None:
            raise InvalidInput("output", "an xlsx workbook is written to a file: give --output")
        scope = scope_of(perimeter, programme, project)
        moment = point(as_of, known_at)
        with portfolio_view(database) as view:
            frame = compute(view, kpi_def.name, *moment, scope, **parameters)
        about = _about(f"kpi {kpi_def.name}", *moment, scope)
        about["parameters"] = {
            k: str(v) if isinstance(v, date) else v for k, v in parameters.items()
        }
        _print_kpi(kpi_def.name, frame, about, fmt, output, limit)


def _print_kpi(
    name: str,
    frame: pd.DataFrame,
    about: dict[str, Any],
    fmt: KpiFormat,
    output: Path | None,
    limit: int | None,
) -> None:
    if fmt is KpiFormat.JSON:
        document = {**about, "rows": frame_rows(frame)}
        _emit(json.dumps(document, ensure_ascii=False, indent=1) + "\n", output)
    elif fmt is KpiFormat.CSV:
        _emit(_csv_text(frame), output)
    elif fmt is KpiFormat.XLSX:
        assert output is not None
        texts = {
            k: v if isinstance(v, str) else json.dumps(v, default=str) for k, v in about.items()
        }
        write_xlsx({name: frame}, texts, output)
        err.print(f"written to {output}")
    else:
        when = str(about["known_at"])[:19].replace("T", " ")
        given = "".join(f", {k.replace('_', ' ')} {v}" for k, v in about["parameters"].items())
        out.print(
            f"[bold]{name}[/] — {about['scope']}{escape(given)}, in force on {about['as_of']},"
            f" as known at {when} UTC"
        )
        print_table(out, frame_table(frame, "", _limit(limit)))


def _list_kpis() -> None:
    table = Table(title="KPIs (pmo kpi NAME)", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("what it shows")
    table.add_column("parameters")
    for kpi_def in KPIS.values():
        options = ", ".join("--" + p.replace("_", "-") for p in kpi_def.parameters)
        table.add_row(kpi_def.name, kpi_def.summary, options)
    out.print(table)
