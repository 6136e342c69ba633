"""The audit face: a programme's history decision by decision, the evolution report
between two instants, and the verification of the log's hash chain.

History and evolution are read by every role (a manager steers with them); verifying
the log recomputes the hash chain over every event, an auditor's proof that only
``auditor`` and ``pmo`` may ask for.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.cli.common import write_csv
from api.cli.events import COLUMNS
from api.cli.report import as_document, markdown
from api.deps import Auditor, Reader, ServicesDep
from api.errors import invalid_query, responses
from api.export import write_xlsx
from api.perimeters import guard, refuse_limited
from api.routers.events import Kinds
from api.schemas import IsoInstant, WholeNumber
from domain.integrity import Checkpoint, describe, key_path, load_key, public_hex, verify
from domain.model import Programme
from domain.values import CODE_PATTERN
from projections.audit import Step, history
from projections.event_log import EventFilter
from projections.evolution import evolution

router = APIRouter(tags=["audit"])
_READ_PROBLEMS = responses(401, 403, 404, 406, 409, 422, 500, 503)
# The longest period an evolution report covers over HTTP. The report reads what every
# decision of the period moved (tens of milliseconds each): a quarter of the demo is a
# few seconds, its whole history tens, and a server thread is not held for that. A
# longer look back is a programme's history (/audit/history/{programme}) or the CLI.
LONGEST_PERIOD = timedelta(days=92)
HISTORY_COLUMNS = (*COLUMNS, "moved")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MEDIA = {"json": "application/json", "csv": "text/csv", "jsonl": "application/x-ndjson"}
HistoryFormat = Literal["json", "csv", "jsonl", "xlsx"]
ReportFormat = Literal["json", "markdown"]


def _chosen(request: Request, given: str | None, offered: dict[str, str]) -> str:
    """The format asked by ``format``, else by ``Accept`` (JSON by default)."""
    if given is not None:
        return given
    accept = request.headers.get("accept", "")
    for name, media in offered.items():
        if media in accept:
            return name
    return "json"


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _event_row(step: Step, event: Any) -> dict[str, Any]:
    """An event of a step, the step's moves on its first event (as `pmo audit history`)."""
    row: dict[str, Any] = event.as_row()
    row["moved"] = [m.as_row() for m in step.moves] if event is step.events[0] else []
    return row


@router.get(
    "/audit/history/{programme}",
    responses={
        200: {
            "description": "The history, as JSON, CSV, JSON Lines or an XLSX workbook",
            "content": {"text/csv": {}, "application/x-ndjson": {}, XLSX: {}},
        },
        **_READ_PROBLEMS,
    },
    summary="A programme's history, decision by decision",
)
def programme_history(
    principal: Reader,
    services: ServicesDep,
    request: Request,
    programme: Annotated[str, Path(pattern=CODE_PATTERN, examples=["PAY"])],
    recorded_from: IsoInstant | None = None,
    recorded_to: IsoInstant | None = None,
    kind: Kinds = None,
    author: Annotated[str | None, Query(max_length=120)] = None,
    format: Annotated[HistoryFormat | None, Query(description="else Accept")] = None,
) -> Response:
    """Every event that touched the programme or its projects, in recorded order, grouped
    by decision: who, when, effective when, why, in which forum, and what each decision
    moved (budgets, milestones, staffing, risks, backlog, the budget KPI), read off the
    state just before and just after it."""
    services.ledger.load(Programme, programme)  # 404 for an unknown programme
    guard(principal, services, Programme, programme)
    criteria = EventFilter(
        programme=programme,
        kinds=tuple(kind or ()),
        author=author,
        recorded_from=_utc(recorded_from),
        recorded_to=_utc(recorded_to),
    )
    steps = list(history(services.ledger, services.view, criteria))
    chosen = _chosen(request, format, {**_MEDIA, "xlsx": XLSX})
    rows = [_event_row(s, e) for s in steps for e in s.events]
    if chosen == "csv":
        buffer = io.StringIO()
        write_csv(rows, HISTORY_COLUMNS, buffer)
        return Response(buffer.getvalue(), media_type="text/csv")
    if chosen == "jsonl":
        lines = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows)
        return Response(lines, media_type="application/x-ndjson")
    if chosen == "xlsx":
        events = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
        for column in ("details", "moved"):
            events[column] = events[column].map(lambda v: json.dumps(v, ensure_ascii=False))
        moved = pd.DataFrame(
            [{"decision": s.decision, **m.as_row()} for s in steps for m in s.moves],
            columns=["decision", "section", "subject", "field", "before", "after"],
        )
        workbook = io.BytesIO()
        write_xlsx({"events": events, "moves": moved}, {"programme": programme.upper()}, workbook)
        return Response(workbook.getvalue(), media_type=XLSX)
    document = {
        "programme": programme.upper(),
        "steps": [
            {
                "decision": s.decision,
                "events": [e.as_row() for e in s.events],
                "moves": [m.as_row() for m in s.moves],
            }
            for s in steps
        ],
    }
    return JSONResponse(json.loads(json.dumps(document, default=str)))


@router.get(
    "/reports/evolution",
    responses={
        200: {"description": "The report, as JSON or Markdown", "content": {"text/markdown": {}}},
        **_READ_PROBLEMS,
    },
    summary="What changed between two instants",
)
def evolution_report(
    principal: Reader,
    services: ServicesDep,
    request: Request,
    start: Annotated[IsoInstant, Query(alias="from", description="the start (UTC if no zone)")],
    end: Annotated[
        IsoInstant,
        Query(alias="to", description="the end (UTC if no zone), at most 92 days after from"),
    ],
    programme: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
    format: Annotated[ReportFormat | None, Query(description="else Accept")] = None,
) -> Response:
    """Decisions taken, budgets moved, milestones shifted with their reasons, risks raised,
    escalated or closed, and the headline KPIs at both instants as known then, with their
    deltas; a figure corrected since is flagged."""
    first, last = _utc(start), _utc(end)
    assert first is not None
    assert last is not None
    if last <= first:  # well-formed, but no period: refused as the finer checks refuse
        raise invalid_query("to", "must come after from")
    if last - first > LONGEST_PERIOD:
        raise invalid_query(
            "to",
            f"a period of at most {LONGEST_PERIOD.days} days (for a longer look back, a"
            " programme's history: /audit/history/{programme})",
        )
    if programme is None:
        refuse_limited(principal, "the whole portfolio (give a programme)")
    else:
        services.ledger.load(Programme, programme)
        guard(principal, services, Programme, programme)
    found = evolution(services.ledger, services.view, first, last, programme, now=datetime.now(UTC))
    if _chosen(request, format, {"json": "application/json", "markdown": "text/markdown"}) == (
        "markdown"
    ):
        return Response(markdown(found), media_type="text/markdown")
    return JSONResponse(json.loads(json.dumps(as_document(found), default=str)))


class CheckpointCreate(BaseModel):
    """A checkpoint as `pmo audit checkpoint` writes it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    ledger: str = Field(max_length=500)
    size: WholeNumber = Field(ge=0, le=2**53)
    position: WholeNumber = Field(ge=0, le=2**53)
    head: str = Field(pattern=r"^[0-9a-f]{64}$")
    created_at: str = Field(max_length=64)
    public_key: str = Field(pattern=r"^[0-9a-f]{64}$")
    signature: str = Field(pattern=r"^[0-9a-f]{0,128}$")


class VerifyCreate(BaseModel):
    """What to verify the log against (the chain itself is always recomputed)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    checkpoints: list[CheckpointCreate] = Field(default_factory=list, max_length=100)


class VerificationPublic(BaseModel):
    """What verification found."""

    intact: bool
    events: int
    last_position: int | None
    head: str
    first_bad_position: int | None
    problems: list[str]


@router.post(
    "/audit/verify",
    response_model=VerificationPublic,
    responses=responses(400, 401, 403, 413, 415, 422, 500, 503),
    summary="Verify the log's hash chain (and checkpoints)",
)
def verify_log(
    principal: Auditor, services: ServicesDep, body: VerifyCreate | None = None
) -> VerificationPublic:
    """Recompute the hash chain over the whole log and check it against the stored links
    and each checkpoint given: ``intact`` false, naming the first bad position, when an
    event was modified, deleted, moved or inserted, or the log truncated or rewritten
    since a checkpoint. Reads every event: an auditor's (or the PMO's) request."""
    refuse_limited(principal, "the whole log")
    points = [
        (f"checkpoint {n + 1}", Checkpoint(**point.model_dump()))
        for n, point in enumerate(body.checkpoints if body is not None else [])
    ]
    ledger = services.ledger
    signing = load_key(key_path(ledger.store, None), create=False)
    public = public_hex(signing) if signing is not None else None
    found = verify(ledger.recorder, points, public_key=public)  # type: ignore[arg-type]
    return VerificationPublic(**describe(found))
