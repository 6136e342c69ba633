"""`pmo plan`: the planner on the ledger, recorded as a proposal; `pmo plan accept|reject`;
`pmo plan psplib FILE` solves a PSPLIB benchmark instance."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from api.cli.common import (
    EXIT_REFUSED,
    Database,
    Format,
    current_author,
    err,
    open_ledger,
    out,
    refusals,
    write_csv,
)
from api.cli.read import portfolio_view
from api.planning import PlanRequest, Progress, Proposal, propose, rows_of
from api.planning import accept as accept_proposal
from api.planning import reject as reject_proposal
from api.queries import day, instant
from api.scenario_report import amount
from domain.values import StaffingChanges
from planner.problem import ProblemError
from planner.psplib import Instance, PsplibError, read_instance, to_problem
from planner.result import PlanResult
from planner.solve import solve

app = typer.Typer(
    help=(
        "Run the planner on the ledger: a proposal of staffing changes that holds the"
        " milestones, recorded; then accept or reject it."
    ),
    invoke_without_command=True,
)


# The solver's options, shared with `pmo scenario plan`.
Horizon = Annotated[int, typer.Option(min=1, max=156, help="weeks planned")]
TimeLimit = Annotated[
    float, typer.Option("--time-limit", min=0.5, max=3600, help="seconds the solver may take")
]
Workers = Annotated[int, typer.Option(min=1, max=64, help="solver threads")]
Seed = Annotated[int, typer.Option(help="solver random seed")]
Rows = Annotated[int, typer.Option(min=0, help="rows per table")]


@app.callback()
def plan(
    ctx: typer.Context,
    database: Database = None,
    programme: Annotated[str | None, typer.Option(help="plan this programme only")] = None,
    as_of: Annotated[
        str | None,
        typer.Option(help="the plan starts the week of this date (YYYY-MM-DD) [default: today]"),
    ] = None,
    known_at: Annotated[
        str | None,
        typer.Option(
            help="plan on what the ledger knew at this instant (ISO date-time; a date means"
            " the end of that day) [default: now]"
        ),
    ] = None,
    horizon: Horizon = 26,
    time_limit: TimeLimit = 30.0,
    workers: Workers = 2,
    seed: Seed = 0,
    fmt: Annotated[Format, typer.Option("--format", help="output format")] = Format.TABLE,
    limit: Rows = 25,
) -> None:
    """Propose the staffing that holds the milestones (whole portfolio or one programme).

    Plans week by week from --as-of over --horizon weeks, on what the ledger knew at
    --known-at, records the run as a proposal and prints it: milestones before (nobody
    moves) and after, staffing changes by resource and week, cost against budget, and for
    each milestone that still cannot hold, the extra capacity that would hold it. Accept
    it with `pmo plan accept CODE --rationale …`, or reject it.
    """
    if ctx.invoked_subcommand is not None:
        return
    with refusals():
        request = PlanRequest(
            as_of=day(as_of, "as_of") or date.today(),
            known_at=instant(known_at, "known_at", end_of_day=True),
            programme=programme.strip() if programme else None,
            horizon=horizon,
            time_limit_s=time_limit,
            workers=workers,
            seed=seed,
        )
        with portfolio_view(database) as view, _progress() as report:
            proposal = propose(view, request, author=current_author(), progress=report)
        _print_proposal(proposal, fmt, limit)


@contextmanager
def _progress() -> Iterator[Progress]:
    """Progress of a long solve on stderr (the levels, then the explanation)."""
    with err.status("planning…") as status:

        def report(step: str, seconds: float) -> None:
            status.update(f"planning: {step} ({seconds:.0f} s)")

        yield report


def _print_proposal(proposal: Proposal, fmt: Format, limit: int) -> None:
    print_report(
        report=proposal.report,
        changes=proposal.changes,
        fmt=fmt,
        limit=limit,
        heading=f"Plan proposal {proposal.code}",
        key={"proposal": proposal.code},
        footer=(
            f"Accept: pmo plan accept {proposal.code} --rationale '…'   "
            f"Reject: pmo plan reject {proposal.code} --rationale '…'"
        ),
    )


def print_report(
    *,
    report: dict[str, Any],
    changes: StaffingChanges,
    fmt: Format,
    limit: int,
    heading: str,
    key: dict[str, str],
    footer: str,
) -> None:
    """A planner run's report as tables, JSON or CSV (``pmo plan``, ``pmo scenario plan``)."""
    if fmt is Format.JSON:
        document = {**key, **report, "staffing_changes": list(rows_of(changes))}
        out.print_json(json.dumps(document))
        return
    if fmt is Format.CSV:
        write_csv(rows_of(changes), ["resource", "project", "week", "before", "after"])
        return
    size = report["size"]
    out.print(
        f"[bold]{escape(heading)}[/] ({report['status']}, {report['runtime_s']} s):"
        f" {size['projects']} projects, {size['work_packages']} work packages,"
        f" {size['milestones']} milestones, {size['resources']} resources,"
        f" weeks {report['weeks'][0]} .. {report['weeks'][1]}"
    )
    if not report["milestones"] and report["status"] in ("infeasible", "unknown"):
        out.print(f"[bold red]no plan[/]: the solver's verdict is {report['status']}")
    _table(
        "Milestones: week the work ends (weeks late) — before: nobody moves; after: the plan",
        ["project", "milestone", "prio", "due", "before", "after"],
        [
            {
                "project": m["project"],
                "milestone": m["milestone"],
                "prio": m["priority"],
                "due": m["due_week"],
                "before": _ends(m["before_week"], m["before_late_weeks"]),
                "after": _ends(m["after_week"], m["after_late_weeks"]),
            }
            for m in sorted(
                report["milestones"], key=lambda m: (-m["after_late_weeks"], m["priority"])
            )
        ],
        limit,
    )
    _table(
        "Staffing changes (person-days per week)",
        ["resource", "project", "week", "before", "after"],
        list(rows_of(changes)),
        limit,
    )
    _table(
        "Cost against budget (EUR, over the horizon)",
        ["project", "cost_eur", "budget_eur", "overrun_eur"],
        sorted(report["costs"], key=lambda c: (-c["overrun_eur"], c["project"])),
        limit,
    )
    if report["extra_capacity"]:
        _table(
            "Extra capacity that would hold the late milestones (person-days)",
            ["milestone", "skill", "week", "days"],
            report["extra_capacity"],
            limit,
        )
    binding = report["binding"]
    if binding["by_kind"]:
        kinds = ", ".join(f"{kind} {count}" for kind, count in binding["by_kind"].items())
        out.print(f"Binding constraints: {kinds}.")
        if binding["resources_full_weeks"]:
            full = ", ".join(f"{r} ({n} wk)" for r, n in binding["resources_full_weeks"].items())
            out.print(f"Resources full most often: {full}.")
    for note in report["notes"]:
        out.print(f"note: {escape(note)}")
    out.print(footer)


def _ends(week: str | None, late: int | None) -> str | None:
    """``2027-W03`` when on time, ``2027-W05 (+2)`` when late, None when not known."""
    if week is None or late is None:
        return None
    return week if late == 0 else f"{week} (+{late})"


def _text(value: Any) -> str:
    """A cell: figures as a reader expects them (19,500, 36,462.50, 5), – for none."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return amount(value)
    return str(value)


def _table(title: str, columns: list[str], rows: list[dict[str, Any]], limit: int) -> None:
    if not rows:
        out.print(f"{title}: none")
        return
    table = Table(title=title, title_justify="left")
    shown = rows[:limit]
    for column in columns:
        numeric = all(isinstance(r.get(column), int | float | None) for r in shown)
        table.add_column(column.replace("_", " "), justify="right" if numeric else "left")
    for row in shown:
        table.add_row(*(_text(row.get(c)) for c in columns))
    out.print(table)
    if len(rows) > limit:
        out.print(f"… {len(rows) - limit} more (--limit, or --format json / csv)")


Rationale = Annotated[str, typer.Option(help="why (required)")]
Code = Annotated[str, typer.Argument(help="the proposal's code, e.g. PLAN-1A2B3C4D")]
Forum = Annotated[
    str | None, typer.Option(help="forum where the decision was taken [default: weekly]")
]


@app.command()
def accept(
    code: Code, rationale: Rationale = "", forum: Forum = None, database: Database = None
) -> None:
    """Accept a proposal: its staffing changes are recorded under one decision, each
    naming the proposal. Refused if the staffing changed since the plan was made."""
    with refusals(), open_ledger(database, must_exist=True) as ledger:
        receipt = accept_proposal(ledger, code, rationale, author=current_author(),
                                  forum=forum)  # fmt: skip
        staffed = sum(1 for e in receipt.events if e.kind == "StaffingSet")
        out.print(
            f"accepted {code}: decision {receipt.decision}, {staffed} staffing change(s)"
            f" recorded ({len(receipt.events)} events)"
        )


@app.command()
def reject(
    code: Code, rationale: Rationale = "", forum: Forum = None, database: Database = None
) -> None:
    """Reject a proposal, with the reason."""
    with refusals(), open_ledger(database, must_exist=True) as ledger:
        receipt = reject_proposal(ledger, code, rationale, author=current_author(),
                                  forum=forum)  # fmt: skip
        out.print(f"rejected {code}: decision {receipt.decision}")


@app.command()
def psplib(
    file: Annotated[
        Path,
        typer.Argument(
            help="a single-mode PSPLIB instance (.sm), or one inside a set's zip named as"
            " if the archive were a folder: …/j30.sm.zip/j301_1.sm",
            show_default=False,
        ),
    ],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.0, help="seconds the solver may take")
    ] = 10.0,
    workers: Annotated[int, typer.Option(min=1, help="solver threads")] = 2,
    seed: Annotated[int, typer.Option(help="solver random seed")] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="print one JSON object instead of a table")
    ] = False,
) -> None:
    """Solve a PSPLIB instance to its minimum makespan.

    Prints the solver's status, the makespan found, the lower bound it proved and, with
    --json, every job's start period (jobs by their number, dummies included).
    """
    instance = _read(file)
    result = solve(
        to_problem(instance), time_limit_s=time_limit, workers=workers, seed=seed, explain=False
    )
    summary = _summary(instance, result)
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        _print_table(summary)


def _read(file: Path) -> Instance:
    """The instance, or one line on stderr and exit 2."""
    try:
        instance = read_instance(file)
        to_problem(instance)  # checks what the file states (a cycle, say) before solving
    except (OSError, zipfile.BadZipFile, PsplibError, ProblemError) as problem:
        # The OS's own errors do not name the file; the planner's do.
        reason = (
            f"{file}: {problem.strerror}"
            if isinstance(problem, OSError) and problem.strerror
            else str(problem)
        )
        err.print(f"[bold red]refused[/]: {escape(reason)}")
        raise typer.Exit(EXIT_REFUSED) from None
    return instance


def _summary(instance: Instance, result: PlanResult) -> dict[str, Any]:
    """What the run found, as printed with --json."""
    lateness = result.level("lateness")
    planned = result.has_plan
    return {
        "instance": instance.name,
        "status": result.status.value,
        # The milestone is due before period 0: its lateness is the makespan.
        "makespan": max(p.finish + 1 for p in result.placements) if planned else None,
        "lower_bound": lateness.bound if lateness is not None and planned else None,
        "starts": {p.code: p.start for p in result.placements} if planned else {},
        "runtime_s": round(result.runtime_s, 3),
    }


def _print_table(summary: dict[str, Any]) -> None:
    table = Table(title=f"PSPLIB {summary['instance']}", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for label, key in (
        ("status", "status"),
        ("makespan", "makespan"),
        ("lower bound", "lower_bound"),
        ("jobs placed", "starts"),
        ("runtime (s)", "runtime_s"),
    ):
        value = summary[key]
        shown = len(value) if isinstance(value, dict) else ("–" if value is None else value)
        table.add_row(label, str(shown))
    out.print(table)
