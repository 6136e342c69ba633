"""Schemathesis against the published OpenAPI schema, in process, with its default checks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.settings import Settings
from tests.api.http import Api, build_payments, issue_tokens


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    """An app on a small payments ledger, and the PMO's bearer header."""
    database = str(Path(tmp_path_factory.mktemp("schemathesis")) / "api.db")
    headers = issue_tokens(database)
    app = create_app(Settings(database=database, max_body_bytes=8192, max_plan_seconds=0.5))
    with TestClient(app) as client:
        build_payments(Api(app, client, database, headers))
        yield app, headers["pmo"]


@pytest.fixture(scope="module")
def api_schema(seeded: tuple[Any, dict[str, str]]) -> Any:
    app, _ = seeded
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.xfail(
    run=False,
    reason="schemathesis 4.32's pytest plugin fails on pytest 9.2 (Function._nodeid);"
    " to be driven through its Python API instead (docs/api.md, what is not done)",
)
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case: Any, seeded: tuple[Any, dict[str, str]]) -> None:
    _, pmo = seeded
    headers = dict(case.headers or {})
    if "Idempotency-Key" in headers:
        # A key names one request: clients draw a fresh one per request (see docs/api.md).
        headers["Idempotency-Key"] = str(uuid.uuid4())
    case.headers = {**headers, **pmo}
    case.call_and_validate()
