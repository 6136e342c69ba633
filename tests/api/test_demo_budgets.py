"""The demo's yearly budget vote: the envelopes of each slice's projects and the
perimeters' reserves, which the first slice opens and the others raise by their share."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

from api.demo.context import Demo, ProjectPlan
from api.demo.setup import vote_next_year
from domain import commands as c
from domain.clock import SimulatedClock


class Recorded:
    """A batch that keeps the commands it is given."""

    def __init__(self) -> None:
        self.commands: list[Any] = []

    def execute(self, command: Any, author: str) -> None:
        self.commands.append(command)


def a_demo(*projects: ProjectPlan) -> tuple[Demo, Recorded]:
    batch = Recorded()
    clock = SimulatedClock(datetime(2026, 12, 3, 10, tzinfo=UTC))
    demo = Demo(batch, clock, random.Random(1), date(2026, 12, 5), slices=2)  # type: ignore[arg-type]
    for plan in projects:
        demo.add_project(plan)
    return demo, batch


def project(code: str, slice_index: int, start: date, end: date) -> ProjectPlan:
    return ProjectPlan(code, code.title(), "PAY", "B2C", slice_index, ("developer",), start, end)


def test_a_slice_whose_share_of_the_reserve_rounds_to_nothing_raises_no_reserve() -> None:
    demo, batch = a_demo(
        project("PAY-A", 0, date(2026, 1, 5), date(2027, 12, 17)),
        project("PAY-B", 1, date(2026, 1, 5), date(2027, 1, 8)),  # one week of 2027
    )

    vote_next_year(demo, 2027)

    raised = [cmd for cmd in batch.commands if isinstance(cmd, c.RaiseBudget)]
    reserves = [cmd for cmd in batch.commands if isinstance(cmd, c.OpenEnvelope) and cmd.reserve]
    assert [cmd.reserve for cmd in reserves] == ["B2C"]  # opened by the first slice
    assert raised == []  # PAY-B's week of 2027 adds nothing to the reserve
    envelopes = {cmd.project for cmd in batch.commands if isinstance(cmd, c.OpenEnvelope)}
    assert envelopes == {"PAY-A", "PAY-B", None}
