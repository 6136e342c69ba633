"""A bounded cache of rendered answers, each kept while what it read is unwritten.

An answer (a state serialized by a face, say) depends on the question and on the rows
the query read. Each answer is stored with a ``Stamp``: the view it was computed from,
the log position the view had reached, and what the query read of its tables
(``projections.reads``). Whoever asks again says whether the stamp still holds (the
view checks that no event since that position wrote what was read); an answer that
does not hold is dropped. So a timesheet recorded on one project leaves the answers
about the other programmes as they were, and "known now" is one question across writes
that do not touch it.

The least recently used answers are dropped once their total size passes
``max_bytes``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import NamedTuple

from projections.reads import Reads


class Stamp(NamedTuple):
    """What an answer was computed from: a view (its ``generation``: a rebuild starts
    another), the log position it reflected, and what it read then (a tuple of numbers
    and names, which the collector stops tracking)."""

    generation: int
    position: int
    reads: Reads


Holds = Callable[[Stamp], bool]
"""Whether an answer of that stamp is still the answer now."""


@dataclass(frozen=True)
class CacheStats:
    """What the cache holds and how it has served."""

    entries: int
    size: int
    hits: int
    misses: int
    outdated: int  # answers dropped because an event wrote what they read


class AnswerCache:
    """Answers (bytes) by question, with their stamps; thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[Hashable, tuple[bytes, Stamp]] = OrderedDict()
        self._size = 0
        self._hits = self._misses = self._outdated = 0
        self._lock = threading.Lock()

    def get(self, question: Hashable, holds: Holds, *, count: bool = True) -> bytes | None:
        """The answer stored for ``question`` if its stamp ``holds``, or None (one that
        no longer holds is dropped); with ``count`` False, a look that changes nothing
        (no hit or miss counted, no use recorded, nothing dropped)."""
        with self._lock:
            found = self._answers.get(question)
        if found is not None and not holds(found[1]):  # outside the lock: it reads the view
            if count:
                with self._lock:
                    if self._answers.get(question) is found:
                        self._drop(question)
                        self._outdated += 1
            found = None
        if not count:
            return None if found is None else found[0]
        with self._lock:
            if found is None:
                self._misses += 1
                return None
            if question in self._answers:
                self._answers.move_to_end(question)
            self._hits += 1
            return found[0]

    def put(self, question: Hashable, answer: bytes, stamp: Stamp) -> None:
        """Keep ``answer`` to ``question``, computed as ``stamp`` says (unless an answer
        computed at a later position is stored already)."""
        with self._lock:
            if len(answer) > self.max_bytes:
                return
            previous = self._answers.get(question)
            if previous is not None:
                if (previous[1].generation, previous[1].position) > (
                    stamp.generation,
                    stamp.position,
                ):
                    return
                self._drop(question)
            self._answers[question] = (answer, stamp)
            self._size += len(answer)
            while self._size > self.max_bytes:
                _, (dropped, _) = self._answers.popitem(last=False)
                self._size -= len(dropped)

    def _drop(self, question: Hashable) -> None:
        answer, _ = self._answers.pop(question)
        self._size -= len(answer)

    def stats(self) -> CacheStats:
        """Entries, their total size in bytes, hits, misses and outdated answers so far."""
        with self._lock:
            return CacheStats(
                len(self._answers), self._size, self._hits, self._misses, self._outdated
            )
