"""Today's state of every programme, kept ready: ``GET /state``'s default question.

What a dashboard asks most is a programme's state today, as known now. On a big ledger
an answer takes milliseconds of CPU to compute (~5 ms for a programme of the
million-event demo), one at a time: fifty people opening their programmes after a
restart wait in line. A background thread of each process of the API computes those
answers into the answer cache (``projections.answers``) when the application starts,
then goes over them again every few seconds: an answer still held costs a look (the
cache keeps it while no event writes what it read), one that a write outdated, or a new
day, is computed again, so that a request rarely finds it missing.

It runs from ``WARM_FROM`` events (a smaller ledger answers fast enough) or as
``PMO_API_WARM_STATES`` says (``auto``, ``on``, ``off``), and stops filling the cache at
``SHARE`` of its size: what clients ask keeps room. It shares the processor with the
requests (the GIL, the view's lock), so its first round slows the answers of the first
seconds; after it, a round of answers still held costs a few tens of milliseconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from api.routers.reading import moment
from projections.answers import AnswerCache
from projections.state import SECTIONS, Scope, StateRows
from projections.view import PortfolioView

WARM_FROM = 100_000  # events in the ledger from which the states are kept warm (auto)
SHARE = 0.75  # of the answer cache's size, beyond which nothing more is warmed
PAUSE_SECONDS = 5.0  # between two rounds

log = logging.getLogger("pmo.api")


@dataclass(frozen=True)
class Round:
    """What one round did."""

    programmes: int  # programmes in force today
    computed: int  # answers computed (the others were held)
    full: bool  # stopped because the cache reached its share
    seconds: float
    failed: int = 0  # programmes whose answer could not be computed (logged)


class Warmer:
    """Keeps today's state of every programme in the answer cache, from a thread."""

    def __init__(
        self,
        view: PortfolioView,
        cache: AnswerCache,
        render: Callable[[StateRows], bytes],
        pause: float = PAUSE_SECONDS,
    ) -> None:
        self.view, self.cache, self.render, self.pause = view, cache, render, pause
        self.rounds = 0
        self._unkept: set[tuple[str, date]] = set()  # answers larger than the cache
        self._failed: set[str] = set()  # whose failure was logged (once, until it passes)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pmo-warm-states", daemon=True)

    def start(self) -> None:
        """Warm in the background until :meth:`close`."""
        self._thread.start()

    def close(self) -> None:
        """Stop after the answer being computed, and wait for the thread."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def warm(self) -> Round:
        """One round: every programme in force today, its state as known now."""
        began = time.perf_counter()
        day, now = moment(None, None)
        # The view catches up here, once a round; an answer found still held after it
        # costs a look (no read of the log), and only the others are computed.
        structure = self.view.state(day, now, sections=["programmes"])["programmes"]
        codes = [str(code) for code in structure["programme"]]
        computed, failed, full = 0, 0, False
        limit = SHARE * self.cache.max_bytes
        for code in codes:
            if self._stop.is_set():
                break
            if self.cache.stats().size >= limit:
                full = True
                break
            day, now = moment(None, None)
            scope = Scope("programme", code)
            if (code, day) in self._unkept or self.view.holds_answer(
                self.cache, day, now, scope, SECTIONS
            ):
                continue
            computed += 1
            try:
                answer = self.view.answer(self.cache, self.render, day, now, scope, SECTIONS)
            except Exception:  # one programme's failure does not stop the others'
                failed += 1
                if code not in self._failed:
                    self._failed.add(code)
                    log.exception("warming the state of programme %s failed", code)
                continue
            self._failed.discard(code)
            if len(answer) > self.cache.max_bytes:  # never kept: not computed again today
                self._unkept.add((code, day))
        self.rounds += 1
        return Round(len(codes), computed, full, time.perf_counter() - began, failed)

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                done = self.warm()
            except Exception:  # a store that went away: try again at the next round
                log.exception("warming the programmes' states failed")
            else:
                if first or done.computed:
                    log.info(
                        "programme states warm: %d of %d computed in %.1f s%s",
                        done.computed,
                        done.programmes,
                        done.seconds,
                        " (the cache's share is full)" if done.full else "",
                    )
                first = False
            self._stop.wait(self.pause)
