"""The event log paged from a cursor: the same events as ``read_log``, a page at a time,
each page reading only what it returns."""

from __future__ import annotations

from typing import Any

import pytest

from domain import commands as c
from domain.ledger import Ledger
from projections.event_log import EventFilter, EventRecord, read_log
from projections.log_index import LogIndex
from tests.conftest import Record

CHECKOUT, WALLET = "PAY-CHECKOUT", "PAY-WALLET"


def _decide_and_move(record: Record) -> None:
    """A decision whose effects concern both payments projects, then later changes."""
    taken = record(
        c.TakeDecision(title="Q1 arbitration", forum="budget-review", rationale="Quarterly review")
    )
    for amount in ("1000", "2000"):
        record(
            c.TransferBudget(
                fiscal_year=2026,
                nature="capex",
                amount=amount,
                from_project=CHECKOUT,
                to_project=WALLET,
                decision=taken.decision,
                rationale="Wallets first",
            )
        )
    record(
        c.ShiftMilestone(
            project=CHECKOUT, milestone="GO-LIVE", forecast="2026-08-31", rationale="PSP late"
        )
    )


def _paged(index: LogIndex, criteria: EventFilter, limit: int) -> list[EventRecord]:
    """Every page, following the cursors."""
    found: list[EventRecord] = []
    after = 0
    while True:
        page = index.page(criteria, after, limit)
        assert len(page.records) <= limit
        found.extend(page.records)
        if page.next_after is None:
            return found
        after = page.next_after


FILTERS: list[dict[str, Any]] = [
    {},
    {"programme": "PAY"},
    {"project": CHECKOUT},
    {"project": WALLET, "programme": "pay"},
    {"project": CHECKOUT, "kinds": ("budget",)},
    {"kinds": ("decision", "milestone")},
    {"programme": "PAY", "author": "claire.dubois"},
]


@pytest.mark.parametrize("criteria", FILTERS, ids=lambda f: ",".join(f) or "all")
@pytest.mark.parametrize("limit", [1, 2, 7])
def test_pages_list_exactly_what_the_whole_log_lists(
    portfolio: Ledger, record: Record, criteria: dict[str, Any], limit: int
) -> None:
    _decide_and_move(record)
    wanted = EventFilter(**criteria)
    expected = [(r.position, r.kind, r.subject) for r in read_log(portfolio, wanted)]
    paged = [(r.position, r.kind, r.subject) for r in _paged(LogIndex(portfolio), wanted, limit)]
    assert paged == expected
    assert expected  # every filter here keeps something


def test_a_cursor_stays_valid_as_the_log_grows(portfolio: Ledger, record: Record) -> None:
    index = LogIndex(portfolio)
    first = index.page(EventFilter(project=CHECKOUT), 0, 3)
    assert first.next_after is not None
    _decide_and_move(record)
    rest = _paged_after(index, EventFilter(project=CHECKOUT), first.next_after)
    everything = list(read_log(portfolio, EventFilter(project=CHECKOUT)))
    assert [r.position for r in first.records + rest] == [r.position for r in everything]


def _paged_after(index: LogIndex, criteria: EventFilter, after: int) -> list[EventRecord]:
    page = index.page(criteria, after, 1000)
    assert page.next_after is None
    return page.records


def test_a_scoped_page_reads_only_the_events_it_returns(
    portfolio: Ledger, record: Record, monkeypatch: pytest.MonkeyPatch
) -> None:
    _decide_and_move(record)
    index = LogIndex(portfolio)
    index.catch_up()  # what a serving process did once, when it started paging
    decoded = 0
    to_domain_event = portfolio.mapper.to_domain_event

    def counting(notification: Any) -> Any:
        nonlocal decoded
        decoded += 1
        return to_domain_event(notification)

    monkeypatch.setattr(portfolio.mapper, "to_domain_event", counting)
    last = index.page(EventFilter(project=CHECKOUT, kinds=("milestone",)), 0, 1000).records[-1]
    decoded = 0
    page = index.page(EventFilter(project=CHECKOUT), last.position - 1, 1)
    assert [r.kind for r in page.records] == ["MilestoneShifted"]
    assert decoded <= 2  # the event itself (and no scan of the log before it)


def test_a_stored_index_restored_in_a_new_process_pages_as_a_fresh_one(
    portfolio: Ledger, record: Record
) -> None:
    _decide_and_move(record)
    stored = LogIndex(portfolio, persist=True, save_every=1)
    stored.catch_up()
    assert stored.saved_position == stored.position > 0
    record(  # after the stored position: caught up from there
        c.ShiftMilestone(
            project=CHECKOUT, milestone="GO-LIVE", forecast="2026-10-30", rationale="Scope grew"
        )
    )
    restored = LogIndex(portfolio, persist=True)
    assert restored.restored_from == stored.position
    fresh = LogIndex(portfolio)
    for criteria in FILTERS:
        wanted = _paged(fresh, EventFilter(**criteria), 1_000)
        assert _paged(restored, EventFilter(**criteria), 3) == wanted
        assert wanted  # the filters find something to compare
    assert restored.proposals == fresh.proposals
    assert restored.tree == fresh.tree


def test_an_index_stored_by_other_code_is_ignored_and_the_log_read_again(
    portfolio: Ledger, record: Record, monkeypatch: pytest.MonkeyPatch
) -> None:
    _decide_and_move(record)
    LogIndex(portfolio, persist=True, save_every=1).catch_up()
    monkeypatch.setattr("projections.log_index.version", lambda: "other code")
    again = LogIndex(portfolio, persist=True)
    assert again.restored_from is None
    assert again.position == 0
    assert again.catch_up() > 0


def test_uuids_read_back_from_an_index_equal_and_hash_as_parsed_ones() -> None:
    from uuid import UUID, uuid4

    from projections.log_index import _uuids

    made = [uuid4() for _ in range(50)]
    read = _uuids([u.hex for u in made])
    assert read == made
    assert [hash(u) for u in read] == [hash(u) for u in made]
    assert [str(u) for u in read] == [str(u) for u in made]
    assert dict.fromkeys(made, 1).keys() == dict.fromkeys(read, 1).keys()
    assert all(type(u) is UUID for u in read)


def test_closing_stops_the_background_catch_up_and_waits_for_it(
    portfolio: Ledger, record: Record
) -> None:
    _decide_and_move(record)
    index = LogIndex(portfolio)
    thread = index.warm(slice_events=1, pause_s=60)  # would take minutes to finish
    index.close()
    assert not thread.is_alive()
    assert 0 < index.position < portfolio.recorder.max_notification_id()


def test_warming_calls_back_once_caught_up_and_not_when_stopped_first(
    portfolio: Ledger, record: Record
) -> None:
    _decide_and_move(record)
    called: list[int] = []
    index = LogIndex(portfolio)
    index.warm(slice_events=2, pause_s=0, then=lambda: called.append(index.position)).join()
    assert called == [portfolio.recorder.max_notification_id()]

    stopped = LogIndex(portfolio)
    thread = stopped.warm(slice_events=1, pause_s=60, then=lambda: called.append(-1))
    stopped.close()
    assert not thread.is_alive()
    assert called == [portfolio.recorder.max_notification_id()]
