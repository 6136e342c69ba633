"""`pmo plan`: run the planner; `pmo plan psplib FILE` solves a PSPLIB benchmark instance."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from api.cli.common import EXIT_REFUSED, err, out
from planner.problem import ProblemError
from planner.psplib import Instance, PsplibError, read_instance, to_problem
from planner.result import PlanResult
from planner.solve import solve

app = typer.Typer(
    help="Run the planner.",
    no_args_is_help=True,
)


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
