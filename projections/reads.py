"""What a query read of the view's tables, and whether it still holds after more events.

A state query reads some tables whole and others by partition (a programme's projects,
the resources staffed on them). The step tables note the log position of the last op
that wrote each partition (``StepTable.written_since``). An answer computed at position
``p`` from the rows it read is the answer at any later position as long as no op after
``p`` wrote a row of what it read: the rows it selected are the same rows, and "as known
now" keeps them, since the rows of an unwritten partition are the same as known at any
later instant (none opens or closes after ``p``).

``Recording`` stands for a projector's tables during a query and notes every read: a
``select`` of some partitions notes those, anything else (a whole select, a column, the
table's length) notes the whole table. A query that reads the tables only through it
cannot read something that goes unnoted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from projections.bitemporal import Columns, StepTable


class Reads(NamedTuple):
    """The tables a query read whole, and the partitions it read of the others.

    Tuples of names and numbers only: the collector stops tracking such tuples, and a
    cache holds thousands of these (as frozensets and dataclasses they were walked at
    every full collection, ~50 objects an answer).
    """

    whole: tuple[str, ...]
    parts: tuple[tuple[str, tuple[int, ...]], ...]

    def written_since(self, tables: Mapping[str, StepTable], position: int) -> bool:
        """Whether an op after ``position`` wrote any row of what was read."""
        if any(tables[name].written_since(position) for name in self.whole):
            return True
        return any(tables[name].written_since(position, parts) for name, parts in self.parts)


class Recording(Mapping[str, "RecordedTable"]):
    """A projector's tables, as a query reads them: every read noted."""

    def __init__(self, tables: Mapping[str, StepTable]) -> None:
        self._tables = tables
        self._whole: set[str] = set()
        self._parts: dict[str, set[int]] = {}

    def __getitem__(self, name: str) -> RecordedTable:
        return RecordedTable(self._tables[name], self)

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def note(self, name: str, partitions: Iterable[int] | None) -> None:
        """A read of ``name``: of those partitions, or (None) of the whole table."""
        if partitions is None:
            self._whole.add(name)
        else:
            self._parts.setdefault(name, set()).update(partitions)

    def reads(self) -> Reads:
        """Everything noted so far."""
        parts = tuple(
            (name, tuple(sorted(found)))
            for name, found in sorted(self._parts.items())
            if name not in self._whole
        )
        return Reads(tuple(sorted(self._whole)), parts)


class RecordedTable:
    """One step table read through a ``Recording``."""

    def __init__(self, table: StepTable, recording: Recording) -> None:
        self._table = table
        self._recording = recording

    def select(
        self,
        as_of: int,
        known_at: int,
        where: dict[str, Iterable[int]] | None = None,
        partitions: Iterable[int] | None = None,
        intervals: bool = False,
    ) -> Columns:
        """``StepTable.select``, its partitions (or the whole table) noted."""
        chosen = None if partitions is None else list(partitions)
        self._recording.note(self._table.name, chosen)
        return self._table.select(as_of, known_at, where, chosen, intervals)

    def __len__(self) -> int:
        self._recording.note(self._table.name, None)
        return len(self._table)

    def __getattr__(self, name: str) -> Any:
        """Any other read (a column, the history, the fields…): the whole table."""
        self._recording.note(self._table.name, None)
        return getattr(self._table, name)
