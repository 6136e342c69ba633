"""The HTTP API's settings: where the ledger is, and the limits it enforces."""

from __future__ import annotations

import os
from dataclasses import dataclass

from domain.persistence import database_setting

MAX_BODY_BYTES = 256 * 1024
STATE_CACHE_MB = 512
IDEMPOTENCY_HOURS = 24.0


@dataclass(frozen=True)
class Settings:
    """What ``create_app`` needs; built explicitly, never at import time."""

    database: str
    max_body_bytes: int = MAX_BODY_BYTES  # larger request bodies are refused with 413
    max_plan_seconds: float = 120.0  # the longest solve a client may ask for
    plan_slots: int = 1  # planner runs at once per process (each uses `workers` threads)
    state_cache_bytes: int = STATE_CACHE_MB << 20  # answers of GET /state kept (0: none)
    idempotency_hours: float = IDEMPOTENCY_HOURS  # an Idempotency-Key expires after this
    title: str = "Portfolio Ledger"

    @classmethod
    def from_environment(cls, database: str | None = None) -> Settings:
        """Settings from ``--database``/``PMO_DATABASE`` and ``PMO_API_*`` variables."""
        return cls(
            database=database_setting(database),
            max_body_bytes=int(os.environ.get("PMO_API_MAX_BODY_BYTES", MAX_BODY_BYTES)),
            max_plan_seconds=float(os.environ.get("PMO_API_MAX_PLAN_SECONDS", 120.0)),
            plan_slots=int(os.environ.get("PMO_API_PLAN_SLOTS", 1)),
            state_cache_bytes=int(os.environ.get("PMO_API_STATE_CACHE_MB", STATE_CACHE_MB)) << 20,
            idempotency_hours=float(os.environ.get("PMO_API_IDEMPOTENCY_HOURS", IDEMPOTENCY_HOURS)),
        )
