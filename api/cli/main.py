"""The `pmo` command: record decisions, read the log, the state and the KPIs, run the demo."""

from __future__ import annotations

import typer

from api.cli import audit, demo, events, plan, read, record, report, scenario, serve

app = typer.Typer(
    name="pmo",
    help=(
        "Portfolio Ledger: every PMO decision recorded as an event, on two time axes.\n\n"
        "The store is a SQLite file or a PostgreSQL URL, chosen by --database or PMO_DATABASE"
        " (default ./pmo-ledger.db)."
    ),
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(record.app, name="record")
app.add_typer(plan.app, name="plan")
app.add_typer(audit.app, name="audit")
app.add_typer(report.app, name="report")
app.add_typer(scenario.app, name="scenario")
app.command(name="events")(events.events)
app.command(name="demo")(demo.demo)
app.command(name="state")(read.state)
app.command(name="kpi")(read.kpi)
app.command(name="serve")(serve.serve)
app.add_typer(serve.token_app, name="token")


def run() -> None:
    """Console-script entry point."""
    app()
