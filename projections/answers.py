"""A bounded cache of rendered answers, valid for one log position of the view.

An answer (a state serialized by a face, say) depends on the question and on what the
view had applied: its key is the question, and the cache holds the answers of one log
position only. The first answer stored for a newer position empties it (whatever was
recorded since may change any answer); an answer computed at an older position is not
stored. Within a position, the least recently used answers are dropped once their total
size passes ``max_bytes``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class CacheStats:
    """What the cache holds and how it has served."""

    entries: int
    size: int
    hits: int
    misses: int


class AnswerCache:
    """Answers (bytes) by question, for the latest log position seen; thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[Hashable, bytes] = OrderedDict()
        self._position = -1
        self._size = 0
        self._hits = self._misses = 0
        self._lock = threading.Lock()

    def get(self, position: int, question: Hashable, *, count: bool = True) -> bytes | None:
        """The answer stored for ``question`` at ``position``, or None; with ``count``
        False, a look that changes nothing (no hit or miss counted, no use recorded)."""
        with self._lock:
            found = self._answers.get(question) if position == self._position else None
            if not count:
                return found
            if found is None:
                self._misses += 1
                return None
            self._answers.move_to_end(question)
            self._hits += 1
            return found

    def put(self, position: int, question: Hashable, answer: bytes) -> None:
        """Keep ``answer`` to ``question`` as computed at ``position``."""
        with self._lock:
            if position < self._position or len(answer) > self.max_bytes:
                return
            if position > self._position:
                self._answers.clear()
                self._size, self._position = 0, position
            previous = self._answers.pop(question, None)
            if previous is not None:
                self._size -= len(previous)
            self._answers[question] = answer
            self._size += len(answer)
            while self._size > self.max_bytes:
                _, dropped = self._answers.popitem(last=False)
                self._size -= len(dropped)

    def stats(self) -> CacheStats:
        """Entries, their total size in bytes, hits and misses so far."""
        with self._lock:
            return CacheStats(len(self._answers), self._size, self._hits, self._misses)
