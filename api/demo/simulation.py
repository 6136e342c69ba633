"""The demo: two fiscal years of a portfolio's life, recorded command by command.

The ledger's clock is a simulated one that the calendar moves forward: the weekly PMO
meeting on Mondays, the budget review on the first Tuesday of the month, risks and
backlog on Wednesdays, the IT steering committee every other Thursday, timesheets on
Friday evenings (some days or weeks late, a few corrected weeks afterwards). The run
stops at the end of the day before ``today``, so nothing is recorded in the future.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from api.demo.context import Demo
from api.demo.delivery import backlog_week, kick_off, platform_dependencies, weekly_delivery
from api.demo.governance import budget_review, steering_committee, weekly_risks
from api.demo.people import (
    approve,
    correct_old_sheet,
    departure,
    plan_holidays,
    raise_demands,
    run_deferred,
    submit_week,
    yearly_rates,
)
from api.demo.setup import load_portfolio
from domain.clock import SimulatedClock
from domain.ledger import Ledger
from domain.timeline import LedgerEvent
from domain.values import Week

# One slice (10 programmes, 40 projects, 30 resources over two years) records about this
# many events; `--scale N` runs as many slices as it takes to reach about N events.
EVENTS_PER_SLICE = 8_650

Progress = Callable[[int, int, int], None]


@dataclass
class DemoReport:
    """What the demo recorded."""

    start: date
    end: date
    slices: int
    events: int
    refused: dict[str, int] = field(default_factory=dict)
    refusal_examples: list[str] = field(default_factory=list)


def slices_for(scale: int | None) -> int:
    """How many slices of the portfolio make about ``scale`` events."""
    return 1 if not scale else max(1, round(scale / EVENTS_PER_SLICE))


def first_working_day(year: int) -> date:
    """2 January, or the Monday after when it falls on a weekend."""
    day = date(year, 1, 2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def run_demo(
    database: str | None,
    *,
    today: date,
    seed: int = 42,
    slices: int = 1,
    batch_size: int = 2000,
    progress: Progress | None = None,
    on_saved: Callable[[list[LedgerEvent]], None] | None = None,
) -> DemoReport:
    """Record the demo portfolio into ``database`` (which must hold no events)."""
    start = first_working_day(today.year - 1)
    clock = SimulatedClock(datetime.combine(start, time(7), UTC))
    ids = random.Random(seed * 7919)
    ledger = Ledger(database, clock=clock, new_id=lambda: f"{ids.getrandbits(32):08X}")
    try:
        if ledger.recorder.max_notification_id():
            raise DemoNeedsEmptyLedger(ledger.store.display)
        # Every aggregate of a big demo stays in memory while it is being written, so
        # that a bulk load never has to read back what it just wrote.
        bulk = ledger.batch(size=batch_size, max_cached=1_000_000, on_saved=on_saved)
        with bulk as batch:
            demo = Demo(batch, clock, random.Random(seed), today, slices)
            _simulate(demo, start, today, progress)
        return DemoReport(
            start,
            today - timedelta(days=1),
            slices,
            batch.saved,
            dict(demo.refused),
            demo.refusal_examples,
        )
    finally:
        ledger.close()


class DemoNeedsEmptyLedger(Exception):
    """The demo only records into an empty ledger."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"the ledger at {where} already holds events; give `pmo demo` a new"
            " --database (or delete that file)"
        )


def _simulate(demo: Demo, start: date, today: date, progress: Progress | None) -> None:
    load_portfolio(demo, start)
    demo.at(start, 8, 30)
    for plan in list(demo.projects.values()):
        if plan.start <= start:
            kick_off(demo, plan, Week.of(start))
    total = (today - start).days
    day = start
    while day < today:
        if day.weekday() < 5:
            _working_day(demo, day, start)
        day += timedelta(days=1)
        if progress is not None:
            progress((day - start).days, total, demo.batch.saved + demo.batch.pending)


def _working_day(demo: Demo, day: date, start: date) -> None:
    week = Week.of(day)
    demo.at(day, 8, 30)
    run_deferred(demo, day)
    weekday = day.weekday()
    if weekday == 0:
        demo.at(day, 9)
        weekly_delivery(demo, week)
        platform_dependencies(demo, day)
        demo.at(day, 11)
        approve(demo)
        if day.month == 1 and day.day <= 7 and day.year > start.year:
            yearly_rates(demo, day.year)
        if day.month == 5 and day.day <= 7:
            plan_holidays(demo, day.year)
        if day.year > start.year and week == Week.of(date(day.year, 5, 12)):
            departure(demo, week)
    elif weekday == 1 and day.day <= 7:
        demo.at(day, 14)
        budget_review(demo, day)
    elif weekday == 2:
        demo.at(day, 11)
        weekly_risks(demo, week)
        demo.at(day, 11, 30)
        backlog_week(demo)
        demo.at(day, 14)
        correct_old_sheet(demo, week)
        demo.at(day, 15)
        raise_demands(demo, week)
    elif weekday == 3 and (week - Week.of(start)) % 2 == 0:
        demo.at(day, 10)
        steering_committee(demo, day, week)
    elif weekday == 4:
        demo.at(day, 17)
        submit_week(demo, week)
