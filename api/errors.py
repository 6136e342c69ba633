"""Every error the HTTP API returns, as RFC 9457 problem details, mapped in one place.

* 422 ``validation-error``: the request does not match the published schema (each
  offending field is listed under ``errors``);
* 422 ``invalid-input`` on a read (GET): query parameters the schema admits but finer
  checks refuse (an evolution period that ends before it starts…), the field named as
  ``query.<name>``, as a validation error names it;
* 409: a write is well-formed but the ledger refuses it: a rule (``insufficient-funds``,
  ``retroactive-conflict``…), a value the ledger finds invalid (``invalid-input``, naming
  the field), a code already used, or a stale ``If-Match`` (``concurrency-conflict``, with
  the ``current_version``);
* 404 ``unknown-entity``: the request names something the ledger does not hold;
* 401, 403, 413, 503 and 500 as their titles say. Nothing internal (trace, SQL, path)
  is ever sent: a 500 is logged on the server and reported as "internal error".
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from domain.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    DomainError,
    InvalidInput,
    UnknownEntity,
)

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("pmo.api")


class FieldError(BaseModel):
    """One invalid field of a request."""

    field: str = Field(examples=["body.amount"])
    message: str = Field(examples=["String should match pattern '^[0-9]+(\\.[0-9]{1,2})?$'"])


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong, for people (title, detail) and programs (type)."""

    type: str = Field(examples=["/problems/insufficient-funds"])
    title: str = Field(examples=["Refused by the ledger"])
    status: int = Field(examples=[409])
    detail: str = Field(
        examples=[
            "envelope PAY-A/FY2026 holds 5000.00 capex on 2026-03-02; 9000.00 cannot be taken"
        ]
    )
    instance: str | None = Field(default=None, examples=["/commands/budget/transfer"])
    errors: list[FieldError] | None = None
    current_version: int | None = None
    details: dict[str, Any] | None = None


class ProblemError(Exception):
    """Raised by routes and dependencies to answer with a problem."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def refusal(error: DomainError) -> ProblemError:
    """The problem a domain refusal becomes."""
    if isinstance(error, UnknownEntity):
        return ProblemError(404, error.code, "Not found", error.message, details=error.details)
    if isinstance(error, ConcurrencyConflict):
        return ProblemError(
            409,
            error.code,
            "Changed since you read it",
            error.message,
            current_version=error.current,
            details=error.details,
        )
    title = "Already exists" if isinstance(error, AlreadyExists) else "Refused by the ledger"
    extra: dict[str, Any] = {"details": _plain(error.details)}
    if isinstance(error, InvalidInput):
        extra["errors"] = [{"field": error.field, "message": error.message}]
    return ProblemError(409, error.code, title, error.message, **extra)


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, str | int | float | bool | None | dict | list) else str(v)
            for k, v in details.items()}  # fmt: skip


def problem_response(request: Request, problem: ProblemError) -> JSONResponse:
    """The problem as an ``application/problem+json`` response."""
    body: dict[str, Any] = {
        "type": f"/problems/{problem.code}" if problem.code != "about:blank" else "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path,
    }
    body.update({k: v for k, v in problem.extra.items() if v is not None})
    return JSONResponse(
        body, status_code=problem.status, headers=problem.headers, media_type=PROBLEM_JSON
    )


_HTTP_TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("body-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc)


async def _on_domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    if isinstance(exc, InvalidInput) and request.method == "GET":
        message = exc.message.removeprefix(f"{exc.field}: ")
        return problem_response(request, invalid_query(exc.field, message))
    return problem_response(request, refusal(exc))


def invalid_query(field: str, message: str) -> ProblemError:
    """A read's query parameter that the schema admits but finer checks refuse: 422,
    like a request that does not match the schema (a read changes nothing, so there is
    no refusal by the ledger to tell apart from it)."""
    name = field if field.startswith("query.") else f"query.{field}"
    return ProblemError(
        422,
        "invalid-input",
        "Invalid request",
        f"{name}: {message}",
        errors=[{"field": name, "message": message}],
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors: list[dict[str, str]] = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"] if not _union_member(part))
        if all(e["field"] != field for e in errors):
            errors.append({"field": field, "message": error["msg"]})
    fields = ", ".join(e["field"] for e in errors)
    problem = ProblemError(
        422, "validation-error", "Invalid request", f"invalid: {fields}", errors=errors
    )
    return problem_response(request, problem)


def _union_member(part: object) -> bool:
    """pydantic names the member of a union it tried (``constrained-str``): not a field."""
    return isinstance(part, str) and part.startswith(("constrained-", "function-"))


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = _HTTP_TITLES.get(exc.status_code, ("about:blank", "Error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed(request))
    problem = ProblemError(exc.status_code, code, title, detail, headers=headers)
    return problem_response(request, problem)


def _allowed(request: Request) -> list[str]:
    """Every method the path answers to: Starlette's 405 names only those of the first
    route matching the path, and a path may have several (``GET`` and ``POST
    /scenarios``)."""
    routes = request.app.router.routes
    return [
        method
        for method in ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]


async def _on_store(request: Request, exc: Exception) -> JSONResponse:
    log.error("store unavailable: %s", type(exc).__name__, exc_info=exc)
    problem = ProblemError(
        503, "store-unavailable", "Store unavailable", "the ledger's store cannot be reached"
    )
    return problem_response(request, problem)


async def _on_anything(request: Request, exc: Exception) -> JSONResponse:
    # The last resort: the client learns nothing internal, the log keeps the trace.
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = ProblemError(500, "internal-error", "Internal error", "the server failed")
    return problem_response(request, problem)


def install(app: FastAPI) -> None:
    """Map every error to its problem response."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(DomainError, _on_domain)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(PersistenceError, _on_store)
    app.add_exception_handler(Exception, _on_anything)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the problems a route may answer with."""
    described = {
        400: "The body cannot be read as JSON (not UTF-8 text, not parseable)",
        401: "Missing or invalid bearer token",
        403: "The token's role may not do this",
        404: "The ledger holds no such thing",
        405: "Method not allowed",
        406: "No representation the client accepts",
        409: "Refused by the ledger, or changed since read (If-Match)",
        413: "Request body larger than the documented limit",
        415: "The body is not JSON",
        422: "The request does not match the schema",
        500: "Internal error",
        503: "The store cannot be reached",
    }
    return {
        status: {
            "description": described[status],
            "model": Problem,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
