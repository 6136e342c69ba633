"""Schemathesis hooks for the run against a live ``pmo serve`` (scripts/live-api.sh).

An Idempotency-Key names one request: a client draws a fresh one per request. Keys
drawn by schemathesis repeat ("0", "A"…) across different bodies, which the API rightly
answers with 422 ("key reused with another request"); each request gets its own here.
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """A fresh Idempotency-Key on every request that carries one."""
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())


@schemathesis.hook
def filter_query(context: Any, query: dict[str, Any] | None) -> bool:
    """Drop cases with a query parameter whose value is an empty list: it is not sent at
    all, so a case "violating" ``additionalProperties`` that way is a valid request."""
    return not any(value == [] for value in (query or {}).values())
