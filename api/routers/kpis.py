"""``GET /kpis/{name}``: each KPI, as JSON, CSV or an XLSX workbook.

One route per KPI, generated from the KPI registry (``projections.kpis.KPIS``), each
with exactly the parameters that KPI takes. The format is chosen by ``format``, else by
the Accept header (``text/csv``, the XLSX media type), else JSON.
"""

# No `from __future__ import annotations`: the generated routes' signatures are built
# from objects at run time.

import inspect
import io
import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.deps import Reader, ServicesDep
from api.errors import responses
from api.export import frame_csv, frame_rows, write_xlsx
from api.perimeters import guard_scope
from api.routers.reading import AsOf, KnownAt, ScopeParam, moment, scope_from
from api.schemas import IsoDate, KpiInfo, KpiPublic
from domain.values import CODE_PATTERN
from projections.kpis import KPIS, Kpi, compute
from projections.kpis.capacity import GROUPINGS
from projections.kpis.common import LEVELS
from projections.kpis.milestones import LEVELS as MILESTONE_LEVELS

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Literal["json", "csv", "xlsx"]

router = APIRouter(prefix="/kpis", tags=["kpis"])
_PROBLEMS = responses(401, 403, 404, 422, 500, 503)

# What each parameter accepts (per KPI where it differs), as the KPIs check it.
_PARAMETERS: dict[str, Any] = {
    "level": Literal[LEVELS],
    "fiscal_year": Annotated[int, Query(ge=2000, le=2100)],
    "months": Annotated[int, Query(ge=1, le=36)],
    "start": IsoDate,
    "weeks": Annotated[int, Query(ge=1, le=104)],
    "grace_hours": Annotated[int, Query(ge=0, le=24 * 28)],
    "critical": Annotated[int, Query(ge=1, le=25)],
    "milestone": Annotated[str, Query(pattern=CODE_PATTERN)],
}
_BY_KPI: dict[tuple[str, str], Any] = {
    ("milestones", "level"): Literal[MILESTONE_LEVELS],
    ("capacity", "by"): Literal[GROUPINGS],
    ("timesheet-compliance", "by"): Literal["week", "resource"],
}


@router.get("", response_model=list[KpiInfo], responses=_PROBLEMS, summary="The KPIs")
def list_kpis(_: Reader) -> list[KpiInfo]:
    """Every KPI with what it shows and the parameters it takes (docs/kpis.md)."""
    return [
        KpiInfo(name=k.name, summary=k.summary, parameters=list(k.parameters))
        for k in KPIS.values()
    ]


def chosen_format(request: Request, given: str | None) -> str:
    """The format asked by ``format``, else by the Accept header, else JSON."""
    if given is not None:
        return given
    accept = request.headers.get("accept", "")
    if XLSX in accept:
        return "xlsx"
    if CSV in accept:
        return "csv"
    return "json"


def answer(kpi: Kpi, fmt: str, frame: Any, about: dict[str, Any]) -> Response:
    """The KPI's rows as JSON (with ``about``), CSV or an XLSX workbook."""
    if fmt == "csv":
        return Response(frame_csv(frame), media_type=f"{CSV}; charset=utf-8")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        texts = {
            k: v if isinstance(v, str) else json.dumps(v, default=str) for k, v in about.items()
        }
        write_xlsx({kpi.name: frame}, texts, buffer)
        disposition = f'attachment; filename="{kpi.name}.xlsx"'
        return Response(
            buffer.getvalue(), media_type=XLSX, headers={"Content-Disposition": disposition}
        )
    return JSONResponse({**about, "rows": frame_rows(frame)})


def own_parameters(kpi: Kpi) -> list[inspect.Parameter]:
    """The query parameters of a KPI's route after the time axes and the scope: the
    format, then those the KPI takes."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter(
            "format",
            keyword,
            default=None,
            annotation=Annotated[
                Format | None, Query(description="json, csv or xlsx (else Accept)")
            ],
        ),
    ]
    for name in kpi.parameters:
        kind = _BY_KPI.get((kpi.name, name), _PARAMETERS.get(name, str))
        parameters.append(inspect.Parameter(name, keyword, default=None, annotation=kind | None))
    return parameters


def _route(kpi: Kpi) -> Any:
    def read_kpi(request: Request, _: Reader, services: ServicesDep, **query: Any) -> Response:
        day, when = moment(query.pop("as_of"), query.pop("known_at"))
        scope = scope_from(query.pop("scope"))
        guard_scope(_, services, scope)
        fmt = chosen_format(request, query.pop("format"))
        parameters = {name: value for name, value in query.items() if value is not None}
        frame = compute(services.view, kpi.name, day, when, scope, **parameters)
        about = {
            "kpi": kpi.name,
            "scope": str(scope),
            "as_of": day.isoformat(),
            "known_at": when.isoformat(),
            "parameters": {k: str(v) if isinstance(v, date) else v for k, v in parameters.items()},
        }
        return answer(kpi, fmt, frame, about)

    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter("request", keyword, annotation=Request),
        inspect.Parameter("_", keyword, annotation=Reader),
        inspect.Parameter("services", keyword, annotation=ServicesDep),
        inspect.Parameter("as_of", keyword, default=None, annotation=AsOf),
        inspect.Parameter("known_at", keyword, default=None, annotation=KnownAt),
        inspect.Parameter("scope", keyword, default="portfolio", annotation=ScopeParam),
        *own_parameters(kpi),
    ]
    read_kpi.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    read_kpi.__name__ = f"kpi_{kpi.name.replace('-', '_')}"
    return read_kpi


CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The KPI's rows (JSON), or the same as CSV or an XLSX workbook",
        "model": KpiPublic,
        "content": {
            CSV: {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}

for _kpi in KPIS.values():
    router.add_api_route(
        f"/{_kpi.name}",
        _route(_kpi),
        methods=["GET"],
        response_class=JSONResponse,
        responses={**CONTENT, **_PROBLEMS},
        summary=_kpi.summary,
        description=f"{_kpi.summary}. Definitions and thresholds: docs/kpis.md.",
        operation_id=f"kpi_{_kpi.name.replace('-', '_')}",
        openapi_extra={"x-kpi": _kpi.name},
    )
