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
    for kind in (ProblemError, DomainError, RequestValidationError, StarletteHTTPException):
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
        if not is_page(request):
            answer = api_handler(request, error)
            return await answer if isinstance(answer, Awaitable) else answer
        status, title, detail = _described(error)
        return render(request, "error.html", None, None, status, title=title, detail=detail)

    return handle


def _described(error: Any) -> tuple[int, str, str]:
    if isinstance(error, DomainError):
        error = refusal(error)
    if isinstance(error, ProblemError):
        return error.status, error.title, error.detail
    if isinstance(error, RequestValidationError):
        fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
        return 422, "Invalid request", f"invalid: {fields}"
    status = getattr(error, "status_code", 500)
    return status, "Not found" if status == 404 else "Refused", str(getattr(error, "detail", ""))
