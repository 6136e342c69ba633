"""``/healthz`` (the process answers) and ``/readyz`` (and its store does).

Both are open without a token, as load balancers and orchestrators call them, and
say nothing but their status.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep
from api.errors import responses
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, responses=responses(500), summary="Liveness")
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses=responses(500, 503), summary="Readiness")
def readyz(services: ServicesDep) -> Health:
    """The process can reach its store (one query on the events table)."""
    services.ledger.recorder.max_notification_id()  # a store error answers 503 (errors.py)
    return Health(status="ready")
