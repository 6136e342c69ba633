"""The projector's lookups (which weeks a resource is staffed on, which sheet an id is…)
as int64 rows for a snapshot, and back, lazily.

A restored view may hold millions of such entries and touch a handful before it stops:
:class:`Lookup` keeps the snapshot's rows sorted by key and makes an entry only when a
handler first looks it up.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Kind = Literal["value", "tuple", "set", "list"]
_SHIFT = 32  # two-field keys are packed into one integer: each field below 2**31


def rows_of(mapping: dict[Any, Any], key_width: int, kind: Kind) -> Ints:
    """A mapping as rows: the key's fields, then the value's (one row per member for
    sets and lists)."""
    if isinstance(mapping, Lookup):
        return mapping.rows()
    return _rows(mapping.items(), key_width, kind)


def _rows(items: Any, key_width: int, kind: Kind) -> Ints:
    rows: list[tuple[int, ...]] = []
    for key, value in items:
        head = key if key_width > 1 else (key,)
        if kind in ("set", "list"):
            for member in value:
                rows.append((*head, *(member if isinstance(member, tuple) else (member,))))
        else:
            rows.append((*head, *(value if kind == "tuple" else (value,))))
    return np.array(rows, dtype=np.int64) if rows else np.zeros((0, 0), dtype=np.int64)


class LazyDict(dict[Any, Any]):
    """A dict whose ``__missing__`` makes entries on first use; ``get`` and
    ``setdefault``, which ``dict`` answers without ``__missing__``, go through it too."""

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def setdefault(self, key: Any, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            self[key] = default
            return default


class Lookup(LazyDict):
    """A dict restored from rows, each entry made on first lookup (``[]``, ``get``,
    ``setdefault``). Iterating it sees only the entries made so far: use ``rows``."""

    def __init__(self, rows: Ints, key_width: int, kind: Kind) -> None:
        super().__init__()
        self.key_width, self.kind = key_width, kind
        if not len(rows):
            rows = np.zeros((0, key_width + 1), dtype=np.int64)
        packed = _pack_rows(rows, key_width)
        order = np.argsort(packed, kind="stable")  # stable: a list keeps its order
        self._packed, self._saved = packed[order], rows[order]

    def __missing__(self, key: Any) -> Any:
        packed = _pack(key if self.key_width > 1 else (key,))
        start, end = np.searchsorted(self._packed, [packed, packed + 1])
        if start == end:
            raise KeyError(key)
        values = self._saved[start:end, self.key_width :].tolist()
        entry: Any
        if self.kind == "value":
            entry = values[0][0]
        elif self.kind == "tuple":
            entry = tuple(values[0])
        else:
            members = [v[0] if len(v) == 1 else tuple(v) for v in values]
            entry = set(members) if self.kind == "set" else members
        self[key] = entry
        return entry

    def whole(self) -> dict[Any, Any]:
        """Every entry, in a plain dict (for the small lookups queries read whole)."""
        keys = self._saved[:, : self.key_width].tolist()
        for key in keys:
            self[key[0] if self.key_width == 1 else tuple(key)]  # makes the entry
        return dict(self)

    def rows(self) -> Ints:
        """Every entry as rows: the saved ones not looked up since, and the others."""
        made = _rows(self.items(), self.key_width, self.kind)
        keys = [k if self.key_width > 1 else (k,) for k in self]
        made_packed = np.array([_pack(k) for k in keys], dtype=np.int64)
        untouched = self._saved[~np.isin(self._packed, made_packed)]
        if not len(made):
            return untouched
        if not len(untouched):
            return made
        return np.concatenate([untouched, made])


def _pack(key: tuple[int, ...]) -> int:
    if len(key) == 1:
        return key[0]
    first, second = key
    return ((first + 1) << _SHIFT) | (second + 1)


def _pack_rows(rows: Ints, key_width: int) -> Ints:
    if key_width == 1:
        return rows[:, 0].copy()
    if len(rows) and (rows[:, :2].min() < -1 or rows[:, :2].max() >= 2**31 - 1):
        raise ValueError("a two-field key out of the packable range")
    packed: Ints = ((rows[:, 0] + 1) << _SHIFT) | (rows[:, 1] + 1)
    return packed
