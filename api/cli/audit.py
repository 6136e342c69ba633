"""`pmo audit`: signed checkpoints of the ledger and the proof that its log is unaltered."""

from __future__ import annotations

import io
import json
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape

from api.cli.common import (
    EXIT_REFUSED,
    Database,
    err,
    open_ledger,
    out,
    refusals,
    render,
    write_csv,
)
from api.cli.common import Format as TableFormat
from api.cli.events import COLUMNS
from api.cli.read import portfolio_view
from api.export import write_xlsx
from api.queries import instant
from domain.errors import InvalidInput
from domain.integrity import (
    ChainedRecorder,
    Checkpoint,
    checkpoint,
    describe,
    key_path,
    load_key,
    public_hex,
    verify,
)
from domain.model import Programme
from projections.audit import Step, history
from projections.event_log import EventFilter, check_kinds

EXIT_ALTERED = 3

app = typer.Typer(
    help="Audit the ledger: signed checkpoints, and verification that the log is unaltered.",
    no_args_is_help=True,
)

KeyFile = Annotated[
    str | None,
    typer.Option(
        "--key",
        envvar="PMO_LEDGER_KEY",
        show_envvar=True,
        help="The ledger's Ed25519 signing key (PEM) [default: beside a SQLite ledger"
        " <file>.key, else ./pmo-ledger.key]",
    ),
]


def _recorder(ledger: Any) -> ChainedRecorder:
    recorder: ChainedRecorder = ledger.recorder
    return recorder


@app.command(name="checkpoint")
def make_checkpoint(
    database: Database = None,
    key: KeyFile = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the checkpoint there [default: stdout]"),
    ] = None,
) -> None:
    """Verify the log, then print a checkpoint of it signed with the ledger's key (created
    at the first checkpoint): its size, last position and head hash. Keep it outside the
    database; `pmo audit verify --checkpoint FILE` proves the log still extends it."""
    with refusals(), open_ledger(database, must_exist=True) as ledger:
        path = key_path(ledger.store, key)
        signing = load_key(path, create=True)
        assert signing is not None
        try:
            point = checkpoint(
                _recorder(ledger), signing, ledger=ledger.store.display, now=ledger.clock.now()
            )
        except ValueError as problem:
            err.print(f"[bold red]refused[/]: {escape(str(problem))}")
            raise typer.Exit(EXIT_ALTERED) from None
    if output is None:
        sys.stdout.write(point.to_json())
    else:
        output.write_text(point.to_json())
        out.print(
            f"checkpoint of {point.size} events (head {point.head[:16]}…) written to {output}"
        )


@app.command(name="verify")
def verify_log(
    database: Database = None,
    checkpoint_files: Annotated[
        list[Path] | None,
        typer.Option("--checkpoint", "-c", help="A checkpoint to check the log against"),
    ] = None,
    key: KeyFile = None,
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            help="The ledger's public key (hex, as in its checkpoints) the checkpoints must"
            " be signed with [default: the key file's, when there is one]",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Recompute the hash chain over the whole log and check it against the stored links
    and each checkpoint given. Exit 0 when everything agrees; 3, naming the first bad
    position, when an event was modified, deleted, moved or inserted, or the log was
    truncated or rewritten since a checkpoint."""
    points: list[tuple[str, Checkpoint]] = []
    for file in checkpoint_files or ():
        try:
            points.append((str(file), Checkpoint.from_json(file.read_text())))
        except (OSError, ValueError) as problem:
            err.print(f"[bold red]error[/]: {escape(str(file))}: {escape(str(problem))}")
            raise typer.Exit(EXIT_REFUSED) from None
    began = time.perf_counter()
    with refusals(), open_ledger(database, must_exist=True) as ledger:
        public = public_key.strip().lower() if public_key else None
        if public is None:
            signing = load_key(key_path(ledger.store, key), create=False)
            public = public_hex(signing) if signing is not None else None
        found = verify(_recorder(ledger), points, public_key=public)
    if points and public is None and not as_json:
        err.print(
            "note: no ledger key to check the checkpoints' signer against"
            " (give --public-key, or --key): only their own signatures were checked"
        )
    seconds = time.perf_counter() - began
    if as_json:
        sys.stdout.write(json.dumps({**describe(found), "seconds": round(seconds, 2)}) + "\n")
    elif found.intact:
        out.print(
            f"intact: {found.size} events, last position {found.position},"
            f" head {found.head.hex()}; {len(points)} checkpoint(s) hold ({seconds:.1f} s)"
        )
    else:
        for finding in found.problems:
            err.print(f"[bold red]altered[/]: {escape(finding)}")
    if not found.intact:
        raise typer.Exit(EXIT_ALTERED)


class HistoryFormat(Enum):
    """How `pmo audit history` writes the history."""

    TABLE = "table"
    CSV = "csv"
    JSONL = "jsonl"
    XLSX = "xlsx"


HISTORY_COLUMNS = (*COLUMNS, "moved")


@app.command(name="history")
def programme_history(
    programme: Annotated[str, typer.Argument(help="the programme")],
    database: Database = None,
    recorded_from: Annotated[
        str | None,
        typer.Option("--from", help="recorded at or after (date or ISO date-time, UTC)"),
    ] = None,
    recorded_to: Annotated[
        str | None, typer.Option("--to", help="recorded at or before (date or ISO date-time)")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="an area or event name, as for `pmo events`")
    ] = None,
    author: Annotated[str | None, typer.Option(help="only what this author recorded")] = None,
    fmt: Annotated[
        HistoryFormat, typer.Option("--format", help="output format")
    ] = HistoryFormat.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write to this file (xlsx needs one)")
    ] = None,
) -> None:
    """Replay a programme's history decision by decision: every event that touched it or
    its projects, in recorded order, with who, when, effective when, why, the decision and
    its forum; and for each decision what it moved (budgets, milestones, staffing, risks,
    backlog and the budget KPI), read off the state just before and just after it.

    The table shows the decisions; CSV and JSON Lines hold every event (a decision's
    moves on its row); XLSX a sheet of events and one of moves."""
    with refusals():
        criteria = EventFilter(
            programme=programme,
            kinds=tuple(kind or ()),
            author=author,
            recorded_from=instant(recorded_from, "from", end_of_day=False),
            recorded_to=instant(recorded_to, "to", end_of_day=True),
        )
        check_kinds(criteria.kinds)
        if fmt is HistoryFormat.XLSX and output is None:
            raise InvalidInput("output", "an xlsx workbook is written to a file: give --output")
        with portfolio_view(database) as view:
            view.ledger.load(Programme, programme)  # refuses an unknown programme
            steps = list(history(view.ledger, view, criteria))
    if fmt is HistoryFormat.TABLE:
        rows = [_decision_row(step) for step in steps if step.decision is not None]
        columns = ("recorded", "effective", "decision", "by", "forum", "why", "events", "moved")
        render(rows, columns, TableFormat.TABLE, title=f"History of {programme.upper()}")
    elif fmt is HistoryFormat.XLSX:
        assert output is not None
        events = pd.DataFrame([_event_row(s, e) for s in steps for e in s.events],
                              columns=list(HISTORY_COLUMNS))  # fmt: skip
        for column in ("details", "moved"):
            events[column] = events[column].map(lambda v: json.dumps(v, ensure_ascii=False))
        moved = pd.DataFrame(
            [{"decision": s.decision, **m.as_row()} for s in steps for m in s.moves],
            columns=["decision", "section", "subject", "field", "before", "after"],
        )
        write_xlsx({"events": events, "moves": moved}, {"programme": programme.upper()}, output)
        err.print(f"written to {output}")
    else:
        buffer = io.StringIO()
        rows = [_event_row(s, e) for s in steps for e in s.events]
        if fmt is HistoryFormat.CSV:
            write_csv(rows, HISTORY_COLUMNS, buffer)
        else:
            for row in rows:
                buffer.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        if output is None:
            sys.stdout.write(buffer.getvalue())
        else:
            output.write_text(buffer.getvalue(), encoding="utf-8")
            err.print(f"written to {output}")


def _event_row(step: Step, event: Any) -> dict[str, Any]:
    row: dict[str, Any] = event.as_row()
    first = event is step.events[0]
    row["moved"] = [m.as_row() for m in step.moves] if first else []
    return row


def _decision_row(step: Step) -> dict[str, Any]:
    first = step.events[0]
    return {
        "recorded": first.recorded_at.isoformat()[:16].replace("T", " "),
        "effective": max(e.effective_date for e in step.events).isoformat(),
        "decision": step.decision,
        "by": first.author,
        "forum": first.forum or "",
        "why": first.rationale,
        "events": ", ".join(e.kind for e in step.events if e.kind != "Taken"),
        "moved": "\n".join(str(m) for m in step.moves),
    }
