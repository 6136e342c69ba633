"""`pmo audit`: signed checkpoints of the ledger and the proof that its log is unaltered."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from api.cli.common import EXIT_REFUSED, Database, err, open_ledger, out, refusals
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
        signing = load_key(key_path(ledger.store, key), create=False)
        public = public_hex(signing) if signing is not None else None
        found = verify(_recorder(ledger), points, public_key=public)
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
