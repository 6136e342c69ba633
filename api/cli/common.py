"""What every `pmo` command shares: the store option, the author, output and refusals."""

from __future__ import annotations

import csv
import getpass
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from domain.errors import DomainError
from domain.ledger import BatchAborted, Ledger
from domain.persistence import (
    DATABASE_VARIABLE,
    DEFAULT_DATABASE,
    StoreConfigurationError,
    database_setting,
    resolve_store,
)

EXIT_REFUSED = 2
EXIT_STORE = 1

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

Database = Annotated[
    str | None,
    typer.Option(
        "--database",
        "-d",
        envvar=DATABASE_VARIABLE,
        show_envvar=True,
        help=f"SQLite file or postgresql:// URL of the ledger [default: {DEFAULT_DATABASE}]",
    ),
]


class Format(Enum):
    """How a command prints what it read."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def current_author() -> str:
    """The principal issuing commands from this shell: ``PMO_AUTHOR`` or the login name."""
    return os.environ.get("PMO_AUTHOR") or getpass.getuser()


@contextmanager
def refusals() -> Iterator[None]:
    """Turn refusals and store problems into one readable line and an exit code."""
    try:
        yield
    except DomainError as refusal:
        err.print(f"[bold red]refused[/]: {escape(str(refusal))}")
        raise typer.Exit(EXIT_REFUSED) from None
    except StoreConfigurationError as problem:
        err.print(f"[bold red]error[/]: {escape(str(problem))}")
        raise typer.Exit(EXIT_REFUSED) from None
    except (PersistenceError, BatchAborted) as problem:
        first_line = str(problem).strip().splitlines()[0] if str(problem).strip() else ""
        err.print(f"[bold red]store unavailable[/]: {type(problem).__name__}: {escape(first_line)}")
        raise typer.Exit(EXIT_STORE) from None


class NoLedgerHere(StoreConfigurationError):
    """A read command was pointed at a SQLite file that does not exist."""


@contextmanager
def open_ledger(database: str | None, *, must_exist: bool = False) -> Iterator[Ledger]:
    """A ledger on the chosen store, closed afterwards.

    Reading commands pass ``must_exist`` so a mistyped SQLite path is reported instead
    of silently creating an empty ledger there.
    """
    store = resolve_store(database_setting(database))
    if must_exist and not store.is_postgres and not Path(store.display).exists():
        raise NoLedgerHere(
            f"there is no ledger at {store.display} (run `pmo demo`, or record something first)"
        )
    ledger = Ledger(database)
    try:
        yield ledger
    finally:
        ledger.close()


def render(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str],
    fmt: Format,
    title: str,
    styles: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Print rows as a table, a JSON array or CSV; ``styles`` tunes table columns."""
    if fmt is Format.JSON:
        write_json(rows)
    elif fmt is Format.CSV:
        write_csv(rows, columns)
    else:
        expand = any("ratio" in style for style in (styles or {}).values())
        table = Table(title=title, title_justify="left", expand=expand)
        for column in columns:
            style = {"overflow": "fold", **(styles or {}).get(column, {})}
            table.add_column(column.replace("_", " "), **style)
        for row in rows:
            # Cells are data, never markup: text with brackets shows as typed.
            table.add_row(*(Text(_cell(row.get(c))) for c in columns))
        out.print(table)


def write_json(rows: Iterable[dict[str, Any]]) -> None:
    """Stream rows as one JSON array."""
    sys.stdout.write("[")
    for i, row in enumerate(rows):
        sys.stdout.write(("," if i else "") + "\n  " + json.dumps(row, ensure_ascii=False))
    sys.stdout.write("\n]\n")


def write_csv(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], stream: TextIO | None = None
) -> None:
    """Stream rows as CSV with a header (to standard output by default); nested values
    are written as JSON."""
    target = sys.stdout if stream is None else stream
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _csv_cell(row.get(c)) for c in columns})
        target.write(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    target.write(buffer.getvalue())


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return str(value)
