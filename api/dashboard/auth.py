"""Signing in to the dashboard: a token exchanged for a session cookie; signing out; the
dependencies pages declare (who is looking, and whether a form really came from them).

The cookie is HttpOnly (no script reads it) and SameSite=Strict (no other site's page
makes the browser send it, so no other site can post a form as the user); it is Secure
when the dashboard is reached over HTTPS. Over plain HTTP (``pmo serve`` on loopback,
its default) a Secure cookie would never be sent back and nobody could sign in, so the
flag follows the scheme the request came in on (behind a TLS proxy, run uvicorn with
``--proxy-headers`` or set ``PMO_DASHBOARD_SECURE_COOKIE=1``). Every POST also carries
the session's CSRF secret in a hidden field, checked in constant time. Signing in has no
session yet: a form posted from another site (which would sign the user in as someone
else, "login CSRF") is recognised by the browser's ``Origin`` and ``Sec-Fetch-Site``
headers and refused.
"""

from __future__ import annotations

import os
import threading
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import memory
from api.dashboard.sessions import LIFETIME, Session, SessionStore
from api.dashboard.web import PREFIX, kept, render
from api.deps import Services, ServicesDep
from api.errors import ProblemError
from api.security import Role

COOKIE = "pmo_session"
WARM_SLICE = 1_000  # events attributed between two pauses (tens of ms of work)
WARM_PAUSE = 0.05  # seconds
router = APIRouter(include_in_schema=False)


class SignInRequired(Exception):
    """A page asked for without a live session: the browser is sent to sign in."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def sessions(request: Request, services: ServicesDep) -> SessionStore:
    """The process's session store (its table is created on first use); the first
    dashboard request also starts attributing the log in the background."""
    kept(request, "dashboard_warming", services, lambda: _warm(services))
    return kept(request, "dashboard_sessions", services, lambda: SessionStore(services.ledger))


def _warm(services: Services) -> threading.Thread:
    """Catch the log index up in the background, a slice at a time with pauses between
    them: on a million events not stored yet it reads the whole log (a minute or more),
    which the decisions and plans pages would otherwise wait for on their first visit;
    the pauses leave the interpreter to the pages meanwhile. Once it is caught up, what
    it built is frozen out of the garbage collector's sight (``api.memory``)."""
    log = services.log
    return log.warm(WARM_SLICE, WARM_PAUSE, then=lambda: memory.settle(log.position))


Sessions = Annotated[SessionStore, Depends(sessions)]


def _viewer(request: Request, store: Sessions) -> Session:
    session = store.find(request.cookies.get(COOKIE))
    if session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return session


Viewer = Annotated[Session, Depends(_viewer)]


def checked(session: Session, csrf: str | None, *roles: Role) -> None:
    """Refuse (403) a form without this session's CSRF secret, or from another role."""
    if not session.carries(csrf):
        raise ProblemError(403, "forbidden", "Forbidden", "the form is stale: reload the page")
    if roles and session.principal.role not in roles:
        names = ", ".join(r.value for r in roles)
        raise ProblemError(
            403,
            "forbidden",
            "Forbidden",
            f"role {session.principal.role.value} may not; {names} may",
        )


def _safe_target(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return "/"  # browsers read a backslash as a slash; control characters hide a host
    parts = urlsplit(target)
    return target if not parts.netloc and not parts.scheme else "/"


def _same_site(request: Request) -> bool:
    """Whether a form was posted from this site's own page, as far as the browser says:
    a request without those headers (an older browser, a script) is not refused."""
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin != "null" and urlsplit(origin).netloc == request.headers.get("host")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or os.environ.get("PMO_DASHBOARD_SECURE_COOKIE") == "1"


@router.get(f"{PREFIX}/signin", response_class=HTMLResponse)
def sign_in_form(
    request: Request, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    """The sign-in form: paste a token from ``pmo token create``."""
    return render(request, "signin.html", None, None, target=_safe_target(next), failed=False)


@router.post(f"{PREFIX}/signin", response_class=HTMLResponse)
def sign_in(
    request: Request,
    store: Sessions,
    token: Annotated[str, Form(max_length=200)],
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Exchange a token for a session cookie, then go where the user was going."""
    if not _same_site(request):
        raise ProblemError(
            403, "cross-site-sign-in", "Refused", "sign in from this dashboard's own page"
        )
    opened = store.open(token)
    if opened is None:
        return render(
            request, "signin.html", None, None, 401, target=_safe_target(next), failed=True
        )
    identifier, _ = opened
    response = RedirectResponse(_safe_target(next), status_code=303)
    response.set_cookie(
        COOKIE,
        identifier,
        max_age=int(LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


@router.post(f"{PREFIX}/signout")
def sign_out(
    request: Request,
    store: Sessions,
    session: Viewer,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """End the session and forget the cookie."""
    checked(session, csrf)
    store.end(request.cookies.get(COOKIE))
    response = RedirectResponse(f"{PREFIX}/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
