"""`pmo serve`: the HTTP API under uvicorn; `pmo token`: the API's bearer tokens."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer
import uvicorn
from rich.markup import escape

from api.cli.common import EXIT_REFUSED, Database, err, open_ledger, refusals
from api.security import Role, TokenStore
from api.settings import Settings
from domain.persistence import DATABASE_VARIABLE, database_setting

token_app = typer.Typer(
    help="Bearer tokens of the HTTP API (stored hashed in the ledger's database).",
    no_args_is_help=True,
)


def serve(
    database: Database = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="worker processes")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs and /openapi.json).

    Several workers share the ledger's database: on PostgreSQL they write concurrently
    (optimistic concurrency on every aggregate); on SQLite, writes are serialised by the
    file's lock (see README, "HTTP API").
    """
    with refusals():
        # Workers are separate processes: each builds its app from the same setting.
        os.environ[DATABASE_VARIABLE] = database_setting(database)
        try:  # a bad PMO_API_* value: said once here, not by every worker's traceback
            Settings.from_environment()
        except ValueError as problem:
            err.print(f"[bold red]error[/]: {escape(str(problem))}")
            raise typer.Exit(EXIT_REFUSED) from None
        with open_ledger(database):  # creates the tables once, before workers race for them
            pass
    uvicorn.run(
        "api.cli.serve:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


def app_from_environment() -> object:
    """The app of a uvicorn worker, from ``PMO_DATABASE`` and ``PMO_API_*``."""
    from api.app import create_app

    # The application's own messages (the states' warm-up) beside uvicorn's.
    own = logging.getLogger("pmo")
    if not own.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        own.addHandler(handler)
        own.setLevel(logging.INFO)

    return create_app(Settings.from_environment())


@token_app.command("create")
def create_token(
    role: Annotated[
        Role,
        typer.Option(
            help="pmo records decisions; manager reads and plans; auditor reads everything"
        ),
    ],
    principal: Annotated[
        str | None,
        typer.Option(help="who holds it: the author of what it records [default: ROLE-ID]"),
    ] = None,
    perimeter: Annotated[
        list[str] | None, typer.Option(help="limit the token to this perimeter (repeatable)")
    ] = None,
    database: Database = None,
) -> None:
    """Create a token and print it (it is shown once: only its hash is stored)."""
    with refusals(), open_ledger(database) as ledger:
        store = TokenStore(ledger)
        name = principal or f"{role.value}-token"
        issued = store.create(name, role, tuple(perimeter or ()))
    limited = ", ".join(issued.principal.perimeters) or "whole portfolio"
    typer.echo(issued.token)
    typer.echo(
        f"token {issued.principal.token_id}: {issued.principal.name}, role {role.value},"
        f" {limited} (shown once; only its hash is stored)",
        err=True,
    )


@token_app.command("list")
def list_tokens(database: Database = None) -> None:
    """The tokens (never their secrets): id, principal, role, perimeters, dates."""
    with refusals(), open_ledger(database, must_exist=True) as ledger:
        for row in TokenStore(ledger).list():
            typer.echo(
                f"{row['id']}  {row['principal']}  {row['role']}  {row['perimeters'] or '*'}"
                f"  created {row['created_at']}"
                + (f"  revoked {row['revoked_at']}" if row["revoked_at"] else "")
            )


@token_app.command("revoke")
def revoke_token(
    token_id: Annotated[str, typer.Argument(help="the token's id (8 hex digits)")],
    database: Database = None,
) -> None:
    """Revoke a token: it stops working at once, in every worker."""
    with refusals(), open_ledger(database, must_exist=True) as ledger:
        revoked = TokenStore(ledger).revoke(token_id)
    typer.echo(f"revoked {token_id}" if revoked else f"no live token {token_id}")
    if not revoked:
        raise typer.Exit(2)
