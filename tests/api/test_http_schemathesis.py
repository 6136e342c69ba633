"""Schemathesis against the published OpenAPI schema, in process, with its default checks.

Schemathesis's pytest plugin does not run on pytest 9.2, so each operation is driven
through its Python API: a Hypothesis strategy of cases per operation (schema-valid ones,
then schema-invalid ones), each sent to the app and validated by the default checks.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode

from api.app import create_app
from api.routers.audit import LONGEST_PERIOD
from api.settings import Settings
from tests.api.http import Api, build_payments, issue_tokens

# Per operation and mode: ~150 runs of the 78 operations in about a minute.
EXAMPLES = int(os.environ.get("PMO_SCHEMATHESIS_EXAMPLES", 15))


def _cases() -> list[tuple[str, GenerationMode]]:
    """Every operation of the schema (building the app opens nothing), with valid input,
    and with invalid input when it takes any (parameters or a body)."""
    paths = create_app(Settings(database="unused.db")).openapi()["paths"]
    found = []
    for path, item in paths.items():
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            found.append((label, GenerationMode.POSITIVE))
            if operation.get("parameters") or operation.get("requestBody"):
                found.append((label, GenerationMode.NEGATIVE))
    return found


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    """The schema of an app on a small payments ledger, and the PMO's bearer header."""
    database = str(Path(tmp_path_factory.mktemp("schemathesis")) / "api.db")
    headers = issue_tokens(database)
    # The documented body limit: a smaller one would refuse (413) bodies the schema admits.
    app = create_app(Settings(database=database, max_plan_seconds=0.5))
    with TestClient(app) as client:
        build_payments(Api(app, client, database, headers))
        # A scenario named as the schema's example, so that cases reach an open one.
        created = client.post("/scenarios", json={"name": "Wallets first"}, headers=headers["pmo"])
        assert created.status_code == 201, created.text
        yield schemathesis.openapi.from_asgi("/openapi.json", app), headers["pmo"]


def fresh_key(case: Any) -> None:
    """A fresh Idempotency-Key when one is drawn: a key names one request, and a client
    draws a new one per request (docs/api.md); a drawn key reused with another body is
    rightly a 422."""
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())


def states_a_period(case: Any) -> bool:
    """Make an evolution report's period end after it starts, within the longest period
    served (rules the schema cannot state, one parameter against another: a schema-valid
    request that breaks them is rightly refused with 422 ``invalid-input``, as
    live-api.sh also allows); whether the case now keeps them. Drawn instants seldom
    fall within a quarter of each other, so ``to`` is moved a day after ``from``."""
    query = case.query or {}
    if case.path != "/reports/evolution" or not {"from", "to"} <= set(query):
        return True
    try:
        start, end = (_utc(datetime.fromisoformat(str(query[k]))) for k in ("from", "to"))
    except ValueError:
        return True  # the server's to judge
    if start < end <= start + LONGEST_PERIOD:
        return True
    try:
        query["to"] = (start + timedelta(days=1)).isoformat()
    except OverflowError:  # no day after the last one
        return False
    return True


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def reaches_the_wire(case: Any) -> bool:
    """Whether what the case says it sends is what is sent: a query parameter whose
    value is an empty list is not sent at all, so an extra one "violating"
    ``additionalProperties`` that way is in fact a valid request."""
    return not any(value == [] for value in (case.query or {}).values())


@pytest.mark.parametrize(("label", "mode"), _cases())
def test_every_operation_keeps_to_its_schema(
    seeded: tuple[Any, dict[str, str]], label: str, mode: GenerationMode
) -> None:
    schema, pmo = seeded
    method, path = label.split(" ", 1)
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    # No example database: every operation shares this inner test's identity, and one
    # operation's saved failure replayed on another would only blur what failed.
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def keeps_to_schema(case: Any) -> None:
        assume(reaches_the_wire(case))
        assume(mode is GenerationMode.NEGATIVE or states_a_period(case))
        fresh_key(case)
        case.call_and_validate(headers=pmo)  # explicit credentials, as a client sends them

    keeps_to_schema()
