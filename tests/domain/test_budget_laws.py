"""Laws of the budget: transfers never create or lose money; no envelope is ever overdrawn.

These run on the domain itself (no store), so hypothesis can try many sequences of
arbitrations arriving in any order, back-dated or not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.enums import EnvelopeOwner, Nature
from domain.errors import DomainError, InsufficientFunds, RetroactiveConflict
from domain.model.budget import Envelope, transfer
from domain.timeline import Provenance

YEAR = 2026
CAPEX = Nature.CAPEX


def _prov(day: date, recorded: datetime) -> Provenance:
    return Provenance(day, recorded, "claire.dubois", "arbitration", None)


def _envelopes(count: int, initial: Decimal) -> list[Envelope]:
    opened = _prov(date(YEAR, 1, 1), datetime(2025, 12, 15, tzinfo=UTC))
    return [
        Envelope.open(
            opened,
            owner=EnvelopeOwner.PROJECT,
            owner_id=uuid4(),
            owner_code=f"P{i}",
            fiscal_year=YEAR,
            capex=initial,
            opex=Decimal(0),
        )
        for i in range(count)
    ]


def _total(envelopes: list[Envelope]) -> Decimal:
    return sum((e.state().balance(CAPEX) for e in envelopes), Decimal(0))


def _move(prov: Provenance, source: Envelope, target: Envelope, amount: Decimal) -> None:
    transfer(prov, source=source, target=target, nature=CAPEX, amount=amount)


def _never_overdrawn(envelope: Envelope) -> bool:
    days = {event.effective_date for event in envelope.history}
    return all(envelope.state(as_of=day).balance(CAPEX) >= 0 for day in days)


amounts = st.integers(min_value=1, max_value=60_000).map(lambda n: Decimal(f"{n}.00"))
Operation = tuple[str, int, int, Decimal, int]
operations = st.lists(
    st.tuples(
        st.sampled_from(("transfer", "raise", "cut")),
        st.integers(0, 3),
        st.integers(0, 3),
        amounts,
        st.integers(0, 364),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(operations)
def test_arbitrations_never_create_or_lose_money(ops: list[Operation]) -> None:
    envelopes = _envelopes(4, Decimal("100000.00"))
    expected = _total(envelopes)
    recorded = datetime(2026, 1, 2, tzinfo=UTC)
    for kind, source, target, amount, offset in ops:
        recorded += timedelta(hours=1)
        prov = _prov(date(YEAR, 1, 1) + timedelta(days=offset), recorded)
        try:
            if kind == "transfer" and source != target:
                _move(prov, envelopes[source], envelopes[target], amount)
            elif kind == "raise":
                envelopes[target].raise_funds(prov, nature=CAPEX, amount=amount)
                expected += amount
            elif kind == "cut":
                envelopes[source].cut_funds(prov, nature=CAPEX, amount=amount)
                expected -= amount
        except DomainError:
            pass  # refused: nothing changed
        assert _total(envelopes) == expected
        assert all(_never_overdrawn(e) for e in envelopes)


@settings(max_examples=100, deadline=None)
@given(operations)
def test_a_refused_arbitration_leaves_every_envelope_as_it_was(ops: list[Operation]) -> None:
    envelopes = _envelopes(4, Decimal("30000.00"))
    recorded = datetime(2026, 1, 2, tzinfo=UTC)
    for _, source, target, amount, offset in ops:
        if source == target:
            continue
        recorded += timedelta(hours=1)
        before = [(e.version, e.state().balance(CAPEX)) for e in envelopes]
        prov = _prov(date(YEAR, 1, 1) + timedelta(days=offset), recorded)
        try:
            _move(prov, envelopes[source], envelopes[target], amount)
        except (InsufficientFunds, RetroactiveConflict):
            assert [(e.version, e.state().balance(CAPEX)) for e in envelopes] == before


def test_a_back_dated_cut_that_would_overdraw_a_later_transfer_is_refused_naming_it() -> None:
    checkout, wallet = _envelopes(2, Decimal("100000.00"))
    transfer(
        _prov(date(YEAR, 3, 1), datetime(2026, 3, 2, 10, tzinfo=UTC)),
        source=checkout,
        target=wallet,
        nature=CAPEX,
        amount=Decimal("60000.00"),
    )
    late = _prov(date(YEAR, 2, 1), datetime(2026, 3, 20, tzinfo=UTC))
    with pytest.raises(RetroactiveConflict) as refused:
        checkout.cut_funds(late, nature=CAPEX, amount=Decimal("50000.00"))
    conflict = refused.value
    assert conflict.conflicting["kind"] == "FundsTransferredOut"
    assert conflict.conflicting["version"] == 2
    assert conflict.conflicting["effective_date"] == "2026-03-01"
    assert "P0/FY2026 holds 50000.00 capex on 2026-03-01" in str(conflict)
    assert checkout.state().balance(CAPEX) == Decimal("40000.00")


def test_the_same_back_dated_cut_fits_when_it_leaves_enough_for_the_later_transfer() -> None:
    checkout, wallet = _envelopes(2, Decimal("100000.00"))
    transfer(
        _prov(date(YEAR, 3, 1), datetime(2026, 3, 2, tzinfo=UTC)),
        source=checkout,
        target=wallet,
        nature=CAPEX,
        amount=Decimal("60000.00"),
    )
    checkout.cut_funds(
        _prov(date(YEAR, 2, 1), datetime(2026, 3, 20, tzinfo=UTC)),
        nature=CAPEX,
        amount=Decimal("40000.00"),
    )
    assert checkout.state(as_of=date(YEAR, 2, 15)).balance(CAPEX) == Decimal("60000.00")
    assert checkout.state().balance(CAPEX) == Decimal("0.00")
