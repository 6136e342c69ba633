"""`pmo report evolution`: what changed between two instants, for a steering committee."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.common import Format, err, out, refusals, render
from api.cli.read import portfolio_view
from api.queries import instant
from domain.errors import InvalidInput
from domain.model import Programme
from projections.event_log import EventRecord
from projections.evolution import Evolution, evolution

app = typer.Typer(help="Reports for the PMO's committees.", no_args_is_help=True)


class ReportFormat(Enum):
    """How a report is written."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


@app.command(name="evolution")
def evolution_report(
    start: Annotated[
        str, typer.Option("--from", help="the start: a date (its first instant) or date-time")
    ],
    end: Annotated[
        str, typer.Option("--to", help="the end: a date (its last instant) or date-time")
    ],
    programme: Annotated[str | None, typer.Option(help="one programme")] = None,
    database: Annotated[
        str | None,
        typer.Option("--database", "-d", envvar="PMO_DATABASE", help="SQLite file or URL"),
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="output format")
    ] = ReportFormat.TABLE,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write there")] = None,
) -> None:
    """What changed between two instants, the IT steering committee's fortnightly view:
    decisions taken, budgets moved, milestones shifted with their reasons, risks raised,
    escalated or closed, and the headline KPIs at both instants as they were known then,
    with their deltas; a figure the ledger has corrected since is flagged."""
    with refusals():
        first = instant(start, "from", end_of_day=False)
        last = instant(end, "to", end_of_day=True)
        assert first is not None
        assert last is not None
        if last <= first:
            raise InvalidInput("to", "the end of the period must come after its start")
        with portfolio_view(database) as view:
            if programme is not None:
                view.ledger.load(Programme, programme)  # refuses an unknown programme
            found = evolution(view.ledger, view, first, last, programme, now=datetime.now(UTC))
    if fmt is ReportFormat.JSON:
        _emit(json.dumps(as_document(found), ensure_ascii=False, indent=1) + "\n", output)
    elif fmt is ReportFormat.MARKDOWN:
        _emit(markdown(found), output)
    else:
        _tables(found)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"written to {output}")


def _event(record: EventRecord) -> dict[str, Any]:
    return {
        "recorded_at": record.recorded_at.isoformat(),
        "effective_date": record.effective_date.isoformat(),
        "kind": record.kind,
        "subject": record.subject,
        "details": record.details,
        "author": record.author,
        "decision": record.decision,
        "forum": record.forum,
        "rationale": record.rationale,
    }


def as_document(found: Evolution) -> dict[str, Any]:
    """The report as plain data."""
    return {
        "from": found.start.isoformat(),
        "to": found.end.isoformat(),
        "scope": str(found.scope),
        "decisions": [
            {
                "decision": step.decision,
                "recorded_at": step.events[0].recorded_at.isoformat(),
                "author": step.events[0].author,
                "forum": step.events[0].forum,
                "rationale": step.events[0].rationale,
                "events": [e.kind for e in step.events if e.kind != "Taken"],
                "moved": [m.as_row() for m in step.moves],
            }
            for step in found.decisions
        ],
        "budgets": [_event(e) for e in found.budgets],
        "milestones": [_event(e) for e in found.milestones],
        "risks": [_event(e) for e in found.risks],
        "kpis": [f.as_row() for f in found.figures],
    }


def _what(record: EventRecord) -> str:
    return ", ".join(f"{k}={v}" for k, v in record.details.items() if k != "code")


def _event_row(record: EventRecord) -> dict[str, Any]:
    return {
        "effective": record.effective_date.isoformat(),
        "event": record.kind,
        "subject": record.subject,
        "what": _what(record),
        "why": record.rationale,
    }


def _tables(found: Evolution) -> None:
    document = as_document(found)
    out.print(f"Evolution of {document['scope']} from {document['from']} to {document['to']}")
    decisions = [
        {
            "recorded": d["recorded_at"][:16].replace("T", " "),
            "decision": d["decision"],
            "by": d["author"],
            "forum": d["forum"] or "",
            "why": d["rationale"],
            "moved": "\n".join(
                f"{m['section']} {m['subject']} {m['field']}: {m['before']} → {m['after']}"
                for m in d["moved"]
            ),
        }
        for d in document["decisions"]
    ]
    render(decisions, ("recorded", "decision", "by", "forum", "why", "moved"), Format.TABLE,
           title=f"Decisions taken ({len(decisions)})")  # fmt: skip
    for title, records in (
        ("Budgets moved", found.budgets),
        ("Milestones", found.milestones),
        ("Risks", found.risks),
    ):
        rows = [_event_row(r) for r in records]
        render(rows, ("effective", "event", "subject", "what", "why"), Format.TABLE,
               title=f"{title} ({len(rows)})")  # fmt: skip
    render(document["kpis"], ("kpi", "measure", "start", "end", "delta", "corrected"),
           Format.TABLE, title="KPIs as known at each instant")  # fmt: skip


def markdown(found: Evolution) -> str:
    """The report as one page of Markdown, to paste into a committee pack."""
    document = as_document(found)
    lines = [
        f"# Evolution of {document['scope']}",
        "",
        f"From {document['from']} to {document['to']}; figures as known at each instant.",
        "",
        "## KPIs",
        "",
        "| KPI | measure | from | to | change | corrected since |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for row in document["kpis"]:
        lines.append(
            f"| {row['kpi']} | {row['measure']} | {row['start']:,} | {row['end']:,} |"
            f" {row['delta']:+,} | {row['corrected']} |"
        )
    lines += ["", f"## Decisions taken ({len(document['decisions'])})", ""]
    for d in document["decisions"]:
        forum = f", {d['forum']}" if d["forum"] else ""
        why = f": {d['rationale']}" if d["rationale"] else ""
        lines.append(f"- **{d['decision']}** ({d['recorded_at'][:10]}, {d['author']}{forum}){why}")
        lines += [
            f"  - {m['section']} {m['subject']} {m['field']}: {m['before']} → {m['after']}"
            for m in d["moved"]
        ]
    for title, records in (
        ("Budgets moved", found.budgets),
        ("Milestones", found.milestones),
        ("Risks", found.risks),
    ):
        lines += ["", f"## {title} ({len(records)})", ""]
        lines += [
            f"- {r.effective_date.isoformat()} {r.kind} {r.subject}: {_what(r)}"
            + (f" — {r.rationale}" if r.rationale else "")
            for r in records
        ]
    return "\n".join(lines) + "\n"
