"""The HTTP API: ``create_app(settings)`` wires the ledger, its view, tokens and routes.

One process holds one ledger (its aggregate cache), one portfolio view kept caught up
in memory (restored from its stored snapshot at start-up), the token and idempotency
tables; several processes share the database and meet through it (optimistic
concurrency on every aggregate, idempotency keys claimed by primary key).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from anyio import CapacityLimiter
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from api import dashboard, errors, memory
from api.deps import Services, known_query
from api.idempotency import IdempotencyStore
from api.limits import BodyLimit
from api.routers import (
    audit,
    commands,
    entities,
    events,
    health,
    kpis,
    plans,
    scenario_evaluation,
    scenario_hypotheses,
    scenarios,
    state,
)
from api.security import TokenStore
from api.settings import Settings
from api.warm import WARM_FROM, Warmer
from domain.ledger import Ledger
from domain.scenarios import ScenarioBook
from projections.answers import AnswerCache
from projections.log_index import LogIndex
from projections.view import PortfolioView

DESCRIPTION = """Every PMO decision recorded as an event, on two time axes; the portfolio and
its KPIs at any date as known at any instant; the planner's proposals.

**Authentication**: `Authorization: Bearer <token>` (from `pmo token create --role ROLE`).
Roles: `pmo` records decisions; `manager` reads, runs plans and tries what-if scenarios
(only `pmo` promotes one); `auditor` reads everything.

**Errors** are RFC 9457 `application/problem+json`: 422 when a request does not match
this schema (every field listed), 409 when the ledger refuses it (its rules, or a stale
`If-Match`: the current version is given), 404 for what the ledger does not hold.

**Writes**: `If-Match: "N"` (the ETag of a read or a receipt) makes a command refused if
its target changed; `Idempotency-Key` makes a retried POST replay its first response."""


def open_services(settings: Settings) -> Services:
    """Open the ledger and everything a process of the API keeps."""
    ledger = Ledger(settings.database)
    view = PortfolioView(ledger)
    view.catch_up()
    return Services(
        settings=settings,
        ledger=ledger,
        view=view,
        # Restored as last stored, caught up on the first page asked for (or by the
        # dashboard's warm-up), stored again every 100,000 events attributed.
        log=LogIndex(ledger, persist=True),
        tokens=TokenStore(ledger),
        idempotency=IdempotencyStore(ledger, timedelta(hours=settings.idempotency_hours)),
        planning=CapacityLimiter(settings.plan_slots),
        scenarios=ScenarioBook(ledger),
        answers=AnswerCache(settings.state_cache_bytes),
    )


def warms(settings: Settings, events: int) -> bool:
    """Whether the application keeps today's programme states warm (``api.warm``)."""
    if settings.state_cache_bytes <= 0 or settings.warm_states == "off":
        return False
    return settings.warm_states == "on" or events >= WARM_FROM


def create_app(settings: Settings) -> FastAPI:
    """The application; the ledger opens when it starts serving and closes when it stops."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = open_services(settings)
        app.state.services = services
        memory.settle(services.view.position)  # the read models are loaded: freeze them
        warmer = None
        if warms(settings, services.view.position):
            warmer = Warmer(services.view, services.answers, state.sections_json)
            warmer.start()
        app.state.warmer = warmer
        try:
            yield
        finally:
            if warmer is not None:
                warmer.close()
            services.log.close()  # its background catch-up reads the ledger
            services.scenarios.close()
            services.ledger.close()
            memory.release()

    app = FastAPI(
        title=settings.title,
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(known_query)],
    )
    errors.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.include_router(health.router)
    app.include_router(state.router)
    app.include_router(kpis.router)
    app.include_router(events.router)
    app.include_router(entities.router())
    app.include_router(plans.router)
    app.include_router(audit.router)
    for router in commands.routers():
        app.include_router(router)
    app.include_router(scenarios.router)
    app.include_router(scenario_evaluation.router)
    app.include_router(scenario_hypotheses.router())
    dashboard.install(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The schema, with the problem type every error uses."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                for parameter in operation.get("parameters", []):
                    _without_null(parameter)
        app.openapi_schema = schema
    return app.openapi_schema


def _without_null(parameter: dict[str, Any]) -> None:
    """An optional parameter is absent or a value: HTTP has no null to send.

    pydantic publishes ``X | None`` as ``anyOf: [X, {type: null}]``, which tells a client
    (and schemathesis) that the header ``If-Match: null`` is valid; it is not.
    """
    schema = parameter.get("schema", {})
    choices = schema.get("anyOf")
    if parameter.get("required") or not choices:
        return
    kept = [choice for choice in choices if choice != {"type": "null"}]
    if len(kept) == len(choices):
        return
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    parameter["schema"] = {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}
