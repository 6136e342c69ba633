"""`pmo scenario`: branches of the ledger to try hypotheses on before an arbitration."""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from typing import Annotated, Any

import typer
from rich.markup import escape

from api.cli.common import Database, current_author, err, open_ledger, out, refusals, render
from api.cli.common import Format as TableFormat
from api.cli.plan import Horizon, Rows, Seed, TimeLimit, Workers, print_report
from api.cli.read import portfolio_view
from api.cli.record import (
    _print_receipt,
    build_groups,
    command_parameters,
    raw_values,
    receipt_parameters,
)
from api.planning import PlanRequest, run_plan
from api.queries import instant
from api.scenario_report import amount, comparison_document, comparison_markdown, load_rows
from domain.commands import Command
from domain.errors import ScenarioConflict
from domain.scenarios import ScenarioBook
from domain.values import calendar_date
from projections.scenario import ScenarioView, World, compare
from projections.state import Scope
from projections.view import PortfolioView

app = typer.Typer(
    help=(
        "What-if scenarios: branches of the ledger holding hypothetical decisions, checked"
        " by the ledger's rules, never seen by the plan of record; promoted or abandoned."
    ),
    no_args_is_help=True,
)
add_app = typer.Typer(
    help="Add a hypothesis: any command `pmo record` takes, tried on the scenario's branch.",
    no_args_is_help=True,
)
app.add_typer(add_app, name="add")

Name = Annotated[str, typer.Argument(help="the scenario's name")]
Rationale = Annotated[str, typer.Option("--rationale", help="why")]


@contextmanager
def _book(database: str | None) -> Iterator[ScenarioBook]:
    with open_ledger(database, must_exist=True) as ledger:
        book = ScenarioBook(ledger)
        try:
            yield book
        finally:
            book.close()


@app.command(name="create")
def create(
    name: Name,
    database: Database = None,
    known_at: Annotated[
        str | None,
        typer.Option(help="branch the ledger as it was known then [default: now]"),
    ] = None,
    rationale: Annotated[str, typer.Option("--rationale", help="what the scenario tries")] = "",
) -> None:
    """Branch the ledger at its current position (or the last one recorded by KNOWN_AT):
    nothing is copied, the branch reads the ledger as it was there."""
    with refusals(), _book(database) as book:
        moment = instant(known_at, "known_at", end_of_day=True)
        scenario = book.create(name, author=current_author(), known_at=moment, rationale=rationale)
    out.print(
        f"[green]created[/] scenario {escape(scenario.name)} at position {scenario.position}"
        f" (the ledger as known at {scenario.branch_at.isoformat()})"
    )


def _make_add(command: type[Command]) -> Callable[..., None]:
    def run(**options: Any) -> None:
        name = options.pop("scenario_name")
        database = options.pop("database")
        as_json = options.pop("json")
        fields = raw_values(command, options)
        hypothesis = {"area": command.area, "action": command.action, "fields": fields}
        with refusals(), _book(database) as book:
            receipt = book.add(name, hypothesis, author=current_author())
        if as_json:
            _print_receipt(receipt, as_json)
            return
        out.print(
            f"[green]hypothesis added[/] to scenario {escape(name)}: {escape(receipt.summary)}"
            f" (effective {receipt.effective_date}; tried on the branch, not recorded in the"
            " ledger)"
        )

    parameters = [
        inspect.Parameter(  # commands have fields called "name"
            "scenario_name",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[str, typer.Argument(metavar="SCENARIO", help="the scenario")],
        ),
        *command_parameters(command),
        *receipt_parameters(),
    ]
    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__doc__ = inspect.getdoc(command)
    run.__name__ = f"add_{command.area}_{command.action}".replace("-", "_")
    return run


build_groups(add_app, _make_add)


@app.command(name="list")
def list_scenarios(database: Database = None) -> None:
    """Every scenario: its branch position, status and hypotheses."""
    with refusals(), _book(database) as book:
        rows = [
            {
                "scenario": s.name,
                "status": s.status,
                "position": s.position,
                "branched at": s.branch_at.isoformat()[:19],
                "by": s.author,
                "hypotheses": len(s.hypotheses),
            }
            for s in (book.get(n) for n in book.names())
        ]
    columns = ("scenario", "status", "position", "branched at", "by", "hypotheses")
    render(rows, columns, TableFormat.TABLE, title="Scenarios")


@app.command(name="show")
def show(name: Name, database: Database = None) -> None:
    """A scenario's branch and its hypotheses, in order, replayed on the branch."""
    with refusals(), _book(database) as book:
        scenario = book.get(name)
        _, receipts = book.branch(scenario)
        conflicts = book.conflicts(scenario) if scenario.status == "open" else []
    out.print(
        f"Scenario {escape(scenario.name)} ({scenario.status}), branched at position"
        f" {scenario.position} by {escape(scenario.author)}"
        + (f"; promoted as {scenario.decision}" if scenario.decision else "")
        + (f": {escape(scenario.rationale)}" if getattr(scenario, "rationale", "") else "")
    )
    rows = [
        {
            "#": number,
            "hypothesis": f"{h['area']} {h['action']}",
            "by": h["author"],
            "what": receipt.summary,
            "effective": receipt.effective_date.isoformat(),
            "why": h["fields"].get("rationale", ""),
        }
        for number, (h, receipt) in enumerate(zip(scenario.hypotheses, receipts, strict=True), 1)
    ]
    render(rows, ("#", "hypothesis", "by", "what", "effective", "why"), TableFormat.TABLE,
           title="Hypotheses")  # fmt: skip
    for conflict in conflicts:
        err.print(f"[yellow]changed since the branch[/]: {escape(conflict)}")


@app.command(name="promote")
def promote(name: Name, rationale: Rationale, database: Database = None) -> None:
    """Record the scenario's hypotheses in the ledger for real, atomically, under one
    decision naming the scenario; refused, listing the conflicts, when the ledger changed
    what they touch since the branch (rebase first)."""
    with refusals(), _book(database) as book:
        try:
            decision = book.promote(name, author=current_author(), rationale=rationale)
        except ScenarioConflict as conflict:
            for line in conflict.conflicts:
                err.print(f"[bold red]conflict[/]: {escape(line)}")
            raise
    out.print(f"[green]promoted[/] scenario {escape(name)} as decision {decision}")


@app.command(name="rebase")
def rebase(name: Name, database: Database = None) -> None:
    """Move the branch to the ledger's current position, if every hypothesis still holds
    there (each is checked again); otherwise change nothing and list the refusals."""
    with refusals(), _book(database) as book:
        refused = book.rebase(name, author=current_author())
        position = book.get(name).position
    if refused:
        for line in refused:
            err.print(f"[bold red]refused[/]: {escape(line)}")
        raise typer.Exit(2)
    out.print(f"[green]rebased[/] scenario {escape(name)} on position {position}")


@app.command(name="abandon")
def abandon(name: Name, rationale: Rationale, database: Database = None) -> None:
    """Close the scenario without recording its hypotheses (it stays recorded)."""
    with refusals(), _book(database) as book:
        book.abandon(name, author=current_author(), reason=rationale)
    out.print(f"[green]abandoned[/] scenario {escape(name)}")


class CompareFormat(Enum):
    """How `pmo scenario compare` writes the comparison."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


@app.command(name="compare")
def compare_scenario(
    name: Name,
    other: Annotated[
        str | None, typer.Option("--with", help="another scenario [default: the plan of record]")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="the date compared [default: today]")] = None,
    programme: Annotated[str | None, typer.Option(help="one programme")] = None,
    months: Annotated[
        int, typer.Option(min=1, max=36, help="months of capacity load compared")
    ] = 3,
    database: Database = None,
    fmt: Annotated[
        CompareFormat, typer.Option("--format", help="output format")
    ] = CompareFormat.TABLE,
) -> None:
    """The scenario beside the plan of record (or another scenario): headline KPIs
    (budget, milestones, risks, RAG), the milestones whose forecast or status differ,
    the projects whose envelope or forecast at completion differ, and the capacity load
    per skill and perimeter over MONTHS months from the date compared."""
    with refusals(), portfolio_view(database) as view:
        book = ScenarioBook(view.ledger)
        try:
            right = _world(book, view, name)
            left = (
                _world(book, view, other)
                if other
                else World("plan of record", view, view.ledger.clock.now())
            )
            day = calendar_date(as_of, "as_of") if as_of else date.today()
            scope = Scope("programme", programme) if programme else Scope()
            found = compare(left, right, day, scope, months=months)
            book.record_evaluation(
                name,
                author=current_author(),
                what=f"compare with {left.name}",
                summary={"as_of": day.isoformat(), "scope": str(scope), "kpis": found.figures},
            )
        finally:
            book.close()
    if fmt is CompareFormat.JSON:
        sys.stdout.write(json.dumps(comparison_document(found), ensure_ascii=False, indent=1))
        sys.stdout.write("\n")
    elif fmt is CompareFormat.MARKDOWN:
        sys.stdout.write(comparison_markdown(found))
    else:
        columns = ("kpi", "measure", found.left, found.right, "delta")
        render(_figures(found.figures), columns, TableFormat.TABLE, title="KPIs")
        for title, rows in (("Milestones that differ", found.milestones),
                            ("Budgets that differ", found.budgets)):  # fmt: skip
            keys = list(rows[0]) if rows else ["(none)"]
            render(_figures(rows), keys, TableFormat.TABLE, title=f"{title} ({len(rows)})")
        load = load_rows(found)
        keys = list(load[0]) if load else ["(none)"]
        render(load, keys, TableFormat.TABLE, title=f"Capacity load over {months} months")


def _figures(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with their amounts written as a reader expects (11,080,000; 36,462.5)."""
    return [{k: amount(v) if isinstance(v, float) else v for k, v in row.items()} for row in rows]


def _world(book: ScenarioBook, view: PortfolioView, name: str) -> World:
    scenario = book.get(name)
    world, _ = book.branch(scenario)
    source = ScenarioView(view, world)
    return World(scenario.name, source, source.known_at)


@app.command(name="plan")
def plan_scenario(
    name: Name,
    programme: Annotated[str | None, typer.Option(help="plan this programme only")] = None,
    as_of: Annotated[
        str | None,
        typer.Option(help="first week planned (a date in it) [default: the branch's day]"),
    ] = None,
    horizon: Horizon = 26,
    time_limit: TimeLimit = 30.0,
    workers: Workers = 2,
    seed: Seed = 0,
    fmt: Annotated[TableFormat, typer.Option("--format", help="output format")] = TableFormat.TABLE,
    limit: Rows = 25,
    database: Database = None,
) -> None:
    """Run the planner on the scenario's world, with the same code as `pmo plan`: the
    milestones before (nobody moves) and after, the staffing changes, cost against
    budget. Nothing is recorded in the ledger; the run is kept with the scenario."""
    with refusals(), portfolio_view(database) as view:
        book = ScenarioBook(view.ledger)
        try:
            scenario = book.get(name)
            world, _ = book.branch(scenario)
            source = ScenarioView(view, world)
            request = PlanRequest(
                as_of=calendar_date(as_of, "as_of") if as_of else source.today,
                known_at=source.known_at,
                programme=programme.strip() if programme else None,
                horizon=horizon,
                time_limit_s=time_limit,
                workers=workers,
                seed=seed,
            )
            run = run_plan(source, request, known_at=source.known_at)
            book.record_evaluation(
                name,
                author=current_author(),
                what="plan",
                summary={"settings": request.settings(), "levels": run.report["levels"]},
            )
        finally:
            book.close()
    print_report(
        report=run.report,
        changes=run.changes,
        fmt=fmt,
        limit=limit,
        heading=f"Plan of scenario {scenario.name} (not recorded in the ledger)",
        key={"scenario": scenario.name},
        footer="Promote the scenario first to plan on the ledger (pmo plan).",
    )
