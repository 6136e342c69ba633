"""`pmo demo`: record a realistic portfolio's two fiscal years, then read it back."""

from __future__ import annotations

import shutil
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.common import EXIT_REFUSED, Database, err, open_ledger, out, refusals
from api.cli.frames import print_table
from api.demo.simulation import DemoNeedsEmptyLedger, DemoReport, run_demo, slices_for
from domain.persistence import DEFAULT_DATABASE, database_setting, resolve_store
from domain.values import calendar_date
from projections.summary import PortfolioSummary, SummaryFold, summarise


def demo(
    database: Database = None,
    scale: Annotated[
        int | None,
        typer.Option(
            min=1000,
            help="record about N events (a proportionally bigger portfolio), for benchmarks",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="seed of the simulation")] = 42,
    today: Annotated[
        str | None,
        typer.Option(help="simulate up to the day before this date [default: today]"),
    ] = None,
) -> None:
    """Record a seeded demo portfolio into a new ledger and print what it holds.

    Five perimeters, ten programmes, forty projects and thirty people, shared architects,
    a deployment PMO team and a group IT team, over the previous and the current fiscal
    year: timesheets, staffing changes, milestone shifts, monthly budget reviews,
    fortnightly steering committees, risks, and corrections recorded weeks late.
    """
    with refusals():
        day = calendar_date(today, "today") if today else date.today()
        store = resolve_store(database_setting(database))
        slices = slices_for(scale)
        # A benchmark-sized demo folds its summary from the events as they are saved;
        # decoding a million events again would double its time. The default demo
        # reads its events back from the store.
        fold = SummaryFold(day.year) if scale else None
        started = time.perf_counter()
        out.print(f"Recording the demo portfolio into [bold]{escape(store.display)}[/] …")
        try:
            report = _run_with_progress(database, day, seed, slices, fold)
        except DemoNeedsEmptyLedger as busy:
            err.print(f"[bold red]refused[/]: {escape(str(busy))}")
            raise typer.Exit(EXIT_REFUSED) from None
        recorded_in = time.perf_counter() - started
        if fold is None:
            with open_ledger(database) as ledger:
                summary = summarise(ledger, fiscal_year=day.year)
        else:
            summary = fold.summary
        read_in = time.perf_counter() - started - recorded_in
    _print_summary(report, summary, day.year, recorded_in, read_in if fold is None else None)
    _print_next_steps(database, summary, day.year)


def _run_with_progress(
    database: str | None, day: date, seed: int, slices: int, fold: SummaryFold | None
) -> DemoReport:
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("days  {task.fields[events]:>9,} events"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("simulating", total=1, events=0)

        def advance(done: int, total: int, events: int) -> None:
            bar.update(task, completed=done, total=total, events=events)

        return run_demo(
            database,
            today=day,
            seed=seed,
            slices=slices,
            progress=advance,
            on_saved=fold.add if fold is not None else None,
        )


def _thousands(value: Decimal) -> str:
    return f"{value / 1000:,.0f}"


def _print_summary(
    report: DemoReport,
    summary: PortfolioSummary,
    year: int,
    recorded_in: float,
    read_in: float | None,
) -> None:
    how = (
        f"read back {summary.events:,} events in {read_in:.1f} s"
        if read_in is not None
        else f"summary folded from the {summary.events:,} events as they were saved"
    )
    out.print(
        f"\nRecorded [bold]{report.events:,}[/] events ({report.start} to {report.end}) in"
        f" {recorded_in:.1f} s; {how}.\n"
    )
    kinds = Table(title="What the ledger holds", title_justify="left")
    for column in ("area", "events", "most frequent"):
        kinds.add_column(column, justify="right" if column == "events" else "left")
    for area, count in summary.by_area.most_common():
        top = ", ".join(f"{k} {n:,}" for k, n in summary.by_kind[area].most_common(3))
        kinds.add_row(area, f"{count:,}", top)
    out.print(kinds)

    budgets = Table(title=f"Budget FY{year} by perimeter (thousand EUR)", title_justify="left")
    for column in ("perimeter", "voted", "in", "out", "raised", "cut", "current", "reserve"):
        budgets.add_column(column, justify="left" if column == "perimeter" else "right")
    for line in sorted(summary.budgets.values(), key=lambda b: b.perimeter):
        budgets.add_row(
            line.perimeter,
            *(_thousands(v) for v in (line.voted, line.moved_in, line.moved_out, line.raised)),
            _thousands(line.cut),
            _thousands(line.current),
            _thousands(line.reserve),
        )
    out.print(budgets)

    slipped = Table(title="Milestones that slipped most", title_justify="left")
    for column in (
        "project",
        "milestone",
        "baseline",
        "forecast",
        "slip (days)",
        "shifts",
        "status",
    ):
        number = column in ("slip (days)", "shifts")
        # Codes and dates are never cut; on a narrow terminal the headers wrap instead.
        slipped.add_column(column, justify="right" if number else "left", no_wrap=not number)
    for m in summary.slipped_most():
        slipped.add_row(
            m.project, m.milestone, str(m.baseline), str(m.forecast),
            str(m.slip_days), str(m.shifts), m.status,
        )  # fmt: skip
    print_table(out, slipped)

    forums = ", ".join(f"{forum} {n:,}" for forum, n in summary.decisions_by_forum.most_common())
    out.print(f"Decisions by forum: {forums}.")
    out.print(
        f"Facts recorded two weeks or more after their effective date: {summary.recorded_late:,}"
        " (late timesheets and corrections, back-dated arbitrations, projects loaded after"
        " they started)."
    )
    refused = sum(report.refused.values())
    if refused:
        out.print(
            f"The ledger refused {refused} command(s) the simulated PMO tried, for example:\n  "
            + "\n  ".join(escape(e) for e in report.refusal_examples[:3])
        )


def _print_next_steps(database: str | None, summary: PortfolioSummary, year: int) -> None:
    setting = database_setting(database)
    store = "" if setting == DEFAULT_DATABASE else f" -d {setting}"
    lines = [
        f"pmo kpi rag{store}",
        f"pmo kpi budget{store} --level perimeter",
        f"pmo events{store} --kind budget --format csv > arbitrations.csv",
        f"pmo events{store} --kind Corrected --limit 20",
    ]
    slipping = summary.slipped_most(1, planned_only=True)
    if slipping:
        late = slipping[0]
        later = late.forecast + timedelta(weeks=4)
        lines[:0] = [
            f"pmo state{store} --project {late.project} --section milestones",
            f"pmo kpi milestone-trend{store} --project {late.project}",
            f"pmo events{store} --project {late.project} --kind milestone",
        ]
        lines.append(
            f"pmo record milestone shift{store} --project {late.project}"
            f" --milestone {late.milestone} --forecast {later}"
            " --rationale 'Vendor delay' --forum steering-committee"
        )
    richest = max(summary.budgets.values(), key=lambda b: b.reserve, default=None)
    if richest is not None and richest.reserve >= 10_000 and summary.funded.get(richest.perimeter):
        project = summary.funded[richest.perimeter][0]
        lines.append(
            f"pmo record budget transfer{store} --fiscal-year {year} --nature capex"
            f" --amount 10000 --from-reserve {richest.perimeter} --to-project {project}"
            " --rationale 'Acceleration requested by the sponsor'"
        )
    lines += [
        f"pmo plan{store} --time-limit 20",
        f"pmo scenario create 'What if'{store}",
        f"pmo audit checkpoint{store} --output ledger.checkpoint",
        f"pmo audit verify{store} --checkpoint ledger.checkpoint",
        f"pmo report evolution{store} --from {date.today() - timedelta(days=14)}"
        f" --to {date.today()} --format markdown",
        f"pmo token create{store} --role pmo   # then: pmo serve{store}",
        "  # and open http://127.0.0.1:8000/ (the dashboard: sign in with the token)",
    ]
    out.print("\n[bold]Next, try:[/]")
    for line in lines:
        out.print(f"  {line}", markup=False)
    if shutil.which("pmo") is None:
        where = Path(sys.argv[0]).resolve().parent
        out.print(
            f"(pmo is in {where}: `source {where}/activate` puts it on your PATH)", markup=False
        )
