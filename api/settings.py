"""The HTTP API's settings: where the ledger is, and the limits it enforces."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from domain.persistence import database_setting

N = TypeVar("N", int, float)
MAX_BODY_BYTES = 256 * 1024
STATE_CACHE_MB = 512
IDEMPOTENCY_HOURS = 24.0
WARM_CHOICES = ("auto", "on", "off")


@dataclass(frozen=True)
class Settings:
    """What ``create_app`` needs; built explicitly, never at import time."""

    database: str
    max_body_bytes: int = MAX_BODY_BYTES  # larger request bodies are refused with 413
    max_plan_seconds: float = 120.0  # the longest solve a client may ask for
    plan_slots: int = 1  # planner runs at once per process (each uses `workers` threads)
    state_cache_bytes: int = STATE_CACHE_MB << 20  # answers of GET /state kept (0: none)
    idempotency_hours: float = IDEMPOTENCY_HOURS  # an Idempotency-Key expires after this
    warm_states: str = "auto"  # today's programme states kept ready (api/warm.py)
    title: str = "Portfolio Ledger"

    def __post_init__(self) -> None:
        if self.warm_states not in WARM_CHOICES:
            raise ValueError(
                f"PMO_API_WARM_STATES is one of {', '.join(WARM_CHOICES)}, not {self.warm_states!r}"
            )

    @classmethod
    def from_environment(cls, database: str | None = None) -> Settings:
        """Settings from ``--database``/``PMO_DATABASE`` and ``PMO_API_*`` variables."""
        return cls(
            database=database_setting(database),
            max_body_bytes=_number("PMO_API_MAX_BODY_BYTES", MAX_BODY_BYTES, int),
            max_plan_seconds=_number("PMO_API_MAX_PLAN_SECONDS", 120.0, float),
            plan_slots=_number("PMO_API_PLAN_SLOTS", 1, int),
            state_cache_bytes=_number("PMO_API_STATE_CACHE_MB", STATE_CACHE_MB, int) << 20,
            idempotency_hours=_number("PMO_API_IDEMPOTENCY_HOURS", IDEMPOTENCY_HOURS, float),
            warm_states=os.environ.get("PMO_API_WARM_STATES", "auto").strip().lower(),
        )


def _number(variable: str, default: N, kind: Callable[[str], N]) -> N:
    """The number an environment variable holds, or ``default``; a clear error if not one."""
    text = os.environ.get(variable)
    if text is None:
        return default
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"{variable} is a number, not {text!r}") from None
