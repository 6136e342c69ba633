"""Reading stored events without the domain: their JSON, straight to int64 values.

The ledger stores events as the library's JSON, typed values wrapped as
``{"_type_": name, "_data_": data}`` by the transcodings of ``domain/persistence.py``.
Rebuilding a read model needs a few fields of each event, as integers; parsing the JSON
and reading those fields directly is several times faster than building the domain
event objects. Dates become ordinals, instants microseconds, money cents, person-days
hundredths, weeks their Monday's ordinal, and texts ids into a :class:`Labels` table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import orjson

EPOCH = datetime(1970, 1, 1).toordinal()
MISSING = -(2**62)  # a field an op leaves unchanged


def parse(state: bytes) -> dict[str, Any]:
    """The stored JSON of an event (orjson: a few times faster than the standard module)."""
    result: dict[str, Any] = orjson.loads(state)
    return result


def data(value: Any) -> Any:
    """The payload of a transcoded value (or the value itself)."""
    return value["_data_"] if isinstance(value, dict) and "_data_" in value else value


@lru_cache(maxsize=100_000)
def _day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def day(value: Any) -> int:
    """A transcoded date as its ordinal."""
    return _day(data(value))


@lru_cache(maxsize=10_000)
def _week(text: str) -> int:
    year, number = int(text[:4]), int(text[-2:])
    return date.fromisocalendar(year, number, 1).toordinal()


def week(value: Any) -> int:
    """A transcoded ISO week as its Monday's ordinal."""
    return _week(data(value))


@lru_cache(maxsize=65_536)
def _instant(text: str) -> int:
    moment = datetime.fromisoformat(text)
    seconds = (moment.toordinal() - EPOCH) * 86_400 + moment.hour * 3600
    seconds += moment.minute * 60 + moment.second
    offset = moment.utcoffset()
    if offset is not None:
        seconds -= int(offset.total_seconds())
    return seconds * 1_000_000 + moment.microsecond


def instant(value: Any) -> int:
    """A transcoded datetime as microseconds since 1970 (UTC)."""
    return _instant(value["_data_"] if isinstance(value, dict) else value)


def hundredths(value: Any) -> int:
    """A transcoded Decimal with two places (money, person-days) as an integer."""
    text: str = data(value)
    whole, _, fraction = text.partition(".")
    return int(whole) * 100 + (int((fraction + "00")[:2]) if fraction else 0)


def enum(value: Any) -> str:
    """A transcoded enum's value."""
    text: str = data(value)
    return text


class _Allotting(dict[str, int]):
    """A dict that allots the next id to a text it has not seen (in C on a hit)."""

    def __init__(self, texts: list[str]) -> None:
        super().__init__()
        self._texts = texts

    def __missing__(self, text: str) -> int:
        found = self[text] = len(self._texts)
        self._texts.append(text)
        return found


class Labels:
    """Texts (codes, names, ids) as dense integers, both ways."""

    def __init__(self, texts: list[str] | None = None) -> None:
        self.texts: list[str] = list(texts or ())
        self._ids: dict[str, int] = _Allotting(self.texts)
        self._ids.update(zip(self.texts, range(len(self.texts)), strict=True))
        # The hottest call of a rebuild: a bound C method, no Python frame on a hit.
        self.id: Callable[[str], int] = self._ids.__getitem__

    def find(self, text: str) -> int | None:
        """The id of ``text`` if seen."""
        return self._ids.get(text)

    def text(self, label: int) -> str:
        """The text of an id."""
        return self.texts[label]

    def __len__(self) -> int:
        return len(self.texts)

    def ref(self, value: Any) -> int:
        """The id of a transcoded UUID (its hex), or -1 for null."""
        if value is None:
            return -1
        return self.id(data(value))
