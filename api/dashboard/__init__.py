"""The dashboard: server-rendered pages of the portfolio, served by ``pmo serve`` beside
the API (docs/dashboard.md).

``install(app)`` adds its routes (left out of the OpenAPI schema), its static files,
and the handlers that answer a dashboard page's errors as HTML: signing in again when
the session is missing, a page saying why when a request is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.dashboard import auth, decisions, overview, plans, programme, scenarios
from api.dashboard.web import HERE, PREFIX, render
from api.errors import ProblemError, refusal
from domain.errors import DomainError

Handler = Callable[[Request, Any], Awaitable[Response] | Response]


PAGES = (auth, overview, programme, decisions, plans, scenarios)  # each has a ``router``


def install(app: FastAPI) -> None:
    """Serve the dashboard from ``app`` (after ``api.errors.install``)."""
    for module in PAGES:
        app.include_router(module.router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="dashboard-static")
    app.add_exception_handler(auth.SignInRequired, _sign_in)
    kinds = (
        ProblemError,
        DomainError,
        RequestValidationError,
        StarletteHTTPException,
        PersistenceError,
        Exception,
    )
    for kind in kinds:
        app.add_exception_handler(kind, _as_page(app.exception_handlers[kind]))


def is_page(request: Request) -> bool:
    """Whether a request is for the dashboard (an HTML page) rather than the API."""
    path = request.url.path
    return path == "/" or path.startswith(f"{PREFIX}/")


async def _sign_in(request: Request, error: Exception) -> Response:
    assert isinstance(error, auth.SignInRequired)
    query = "" if error.target == "/" else "?" + urlencode({"next": error.target})
    return RedirectResponse(f"{PREFIX}/signin{query}", status_code=303)


def _as_page(api_handler: Handler) -> Handler:
    """The API's handler for the API; an HTML page saying what went wrong for pages."""

    async def handle(request: Request, error: Any) -> Response:
        answered: Response | None = None
        if not is_page(request) or _unexpected(error):
            # The API's answer; for a page, only for what the API handler does besides
            # answering (a failure is logged with its trace, never shown).
            answer = api_handler(request, error)
            answered = await answer if isinstance(answer, Awaitable) else answer
            if not is_page(request):
                return answered
        status, title, detail = _described(error)
        if answered is not None:
            status = answered.status_code
        return render(request, "error.html", None, None, status, title=title, detail=detail)

    return handle


def _unexpected(error: Any) -> bool:
    """A failure of the server or its store rather than a refusal of the request."""
    known = (ProblemError, DomainError, RequestValidationError, StarletteHTTPException)
    return not isinstance(error, known)


def _described(error: Any) -> tuple[int, str, str]:
    if isinstance(error, PersistenceError):
        return 503, "Store unavailable", "The ledger's store cannot be reached; try again."
    if _unexpected(error):
        return 500, "Internal error", "The server failed; the error is in its log."
    if isinstance(error, DomainError):
        error = refusal(error)
    if isinstance(error, ProblemError):
        return error.status, error.title, error.detail
    if isinstance(error, RequestValidationError):
        fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
        return 422, "Invalid request", f"invalid: {fields}"
    status = getattr(error, "status_code", 500)
    return status, "Not found" if status == 404 else "Refused", str(getattr(error, "detail", ""))
