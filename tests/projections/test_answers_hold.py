"""An answer kept across events is the answer computed afresh, and a view that followed the
log answers as one rebuilt from it.

The answer cache keeps a state's answer while no event writes a row of what its query
read (``projections.reads``). The proof here is by the demo simulation's event stream
(staffing, releases, timesheets and their corrections, milestone moves, budget
arbitrations, risks, dependencies, demands, back-dated facts…): a view follows the log
event by event; at checkpoints, every answer kept since an earlier checkpoint is
compared with the same question computed anew, for the portfolio, its perimeters,
programmes and some projects, at several dates, "known now" and known at a past instant.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.demo.simulation import run_demo
from domain.ledger import Ledger
from projections.projector import Projector
from projections.reads import Reads
from projections.state import SECTIONS, Scope, instant_of, state_rows, state_rows_read

Question = tuple[Scope, date, datetime | None, tuple[str, ...]]  # None: known now


def _scopes(projector: Projector, today: date) -> list[Scope]:
    now = instant_of(projector.latest)
    found = state_rows(projector, today, now, None, ["perimeters", "programmes", "projects"])
    projects = [row["project"] for row in found["projects"]]
    return [
        Scope(),
        *(Scope("perimeter", row["perimeter"]) for row in found["perimeters"]),
        *(Scope("programme", row["programme"]) for row in found["programmes"]),
        *(Scope("project", code) for code in projects[:: max(1, len(projects) // 6)]),
    ]


def _answer(projector: Projector, question: Question) -> tuple[bytes, Reads]:
    scope, as_of, known_at, sections = question
    known = instant_of(projector.latest) if known_at is None else known_at
    rows, reads = state_rows_read(projector, as_of, known, scope, sections)
    return orjson.dumps(rows), reads


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    months=st.integers(2, 12),
    split=st.floats(0.3, 0.9),
    steps=st.lists(st.integers(1, 60), min_size=12, max_size=12),
)
def test_an_answer_kept_across_events_equals_the_answer_computed_afresh(
    tmp_path_factory: Any, seed: int, months: int, split: float, steps: list[int]
) -> None:
    folder: Path = tmp_path_factory.mktemp("hold")
    today = date(2025, 1, 1) + timedelta(days=30 * months)
    run_demo(str(folder / "ledger.db"), today=today, seed=seed)
    with Ledger(str(folder / "ledger.db")) as ledger:
        events = ledger.recorder.select_notifications(start=1, limit=10**6)
    projector = Projector()
    projector.start_bulk()  # the first part as a rebuild (no marks), the rest one by one
    first = int(split * len(events))

    def apply(upto: int) -> None:
        for event in events[projector.position : upto]:
            projector.apply(event.id, event.topic, event.originator_id.hex, event.state)
        for table in projector.tables.values():
            table.prepare()

    apply(first)
    projector.finish_bulk()
    day = instant_of(projector.latest).date()  # where the events one by one begin
    past = instant_of(projector.latest) - timedelta(days=20)
    scopes = _scopes(projector, day)
    questions: list[Question] = [
        (scope, as_of, known, SECTIONS)
        for scope in scopes
        for as_of in (day, day + timedelta(days=30))
        for known in (None, past)
    ]
    # One section alone reads less: no projects section to tell of a project opened.
    questions += [
        (scope, day + timedelta(days=30), None, (section,))
        for scope in scopes
        if scope.kind in ("perimeter", "programme")
        for section in ("staffing", "risks", "demands")
    ]
    kept = {question: (*_answer(projector, question), projector.position) for question in questions}
    held = outdated = 0
    for step in steps:
        apply(min(len(events), projector.position + step))
        for question, (answer, reads, position) in list(kept.items()):
            fresh, fresh_reads = _answer(projector, question)
            if reads.written_since(projector.tables, position):
                outdated += 1
                kept[question] = (fresh, fresh_reads, projector.position)
            else:
                held += 1
                assert answer == fresh, f"{question} kept from {position}, now {projector.position}"
    assert held  # both cases were met, or the proof proved nothing
    assert outdated
    # And the view that followed the log (its labels and lookups extended query after
    # query) answers as one built at once from the same events.
    rebuilt = Projector()
    rebuilt.start_bulk()
    for event in events[: projector.position]:
        rebuilt.apply(event.id, event.topic, event.originator_id.hex, event.state)
    rebuilt.finish_bulk()
    for question in questions:
        assert _answer(rebuilt, question)[0] == _answer(projector, question)[0], question
