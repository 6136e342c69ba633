"""The ledger's clock: the only source of recorded times and of the default effective date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the ledger what time it is."""

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...

    def today(self) -> date:
        """The current calendar day, the default effective date."""
        ...


class SystemClock:
    """The wall clock: what every face of the product uses."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Today in the machine's time zone."""
        return date.today()


class SimulatedClock:
    """A clock that only moves when told: the demo's simulated weeks and the tests.

    Commands never carry a recorded time; a simulation replays the life of a
    portfolio by moving the ledger's clock, exactly as time passes for a real one.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a simulated clock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The simulated instant."""
        return self._now

    def today(self) -> date:
        """The simulated day."""
        return self._now.date()

    def set(self, instant: datetime) -> None:
        """Move to ``instant`` (never backwards)."""
        instant = instant.astimezone(UTC)
        if instant < self._now:
            raise ValueError(f"the clock does not go back from {self._now} to {instant}")
        self._now = instant

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        self.set(self._now + delta)
