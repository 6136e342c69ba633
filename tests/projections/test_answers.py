"""The answer cache keeps only answers of the latest position, within its size; the view
asks one question for every "known now" until something is recorded."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from domain import commands as c
from domain.ledger import Ledger
from projections.answers import AnswerCache
from projections.projector import Projector
from projections.state import Scope, StateRows, micros
from projections.view import PortfolioView
from tests.conftest import Record


def test_a_newer_position_forgets_every_answer_of_the_older_one() -> None:
    cache = AnswerCache(max_bytes=1000)
    cache.put(7, "PAY", b"before")
    assert cache.get(7, "PAY") == b"before"
    cache.put(8, "CRM", b"after")
    assert cache.get(8, "PAY") is None
    assert cache.get(7, "PAY") is None
    cache.put(7, "PAY", b"late")  # computed before the write: not kept
    assert cache.get(8, "PAY") is None
    assert cache.stats().entries == 1


def test_the_least_recently_asked_answers_go_first_when_the_cache_is_full() -> None:
    cache = AnswerCache(max_bytes=10)
    cache.put(1, "a", b"aaaa")
    cache.put(1, "b", b"bbbb")
    assert cache.get(1, "a") == b"aaaa"  # now the most recent
    cache.put(1, "c", b"cccc")
    assert cache.get(1, "b") is None
    assert cache.get(1, "a") == b"aaaa"
    assert cache.stats().size == 8
    cache.put(1, "huge", b"x" * 11)  # larger than the whole cache: not kept
    assert cache.get(1, "huge") is None
    assert AnswerCache(max_bytes=0).get(1, "a") is None


def _plan_a_pilot(record: Record) -> None:
    """A second milestone of PAY-CHECKOUT (the portfolio has one)."""
    record(
        c.PlanMilestone(
            project="PAY-CHECKOUT",
            milestone="PILOT",
            name="Pilot",
            baseline="2026-05-15",
            rationale="A pilot first",
        )
    )


def _count(state: StateRows) -> bytes:
    return str(len(state["milestones"])).encode()


def test_every_known_now_is_one_question_until_something_is_recorded(
    portfolio: Ledger, record: Record
) -> None:
    view = PortfolioView(portfolio, persist=False)
    cache = AnswerCache(max_bytes=1 << 20)
    today = date(2026, 3, 2)
    now = datetime.now(UTC)
    for later in (0, 1, 3600):
        view.answer(cache, _count, today, now + timedelta(seconds=later), Scope(), ["milestones"])
    assert cache.stats().hits == 2
    _plan_a_pilot(record)
    moved = view.answer(cache, _count, today, now, Scope(), ["milestones"])
    assert moved == b"2"
    assert cache.stats().hits == 2


def test_a_restored_view_knows_its_latest_recorded_instant(portfolio: Ledger) -> None:
    view = PortfolioView(portfolio, persist=False)
    view.catch_up()
    latest = view.projector.latest
    assert 0 < latest <= micros(portfolio.clock.now())
    assert latest == view.projector.latest_in_tables()
    saved = view.projector.snapshot()
    assert Projector.restored(saved).latest == latest
    del saved["latest"]  # a snapshot stored before it was kept
    assert Projector.restored(saved).latest == latest


def test_a_stored_answer_is_given_without_waiting_only_while_the_log_has_not_moved(
    portfolio: Ledger, record: Record, store_url: str
) -> None:
    view = PortfolioView(portfolio, persist=False)
    cache = AnswerCache(max_bytes=1 << 20)
    today, now = date(2026, 3, 2), datetime.now(UTC)
    assert view.stored_answer(cache, today, now, Scope(), ["milestones"]) is None  # not asked
    first = view.answer(cache, _count, today, now, Scope(), ["milestones"])
    assert cache.stats().misses == 1  # the look before the answer is not a second miss
    if store_url.startswith("postgresql"):  # a network round trip: never on an event loop
        assert view.stored_answer(cache, today, now, Scope(), ["milestones"]) is None
        return
    later = now + timedelta(hours=1)  # "known now" a moment later: the same question
    assert view.stored_answer(cache, today, later, Scope(), ["milestones"]) == first
    assert view.stored_answer(cache, today, now, Scope(), ["projects"]) is None  # another one
    _plan_a_pilot(record)
    # Recorded, not yet caught up: the stored answer is not given (a thread computes anew),
    # nor counted as given.
    hits = cache.stats().hits
    assert view.stored_answer(cache, today, now, Scope(), ["milestones"]) is None
    assert cache.stats().hits == hits
    assert view.answer(cache, _count, today, now, Scope(), ["milestones"]) == b"2"


def test_a_stored_answer_is_not_waited_for_while_the_view_is_busy(
    portfolio: Ledger, store_url: str
) -> None:
    view = PortfolioView(portfolio, persist=False)
    cache = AnswerCache(max_bytes=1 << 20)
    today, now = date(2026, 3, 2), datetime.now(UTC)
    view.answer(cache, _count, today, now, Scope(), ["milestones"])
    busy, release = threading.Event(), threading.Event()

    def hold() -> None:
        with view._lock:  # as a catch-up or another question being computed would
            busy.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert busy.wait(10)
        assert view.stored_answer(cache, today, now, Scope(), ["milestones"]) is None
    finally:
        release.set()
        holder.join()
    free = view.stored_answer(cache, today, now, Scope(), ["milestones"])
    assert free == (None if store_url.startswith("postgresql") else b"1")
