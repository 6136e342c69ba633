"""A first read-back of a ledger: what was recorded, where the money is, what slipped.

One pass over the log, as known today. The bitemporal read models of the product are
built on the same events; this summary is what `pmo demo` prints when it is done.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from domain.enums import EnvelopeOwner
from domain.ledger import Ledger
from domain.model import Decision, Envelope, Project
from domain.timeline import LedgerEvent
from projections.event_log import PortfolioIndex, area_of, read_events

ZERO = Decimal(0)
LATE_AFTER_DAYS = 14


@dataclass
class BudgetLine:
    """One perimeter's envelopes for a fiscal year (project envelopes and reserve)."""

    perimeter: str
    voted: Decimal = ZERO
    moved_in: Decimal = ZERO
    moved_out: Decimal = ZERO
    raised: Decimal = ZERO
    cut: Decimal = ZERO
    reserve: Decimal = ZERO

    @property
    def current(self) -> Decimal:
        """What the perimeter's project envelopes hold now."""
        return self.voted + self.moved_in - self.moved_out + self.raised - self.cut


@dataclass
class MilestoneLine:
    """A milestone's baseline against its latest forecast."""

    project: str
    milestone: str
    name: str
    baseline: date
    forecast: date
    shifts: int = 0
    status: str = "planned"

    @property
    def slip_days(self) -> int:
        """Days between baseline and forecast (or reach date)."""
        return (self.forecast - self.baseline).days


@dataclass
class PortfolioSummary:
    """The figures `pmo demo` prints."""

    events: int = 0
    first_recorded: datetime | None = None
    last_recorded: datetime | None = None
    by_area: Counter[str] = field(default_factory=Counter)
    by_kind: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    budgets: dict[str, BudgetLine] = field(default_factory=dict)
    milestones: dict[tuple[UUID, str], MilestoneLine] = field(default_factory=dict)
    decisions_by_forum: Counter[str] = field(default_factory=Counter)
    recorded_late: int = 0
    funded: dict[str, list[str]] = field(default_factory=dict)

    def slipped_most(self, top: int = 8, *, planned_only: bool = False) -> list[MilestoneLine]:
        """The milestones furthest behind their baseline (shifted, or reached late)."""
        moved = [
            m
            for m in self.milestones.values()
            if m.slip_days > 0 and (m.status == "planned" or not planned_only)
        ]
        return sorted(moved, key=lambda m: (-m.slip_days, m.project, m.milestone))[:top]


def summarise(ledger: Ledger, *, fiscal_year: int) -> PortfolioSummary:
    """Read the whole log once and summarise it, budgets for ``fiscal_year``."""
    return summarise_events((event for _, event in read_events(ledger)), fiscal_year)


def summarise_events(events: Iterable[LedgerEvent], fiscal_year: int) -> PortfolioSummary:
    """Fold events (in recorded order) into a summary."""
    fold = SummaryFold(fiscal_year)
    fold.add(events)
    return fold.summary


class SummaryFold:
    """A summary built incrementally, e.g. from events as a bulk load saves them."""

    def __init__(self, fiscal_year: int) -> None:
        self.fiscal_year = fiscal_year
        self.summary = PortfolioSummary()
        self._index = PortfolioIndex()
        self._envelopes: dict[UUID, tuple[str, bool]] = {}

    def add(self, events: Iterable[LedgerEvent]) -> None:
        """Fold more events, in recorded order."""
        summary, index = self.summary, self._index
        for event in events:
            index.learn(event)
            self._learn_envelope(event)
            summary.events += 1
            summary.first_recorded = summary.first_recorded or event.timestamp
            summary.last_recorded = event.timestamp
            area = area_of(event, index.kind(event.originator_id))
            summary.by_area[area] += 1
            summary.by_kind[area][event.kind] += 1
            if (event.timestamp.date() - event.effective_date).days >= LATE_AFTER_DAYS:
                summary.recorded_late += 1
            if isinstance(event, Decision.Taken):
                summary.decisions_by_forum[event.forum.value] += 1
            _budget(summary, index, self._envelopes.get(event.originator_id), event)
            _milestone(summary, index, event)

    def _learn_envelope(self, event: LedgerEvent) -> None:
        if isinstance(event, Envelope.Opened) and event.fiscal_year == self.fiscal_year:
            perimeter = self._index.perimeter_of(event.owner_id)
            reserve = event.owner is EnvelopeOwner.RESERVE
            self._envelopes[event.originator_id] = (self._index.code(perimeter), reserve)


def _budget(
    summary: PortfolioSummary,
    index: PortfolioIndex,
    envelope: tuple[str, bool] | None,
    event: LedgerEvent,
) -> None:
    if envelope is None:
        return
    perimeter, reserve = envelope
    line = summary.budgets.setdefault(perimeter, BudgetLine(perimeter))
    if reserve:
        sign = {
            Envelope.Opened: 1,
            Envelope.FundsTransferredIn: 1,
            Envelope.Raised: 1,
            Envelope.FundsTransferredOut: -1,
            Envelope.Cut: -1,
        }.get(type(event), 0)
        line.reserve += sign * _amount(event)
    elif isinstance(event, Envelope.Opened):
        line.voted += event.capex + event.opex
        summary.funded.setdefault(perimeter, []).append(index.code(event.owner_id))
    elif isinstance(event, Envelope.FundsTransferredIn):
        line.moved_in += event.amount
    elif isinstance(event, Envelope.FundsTransferredOut):
        line.moved_out += event.amount
    elif isinstance(event, Envelope.Raised):
        line.raised += event.amount
    elif isinstance(event, Envelope.Cut):
        line.cut += event.amount


def _amount(event: LedgerEvent) -> Decimal:
    if isinstance(event, Envelope.Opened):
        return event.capex + event.opex
    amount: Decimal = getattr(event, "amount", ZERO)
    return amount


def _milestone(summary: PortfolioSummary, index: PortfolioIndex, event: LedgerEvent) -> None:
    if isinstance(event, Project.MilestonePlanned):
        key = (event.originator_id, event.milestone.upper())
        project = index.code(event.originator_id)
        summary.milestones[key] = MilestoneLine(
            project, event.milestone, event.name, event.baseline, event.baseline
        )
        return
    milestone = getattr(event, "milestone", None)
    if not isinstance(milestone, str) or not isinstance(event, Project.Event):
        return
    line = summary.milestones.get((event.originator_id, milestone.upper()))
    if line is None:
        return
    if isinstance(event, Project.MilestoneShifted):
        line.forecast, line.shifts = event.forecast, line.shifts + 1
    elif isinstance(event, Project.MilestoneReached):
        line.forecast, line.status = event.effective_date, "reached"
    elif isinstance(event, Project.MilestoneCancelled):
        line.status = "cancelled"
