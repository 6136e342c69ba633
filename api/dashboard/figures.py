"""The KPIs (and comparisons) a page shows, remembered while they cannot change.

A committee looks at the same pages again and again; a KPI of the whole portfolio takes
hundreds of milliseconds at a million events. What a KPI shows depends on its scope,
parameters, ``as_of`` and what was recorded up to ``known_at``: for a ``known_at`` in
the past, nothing recorded later can change it; for now (or later), it changes only
when the log grows, so the view's position is part of the key. The last ``KEPT``
answers are kept per process (frames are never changed by the pages that read them).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from fastapi import Request

from api.dashboard.web import Moment, kept
from api.deps import Services
from projections.kpis import compute, compute_together
from projections.state import Scope

KEPT = 64


class Figures:
    """The KPI answers of one served view, the most recent ``KEPT`` of them."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._answers: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def kpi(self, name: str, at: Moment, scope: Scope, **parameters: Any) -> pd.DataFrame:
        """KPI ``name`` at the page's moment (``projections.kpis.compute``)."""
        view = self._services.view
        frame: pd.DataFrame = self.remember(
            ("kpi", name, scope, tuple(sorted(parameters.items()))),
            at,
            lambda: compute(view, name, at.as_of, at.known_at, scope, **parameters),
        )
        return frame

    def kpis(self, names: Sequence[str], at: Moment, scope: Scope) -> dict[str, pd.DataFrame]:
        """KPIs ``names`` with their default parameters at the page's moment: those not
        remembered computed together (``projections.kpis.compute_together``: each
        section read once, the project budget computed once), each then remembered as
        :meth:`kpi` remembers it."""
        when = self._when(at)  # one instant of the log for all of them
        keys = {name: ("kpi", name, scope, (), at.as_of, when) for name in names}
        with self._lock:
            found = {name: self._answers[key] for name, key in keys.items() if key in self._answers}
        missing = [name for name in names if name not in found]
        if missing:
            view = self._services.view
            frames = compute_together(view, missing, at.as_of, at.known_at, scope)
            computed = dict(zip(missing, frames, strict=True))
            with self._lock:
                for name, frame in computed.items():
                    self._keep(keys[name], frame)
            found.update(computed)
        return {name: found[name] for name in names}

    def remember(self, what: tuple[Any, ...], at: Moment, build: Callable[[], Any]) -> Any:
        """``build()``'s answer for ``what`` at the page's moment, kept while it holds."""
        key = (*what, at.as_of, self._when(at))
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        answer = build()
        with self._lock:
            self._keep(key, answer)
        return answer

    def _when(self, at: Moment) -> Any:
        """What fixes an answer at the page's moment: the instant, or the log's
        position."""
        if "known_at" in at.given and at.known_at < datetime.now(UTC):
            when: Any = at.known_at  # the past: fixed, whatever is recorded from now on
        else:  # now (no known_at) or later: what the log holds
            view = self._services.view
            view.catch_up()
            position, latest = view.position, view.latest_recorded
            # An answer is kept for the log's position only when that position holds
            # nothing recorded after the page's instant (a write landing meanwhile is
            # not in this answer); otherwise under the page's own instant.
            when = ("position", position) if latest <= at.known_at else at.known_at
        return when

    def _keep(self, key: tuple[Any, ...], answer: Any) -> None:
        """Keep ``answer`` (the lock held), dropping the oldest beyond ``KEPT``."""
        self._answers[key] = answer
        self._answers.move_to_end(key)
        while len(self._answers) > KEPT:
            self._answers.popitem(last=False)


def figures(request: Request, services: Services) -> Figures:
    """The process's remembered KPI answers for the served ledger."""
    return kept(request, "dashboard_figures", services, lambda: Figures(services))
