"""The write path shared by every recording route: the author, If-Match, idempotency.

A route hands a thunk that records something and returns its receipt; this module turns
the receipt into a 201 with the target's version as ETag, refusals into problems, and
keeps the response under the request's Idempotency-Key when there is one.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.background import BackgroundTask

from api.deps import Services
from api.errors import ProblemError, problem_response, refusal
from api.idempotency import Stored, fingerprint
from api.security import Principal
from domain.errors import DomainError
from domain.ledger import Receipt

log = logging.getLogger("pmo.api")

# An entity tag is quoted ("7"); the bare version (7) is taken too: some clients and
# tools (schemathesis's coverage phase) drop the quotes of a quoted header value.
ETAG_PATTERN = r'^("[0-9]{1,10}"|[0-9]{1,10})$'
KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"
IF_MATCH_DOC = (
    'the ETag ("7") of the aggregate the command changes, as a GET or an earlier receipt'
    " gave it: the command is refused with 409 and the current version if it changed since"
)
KEY_DOC = (
    "a key unique to this request (a UUID): retried with the same body, the first"
    " response is replayed and nothing is recorded twice; reused with another body, 422"
)
_QUOTED = re.compile(ETAG_PATTERN)


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match: "N"`` header expects (None without the header)."""
    if if_match is None:
        return None
    if not _QUOTED.match(if_match):  # the header's schema refuses it first
        raise ProblemError(422, "validation-error", "Invalid request", 'If-Match must be "N"')
    return int(if_match.strip('"'))


def receipt_body(receipt: Receipt, author: str) -> dict[str, Any]:
    """A receipt as JSON (see ``ReceiptPublic``)."""
    return {
        "command": receipt.command,
        "summary": receipt.summary,
        "decision": receipt.decision,
        "effective_date": receipt.effective_date.isoformat(),
        "recorded_at": receipt.recorded_at.isoformat(),
        "author": author,
        "events": [
            {"kind": e.kind, "subject": e.subject, "version": e.version, "position": e.position}
            for e in receipt.events
        ],
    }


def target_etag(receipt: Receipt) -> str | None:
    """The ETag of what the command changed: the first aggregate it touched after its
    decision (the one ``expected_version`` is checked against)."""
    for event in receipt.events:
        if not event.subject.startswith("decision "):
            return f'"{event.version}"'
    return f'"{receipt.events[0].version}"' if receipt.events else None


def recorded(receipt: Receipt, principal: Principal) -> JSONResponse:
    """201 with the receipt and the ETag of the target."""
    etag = target_etag(receipt)
    headers = {"ETag": etag} if etag else {}
    return JSONResponse(receipt_body(receipt, principal.name), status_code=201, headers=headers)


def write(
    request: Request,
    services: Services,
    principal: Principal,
    *,
    key: str | None,
    body: str,
    if_match: str | None,
    run: Callable[[], Response],
) -> Response:
    """Run a recording request once per Idempotency-Key; refusals become problems. Once
    a write is answered, the view applies it (``_follow``)."""
    if key is None:
        return _followed(_answer(request, run), services)
    store = services.idempotency
    claim = store.claim(
        principal.token_id,
        key,
        fingerprint(request.method, request.url.path, if_match, body.encode()),
    )
    if claim.mismatch:
        raise ProblemError(
            422,
            "idempotency-key-reused",
            "Idempotency key reused",
            "this Idempotency-Key was used with another request; use a new key",
        )
    if claim.pending:
        raise ProblemError(
            409,
            "idempotency-key-in-progress",
            "Request in progress",
            "the first request with this Idempotency-Key is still running; retry later",
            headers={"Retry-After": "1"},
        )
    if claim.stored is not None:
        kept = claim.stored
        headers = {**kept.headers, "Idempotent-Replayed": "true"}
        return Response(kept.body, status_code=kept.status, headers=headers)
    try:
        response = _answer(request, run)
    except BaseException:
        store.release(principal.token_id, key)
        raise
    kept_headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() in ("etag", "content-type", "location")
    }
    store.store(
        principal.token_id, key, Stored(response.status_code, bytes(response.body), kept_headers)
    )
    return _followed(response, services)


def _followed(response: Response, services: Services) -> Response:
    """``response``, and after it is sent (a background task, in a thread) the view
    catching up with what it recorded: the next reads find the view there, their stored
    answers given at once (each would otherwise catch up itself, one at a time)."""
    if (
        200 <= response.status_code < 300
        and response.background is None
        and services.view.follow_due()  # one follow for the writes of a moment
    ):
        response.background = BackgroundTask(_follow, services)
    return response


def _follow(services: Services) -> None:
    try:
        services.view.follow()  # never waits: a busy view catches up on its next read
    except Exception:  # the next read catches up anyway, and says what failed
        log.warning("the view could not follow a write", exc_info=True)


def _answer(request: Request, run: Callable[[], Response]) -> Response:
    """The route's response, or the problem its refusal becomes (kept like a response)."""
    try:
        return run()
    except DomainError as error:
        return problem_response(request, refusal(error))
    except ProblemError as problem:
        if problem.status >= 500:
            raise
        return problem_response(request, problem)


def canonical(values: dict[str, Any]) -> str:
    """A body as compared for idempotency: keys sorted, no spaces."""
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
