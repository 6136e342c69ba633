"""A projector's lookups survive a snapshot: restored lazily, they answer and save alike."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from projections.lookups import Kind, Lookup, rows_of

small = st.integers(-1, 50)
pairs = st.tuples(small, small)


def _normal(mapping: dict[Any, Any], kind: Kind) -> dict[Any, Any]:
    if kind == "set":
        return {k: set(v) for k, v in mapping.items() if v}
    if kind == "list":
        return {k: list(v) for k, v in mapping.items() if v}
    return dict(mapping)


@given(
    st.sampled_from(
        [
            (1, "value", st.dictionaries(small, small)),
            (1, "tuple", st.dictionaries(small, st.tuples(small, small, small))),
            (2, "set", st.dictionaries(pairs, st.sets(small, max_size=4))),
            (2, "list", st.dictionaries(pairs, st.lists(st.tuples(small, small), max_size=4))),
        ]
    ).flatmap(lambda spec: st.tuples(st.just(spec[:2]), spec[2], st.lists(small | pairs))),
)
def test_a_restored_lookup_answers_like_the_dict_it_was_saved_from(case: Any) -> None:
    (width, kind), original, probes = case
    original = _normal(original, kind)
    restored = Lookup(rows_of(original, width, kind), width, kind)
    for probe in probes:
        key = probe if (width == 2) == isinstance(probe, tuple) else None
        if key is None:
            continue
        assert restored.get(key) == original.get(key)
    # What a handler adds after the restore is saved with what it did not touch.
    added = (7, 7) if width == 2 else 7
    fresh = {"value": 1, "tuple": (1, 2, 3), "set": {4}, "list": [(5, 6)]}[kind]
    restored.setdefault(added, fresh)
    expected = dict(original)
    expected.setdefault(added, restored[added])
    again = Lookup(rows_of(restored, width, kind), width, kind)
    assert _normal(again.whole(), kind) == _normal(expected, kind)
