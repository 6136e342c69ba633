"""The answer cache keeps an answer while nothing it read is written, within its size; the
view asks one question for every "known now" until an event writes what it read."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from domain import commands as c
from domain.ledger import Ledger
from projections.answers import AnswerCache, CacheStats, Stamp
from projections.projector import Projector
from projections.reads import Reads
from projections.state import Scope, StateRows, micros
from projections.view import FOLLOW_DUE_SECONDS, INLINE_EVENTS, PortfolioView
from tests.conftest import Record


def _stamp(position: int, generation: int = 1) -> Stamp:
    return Stamp(generation, position, Reads((), ()))


def _always(stamp: Stamp) -> bool:
    return True


def test_an_answer_that_no_longer_holds_is_dropped_and_counted_outdated() -> None:
    cache = AnswerCache(max_bytes=1000)
    cache.put("PAY", b"before", _stamp(7))
    assert cache.get("PAY", _always) == b"before"
    assert cache.get("PAY", lambda stamp: stamp.position >= 8) is None
    assert cache.stats() == CacheStats(entries=0, size=0, hits=1, misses=1, outdated=1)
    cache.put("PAY", b"after", _stamp(8))
    cache.put("PAY", b"late", _stamp(7))  # computed before the one stored: not kept
    assert cache.get("PAY", _always) == b"after"


def test_a_look_without_counting_changes_nothing() -> None:
    cache = AnswerCache(max_bytes=1000)
    cache.put("PAY", b"before", _stamp(7))
    assert cache.get("PAY", lambda stamp: False, count=False) is None
    assert cache.get("PAY", _always, count=False) == b"before"
    assert cache.stats() == CacheStats(entries=1, size=6, hits=0, misses=0, outdated=0)


def test_the_least_recently_asked_answers_go_first_when_the_cache_is_full() -> None:
    cache = AnswerCache(max_bytes=10)
    cache.put("a", b"aaaa", _stamp(1))
    cache.put("b", b"bbbb", _stamp(1))
    assert cache.get("a", _always) == b"aaaa"  # now the most recent
    cache.put("c", b"cccc", _stamp(1))
    assert cache.get("b", _always) is None
    assert cache.get("a", _always) == b"aaaa"
    assert cache.stats().size == 8
    cache.put("huge", b"x" * 11, _stamp(1))  # larger than the whole cache: not kept
    assert cache.get("huge", _always) is None
    assert AnswerCache(max_bytes=0).get("a", _always) is None


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


@contextmanager
def _held(view: PortfolioView) -> Iterator[None]:
    """The view held by another thread meanwhile, as a catch-up or another question being
    computed would hold it."""
    busy, release = threading.Event(), threading.Event()

    def hold() -> None:
        with view._lock:
            busy.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert busy.wait(10)
        yield
    finally:
        release.set()
        holder.join()


def _count(state: StateRows) -> bytes:
    return str(len(state["milestones"])).encode()


def test_every_known_now_is_one_question_until_something_it_read_is_recorded(
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
    assert cache.stats().outdated == 1


def test_an_answer_outlives_a_write_to_another_project_only(
    portfolio: Ledger, record: Record
) -> None:
    view = PortfolioView(portfolio, persist=False)
    cache = AnswerCache(max_bytes=1 << 20)
    today, now = date(2026, 3, 2), datetime.now(UTC)
    wallet, checkout = Scope("project", "PAY-WALLET"), Scope("project", "PAY-CHECKOUT")
    assert view.answer(cache, _count, today, now, wallet, ["milestones"]) == b"0"
    assert view.answer(cache, _count, today, now, checkout, ["milestones"]) == b"1"
    _plan_a_pilot(record)  # on PAY-CHECKOUT
    later = datetime.now(UTC)
    assert view.answer(cache, _count, today, later, wallet, ["milestones"]) == b"0"
    assert cache.stats().hits == 1  # PAY-WALLET's answer held
    assert view.answer(cache, _count, today, later, checkout, ["milestones"]) == b"2"
    assert cache.stats().outdated == 1  # PAY-CHECKOUT's did not


def _staffed_projects(state: StateRows) -> bytes:
    return ",".join(sorted({row["project"] for row in state["staffing"]})).encode()


def test_a_project_opened_in_a_programme_outdates_its_answers_of_any_section(
    portfolio: Ledger, record: Record
) -> None:
    view = PortfolioView(portfolio, persist=False)
    cache = AnswerCache(max_bytes=1 << 20)
    today, now = date(2026, 3, 16), datetime.now(UTC)
    pay = Scope("programme", "PAY")
    before = view.answer(cache, _staffed_projects, today, now, pay, ["staffing"])
    record(
        c.OpenProject(
            code="PAY-FRAUD",
            name="Fraud scoring",
            programme="PAY",
            start="2026-03-02",
            end="2026-12-18",
            effective_date="2026-03-02",
        )
    )
    record(
        c.StaffResource(
            resource="ARCH-JEANNE",
            project="PAY-FRAUD",
            first_week="2026-W10",
            last_week="2026-W20",
            days="1",
            rationale="Fraud model review",
        )
    )
    after = view.answer(cache, _staffed_projects, today, datetime.now(UTC), pay, ["staffing"])
    assert b"PAY-FRAUD" in after
    assert b"PAY-FRAUD" not in before


def test_a_rebuilt_view_answers_afresh(portfolio: Ledger) -> None:
    view = PortfolioView(portfolio, persist=False)
    cache = AnswerCache(max_bytes=1 << 20)
    today, now = date(2026, 3, 2), datetime.now(UTC)
    view.answer(cache, _count, today, now, Scope(), ["milestones"])
    view.rebuild()  # bulk loads mark nothing: the generation tells
    view.answer(cache, _count, today, now, Scope(), ["milestones"])
    assert (cache.stats().hits, cache.stats().outdated) == (0, 1)


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
    # Recorded: the view catches up there and then (a few events), and the stored answer,
    # which the pilot outdates, is not given (a thread computes anew), nor counted given.
    hits = cache.stats().hits
    assert view.stored_answer(cache, today, now, Scope(), ["milestones"]) is None
    assert view.position == portfolio.recorder.max_notification_id()
    assert cache.stats().hits == hits
    assert view.answer(cache, _count, today, now, Scope(), ["milestones"]) == b"2"


def test_a_stored_answer_a_write_does_not_touch_is_given_once_the_view_applied_it(
    portfolio: Ledger, record: Record, store_url: str
) -> None:
    view = PortfolioView(portfolio, persist=False)
    cache = AnswerCache(max_bytes=1 << 20)
    today, now = date(2026, 3, 2), datetime.now(UTC)
    wallet = Scope("project", "PAY-WALLET")
    first = view.answer(cache, _count, today, now, wallet, ["milestones"])
    _plan_a_pilot(record)  # on PAY-CHECKOUT
    given = view.stored_answer(cache, today, datetime.now(UTC), wallet, ["milestones"])
    assert given == (None if store_url.startswith("postgresql") else first)
    for number in range(INLINE_EVENTS + 1):  # too far behind for an event loop
        record(c.TakeDecision(title=f"Decision {number}", rationale="Many", forum="weekly"))
    assert view.stored_answer(cache, today, datetime.now(UTC), wallet, ["milestones"]) is None
    assert view.answer(cache, _count, today, datetime.now(UTC), wallet, ["milestones"]) == first


def test_a_stored_answer_is_given_while_the_view_is_busy(portfolio: Ledger, store_url: str) -> None:
    view = PortfolioView(portfolio, persist=False)
    cache = AnswerCache(max_bytes=1 << 20)
    today, now = date(2026, 3, 2), datetime.now(UTC)
    view.answer(cache, _count, today, now, Scope(), ["milestones"])
    with _held(view):
        given = view.stored_answer(cache, today, now, Scope(), ["milestones"])
    assert given == (None if store_url.startswith("postgresql") else b"1")


def test_a_view_follows_the_log_only_when_nothing_holds_it(
    portfolio: Ledger, record: Record
) -> None:
    view = PortfolioView(portfolio, persist=False)
    view.catch_up()
    _plan_a_pilot(record)
    with _held(view):
        assert view.follow() is False  # no wait for the holder
    assert view.position < portfolio.recorder.max_notification_id()
    assert view.follow() is True
    assert view.position == portfolio.recorder.max_notification_id()


def test_a_catch_up_stops_where_it_is_told_and_views_never_share_a_generation(
    portfolio: Ledger, record: Record
) -> None:
    view = PortfolioView(portfolio, persist=False)
    view.catch_up()
    first = view.position
    for number in range(3):
        record(c.TakeDecision(title=f"Decision {number}", rationale="Three", forum="weekly"))
    view.catch_up(upto=first + 2)
    assert view.position == first + 2  # a batch recorded since waits for the next one
    view.catch_up()
    assert view.position == first + 3
    assert PortfolioView(portfolio, persist=False).generation != view.generation


def test_a_follow_made_due_and_never_run_does_not_hold_the_next_one(portfolio: Ledger) -> None:
    view = PortfolioView(portfolio, persist=False)
    assert view.follow_due() is True
    assert view.follow_due() is False  # one follow for the writes of a moment
    view._follow_due -= FOLLOW_DUE_SECONDS  # as if it had been due for a while
    assert view.follow_due() is True
